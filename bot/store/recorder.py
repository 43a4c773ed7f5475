"""Recording a verified request before its ack, in as few round trips as the database allows.

PostgreSQL: the INSERT alone, in autocommit: one round trip, where a transaction would take
three (BEGIN, INSERT, COMMIT). SQLite: an ordinary writing unit of work (everything is in this
process; its write lock keeps the single writer rule).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.services.delivery import Incoming
from bot.services.ports import TransientConflict, Unavailable
from bot.store.database import Database, is_retryable
from bot.store.repositories.queues import SqlInboxRepository
from bot.store.unit_of_work import SqlUnitOfWork

ATTEMPTS = 3


class SqlInboxRecorder:
    """Implements `bot.services.ports.InboxRecorder`. Raises `Unavailable` when no connection
    is free within the front pool's wait, or a retryable failure outlasts its retries: the
    request is then refused (503), never acknowledged unrecorded."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def record(
        self, incoming: Incoming, now: datetime, lease: str | None, until: datetime
    ) -> int | None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                if self.database.is_sqlite:
                    async with SqlUnitOfWork(self.database, write=True) as uow:
                        item_id = await uow.inbox.add(incoming, now, lease, until)
                        await uow.commit()
                        return item_id
                async with self.database.engine.connect() as conn:
                    autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
                    return await SqlInboxRepository(autocommit).add(incoming, now, lease, until)
            except PoolTimeout as exc:  # waiting again would only make the sender wait longer
                raise Unavailable("every database connection is busy") from exc
            except (TransientConflict, OSError) as exc:
                if attempt == ATTEMPTS:
                    raise Unavailable(str(exc)[:200]) from exc
            except Exception as exc:
                if not is_retryable(exc):
                    raise
                if attempt == ATTEMPTS:
                    raise Unavailable(str(exc)[:200]) from exc
        raise AssertionError("unreachable")
