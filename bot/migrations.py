"""Run Alembic programmatically: `kudos db upgrade`, and the upgrade `serve`/`chat` do on start."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

try:
    import fcntl
except ImportError:  # Windows: no advisory file locks; start one process at a time there
    fcntl = None  # type: ignore[assignment]

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to call on every start, from several processes."""
    with _sqlite_file_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


@contextmanager
def _sqlite_file_lock(database_url: str) -> Iterator[None]:
    """Processes upgrading one SQLite file take turns (PostgreSQL uses an advisory lock in
    migrations/env.py)."""
    url = make_url(database_url)
    if (
        fcntl is None
        or url.get_backend_name() != "sqlite"
        or not url.database
        or url.database == ":memory:"
    ):
        yield
        return
    lock_path = Path(url.database).with_name(Path(url.database).name + ".migrate-lock")
    if not lock_path.parent.is_dir():
        raise FileNotFoundError(
            errno.ENOENT, "the SQLite database's directory does not exist", str(lock_path.parent)
        )
    with open(lock_path, "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """`upgrade` from inside a running event loop (Alembic's env runs its own loop)."""
    await asyncio.to_thread(upgrade, database_url, revision)
