"""Badges awarded, and the numbers milestones are measured on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select

from bot.domain.badges import BadgeStats
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

    async def stats(self, workspace: Workspace, member: Member) -> BadgeStats:
        given = KudosRow.giver_id == member.id
        counted = KudosRow.reversed_at.is_(None)
        kudos_given = await self.conn.execute(
            select(func.count())
            .select_from(KudosRow)
            .where(KudosRow.workspace_id == workspace.id, given, counted)
        )
        channels = await self.conn.execute(
            select(func.count(distinct(KudosRow.channel))).where(
                KudosRow.workspace_id == workspace.id, given, counted, KudosRow.channel.is_not(None)
            )
        )
        learnings = await self.conn.execute(
            select(func.count())
            .select_from(LearningRow)
            .where(LearningRow.workspace_id == workspace.id, LearningRow.member_id == member.id)
        )
        mentoring = await self.conn.execute(
            select(KudosRow.giver_id, KudosRow.tags)
            .join(KudosRecipientRow, KudosRecipientRow.kudos_id == KudosRow.id)
            .where(KudosRow.workspace_id == workspace.id, counted)
            .where(KudosRecipientRow.member_id == member.id)
            .where(KudosRow.tags.like("%mentoring%"))
        )
        mentors = {giver for giver, tags in mentoring if "mentoring" in (tags or "").split()}
        return BadgeStats(
            kudos_given=int(kudos_given.scalar() or 0),
            learnings_shared=int(learnings.scalar() or 0),
            mentoring_givers=len(mentors),
            channels_given_in=int(channels.scalar() or 0),
        )

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
