"""One-time dashboard sign-in links, kept as hashes of their tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from bot.domain.model import Workspace, WorkspaceRef
from bot.store.models import SignInLinkRow, WorkspaceRow
from bot.store.repositories.base import Repository


class SqlSignInLinkRepository(Repository):
    async def add(
        self,
        workspace: Workspace,
        external_id: str,
        token_hash: str,
        by: str,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        await self.conn.execute(
            insert(SignInLinkRow).values(
                workspace_id=workspace.id,
                external_id=external_id,
                token_hash=token_hash,
                created_by=by[:200],
                created_at=at,
                expires_at=expires_at,
            )
        )

    async def use(self, token_hash: str, at: datetime) -> tuple[WorkspaceRef, str] | None:
        """Mark the link used, if it is unused and unexpired: (workspace, user id) for exactly
        one caller; None for everyone else, and for an unknown token."""
        used = await self.conn.execute(
            update(SignInLinkRow)
            .where(SignInLinkRow.token_hash == token_hash)
            .where(SignInLinkRow.used_at.is_(None))
            .where(SignInLinkRow.expires_at > at)
            .values(used_at=at)
        )
        if used.rowcount != 1:
            return None
        row = (
            await self.conn.execute(
                select(WorkspaceRow.platform, WorkspaceRow.external_id, SignInLinkRow.external_id)
                .join(WorkspaceRow, WorkspaceRow.id == SignInLinkRow.workspace_id)
                .where(SignInLinkRow.token_hash == token_hash)
            )
        ).one()
        return WorkspaceRef(row[0], row[1]), row[2]

    async def state(self, token_hash: str, at: datetime) -> str:
        """`valid`, `used`, `expired` or `unknown`, changing nothing (the page before the
        sign-in button)."""
        row = (
            await self.conn.execute(
                select(SignInLinkRow.used_at, SignInLinkRow.expires_at).where(
                    SignInLinkRow.token_hash == token_hash
                )
            )
        ).first()
        if row is None:
            return "unknown"
        if row[0] is not None:
            return "used"
        expires = row[1] if row[1].tzinfo else row[1].replace(tzinfo=at.tzinfo)
        return "valid" if expires > at else "expired"
