"""What every repository shares: one connection, and the dialect's insert.

Hot-path statements in these modules are built once, at import, with bind parameters, so each
execution reuses SQLAlchemy's compiled form instead of building and compiling a statement.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from bot.services.ports import DuplicateDelivery
from bot.store.database import SqlConnection, is_unique_violation


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Repository:
    def __init__(self, conn: SqlConnection) -> None:
        self.conn = conn
        self.is_postgres = conn.dialect.name == "postgresql"

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self.is_postgres else sqlite.insert)(table)

    async def _execute_unique(self, statement: Any) -> CursorResult[Any]:
        """Execute a write whose unique key says "seen before": that becomes DuplicateDelivery."""
        try:
            return cast(CursorResult[Any], await self.conn.execute(statement))
        except IntegrityError as exc:
            if is_unique_violation(exc):
                raise DuplicateDelivery() from exc
            raise
