"""The inbox and the outbox: durable queues claimed under leases.

A pending row may be claimed once its `available_at` has passed (a lease that ran out, a
back-off that ended). PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so replicas never wait
for one another; SQLite serialises writers, so one claimer at a time is the rule there anyway.
Finishing a row is conditional on the claim's `lease_token`: a worker whose lease ran out and
was taken over cannot finish the row a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from bot.services.delivery import (
    InboxItem,
    Incoming,
    OutboxItem,
    Outgoing,
    dumps,
    loads,
    new_token,
)
from bot.store.models import InboxRow, OutboxRow
from bot.store.repositories.base import Repository, utc

PENDING, DONE, SENT, FAILED = "pending", "done", "sent", "failed"


def _claim(table: Any, columns: Sequence[Any], postgres: bool) -> Any:
    due = (
        select(table.id)
        .where(table.state == PENDING)
        .where(table.available_at <= bindparam("p_now"))
        .where(table.platform.in_(bindparam("p_platforms", expanding=True)))
        .order_by(table.available_at, table.id)
        .limit(bindparam("p_limit"))
    )
    if postgres:
        due = due.with_for_update(skip_locked=True)
    return (
        update(table)
        .where(table.id.in_(due.scalar_subquery()))
        .values(
            lease_token=bindparam("p_token"),
            available_at=bindparam("p_until"),
            attempts=table.attempts + 1,
        )
        .returning(*columns)
    )


_INBOX_COLUMNS = (
    InboxRow.id,
    InboxRow.platform,
    InboxRow.workspace,
    InboxRow.delivery_key,
    InboxRow.payload,
    InboxRow.received_at,
    InboxRow.attempts,
)
_OUTBOX_COLUMNS = (
    OutboxRow.id,
    OutboxRow.platform,
    OutboxRow.workspace,
    OutboxRow.kind,
    OutboxRow.method,
    OutboxRow.payload,
    OutboxRow.group_key,
    OutboxRow.attempts,
    OutboxRow.created_at,
)
_CLAIM_INBOX = {p: _claim(InboxRow, _INBOX_COLUMNS, p) for p in (True, False)}
_CLAIM_OUTBOX = {p: _claim(OutboxRow, _OUTBOX_COLUMNS, p) for p in (True, False)}


def _finish(table: Any) -> Any:
    return (
        update(table)
        .where(table.id == bindparam("p_id"))
        .where(table.lease_token == bindparam("p_token"))
        .where(table.state == PENDING)
    )


_COMPLETE_INBOX = _finish(InboxRow).values(
    state=bindparam("p_state"),
    outcome=bindparam("p_outcome"),
    error=bindparam("p_error"),
    finished_at=bindparam("p_now"),
    lease_token=None,
)


def _retry(table: Any) -> Any:
    return _finish(table).values(
        available_at=bindparam("p_at"), error=bindparam("p_error"), lease_token=None
    )


_FINISH_OUTBOX = _finish(OutboxRow).values(
    state=bindparam("p_state"),
    error=bindparam("p_error"),
    finished_at=bindparam("p_now"),
    lease_token=None,
)
_INSERT_OUTBOX = insert(OutboxRow)


class _Queue(Repository):
    """What the inbox and the outbox share: claims, back-off, the backlog, forgetting."""

    table: Any
    claims: dict[bool, Any]
    retries: Any
    created: str
    """The column saying when a row was made (for the age of the oldest)."""
    finished_state: str

    async def _claim(
        self, platforms: Sequence[str], now: datetime, until: datetime, limit: int
    ) -> tuple[list[Any], str]:
        """Lease up to `limit` due rows under a new token, oldest first."""
        token = new_token()
        rows = (
            await self.conn.execute(
                self.claims[self.is_postgres],
                {
                    "p_now": now,
                    "p_platforms": list(platforms),
                    "p_limit": limit,
                    "p_token": token,
                    "p_until": until,
                },
            )
        ).all()
        return sorted(rows, key=lambda r: r.id), token

    async def retry_later(self, item: InboxItem | OutboxItem, at: datetime, error: str) -> bool:
        result = await self.conn.execute(
            self.retries,
            {"p_id": item.id, "p_token": item.lease_token, "p_at": at, "p_error": error[:2000]},
        )
        return bool(result.rowcount)

    async def backlog(self) -> tuple[int, datetime | None]:
        statement = select(func.count(), func.min(getattr(self.table, self.created))).where(
            self.table.state == PENDING
        )
        row = (await self.conn.execute(statement)).one()
        return int(row[0]), utc(row[1]) if row[1] is not None else None

    async def purge(self, before: datetime, limit: int) -> int:
        old = (
            select(self.table.id)
            .where(self.table.finished_at < before)
            .where(self.table.state == self.finished_state)
            .limit(limit)
            .scalar_subquery()
        )
        deleted = await self.conn.execute(delete(self.table).where(self.table.id.in_(old)))
        return int(deleted.rowcount)


class SqlInboxRepository(_Queue):
    """Implements `bot.services.ports.InboxRepository`."""

    table, claims, retries = InboxRow, _CLAIM_INBOX, _retry(InboxRow)
    created, finished_state = "received_at", DONE

    async def add(
        self, incoming: Incoming, now: datetime, lease: str | None, until: datetime
    ) -> int | None:
        """Record a request; its id, or None when its delivery key was recorded before. With
        `lease`, the row is claimed by the caller until `until`."""
        statement = (
            self._insert(InboxRow)
            .values(
                platform=incoming.platform,
                workspace=incoming.workspace,
                delivery_key=incoming.delivery_key,
                payload=dumps(incoming.payload),
                received_at=now,
                state=PENDING,
                attempts=1 if lease else 0,
                available_at=until if lease else now,
                lease_token=lease,
            )
            .on_conflict_do_nothing(index_elements=["delivery_key"])
            .returning(InboxRow.id)
        )
        return (await self.conn.execute(statement)).scalar()

    async def claim(
        self, platforms: Sequence[str], now: datetime, until: datetime, limit: int
    ) -> list[InboxItem]:
        rows, token = await self._claim(platforms, now, until, limit)
        return [
            InboxItem(
                id=r.id,
                platform=r.platform,
                workspace=r.workspace,
                delivery_key=r.delivery_key,
                payload=loads(r.payload),
                received_at=utc(r.received_at),
                attempts=r.attempts,
                lease_token=token,
            )
            for r in rows
        ]

    async def complete(
        self,
        item: InboxItem,
        outcome: str,
        now: datetime,
        *,
        failed: bool = False,
        error: str | None = None,
    ) -> bool:
        result = await self.conn.execute(
            _COMPLETE_INBOX,
            {
                "p_id": item.id,
                "p_token": item.lease_token,
                "p_state": FAILED if failed else DONE,
                "p_outcome": outcome,
                "p_error": error,
                "p_now": now,
            },
        )
        return bool(result.rowcount)


class SqlOutboxRepository(_Queue):
    """Implements `bot.services.ports.OutboxRepository`."""

    table, claims, retries = OutboxRow, _CLAIM_OUTBOX, _retry(OutboxRow)
    created, finished_state = "created_at", SENT

    async def add(self, items: Sequence[Outgoing], now: datetime) -> None:
        if not items:
            return
        await self.conn.execute(
            _INSERT_OUTBOX,
            [
                {
                    "platform": o.platform,
                    "workspace": o.workspace,
                    "kind": o.kind,
                    "method": o.method,
                    "payload": dumps(o.payload),
                    "group_key": o.group_key,
                    "created_at": now,
                    "state": PENDING,
                    "attempts": 0,
                    "available_at": now,
                }
                for o in items
            ],
        )

    async def claim(
        self, platforms: Sequence[str], now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        rows, token = await self._claim(platforms, now, until, limit)
        return [
            OutboxItem(
                id=r.id,
                platform=r.platform,
                workspace=r.workspace,
                kind=r.kind,
                method=r.method,
                payload=loads(r.payload),
                group_key=r.group_key,
                attempts=r.attempts,
                created_at=utc(r.created_at),
                lease_token=token,
            )
            for r in rows
        ]

    async def finish(
        self, item: OutboxItem, now: datetime, *, failed: bool = False, error: str | None = None
    ) -> bool:
        result = await self.conn.execute(
            _FINISH_OUTBOX,
            {
                "p_id": item.id,
                "p_token": item.lease_token,
                "p_state": FAILED if failed else SENT,
                "p_error": error[:2000] if error else None,
                "p_now": now,
            },
        )
        return bool(result.rowcount)
