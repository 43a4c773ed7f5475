"""Badges in memory (see bot/store/repositories/badges.py)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Member, Workspace
from tests.fakes.repositories.base import FakeRepository


class FakeBadgeRepository(FakeRepository):
    async def of(
        self, workspace: Workspace, member_ids: list[int]
    ) -> dict[int, list[tuple[str, datetime]]]:
        out: dict[int, list[tuple[str, datetime]]] = {m: [] for m in member_ids}
        rows = [
            r
            for r in self.tables["badges"].where(workspace_id=workspace.id)
            if r["member_id"] in out
        ]
        for r in sorted(rows, key=lambda r: (r["awarded_at"], r["id"])):
            out[r["member_id"]].append((r["badge"], r["awarded_at"]))
        return out

    async def channels_given_in(self, workspace: Workspace, member: Member, limit: int) -> set[str]:
        channels: list[str] = []
        for r in self.tables["kudos"].where(workspace_id=workspace.id, giver_id=member.id):
            if (
                r["reversed_at"] is None
                and r["channel"] is not None
                and r["channel"] not in channels
            ):
                channels.append(r["channel"])
        return set(channels[:limit])

    async def mentoring_givers(self, workspace: Workspace, member: Member) -> int:
        kudos = self.tables["kudos"].rows
        givers = set()
        for r in self.tables["kudos_recipients"].where(member_id=member.id):
            k = kudos[r["kudos_id"]]
            if (
                k["workspace_id"] == workspace.id
                and k["reversed_at"] is None
                and "mentoring" in (k["tags"] or "").split()
            ):
                givers.add(k["giver_id"])
        return len(givers)

    async def learnings_shared(self, workspace: Workspace, member: Member, limit: int) -> int:
        shared = self.tables["learnings"].where(workspace_id=workspace.id, member_id=member.id)
        return min(len(shared), limit)

    async def award(
        self, workspace: Workspace, member: Member, badge: str, channel: str | None, at: datetime
    ) -> bool:
        row = self.tables.insert(
            "badges",
            {
                "workspace_id": workspace.id,
                "member_id": member.id,
                "badge": badge,
                "channel": channel[:128] if channel else None,
                "awarded_at": at,
            },
            on_conflict=("member_id", "badge"),
        )
        return row is not None
