"""One-time dashboard sign-in links in memory (see bot/store/repositories/signin.py)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Workspace, WorkspaceRef
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.repositories.workspaces import ref_of


class FakeSignInLinkRepository(FakeRepository):
    async def add(
        self,
        workspace: Workspace,
        external_id: str,
        token_hash: str,
        by: str,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        self.tables.insert(
            "sign_in_links",
            {
                "workspace_id": workspace.id,
                "external_id": external_id,
                "token_hash": token_hash,
                "created_by": by[:200],
                "created_at": at,
                "expires_at": expires_at,
            },
        )

    async def use(self, token_hash: str, at: datetime) -> tuple[WorkspaceRef, str] | None:
        links = self.tables["sign_in_links"]
        row = links.first(token_hash=token_hash, used_at=None)
        if row is None or not row["expires_at"] > at:
            return None
        links.update(row, used_at=at)
        workspace = self.tables["workspaces"].rows[row["workspace_id"]]
        return ref_of(workspace), row["external_id"]

    async def state(self, token_hash: str, at: datetime) -> str:
        row = self.tables["sign_in_links"].first(token_hash=token_hash)
        if row is None:
            return "unknown"
        if row["used_at"] is not None:
            return "used"
        return "valid" if row["expires_at"] > at else "expired"
