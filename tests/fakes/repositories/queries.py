"""Leaderboards, history and what scheduled posts read, in memory (see
bot/store/repositories/queries.py)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import HistoryItem, Kudos, LeaderboardRow, Member, Workspace, rank_rows
from tests.fakes.repositories.base import FakeRepository, oldest_first
from tests.fakes.repositories.kudos import load_kudos

MAX_KUDOS_IN_A_POST = 2000


class FakeReadQueries(FakeRepository):
    def _private(self, workspace: Workspace) -> frozenset[int]:
        """Who left the public boards."""
        rows = self.tables["members"].where(workspace_id=workspace.id, is_private=True)
        return frozenset(r["id"] for r in rows)

    def _top(
        self, workspace: Workspace, bucket: str, tag: str, column: str, limit: int, public: bool
    ) -> list[LeaderboardRow]:
        hidden = self._private(workspace) if public else frozenset()
        rows = [
            r
            for r in self.tables["leaderboard_totals"].where(
                workspace_id=workspace.id, bucket=bucket, tag=tag
            )
            if r[column] > 0 and r["member_id"] not in hidden
        ]
        top = sorted(rows, key=lambda r: (-r[column], r["member_id"]))[:limit]
        members = self.tables["members"]
        named = [
            (r["member_id"], members.rows[r["member_id"]], int(r[column]))
            for r in top
            if r["member_id"] in members.rows
        ]
        named.sort(key=lambda n: (-n[2], n[1]["display_name"]))
        private = frozenset(i for i, m, _ in named if m["is_private"])
        return rank_rows(
            [(i, m["external_id"], m["display_name"], p) for i, m, p in named], private
        )

    async def leaderboard(
        self, workspace: Workspace, bucket: str, tag: str, limit: int, *, public: bool = True
    ) -> list[LeaderboardRow]:
        return self._top(workspace, bucket, tag, "received", limit, public)

    async def top_givers(
        self, workspace: Workspace, bucket: str, limit: int
    ) -> list[LeaderboardRow]:
        return self._top(workspace, bucket, "", "given", limit, True)

    async def history(self, workspace: Workspace, member: Member, limit: int) -> list[HistoryItem]:
        received = {
            r["kudos_id"] for r in self.tables["kudos_recipients"].where(member_id=member.id)
        }
        kudos = load_kudos(
            self.tables,
            lambda r: (
                r["workspace_id"] == workspace.id
                and (r["giver_id"] == member.id or r["id"] in received)
            ),
            limit=limit,
        )
        members = self.tables["members"].rows
        names = {
            i: members[i]["display_name"]
            for k in kudos
            for i in (k.giver_id, *k.recipient_ids)
            if i in members
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

    async def newcomers(self, workspace: Workspace, bucket: str) -> list[str]:
        totals = self.tables["leaderboard_totals"]
        members = self.tables["members"].rows
        names = []
        for period in totals.where(workspace_id=workspace.id, bucket=bucket, tag=""):
            ever = totals.get((workspace.id, "all", "", period["member_id"]))
            if (
                period["received"] > 0
                and ever is not None
                and ever["received"] == period["received"]
                and period["member_id"] in members
                and not members[period["member_id"]]["is_private"]
            ):
                names.append(members[period["member_id"]]["display_name"])
        return sorted(names)

    async def learnings_between(
        self, workspace: Workspace, start: datetime, end: datetime
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        members = self.tables["members"].rows
        rows = oldest_first(
            [
                r
                for r in self.tables["learnings"].where(workspace_id=workspace.id)
                if start <= r["created_at"] < end
                and r["member_id"] in members
                and not members[r["member_id"]]["is_private"]
            ]
        )
        return [
            (members[r["member_id"]]["display_name"], r["text"], tuple(r["tags"].split()))
            for r in rows
        ]

    async def kudos_between(
        self, workspace: Workspace, start: datetime, end: datetime
    ) -> list[tuple[Kudos, dict[int, tuple[str, str, bool]]]]:
        kudos = load_kudos(
            self.tables,
            lambda r: (
                r["workspace_id"] == workspace.id
                and start <= r["created_at"] < end
                and r["reversed_at"] is None
            ),
            limit=MAX_KUDOS_IN_A_POST,
        )
        members = self.tables["members"].rows
        names = {
            i: (
                members[i]["external_id"],
                members[i]["display_name"],
                bool(members[i]["is_private"]),
            )
            for k in kudos
            for i in (k.giver_id, *k.recipient_ids)
            if i in members
        }
        return [(k, names) for k in reversed(kudos)]
