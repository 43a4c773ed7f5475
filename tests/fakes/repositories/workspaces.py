"""Workspaces in memory (see bot/store/repositories/workspaces.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.model import Workspace, WorkspaceRef, WorkspaceSettings
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.tables import Row, Tables


def workspace_of(tables: Tables, row: Row) -> Workspace | None:
    """The workspace with its mint account (None without one, as the store's join)."""
    mint = tables["accounts"].first(workspace_id=row["id"], member_id=None, kind="mint")
    if mint is None:
        return None
    return Workspace(
        id=row["id"],
        platform=row["platform"],
        external_id=row["external_id"],
        name=row["name"],
        settings=WorkspaceSettings.from_dict(row["settings"]),
        mint_account_id=mint["id"],
    )


def ref_of(row: Row, *, named: bool = False) -> WorkspaceRef:
    return WorkspaceRef(row["platform"], row["external_id"], row["name"] if named else None)


class FakeWorkspaceRepository(FakeRepository):
    async def get(self, ref: WorkspaceRef) -> Workspace | None:
        row = self.tables["workspaces"].first(platform=ref.platform, external_id=ref.external_id)
        return None if row is None else workspace_of(self.tables, row)

    async def ensure(self, ref: WorkspaceRef) -> Workspace:
        found = await self.get(ref)
        if found is not None:
            return found
        now = datetime.now(UTC)
        row = self.tables.insert(
            "workspaces",
            {
                "platform": ref.platform,
                "external_id": ref.external_id,
                "name": ref.name or ref.external_id,
                "settings": {},
                "created_at": now,
            },
            on_conflict=("platform", "external_id"),
        )
        if row is not None:
            self.tables.insert(
                "accounts",
                {
                    "workspace_id": row["id"],
                    "member_id": None,
                    "kind": "mint",
                    "balance": 0,
                    "created_at": now,
                },
            )
        workspace = await self.get(ref)
        assert workspace is not None
        return workspace

    async def save_settings(self, workspace: Workspace, settings: WorkspaceSettings) -> None:
        row = self.tables["workspaces"].get(workspace.id)
        if row is not None:
            self.tables["workspaces"].update(row, settings=settings.to_dict())

    async def called(self, external_id: str) -> list[WorkspaceRef]:
        rows = self.tables["workspaces"].where(external_id=external_id)
        return [ref_of(r, named=True) for r in sorted(rows, key=lambda r: r["platform"])]
