"""The kudos feed: kudos of one workspace matching a filter, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal, or_, select

from bot.domain.feed import FeedItem, FeedPage, KudosFilter
from bot.domain.model import Workspace
from bot.store.models import KudosRecipientRow, KudosRow, LearningRow, MemberRow
from bot.store.repositories.base import Repository, utc
from bot.store.repositories.kudos import load_kudos


class SqlFeedQueries(Repository):
    async def kudos(
        self, workspace: Workspace, wanted: KudosFilter, older: int | None, limit: int
    ) -> FeedPage:
        """A page of kudos matching `wanted`, newest first, starting after kudos `older`."""
        conditions: list[Any] = [KudosRow.workspace_id == workspace.id]
        if wanted.person:
            people = select(MemberRow.id).where(
                MemberRow.workspace_id == workspace.id,
                or_(
                    func.lower(MemberRow.display_name).contains(
                        wanted.person.casefold(), autoescape=True
                    ),
                    MemberRow.external_id == wanted.person,
                ),
            )
            received = select(KudosRecipientRow.kudos_id).where(
                KudosRecipientRow.member_id.in_(people)
            )
            conditions.append(or_(KudosRow.giver_id.in_(people), KudosRow.id.in_(received)))
        if wanted.value:
            spaced = literal(" ").concat(KudosRow.tags).concat(" ")
            conditions.append(spaced.contains(f" {wanted.value} ", autoescape=True))
        if wanted.channel:
            conditions.append(KudosRow.channel == wanted.channel)
        if wanted.since is not None:
            conditions.append(KudosRow.created_at >= wanted.since)
        if wanted.until is not None:
            conditions.append(KudosRow.created_at < wanted.until)
        if older is not None:
            at = (
                select(KudosRow.created_at)
                .where(KudosRow.workspace_id == workspace.id, KudosRow.id == older)
                .scalar_subquery()
            )
            conditions.append(
                or_(KudosRow.created_at < at, and_(KudosRow.created_at == at, KudosRow.id < older))
            )
        found = await load_kudos(self.conn, and_(*conditions), limit=limit + 1)
        page, more = found[:limit], len(found) > limit
        people_ids = {m for k in page for m in (k.giver_id, *k.recipient_ids)}
        names = {
            row.id: (row.external_id, row.display_name)
            for row in await self.conn.execute(
                select(MemberRow.id, MemberRow.external_id, MemberRow.display_name).where(
                    MemberRow.id.in_(list(people_ids))
                )
            )
        }
        items = tuple(
            FeedItem(
                kudos_id=k.id,
                giver=names.get(k.giver_id, ("?", "?"))[1],
                giver_id=names.get(k.giver_id, ("?", "?"))[0],
                recipients=tuple(names.get(m, ("?", "?"))[1] for m in k.recipient_ids),
                amount_each=k.amount_each,
                reason=k.reason,
                tags=k.tags,
                channel=k.channel,
                created_at=k.created_at,
                reversed=k.reversed_at is not None,
            )
            for k in page
        )
        return FeedPage(items, page[-1].id if more and page else None)

    async def learnings(
        self, workspace: Workspace, member_id: int, limit: int
    ) -> list[tuple[str, tuple[str, ...], Any]]:
        """(text, tags, shared at) of a member's learnings, newest first."""
        rows = await self.conn.execute(
            select(LearningRow.text, LearningRow.tags, LearningRow.created_at)
            .where(LearningRow.workspace_id == workspace.id, LearningRow.member_id == member_id)
            .order_by(LearningRow.created_at.desc(), LearningRow.id.desc())
            .limit(limit)
        )
        return [(r[0], tuple((r[1] or "").split()), utc(r[2])) for r in rows]
