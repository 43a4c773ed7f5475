"""Redemptions in memory (see bot/store/repositories/redemptions.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.model import Member, Workspace
from bot.domain.rewards import PENDING, Redemption, RewardItem
from tests.fakes.repositories.base import FakeRepository, newest_first, oldest_first
from tests.fakes.tables import Row, Tables


def redemption_of(tables: Tables, row: Row) -> Redemption | None:
    """With its item's name and its member (None without them, as the store's join)."""
    item = tables["reward_items"].get(row["item_id"])
    member = tables["members"].get(row["member_id"])
    if item is None or member is None:
        return None
    return Redemption(
        id=row["id"],
        item_id=row["item_id"],
        item_name=item["name"],
        member_external_id=member["external_id"],
        member_name=member["display_name"],
        cost=int(row["cost"]),
        status=row["status"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        decided_by=row["decided_by"],
        reason=row["reason"],
    )


def redemptions_of(tables: Tables, rows: list[Row]) -> list[Redemption]:
    return [r for r in (redemption_of(tables, row) for row in rows) if r is not None]


class FakeRedemptionRepository(FakeRepository):
    def _of(self, workspace: Workspace, where: Callable[[Row], bool] = lambda r: True) -> list[Row]:
        return [r for r in self.tables["redemptions"].where(workspace_id=workspace.id) if where(r)]

    async def add(
        self,
        workspace: Workspace,
        item: RewardItem,
        member: Member,
        status: str,
        idempotency_key: str,
        at: datetime,
    ) -> int:
        row = self.insert_unique(
            "redemptions",
            {
                "workspace_id": workspace.id,
                "item_id": item.id,
                "member_id": member.id,
                "cost": item.cost,
                "status": status,
                "idempotency_key": idempotency_key,
                "created_at": at,
                "decided_at": None if status == PENDING else at,
            },
        )
        return int(row["id"])

    async def get(self, workspace: Workspace, redemption_id: int) -> Redemption | None:
        found = redemptions_of(self.tables, self._of(workspace, lambda r: r["id"] == redemption_id))
        return found[0] if found else None

    async def by_key(self, workspace: Workspace, idempotency_key: str) -> Redemption | None:
        found = redemptions_of(
            self.tables, self._of(workspace, lambda r: r["idempotency_key"] == idempotency_key)
        )
        return found[0] if found else None

    async def decide(
        self,
        workspace: Workspace,
        redemption_id: int,
        status: str,
        by: str,
        reason: str | None,
        at: datetime,
    ) -> bool:
        rows = self._of(workspace, lambda r: r["id"] == redemption_id and r["status"] == PENDING)
        if not rows:
            return False
        self.tables["redemptions"].update(
            rows[0], status=status, decided_by=by[:200], decided_at=at, reason=reason
        )
        return True

    async def of_member(self, workspace: Workspace, member_id: int, limit: int) -> list[Redemption]:
        rows = newest_first(self._of(workspace, lambda r: r["member_id"] == member_id))
        return redemptions_of(self.tables, rows)[:limit]

    async def pending(self, workspace: Workspace, limit: int) -> list[Redemption]:
        rows = oldest_first(self._of(workspace, lambda r: r["status"] == PENDING))
        return redemptions_of(self.tables, rows)[:limit]

    async def since(self, workspace: Workspace, since: datetime | None) -> list[Redemption]:
        rows = oldest_first(
            self._of(workspace, lambda r: since is None or r["created_at"] >= since)
        )
        return redemptions_of(self.tables, rows)
