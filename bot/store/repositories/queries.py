"""Read models: leaderboards and history."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, or_, select

from bot.domain.model import HistoryItem, LeaderboardRow, Member, Workspace, rank_rows
from bot.store.models import KudosRecipientRow, KudosRow, LeaderboardTotalRow, MemberRow
from bot.store.repositories.base import Repository
from bot.store.repositories.kudos import load_kudos

# The top N of one bucket from the totals alone (a top-N heap sort over the members recognised
# in the period), then names for those N only.
_top = (
    select(LeaderboardTotalRow.member_id, LeaderboardTotalRow.received)
    .where(LeaderboardTotalRow.workspace_id == bindparam("p_ws"))
    .where(LeaderboardTotalRow.bucket == bindparam("p_bucket"))
    .where(LeaderboardTotalRow.tag == bindparam("p_tag"))
    .where(LeaderboardTotalRow.received > 0)
    .order_by(LeaderboardTotalRow.received.desc(), LeaderboardTotalRow.member_id)
    .limit(bindparam("p_limit"))
    .subquery("top")
)
_LEADERBOARD = (
    select(_top.c.member_id, MemberRow.external_id, MemberRow.display_name, _top.c.received)
    .join(MemberRow, MemberRow.id == _top.c.member_id)
    .order_by(_top.c.received.desc(), MemberRow.display_name)
)


class SqlReadQueries(Repository):
    async def leaderboard(
        self, workspace: Workspace, bucket: str, tag: str, limit: int
    ) -> list[LeaderboardRow]:
        rows = await self.conn.execute(
            _LEADERBOARD,
            {"p_ws": workspace.id, "p_bucket": bucket, "p_tag": tag, "p_limit": limit},
        )
        return rank_rows([(r[0], r[1], r[2], int(r[3])) for r in rows])

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
