"""Members and their two accounts in memory (see bot/store/repositories/members.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.domain.model import AccountKind, Member, MemberRef, Workspace
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.tables import Row, Tables


def member_of(tables: Tables, row: Row, *, with_directory: bool = True) -> Member | None:
    """The member with both accounts (None without them, as the store's join)."""
    accounts = {
        a["kind"]: a for a in tables["accounts"].where(member_id=row["id"])
    }  # one of each kind: a unique key
    allowance, earned = accounts.get("allowance"), accounts.get("earned")
    if allowance is None or earned is None:
        return None
    return Member(
        id=row["id"],
        workspace_id=row["workspace_id"],
        external_id=row["external_id"],
        display_name=row["display_name"],
        is_bot=bool(row["is_bot"]),
        is_active=bool(row["is_active"]),
        allowance_account_id=allowance["id"],
        earned_account_id=earned["id"],
        allowance_balance=allowance["balance"],
        earned_balance=earned["balance"],
        allowance_period=allowance["period"],
        directory_id=row["directory_id"] if with_directory else None,
        is_private=bool(row["is_private"]),
    )


def members_of(tables: Tables, rows: Iterable[Row]) -> list[Member]:
    return [m for m in (member_of(tables, r) for r in rows) if m is not None]


def _differs(member: Member, ref: MemberRef) -> bool:
    return (
        (ref.display_name is not None and ref.display_name[:200] != member.display_name)
        or (ref.is_bot is not None and ref.is_bot != member.is_bot)
        or (ref.is_active is not None and ref.is_active != member.is_active)
        or (ref.directory_id is not None and ref.directory_id[:128] != member.directory_id)
    )


class FakeMemberRepository(FakeRepository):
    def _by_external_ids(self, workspace: Workspace, keys: Iterable[str]) -> dict[str, Member]:
        wanted = set(keys)
        rows = [
            r
            for r in self.tables["members"].where(workspace_id=workspace.id)
            if r["external_id"] in wanted
        ]
        return {m.external_id: m for m in members_of(self.tables, rows)}

    async def ensure(self, workspace: Workspace, refs: Sequence[MemberRef]) -> dict[str, Member]:
        wanted = {ref.external_id: ref for ref in refs}
        found = self._by_external_ids(workspace, wanted)
        missing = [ref for key, ref in wanted.items() if key not in found]
        if missing:
            self._create(workspace, missing)
        stale = [
            ref
            for ref in wanted.values()
            if ref.external_id in found and _differs(found[ref.external_id], ref)
        ]
        for ref in stale:
            changes: dict[str, Any] = {}
            if ref.display_name is not None:
                changes["display_name"] = ref.display_name[:200]
            if ref.is_bot is not None:
                changes["is_bot"] = ref.is_bot
            if ref.is_active is not None:
                changes["is_active"] = ref.is_active
            if ref.directory_id is not None:
                changes["directory_id"] = ref.directory_id[:128]
            row = self.tables["members"].get(found[ref.external_id].id)
            assert row is not None
            self.tables["members"].update(row, **changes)
        if missing or stale:
            found = self._by_external_ids(workspace, wanted)
        return found

    def _create(self, workspace: Workspace, refs: Sequence[MemberRef]) -> None:
        now = datetime.now(UTC)
        for ref in refs:
            self.tables.insert(
                "members",
                {
                    "workspace_id": workspace.id,
                    "external_id": ref.external_id,
                    "display_name": (ref.display_name or ref.name_if_new or ref.external_id)[:200],
                    "is_bot": bool(ref.is_bot),
                    "is_active": ref.is_active is not False,
                    "directory_id": ref.directory_id[:128] if ref.directory_id else None,
                    "created_at": now,
                },
                on_conflict=("workspace_id", "external_id"),
            )
        keys = {ref.external_id for ref in refs}
        made = [
            r
            for r in self.tables["members"].where(workspace_id=workspace.id)
            if r["external_id"] in keys
        ]
        # The store reads the new ids back through the (workspace, external id) index, so
        # their accounts are made in external id order.
        for row in sorted(made, key=lambda r: r["external_id"]):
            for kind in (AccountKind.ALLOWANCE, AccountKind.EARNED):
                self.tables.insert(
                    "accounts",
                    {
                        "workspace_id": workspace.id,
                        "member_id": row["id"],
                        "kind": kind.value,
                        "balance": 0,
                        "period": None,
                        "created_at": now,
                    },
                    on_conflict=("workspace_id", "member_id", "kind"),
                )

    async def get(self, workspace: Workspace, external_id: str) -> Member | None:
        return self._by_external_ids(workspace, [external_id]).get(external_id)

    async def by_ids(self, workspace: Workspace, ids: Sequence[int]) -> dict[int, Member]:
        rows = [self.tables["members"].get(i) for i in set(ids)]
        mine = [r for r in rows if r is not None and r["workspace_id"] == workspace.id]
        return {m.id: m for m in members_of(self.tables, mine)}

    async def by_directory_id(self, workspace: Workspace, directory_id: str) -> Member | None:
        rows = self.tables["members"].where(
            workspace_id=workspace.id, directory_id=directory_id[:128]
        )
        if not rows:
            return None
        newest = max(rows, key=lambda r: r["id"])
        return (await self.by_ids(workspace, [newest["id"]])).get(newest["id"])

    async def names(self, workspace: Workspace, limit: int) -> list[str]:
        rows = self.tables["members"].where(workspace_id=workspace.id, is_active=True, is_bot=False)
        return sorted(r["display_name"] for r in rows)[:limit]
