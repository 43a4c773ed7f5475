"""The per-workspace admin list and the audit log of admin actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select

from bot.domain.model import AuditEntry, Member, MemberRef, Workspace
from bot.store.models import AdminRow, AuditRow
from bot.store.repositories.base import Repository, utc


class SqlAdminRepository(Repository):
    async def add(self, workspace: Workspace, who: Member, by: str, at: datetime) -> bool:
        result = await self.conn.execute(
            self._insert(AdminRow)
            .values(
                workspace_id=workspace.id,
                external_id=who.external_id,
                display_name=who.display_name,
                added_by=by[:200],
                added_at=at,
            )
            .on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
        )
        return result.rowcount == 1

    async def remove(self, workspace: Workspace, external_id: str) -> bool:
        result = await self.conn.execute(
            delete(AdminRow)
            .where(AdminRow.workspace_id == workspace.id)
            .where(AdminRow.external_id == external_id)
        )
        return result.rowcount == 1

    async def contains(self, workspace: Workspace, external_id: str) -> bool:
        found = await self.conn.execute(
            select(AdminRow.id)
            .where(AdminRow.workspace_id == workspace.id)
            .where(AdminRow.external_id == external_id)
        )
        return found.first() is not None

    async def all(self, workspace: Workspace, *, lock: bool = False) -> list[tuple[str, str]]:
        query = (
            select(AdminRow.external_id, AdminRow.display_name)
            .where(AdminRow.workspace_id == workspace.id)
            .order_by(AdminRow.added_at, AdminRow.id)
        )
        if lock:
            query = query.with_for_update()
        rows = await self.conn.execute(query)
        return [(row.external_id, row.display_name) for row in rows]


class SqlAuditRepository(Repository):
    async def record(
        self,
        workspace: Workspace,
        actor: MemberRef,
        action: str,
        target: str,
        details: dict[str, Any],
        at: datetime,
    ) -> None:
        await self.conn.execute(
            insert(AuditRow).values(
                workspace_id=workspace.id,
                actor_id=actor.external_id[:128],
                actor_name=(actor.display_name or actor.external_id)[:200],
                action=action,
                target=target[:200],
                details=details,
                created_at=at,
            )
        )

    async def recent(
        self,
        workspace: Workspace,
        since: datetime | None,
        limit: int,
        before_id: int | None = None,
    ) -> list[AuditEntry]:
        query = (
            select(AuditRow)
            .where(AuditRow.workspace_id == workspace.id)
            .order_by(AuditRow.created_at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
        if since is not None:
            query = query.where(AuditRow.created_at >= since)
        if before_id is not None:
            query = query.where(AuditRow.id < before_id)
        return [
            AuditEntry(
                id=row.id,
                actor_id=row.actor_id,
                actor_name=row.actor_name,
                action=row.action,
                target=row.target,
                details=row.details or {},
                created_at=utc(row.created_at),
            )
            for row in await self.conn.execute(query)
        ]
