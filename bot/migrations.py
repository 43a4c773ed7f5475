"""Run Alembic programmatically: `kudos db upgrade`, and the upgrade `serve`/`chat` do on start.

Alembic is imported only when a migration runs: a start that finds the schema at
`head_revision()` (read from the scripts' text) has nothing to do.
"""

from __future__ import annotations

import asyncio
import errno
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # Windows: no advisory file locks; start one process at a time there
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_REVISION = re.compile(r"""^revision(?:\s*:[^=\n]*)?\s*=\s*["']([^"']+)["']\s*$""", re.M)
_DOWN_REVISION = re.compile(
    r"""^down_revision(?:\s*:[^=\n]*)?\s*=\s*(?:None|["']([^"']+)["'])\s*$""", re.M
)


@cache
def head_revision() -> str | None:
    """The newest revision of migrations/versions, read from each script's `revision` and
    `down_revision` lines, without loading Alembic. None unless the scripts form one plain
    chain (a merge, say): then Alembic decides."""
    parents: dict[str, str | None] = {}
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, parent = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or parent is None:
            return None
        parents[revision.group(1)] = parent.group(1)
    heads = set(parents) - set(parents.values())
    if len(heads) != 1 or sum(p is None for p in parents.values()) != 1:
        return None
    return heads.pop()


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration for our scripts, on `database_url`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to call on every start, from several processes."""
    from alembic import command

    with _sqlite_file_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


@contextmanager
def _sqlite_file_lock(database_url: str) -> Iterator[None]:
    """Processes upgrading one SQLite file take turns (PostgreSQL uses an advisory lock in
    migrations/env.py)."""
    from sqlalchemy.engine import make_url

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
    """Take the schema back to `revision`."""
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """`upgrade` from inside a running event loop (Alembic's env runs its own loop)."""
    await asyncio.to_thread(upgrade, database_url, revision)
