"""Where each copy of a redemption's approval request was posted, to update every copy once
the redemption is decided."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.domain.model import Workspace
from bot.store.models import ApprovalMessageRow, RedemptionRow
from bot.store.repositories.base import Repository


class SqlApprovalMessageRepository(Repository):
    async def remember(
        self,
        workspace: Workspace,
        redemption_id: int,
        conversation_id: str,
        message_id: str,
        at: datetime,
    ) -> bool:
        found = await self.conn.execute(
            select(RedemptionRow.id)
            .where(RedemptionRow.workspace_id == workspace.id)
            .where(RedemptionRow.id == redemption_id)
        )
        if found.first() is None:
            return False
        statement = self._insert(ApprovalMessageRow).values(
            workspace_id=workspace.id,
            redemption_id=redemption_id,
            conversation_id=conversation_id,
            message_id=message_id,
            created_at=at,
        )
        result = await self.conn.execute(statement.on_conflict_do_nothing())
        return bool(result.rowcount)

    async def of(self, workspace: Workspace, redemption_id: int) -> list[tuple[str, str]]:
        rows = await self.conn.execute(
            select(ApprovalMessageRow.conversation_id, ApprovalMessageRow.message_id)
            .where(ApprovalMessageRow.workspace_id == workspace.id)
            .where(ApprovalMessageRow.redemption_id == redemption_id)
            .order_by(ApprovalMessageRow.id)
        )
        return [(r[0], r[1]) for r in rows]
