"""Workspaces: found by platform identity, created on first sight with their mint account."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, insert, select, update

from bot.domain.model import Workspace, WorkspaceRef, WorkspaceSettings
from bot.store.cache import WorkspaceCache
from bot.store.database import SqlConnection
from bot.store.models import AccountRow, WorkspaceRow
from bot.store.repositories.base import Repository

_WORKSPACE_BY_REF = (
    select(
        WorkspaceRow.id,
        WorkspaceRow.platform,
        WorkspaceRow.external_id,
        WorkspaceRow.name,
        WorkspaceRow.settings,
        AccountRow.id.label("mint_id"),
    )
    .join(AccountRow, and_(AccountRow.workspace_id == WorkspaceRow.id, AccountRow.kind == "mint"))
    .where(WorkspaceRow.platform == bindparam("p_platform"))
    .where(WorkspaceRow.external_id == bindparam("p_external_id"))
)


class SqlWorkspaceRepository(Repository):
    def __init__(self, conn: SqlConnection, cache: WorkspaceCache) -> None:
        super().__init__(conn)
        self._cache = cache
        self._created: set[tuple[str, str]] = set()
        self._changed: set[tuple[str, str]] = set()

    async def get(self, ref: WorkspaceRef) -> Workspace | None:
        cached = self._cache.get(ref)
        if cached is not None:
            return cached
        row = (
            await self.conn.execute(
                _WORKSPACE_BY_REF, {"p_platform": ref.platform, "p_external_id": ref.external_id}
            )
        ).first()
        if row is None:
            return None
        workspace = Workspace(
            id=row.id,
            platform=row.platform,
            external_id=row.external_id,
            name=row.name,
            settings=WorkspaceSettings.from_dict(row.settings),
            mint_account_id=row.mint_id,
        )
        if (ref.platform, ref.external_id) not in self._created:  # never cache uncommitted rows
            self._cache.put(workspace)
        return workspace

    async def ensure(self, ref: WorkspaceRef) -> Workspace:
        found = await self.get(ref)
        if found is not None:
            return found
        now = datetime.now(UTC)
        inserted = (
            await self.conn.execute(
                self._insert(WorkspaceRow)
                .values(
                    platform=ref.platform,
                    external_id=ref.external_id,
                    name=ref.name or ref.external_id,
                    settings={},
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["platform", "external_id"])
                .returning(WorkspaceRow.id)
            )
        ).scalar()
        if inserted is not None:
            self._created.add((ref.platform, ref.external_id))
            await self.conn.execute(
                insert(AccountRow).values(
                    workspace_id=inserted, member_id=None, kind="mint", balance=0, created_at=now
                )
            )
        workspace = await self.get(ref)
        assert workspace is not None
        return workspace

    def committed(self) -> None:
        """Forget what changed once it is committed: a reader that ran meanwhile may have
        cached the settings from before."""
        for platform, external_id in self._changed:
            self._cache.forget(platform, external_id)
        self._changed.clear()

    async def save_settings(self, workspace: Workspace, settings: WorkspaceSettings) -> None:
        self._cache.forget(workspace.platform, workspace.external_id)
        self._changed.add((workspace.platform, workspace.external_id))
        await self.conn.execute(
            update(WorkspaceRow)
            .where(WorkspaceRow.id == workspace.id)
            .values(settings=settings.to_dict())
        )

    async def called(self, external_id: str) -> list[WorkspaceRef]:
        rows = await self.conn.execute(
            select(WorkspaceRow.platform, WorkspaceRow.external_id, WorkspaceRow.name)
            .where(WorkspaceRow.external_id == external_id)
            .order_by(WorkspaceRow.platform)
        )
        return [WorkspaceRef(row.platform, row.external_id, row.name) for row in rows]
