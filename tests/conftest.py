"""Shared fixtures: real SQLite files and the real local PostgreSQL, each test on a fresh,
migrated database of its own.

The suite runs in parallel (pytest-xdist, `-n auto` in pyproject.toml): every worker is a
process with its own PostgreSQL template and databases (their names carry the worker's id) and
its own temporary directory for SQLite files, so no two tests ever share a database. A test
marked `alone` (it asserts wall-clock time, such as a burst of acks beating a pool timeout)
runs while no other worker runs a test: see `one_at_a_time_when_alone`.

PostgreSQL: `KUDOS_TEST_POSTGRES_URL` (default postgresql://postgres@127.0.0.1:5432/postgres) is
the server used to create throw-away databases. When it is unreachable the run stops with an
explanation; `KUDOS_TEST_POSTGRES=off` runs the SQLite half alone and reports the rest skipped.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings

from bot import migrations
from bot.bootstrap import App, build
from bot.config import Settings

# CI runs are reproducible: the same examples every time, and no per-example deadline on a
# machine that may be busy. Locally, hypothesis explores new examples on every run.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ADMIN_URL = os.environ.get(
    "KUDOS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
POSTGRES_OFF = os.environ.get("KUDOS_TEST_POSTGRES", "").lower() in {"off", "0", "no"}
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
"""This process's xdist worker id (gw0, gw1, …), or `main` when the suite runs serially."""
TEMPLATE_DB = f"kudos_test_template_{WORKER}_{os.getpid()}"


def _pg_url(database: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def _pg_admin(*statements: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _pg_available() -> str | None:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except Exception as exc:  # any failure to reach the server
        return str(exc)
    return None


def _flock(stack: ExitStack, path: Path, mode: int) -> None:
    """Hold a lock on `path` (shared or exclusive) until `stack` closes."""
    handle = stack.enter_context(path.open("a"))
    fcntl.flock(handle, mode)
    stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def one_at_a_time_when_alone(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Under xdist, every test holds a shared lock and a test marked `alone` an exclusive one,
    so it runs while the other workers wait between tests. Readers pass a turnstile first, so
    a waiting `alone` test is never starved. Serially (no xdist), nothing to do."""
    if WORKER == "main":
        yield
        return
    run = tmp_path_factory.getbasetemp().parent  # shared by this run's workers
    alone = request.node.get_closest_marker("alone") is not None
    with ExitStack() as stack:
        turnstile = ExitStack()
        _flock(turnstile, run / "kudos-turnstile.lock", fcntl.LOCK_EX)
        _flock(stack, run / "kudos-tests.lock", fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        if alone:
            stack.push(turnstile)  # kept until the test ends: others wait at the turnstile
        else:
            turnstile.close()
        yield


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated PostgreSQL database that each test clones (CREATE DATABASE ... TEMPLATE)."""
    if POSTGRES_OFF:
        pytest.skip("KUDOS_TEST_POSTGRES=off: PostgreSQL half not run")
    problem = _pg_available()
    if problem:
        pytest.exit(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({problem}). Start it "
            "(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), point "
            "KUDOS_TEST_POSTGRES_URL at one, or set KUDOS_TEST_POSTGRES=off.",
            returncode=3,
        )
    asyncio.run(
        _pg_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"', f'CREATE DATABASE "{TEMPLATE_DB}"')
    )
    migrations.upgrade(_pg_url(TEMPLATE_DB))
    yield TEMPLATE_DB
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "kudos.db"
    migrations.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "kudos.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    name = f"kudos_test_{WORKER}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield _pg_url(name)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database; every test using it runs on both backends."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))


@pytest.fixture
async def app(database_url: str, clock: FakeClock) -> AsyncIterator[App]:
    built = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
    yield built
    await built.close()
