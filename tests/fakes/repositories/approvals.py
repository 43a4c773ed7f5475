"""Where each copy of an approval request was posted, in memory (see
bot/store/repositories/approvals.py)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Workspace
from tests.fakes.repositories.base import FakeRepository


class FakeApprovalMessageRepository(FakeRepository):
    async def remember(
        self,
        workspace: Workspace,
        redemption_id: int,
        conversation_id: str,
        message_id: str,
        at: datetime,
    ) -> bool:
        redemption = self.tables["redemptions"].get(redemption_id)
        if redemption is None or redemption["workspace_id"] != workspace.id:
            return False
        row = self.tables.insert(
            "approval_messages",
            {
                "workspace_id": workspace.id,
                "redemption_id": redemption_id,
                "conversation_id": conversation_id,
                "message_id": message_id,
                "created_at": at,
            },
            on_conflict=True,
        )
        return row is not None

    async def of(self, workspace: Workspace, redemption_id: int) -> list[tuple[str, str]]:
        rows = self.tables["approval_messages"].where(
            workspace_id=workspace.id, redemption_id=redemption_id
        )
        return [(r["conversation_id"], r["message_id"]) for r in rows]
