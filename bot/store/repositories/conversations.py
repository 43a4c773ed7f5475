"""Conversations the bot may post to unprompted (stored Teams conversation references)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from bot.domain.model import Workspace
from bot.store.models import ConversationRow
from bot.store.repositories.base import Repository


class SqlConversationRepository(Repository):
    async def remember(
        self,
        workspace: Workspace,
        conversation_id: str,
        kind: str,
        reference: dict[str, Any],
        at: datetime,
    ) -> None:
        values = {
            "workspace_id": workspace.id,
            "conversation_id": conversation_id,
            "kind": kind,
            "reference": reference,
            "updated_at": at,
        }
        statement = self._insert(ConversationRow).values(**values)
        await self.conn.execute(
            statement.on_conflict_do_update(
                index_elements=["workspace_id", "conversation_id"],
                set_={"kind": kind, "reference": reference, "updated_at": at},
            )
        )

    async def forget(self, workspace: Workspace, conversation_id: str) -> bool:
        result = await self.conn.execute(
            delete(ConversationRow)
            .where(ConversationRow.workspace_id == workspace.id)
            .where(ConversationRow.conversation_id == conversation_id)
        )
        return bool(result.rowcount)

    async def all(self, workspace: Workspace) -> list[tuple[str, str, dict[str, Any]]]:
        rows = await self.conn.execute(
            select(ConversationRow.conversation_id, ConversationRow.kind, ConversationRow.reference)
            .where(ConversationRow.workspace_id == workspace.id)
            .order_by(ConversationRow.id)
        )
        return [(r[0], r[1], dict(r[2])) for r in rows]
