"""Badges awarded, and the numbers milestones are measured on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.domain.model import Member, Workspace
from bot.store.models import BadgeRow, KudosRecipientRow, KudosRow, LearningRow
from bot.store.repositories.base import Repository, utc


class SqlBadgeRepository(Repository):
    async def of(
        self, workspace: Workspace, member_ids: list[int]
    ) -> dict[int, list[tuple[str, datetime]]]:
        rows = await self.conn.execute(
            select(BadgeRow.member_id, BadgeRow.badge, BadgeRow.awarded_at)
            .where(BadgeRow.workspace_id == workspace.id)
            .where(BadgeRow.member_id.in_(member_ids))
            .order_by(BadgeRow.awarded_at, BadgeRow.id)
        )
        out: dict[int, list[tuple[str, datetime]]] = {m: [] for m in member_ids}
        for member_id, badge, at in rows:
            out[member_id].append((badge, utc(at)))
        return out

    async def channels_given_in(self, workspace: Workspace, member: Member, limit: int) -> set[str]:
        rows = await self.conn.execute(
            select(KudosRow.channel)
            .where(KudosRow.workspace_id == workspace.id, KudosRow.giver_id == member.id)
            .where(KudosRow.reversed_at.is_(None), KudosRow.channel.is_not(None))
            .distinct()
            .limit(limit)
        )
        return {str(r[0]) for r in rows}

    async def mentoring_givers(self, workspace: Workspace, member: Member) -> int:
        rows = await self.conn.execute(
            select(KudosRow.giver_id, KudosRow.tags)
            .join(KudosRecipientRow, KudosRecipientRow.kudos_id == KudosRow.id)
            .where(KudosRow.workspace_id == workspace.id, KudosRow.reversed_at.is_(None))
            .where(KudosRecipientRow.member_id == member.id)
            .where(KudosRow.tags.like("%mentoring%"))
        )
        return len({giver for giver, tags in rows if "mentoring" in (tags or "").split()})

    async def learnings_shared(self, workspace: Workspace, member: Member, limit: int) -> int:
        rows = await self.conn.execute(
            select(LearningRow.id)
            .where(LearningRow.workspace_id == workspace.id, LearningRow.member_id == member.id)
            .limit(limit)
        )
        return len(rows.all())

    async def award(
        self, workspace: Workspace, member: Member, badge: str, channel: str | None, at: datetime
    ) -> bool:
        inserted = await self.conn.execute(
            self._insert(BadgeRow)
            .values(
                workspace_id=workspace.id,
                member_id=member.id,
                badge=badge,
                channel=channel[:128] if channel else None,
                awarded_at=at,
            )
            .on_conflict_do_nothing(index_elements=["member_id", "badge"])
            .returning(BadgeRow.id)
        )
        return inserted.scalar() is not None
