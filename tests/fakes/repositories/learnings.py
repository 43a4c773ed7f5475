"""Learnings shared with `til`, in memory (see bot/store/repositories/learnings.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.model import Member, Workspace
from tests.fakes.repositories.base import FakeRepository


class FakeLearningRepository(FakeRepository):
    async def add(
        self,
        workspace: Workspace,
        member: Member,
        text: str,
        tags: Sequence[str],
        channel: str | None,
        at: datetime,
    ) -> int:
        row = self.tables.insert(
            "learnings",
            {
                "workspace_id": workspace.id,
                "member_id": member.id,
                "text": text,
                "topic": tags[0][:64] if tags else None,
                "tags": " ".join(tags),
                "channel": channel,
                "created_at": at,
            },
        )
        assert row is not None
        return int(row["id"])
