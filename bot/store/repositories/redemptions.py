"""Redemptions: recorded once per delivery, decided once by a conditional status change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select, update

from bot.domain.model import Member, Workspace
from bot.domain.rewards import PENDING, Redemption, RewardItem
from bot.store.models import MemberRow, RedemptionRow, RewardItemRow
from bot.store.repositories.base import Repository, utc

_REDEMPTIONS = (
    select(
        RedemptionRow.id,
        RedemptionRow.item_id,
        RewardItemRow.name.label("item_name"),
        MemberRow.external_id,
        MemberRow.display_name,
        RedemptionRow.cost,
        RedemptionRow.status,
        RedemptionRow.created_at,
        RedemptionRow.decided_at,
        RedemptionRow.decided_by,
        RedemptionRow.reason,
    )
    .join(RewardItemRow, RewardItemRow.id == RedemptionRow.item_id)
    .join(MemberRow, MemberRow.id == RedemptionRow.member_id)
)


def _redemption(row: Row[Any]) -> Redemption:
    return Redemption(
        id=row.id,
        item_id=row.item_id,
        item_name=row.item_name,
        member_external_id=row.external_id,
        member_name=row.display_name,
        cost=int(row.cost),
        status=row.status,
        created_at=utc(row.created_at),
        decided_at=utc(row.decided_at) if row.decided_at else None,
        decided_by=row.decided_by,
        reason=row.reason,
    )


class SqlRedemptionRepository(Repository):
    def _of(self, workspace: Workspace) -> Any:
        return _REDEMPTIONS.where(RedemptionRow.workspace_id == workspace.id)

    async def _list(self, query: Select[Any]) -> list[Redemption]:
        return [_redemption(row) for row in await self.conn.execute(query)]

    async def add(
        self,
        workspace: Workspace,
        item: RewardItem,
        member: Member,
        status: str,
        idempotency_key: str,
        at: datetime,
    ) -> int:
        result = await self._execute_unique(
            self._insert(RedemptionRow)
            .values(
                workspace_id=workspace.id,
                item_id=item.id,
                member_id=member.id,
                cost=item.cost,
                status=status,
                idempotency_key=idempotency_key,
                created_at=at,
                decided_at=None if status == PENDING else at,
            )
            .returning(RedemptionRow.id)
        )
        return int(result.scalar_one())

    async def get(self, workspace: Workspace, redemption_id: int) -> Redemption | None:
        found = await self._list(self._of(workspace).where(RedemptionRow.id == redemption_id))
        return found[0] if found else None

    async def by_key(self, workspace: Workspace, idempotency_key: str) -> Redemption | None:
        found = await self._list(
            self._of(workspace).where(RedemptionRow.idempotency_key == idempotency_key)
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
        result = await self.conn.execute(
            update(RedemptionRow)
            .where(RedemptionRow.workspace_id == workspace.id)
            .where(RedemptionRow.id == redemption_id)
            .where(RedemptionRow.status == PENDING)
            .values(status=status, decided_by=by[:200], decided_at=at, reason=reason)
        )
        return result.rowcount == 1

    async def of_member(self, workspace: Workspace, member_id: int, limit: int) -> list[Redemption]:
        return await self._list(
            self._of(workspace)
            .where(RedemptionRow.member_id == member_id)
            .order_by(RedemptionRow.created_at.desc(), RedemptionRow.id.desc())
            .limit(limit)
        )

    async def pending(self, workspace: Workspace, limit: int) -> list[Redemption]:
        return await self._list(
            self._of(workspace)
            .where(RedemptionRow.status == PENDING)
            .order_by(RedemptionRow.created_at, RedemptionRow.id)
            .limit(limit)
        )

    async def since(self, workspace: Workspace, since: datetime | None) -> list[Redemption]:
        query = self._of(workspace).order_by(RedemptionRow.created_at, RedemptionRow.id)
        if since is not None:
            query = query.where(RedemptionRow.created_at >= since)
        return await self._list(query)
