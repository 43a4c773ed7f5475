"""Learnings shared with `til`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from bot.domain.model import Member, Workspace
from bot.store.models import LearningRow
from bot.store.repositories.base import Repository


class SqlLearningRepository(Repository):
    async def add(
        self,
        workspace: Workspace,
        member: Member,
        text: str,
        topic: str | None,
        channel: str | None,
        at: datetime,
    ) -> int:
        result = await self.conn.execute(
            insert(LearningRow)
            .values(
                workspace_id=workspace.id,
                member_id=member.id,
                text=text,
                topic=topic[:64] if topic else None,
                channel=channel,
                created_at=at,
            )
            .returning(LearningRow.id)
        )
        return int(result.scalar_one())
