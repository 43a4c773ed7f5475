"""The inbox and the outbox in memory (see bot/store/repositories/queues.py): rows claimed
under leases, finished only under the lease that claimed them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.services.delivery import (
    InboxItem,
    Incoming,
    OutboxItem,
    Outgoing,
    dumps,
    loads,
    new_token,
)
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.tables import Row

PENDING, DONE, SENT, FAILED = "pending", "done", "sent", "failed"


class _FakeQueue(FakeRepository):
    table: str
    created: str
    finished_state: str

    def _claim(
        self, platforms: Sequence[str], now: datetime, until: datetime, limit: int
    ) -> tuple[list[Row], str]:
        token = new_token()
        due = [
            r
            for r in self.tables[self.table].where(state=PENDING)
            if r["available_at"] <= now and r["platform"] in platforms
        ]
        claimed = sorted(due, key=lambda r: (r["available_at"], r["id"]))[:limit]
        for row in claimed:
            self.tables[self.table].update(
                row, lease_token=token, available_at=until, attempts=row["attempts"] + 1
            )
        return sorted(claimed, key=lambda r: r["id"]), token

    def _leased(self, item: InboxItem | OutboxItem) -> Row | None:
        row = self.tables[self.table].get(item.id)
        if row is None or row["lease_token"] != item.lease_token or row["state"] != PENDING:
            return None
        return row

    async def retry_later(self, item: InboxItem | OutboxItem, at: datetime, error: str) -> bool:
        row = self._leased(item)
        if row is None:
            return False
        self.tables[self.table].update(row, available_at=at, error=error[:2000], lease_token=None)
        return True

    async def backlog(self) -> tuple[int, datetime | None]:
        waiting = self.tables[self.table].where(state=PENDING)
        return len(waiting), min((r[self.created] for r in waiting), default=None)

    async def purge(self, before: datetime, limit: int) -> int:
        table = self.tables[self.table]
        old = [
            r
            for r in table.where(state=self.finished_state)
            if r["finished_at"] is not None and r["finished_at"] < before
        ][:limit]
        for row in old:
            table.delete(row)
        return len(old)


class FakeInboxRepository(_FakeQueue):
    table, created, finished_state = "inbox", "received_at", DONE

    async def add(
        self, incoming: Incoming, now: datetime, lease: str | None, until: datetime
    ) -> int | None:
        row = self.tables.insert(
            "inbox",
            {
                "platform": incoming.platform,
                "workspace": incoming.workspace,
                "delivery_key": incoming.delivery_key,
                "payload": dumps(incoming.payload),
                "received_at": now,
                "state": PENDING,
                "attempts": 1 if lease else 0,
                "available_at": until if lease else now,
                "lease_token": lease,
            },
            on_conflict=("delivery_key",),
        )
        return None if row is None else int(row["id"])

    async def claim(
        self, platforms: Sequence[str], now: datetime, until: datetime, limit: int
    ) -> list[InboxItem]:
        rows, token = self._claim(platforms, now, until, limit)
        return [
            InboxItem(
                id=r["id"],
                platform=r["platform"],
                workspace=r["workspace"],
                delivery_key=r["delivery_key"],
                payload=loads(r["payload"]),
                received_at=r["received_at"],
                attempts=r["attempts"],
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
        row = self._leased(item)
        if row is None:
            return False
        self.tables["inbox"].update(
            row,
            state=FAILED if failed else DONE,
            outcome=outcome,
            error=error,
            finished_at=now,
            lease_token=None,
        )
        return True


class FakeOutboxRepository(_FakeQueue):
    table, created, finished_state = "outbox", "created_at", SENT

    async def add(self, items: Sequence[Outgoing], now: datetime) -> None:
        for o in items:
            self.tables.insert(
                "outbox",
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
                },
            )

    async def claim(
        self, platforms: Sequence[str], now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        rows, token = self._claim(platforms, now, until, limit)
        return [
            OutboxItem(
                id=r["id"],
                platform=r["platform"],
                workspace=r["workspace"],
                kind=r["kind"],
                method=r["method"],
                payload=loads(r["payload"]),
                group_key=r["group_key"],
                attempts=r["attempts"],
                created_at=r["created_at"],
                lease_token=token,
            )
            for r in rows
        ]

    async def finish(
        self, item: OutboxItem, now: datetime, *, failed: bool = False, error: str | None = None
    ) -> bool:
        row = self._leased(item)
        if row is None:
            return False
        self.tables["outbox"].update(
            row,
            state=FAILED if failed else SENT,
            error=error[:2000] if error else None,
            finished_at=now,
            lease_token=None,
        )
        return True
