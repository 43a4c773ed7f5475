"""The admin list and the audit log in memory (see bot/store/repositories/admins.py)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from bot.domain.model import AuditEntry, Member, MemberRef, Workspace
from tests.fakes.repositories.base import FakeRepository, newest_first
from tests.fakes.tables import Row


def audit_entry(row: Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        action=row["action"],
        target=row["target"],
        details=copy.deepcopy(row["details"]) or {},
        created_at=row["created_at"],
    )


class FakeAdminRepository(FakeRepository):
    async def add(self, workspace: Workspace, who: Member, by: str, at: datetime) -> bool:
        row = self.tables.insert(
            "workspace_admins",
            {
                "workspace_id": workspace.id,
                "external_id": who.external_id,
                "display_name": who.display_name,
                "added_by": by[:200],
                "added_at": at,
            },
            on_conflict=("workspace_id", "external_id"),
        )
        return row is not None

    async def remove(self, workspace: Workspace, external_id: str) -> bool:
        table = self.tables["workspace_admins"]
        row = table.first(workspace_id=workspace.id, external_id=external_id)
        if row is None:
            return False
        table.delete(row)
        return True

    async def contains(self, workspace: Workspace, external_id: str) -> bool:
        table = self.tables["workspace_admins"]
        return table.first(workspace_id=workspace.id, external_id=external_id) is not None

    async def all(self, workspace: Workspace, *, lock: bool = False) -> list[tuple[str, str]]:
        rows = self.tables["workspace_admins"].where(workspace_id=workspace.id)
        return [
            (r["external_id"], r["display_name"])
            for r in sorted(rows, key=lambda r: (r["added_at"], r["id"]))
        ]


class FakeAuditRepository(FakeRepository):
    async def record(
        self,
        workspace: Workspace,
        actor: MemberRef,
        action: str,
        target: str,
        details: dict[str, Any],
        at: datetime,
    ) -> None:
        self.tables.insert(
            "audit_log",
            {
                "workspace_id": workspace.id,
                "actor_id": actor.external_id[:128],
                "actor_name": (actor.display_name or actor.external_id)[:200],
                "action": action,
                "target": target[:200],
                "details": details,
                "created_at": at,
            },
        )

    async def recent(
        self,
        workspace: Workspace,
        since: datetime | None,
        limit: int,
        before_id: int | None = None,
    ) -> list[AuditEntry]:
        rows = [
            r
            for r in self.tables["audit_log"].where(workspace_id=workspace.id)
            if (since is None or r["created_at"] >= since)
            and (before_id is None or r["id"] < before_id)
        ]
        return [audit_entry(r) for r in newest_first(rows)[:limit]]
