"""Members and their two accounts, created on first sight and refreshed from the platform."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import aliased

from bot.domain.model import AccountKind, Member, MemberRef, Workspace
from bot.store.models import AccountRow, MemberRow
from bot.store.repositories.base import Repository

_allowance = aliased(AccountRow, name="allowance")
_earned = aliased(AccountRow, name="earned")
_MEMBERS = (
    select(
        MemberRow.id,
        MemberRow.external_id,
        MemberRow.display_name,
        MemberRow.is_bot,
        MemberRow.is_active,
        MemberRow.directory_id,
        MemberRow.is_private,
        _allowance.id.label("allowance_id"),
        _allowance.balance.label("allowance_balance"),
        _allowance.period,
        _earned.id.label("earned_id"),
        _earned.balance.label("earned_balance"),
    )
    .join(_allowance, and_(_allowance.member_id == MemberRow.id, _allowance.kind == "allowance"))
    .join(_earned, and_(_earned.member_id == MemberRow.id, _earned.kind == "earned"))
    .where(MemberRow.workspace_id == bindparam("p_ws"))
)
_MEMBERS_BY_EXTERNAL_ID = _MEMBERS.where(
    MemberRow.external_id.in_(bindparam("p_keys", expanding=True))
)
_MEMBERS_BY_ID = _MEMBERS.where(MemberRow.id.in_(bindparam("p_keys", expanding=True)))


class SqlMemberRepository(Repository):
    async def _select(self, statement: Any, workspace_id: int, keys: list[Any]) -> list[Member]:
        rows = await self.conn.execute(statement, {"p_ws": workspace_id, "p_keys": keys})
        return [
            Member(
                id=r.id,
                workspace_id=workspace_id,
                external_id=r.external_id,
                display_name=r.display_name,
                is_bot=bool(r.is_bot),
                is_active=bool(r.is_active),
                allowance_account_id=r.allowance_id,
                earned_account_id=r.earned_id,
                allowance_balance=r.allowance_balance,
                earned_balance=r.earned_balance,
                allowance_period=r.period,
                directory_id=r.directory_id,
                is_private=bool(r.is_private),
            )
            for r in rows
        ]

    async def ensure(self, workspace: Workspace, refs: Sequence[MemberRef]) -> dict[str, Member]:
        wanted = {ref.external_id: ref for ref in refs}
        found = {
            m.external_id: m
            for m in await self._select(_MEMBERS_BY_EXTERNAL_ID, workspace.id, list(wanted))
        }
        missing = [ref for key, ref in wanted.items() if key not in found]
        if missing:
            await self._create(workspace, missing)
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
            await self.conn.execute(
                update(MemberRow).where(MemberRow.id == found[ref.external_id].id).values(**changes)
            )
        if missing or stale:
            found = {
                m.external_id: m
                for m in await self._select(_MEMBERS_BY_EXTERNAL_ID, workspace.id, list(wanted))
            }
        return found

    async def _create(self, workspace: Workspace, refs: Sequence[MemberRef]) -> None:
        now = datetime.now(UTC)
        await self.conn.execute(
            self._insert(MemberRow)
            .values(
                [
                    {
                        "workspace_id": workspace.id,
                        "external_id": ref.external_id,
                        "display_name": (ref.display_name or ref.name_if_new or ref.external_id)[
                            :200
                        ],
                        "is_bot": bool(ref.is_bot),
                        "is_active": ref.is_active is not False,
                        "directory_id": ref.directory_id[:128] if ref.directory_id else None,
                        "created_at": now,
                    }
                    for ref in refs
                ]
            )
            .on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
        )
        ids = (
            await self.conn.execute(
                select(MemberRow.id)
                .where(MemberRow.workspace_id == workspace.id)
                .where(MemberRow.external_id.in_([ref.external_id for ref in refs]))
            )
        ).scalars()
        await self.conn.execute(
            self._insert(AccountRow)
            .values(
                [
                    {
                        "workspace_id": workspace.id,
                        "member_id": member_id,
                        "kind": kind.value,
                        "balance": 0,
                        "period": None,
                        "created_at": now,
                    }
                    for member_id in ids
                    for kind in (AccountKind.ALLOWANCE, AccountKind.EARNED)
                ]
            )
            .on_conflict_do_nothing(index_elements=["workspace_id", "member_id", "kind"])
        )

    async def get(self, workspace: Workspace, external_id: str) -> Member | None:
        members = await self._select(_MEMBERS_BY_EXTERNAL_ID, workspace.id, [external_id])
        return members[0] if members else None

    async def by_ids(self, workspace: Workspace, ids: Sequence[int]) -> dict[int, Member]:
        return {m.id: m for m in await self._select(_MEMBERS_BY_ID, workspace.id, list(ids))}

    async def by_directory_id(self, workspace: Workspace, directory_id: str) -> Member | None:
        """The member the platform's directory knows by `directory_id` (the newest, should
        the bot have met the same person under two chat ids)."""
        rows = await self.conn.execute(
            select(MemberRow.id)
            .where(MemberRow.workspace_id == workspace.id)
            .where(MemberRow.directory_id == directory_id[:128])
            .order_by(MemberRow.id.desc())
            .limit(1)
        )
        found = rows.scalar()
        if found is None:
            return None
        return (await self.by_ids(workspace, [int(found)])).get(int(found))

    async def names(self, workspace: Workspace, limit: int) -> list[str]:
        rows = await self.conn.execute(
            select(MemberRow.display_name)
            .where(MemberRow.workspace_id == workspace.id)
            .where(MemberRow.is_active.is_(True), MemberRow.is_bot.is_(False))
            .order_by(MemberRow.display_name)
            .limit(limit)
        )
        return [r[0] for r in rows]


def _differs(member: Member, ref: MemberRef) -> bool:
    return (
        (ref.display_name is not None and ref.display_name[:200] != member.display_name)
        or (ref.is_bot is not None and ref.is_bot != member.is_bot)
        or (ref.is_active is not None and ref.is_active != member.is_active)
        or (ref.directory_id is not None and ref.directory_id[:128] != member.directory_id)
    )
