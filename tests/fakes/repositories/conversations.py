"""Conversations the bot may post to, in memory (see bot/store/repositories/conversations.py)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from bot.domain.model import Workspace
from tests.fakes.repositories.base import FakeRepository


class FakeConversationRepository(FakeRepository):
    async def remember(
        self,
        workspace: Workspace,
        conversation_id: str,
        kind: str,
        reference: dict[str, Any],
        at: datetime,
    ) -> None:
        table = self.tables["conversations"]
        row = table.first(workspace_id=workspace.id, conversation_id=conversation_id)
        if row is not None:
            table.update(row, kind=kind, reference=reference, updated_at=at)
            return
        self.tables.insert(
            "conversations",
            {
                "workspace_id": workspace.id,
                "conversation_id": conversation_id,
                "kind": kind,
                "reference": reference,
                "updated_at": at,
            },
        )

    async def forget(self, workspace: Workspace, conversation_id: str) -> bool:
        table = self.tables["conversations"]
        row = table.first(workspace_id=workspace.id, conversation_id=conversation_id)
        if row is None:
            return False
        table.delete(row)
        return True

    async def all(self, workspace: Workspace) -> list[tuple[str, str, dict[str, Any]]]:
        return [
            (r["conversation_id"], r["kind"], copy.deepcopy(r["reference"]))
            for r in self.tables["conversations"].where(workspace_id=workspace.id)
        ]
