"""The database, tuned per backend.

PostgreSQL: asyncpg through SQLAlchemy's async engine, with a pool.

SQLite: the units of work call the standard `sqlite3` driver inline on the event loop, through
`InlineConnection`. SQLite is a library in this process, so a statement takes microseconds, while
aiosqlite's hand-off to its own thread costs ~0.3 ms per statement (measured: a 10-statement
transaction took 4 ms through aiosqlite). Writing transactions start with `BEGIN IMMEDIATE`, so
two writers never deadlock on a lock upgrade; within one process they also queue on an asyncio
lock. Across processes a short busy timeout bounds how long the loop can block; a still-locked
database surfaces as a retryable conflict that the services retry after an async back-off.
WAL, foreign keys and `synchronous=NORMAL` on every connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.store.cache import WebhookCache, WorkspaceCache

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_INLINE_BUSY_TIMEOUT_MS = 200
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


class InlineConnection:
    """The slice of `AsyncConnection` the repositories use, over a synchronous connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.dialect = connection.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self._connection.execute(statement, parameters)

    async def begin(self) -> None:
        self._connection.begin()

    async def begin_nested(self) -> _InlineSavepoint:
        return _InlineSavepoint(self._connection.begin_nested())

    async def commit(self) -> None:
        self._connection.commit()

    async def rollback(self) -> None:
        self._connection.rollback()

    async def close(self) -> None:
        self._connection.close()

    def in_transaction(self) -> bool:
        return self._connection.in_transaction()


class _InlineSavepoint:
    def __init__(self, savepoint: Any) -> None:
        self._savepoint = savepoint

    async def commit(self) -> None:
        self._savepoint.commit()

    async def rollback(self) -> None:
        self._savepoint.rollback()


SqlConnection = AsyncConnection | InlineConnection


class Database:
    """One database: an async engine for everything, and the units of work's connections."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        pool_timeout: float = 30.0,
        pooled: bool = True,
    ) -> None:
        """`pool_size` PostgreSQL connections (as many again in bursts), waited for at most
        `pool_timeout` seconds; `pooled=False` opens one per use (for a rare caller that must
        never wait behind others, such as /healthz)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if not self.is_sqlite and pooled:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_timeout=pool_timeout)
        elif not self.is_sqlite:
            kwargs.update(poolclass=NullPool)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self._inline: dict[bool, Engine] | None = None  # by `write`, SQLite only
        self._write_lock: asyncio.Lock | None = None
        self.workspace_cache = WorkspaceCache()
        self.webhook_cache = WebhookCache()
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine.sync_engine, SQLITE_BUSY_TIMEOUT_MS)
            inline = create_engine(url.replace("sqlite+aiosqlite", "sqlite+pysqlite", 1), echo=echo)
            _install_sqlite_hooks(inline, SQLITE_INLINE_BUSY_TIMEOUT_MS)
            self._inline = {False: inline, True: inline.execution_options(kudos_write=True)}

    @property
    def write_lock(self) -> asyncio.Lock | None:
        """Serialises writing transactions within this process on SQLite; None on PostgreSQL."""
        if self.is_sqlite and self._write_lock is None:
            self._write_lock = asyncio.Lock()
        return self._write_lock

    async def connect(self, *, write: bool) -> SqlConnection:
        """A connection for one unit of work; `write` takes SQLite's write lock at BEGIN."""
        if self._inline is not None:
            return InlineConnection(self._inline[write].connect())
        return await self.engine.connect()

    async def schema_revision(self) -> str | None:
        """The Alembic revision the schema is at: None when it has none yet, or when the
        database cannot say (then a migration explains why)."""
        try:
            conn = await self.connect(write=False)
            try:
                result = await conn.execute(text("SELECT version_num FROM alembic_version"))
                revisions = [row[0] for row in result]
            finally:
                await conn.close()
        except (DBAPIError, sqlite3.Error, OSError):
            return None
        return revisions[0] if len(revisions) == 1 else None

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._inline is not None:
            self._inline[False].dispose()  # the write view shares this pool


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves, so writing transactions can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={busy_timeout_ms}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("kudos_write", False)
        statement = "BEGIN IMMEDIATE" if write else "BEGIN"
        driver = conn.connection.driver_connection
        if isinstance(driver, sqlite3.Connection):  # inline: skip SQLAlchemy's execution layer
            driver.execute(statement)
        else:  # aiosqlite, through SQLAlchemy's adapter
            conn.exec_driver_sql(statement)


def is_retryable(exc: BaseException) -> bool:
    """True for a deadlock, a serialization failure, a locked SQLite database, or a pooled
    connection found dead (say, after a PostgreSQL restart) and dropped from the pool."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig: BaseException | None = exc.orig
    elif isinstance(exc, sqlite3.OperationalError):  # raised by our own BEGIN, unwrapped
        orig = exc
    else:
        return False
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(orig)


def is_unique_violation(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state == "23505" or "UNIQUE constraint failed" in str(orig)
