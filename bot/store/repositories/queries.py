"""Read models: leaderboards and history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, true
from sqlalchemy.orm import aliased

from bot.domain.model import HistoryItem, Kudos, LeaderboardRow, Member, Workspace, rank_rows
from bot.store.models import (
    KudosRecipientRow,
    KudosRow,
    LeaderboardTotalRow,
    LearningRow,
    MemberRow,
)
from bot.store.repositories.base import Repository
from bot.store.repositories.kudos import load_kudos

MAX_KUDOS_IN_A_POST = 2000

_PRIVATE = (
    select(MemberRow.id)
    .where(MemberRow.workspace_id == bindparam("p_ws"))
    .where(MemberRow.is_private == true())
)
"""Who left the public boards: few, found by a partial index (`ix_members_private`)."""


def _top_of(column: Any, *, tag: bool, public: bool, name: str) -> Any:
    """The top N of one bucket from the totals alone (a top-N heap sort over the members
    recognised in the period, less those who left the public boards when `public`)."""
    top = (
        select(LeaderboardTotalRow.member_id, column.label("points"))
        .where(LeaderboardTotalRow.workspace_id == bindparam("p_ws"))
        .where(LeaderboardTotalRow.bucket == bindparam("p_bucket"))
        .where(LeaderboardTotalRow.tag == (bindparam("p_tag") if tag else ""))
        .where(column > 0)
    )
    if public:
        top = top.where(LeaderboardTotalRow.member_id.not_in(_PRIVATE.scalar_subquery()))
    return (
        top.order_by(column.desc(), LeaderboardTotalRow.member_id)
        .limit(bindparam("p_limit"))
        .subquery(name)
    )


def _named(top: Any) -> Any:
    """Names for the N rows only."""
    return (
        select(
            top.c.member_id,
            MemberRow.external_id,
            MemberRow.display_name,
            top.c.points,
            MemberRow.is_private,
        )
        .join(MemberRow, MemberRow.id == top.c.member_id)
        .order_by(top.c.points.desc(), MemberRow.display_name)
    )


_received, _given = LeaderboardTotalRow.received, LeaderboardTotalRow.given
_LEADERBOARD = {
    public: _named(_top_of(_received, tag=True, public=public, name="top"))
    for public in (True, False)
}
_TOP_GIVERS = _named(_top_of(_given, tag=False, public=True, name="top_givers"))


def _ranked(rows: Any) -> list[LeaderboardRow]:
    found = [(r[0], r[1], r[2], int(r[3]), bool(r[4])) for r in rows]
    private = frozenset(member_id for member_id, *_, hidden in found if hidden)
    return rank_rows([row[:4] for row in found], private)


class SqlReadQueries(Repository):
    async def leaderboard(
        self, workspace: Workspace, bucket: str, tag: str, limit: int, *, public: bool = True
    ) -> list[LeaderboardRow]:
        rows = await self.conn.execute(
            _LEADERBOARD[public],
            {"p_ws": workspace.id, "p_bucket": bucket, "p_tag": tag, "p_limit": limit},
        )
        return _ranked(rows)

    async def history(self, workspace: Workspace, member: Member, limit: int) -> list[HistoryItem]:
        received_ids = select(KudosRecipientRow.kudos_id).where(
            KudosRecipientRow.member_id == member.id
        )
        kudos = await load_kudos(
            self.conn,
            and_(
                KudosRow.workspace_id == workspace.id,
                or_(KudosRow.giver_id == member.id, KudosRow.id.in_(received_ids)),
            ),
            limit=limit,
        )
        people = {m for k in kudos for m in (k.giver_id, *k.recipient_ids)}
        names = {
            row.id: row.display_name
            for row in await self.conn.execute(
                select(MemberRow.id, MemberRow.display_name).where(MemberRow.id.in_(list(people)))
            )
        }
        return [
            HistoryItem(
                kudos_id=k.id,
                direction="given" if k.giver_id == member.id else "received",
                giver=names.get(k.giver_id, "?"),
                recipients=tuple(names.get(m, "?") for m in k.recipient_ids),
                amount_each=k.amount_each,
                reason=k.reason,
                tags=k.tags,
                created_at=k.created_at,
                reversed=k.reversed_at is not None,
            )
            for k in kudos
        ]

    async def top_givers(
        self, workspace: Workspace, bucket: str, limit: int
    ) -> list[LeaderboardRow]:
        rows = await self.conn.execute(
            _TOP_GIVERS, {"p_ws": workspace.id, "p_bucket": bucket, "p_limit": limit}
        )
        return _ranked(rows)

    async def newcomers(self, workspace: Workspace, bucket: str) -> list[str]:
        period = aliased(LeaderboardTotalRow)
        ever = aliased(LeaderboardTotalRow)
        rows = await self.conn.execute(
            select(MemberRow.display_name)
            .join(period, period.member_id == MemberRow.id)
            .join(
                ever,
                and_(
                    ever.member_id == MemberRow.id,
                    ever.workspace_id == period.workspace_id,
                    ever.bucket == "all",
                    ever.tag == "",
                ),
            )
            .where(period.workspace_id == workspace.id)
            .where(period.bucket == bucket)
            .where(period.tag == "")
            .where(period.received > 0)
            .where(ever.received == period.received)  # everything they ever got, got now
            .where(MemberRow.is_private.is_(False))
            .order_by(MemberRow.display_name)
        )
        return [r[0] for r in rows]

    async def learnings_between(
        self, workspace: Workspace, start: datetime, end: datetime
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        rows = await self.conn.execute(
            select(MemberRow.display_name, LearningRow.text, LearningRow.tags)
            .join(MemberRow, MemberRow.id == LearningRow.member_id)
            .where(LearningRow.workspace_id == workspace.id)
            .where(LearningRow.created_at >= start)
            .where(LearningRow.created_at < end)
            .where(MemberRow.is_private.is_(False))
            .order_by(LearningRow.created_at, LearningRow.id)
        )
        return [(r[0], r[1], tuple(r[2].split())) for r in rows]

    async def kudos_between(
        self, workspace: Workspace, start: datetime, end: datetime
    ) -> list[tuple[Kudos, dict[int, tuple[str, str, bool]]]]:
        kudos = await load_kudos(
            self.conn,
            and_(
                KudosRow.workspace_id == workspace.id,
                KudosRow.created_at >= start,
                KudosRow.created_at < end,
                KudosRow.reversed_at.is_(None),
            ),
            limit=MAX_KUDOS_IN_A_POST,
        )
        people = {m for k in kudos for m in (k.giver_id, *k.recipient_ids)}
        names = {
            row.id: (row.external_id, row.display_name, bool(row.is_private))
            for row in await self.conn.execute(
                select(
                    MemberRow.id,
                    MemberRow.external_id,
                    MemberRow.display_name,
                    MemberRow.is_private,
                ).where(MemberRow.id.in_(list(people)))
            )
        }
        return [(k, names) for k in reversed(kudos)]
