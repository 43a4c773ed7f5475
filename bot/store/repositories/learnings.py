"""Learnings shared with `til`."""

from __future__ import annotations

from collections.abc import Sequence
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
        tags: Sequence[str],
        channel: str | None,
        at: datetime,
    ) -> int:
        result = await self.conn.execute(
            insert(LearningRow)
            .values(
                workspace_id=workspace.id,
                member_id=member.id,
                text=text,
                topic=tags[0][:64] if tags else None,
                tags=" ".join(tags),
                channel=channel,
                created_at=at,
            )
            .returning(LearningRow.id)
        )
        return int(result.scalar_one())
