"""The async engine, tuned per backend.

SQLite: WAL, foreign keys, a busy timeout, and `BEGIN IMMEDIATE` for writing transactions so
two writers never deadlock on a lock upgrade; inside one process writers also queue on an
asyncio lock instead of spinning on the busy handler. PostgreSQL: asyncpg with a pool.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


class Database:
    """One database: the engine for reads, a writing view of it, and the backend's quirks."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if not self.is_sqlite:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self.write_engine: AsyncEngine = self.engine.execution_options(kudos_write=True)
        self._write_lock: asyncio.Lock | None = None
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)

    @property
    def write_lock(self) -> asyncio.Lock | None:
        """Serialises writing transactions within this process on SQLite; None on PostgreSQL."""
        if self.is_sqlite and self._write_lock is None:
            self._write_lock = asyncio.Lock()
        return self._write_lock

    async def connect(self, *, write: bool) -> AsyncConnection:
        return await (self.write_engine if write else self.engine).connect()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves, so writing transactions can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("kudos_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_retryable(exc: BaseException) -> bool:
    """True for a deadlock, a serialization failure or a locked SQLite database."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(orig)


def is_unique_violation(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state == "23505" or "UNIQUE constraint failed" in str(orig)
