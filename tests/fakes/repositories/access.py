"""API tokens, webhooks and their deliveries in memory (see bot/store/repositories/access.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.access import ApiToken, OutgoingDelivery, Webhook, WebhookDelivery
from bot.domain.model import Workspace, WorkspaceRef
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.repositories.workspaces import ref_of
from tests.fakes.tables import Row

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def _token(row: Row) -> ApiToken:
    return ApiToken(
        id=row["id"],
        prefix=row["prefix"],
        name=row["name"],
        scope=row["scope"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        created_by=row["created_by"],
    )


def _webhook(row: Row) -> Webhook:
    return Webhook(
        id=row["id"],
        url=row["url"],
        events=tuple(row["events"].split()),
        created_at=row["created_at"],
        created_by=row["created_by"],
    )


class FakeApiTokenRepository(FakeRepository):
    async def add(
        self,
        workspace: Workspace,
        prefix: str,
        digest: str,
        name: str,
        scope: str,
        by: str,
        at: datetime,
        expires_at: datetime,
    ) -> ApiToken:
        row = self.insert_unique(
            "api_tokens",
            {
                "workspace_id": workspace.id,
                "prefix": prefix,
                "token_hash": digest,
                "name": name,
                "scope": scope,
                "created_by": by[:200],
                "created_at": at,
                "expires_at": expires_at,
            },
        )
        return _token(row)

    async def by_prefix(self, prefix: str) -> tuple[ApiToken, str, WorkspaceRef] | None:
        row = self.tables["api_tokens"].first(prefix=prefix)
        if row is None:
            return None
        workspace = self.tables["workspaces"].rows[row["workspace_id"]]
        return _token(row), row["token_hash"], ref_of(workspace, named=True)

    async def all(self, workspace: Workspace) -> list[ApiToken]:
        rows = self.tables["api_tokens"].where(workspace_id=workspace.id)
        return [_token(r) for r in sorted(rows, key=lambda r: (r["created_at"], r["id"]))]

    async def revoke(self, workspace: Workspace, prefix: str, at: datetime) -> bool:
        tokens = self.tables["api_tokens"]
        row = tokens.first(workspace_id=workspace.id, prefix=prefix, revoked_at=None)
        if row is None:
            return False
        tokens.update(row, revoked_at=at)
        return True


class FakeWebhookRepository(FakeRepository):
    async def add(
        self,
        workspace: Workspace,
        url: str,
        events: Sequence[str],
        secret: str,
        by: str,
        at: datetime,
    ) -> Webhook:
        row = self.tables.insert(
            "webhooks",
            {
                "workspace_id": workspace.id,
                "url": url,
                "events": " ".join(events),
                "secret": secret,
                "created_by": by[:200],
                "created_at": at,
            },
        )
        assert row is not None
        return _webhook(row)

    async def remove(self, workspace: Workspace, webhook_id: int, at: datetime) -> Webhook | None:
        hooks = self.tables["webhooks"]
        row = hooks.get(webhook_id)
        if row is None or row["workspace_id"] != workspace.id or row["removed_at"] is not None:
            return None
        hooks.update(row, removed_at=at)
        return _webhook(row)

    async def all(self, workspace: Workspace) -> list[Webhook]:
        rows = self.tables["webhooks"].where(workspace_id=workspace.id, removed_at=None)
        return [_webhook(r) for r in rows]

    def subscribers(self, workspace: Workspace, event: str) -> list[int]:
        """The webhooks that take `event` now (what the unit of work's commit fans out to)."""
        rows = self.tables["webhooks"].where(workspace_id=workspace.id, removed_at=None)
        return [r["id"] for r in rows if event in r["events"].split()]

    def add_deliveries(self, workspace: Workspace, rows: Sequence[dict[str, Any]]) -> None:
        """Record deliveries to make: dicts of webhook_id, delivery_id, event, body, created_at."""
        for row in rows:
            self.tables.insert(
                "webhook_deliveries",
                {**row, "workspace_id": workspace.id, "state": PENDING, "attempts": 0},
            )

    async def outgoing(self, delivery_id: str) -> OutgoingDelivery | None:
        row = self.tables["webhook_deliveries"].first(delivery_id=delivery_id)
        if row is None:
            return None
        hook = self.tables["webhooks"].rows[row["webhook_id"]]
        return OutgoingDelivery(
            delivery_id=row["delivery_id"],
            event=row["event"],
            body=row["body"],
            url=hook["url"],
            secret=hook["secret"],
            removed=hook["removed_at"] is not None,
            state=row["state"],
        )

    async def attempted(
        self,
        delivery_id: str,
        at: datetime,
        state: str,
        status: int | None,
        error: str | None,
    ) -> None:
        deliveries = self.tables["webhook_deliveries"]
        row = deliveries.first(delivery_id=delivery_id)
        if row is None:
            return
        deliveries.update(
            row,
            attempts=row["attempts"] + 1,
            state=state,
            last_status=status,
            last_error=error[:2000] if error else None,
            last_attempt_at=at,
            delivered_at=at if state == DELIVERED else None,
        )

    async def deliveries(
        self, workspace: Workspace, failed_only: bool, limit: int
    ) -> list[WebhookDelivery]:
        hooks = self.tables["webhooks"].rows
        rows = [
            r
            for r in self.tables["webhook_deliveries"].where(workspace_id=workspace.id)
            if not failed_only
            or r["state"] == FAILED
            or (r["state"] == PENDING and r["last_error"] is not None)
        ]
        return [
            WebhookDelivery(
                id=r["id"],
                delivery_id=r["delivery_id"],
                webhook_id=r["webhook_id"],
                url=hooks[r["webhook_id"]]["url"],
                event=r["event"],
                state=r["state"],
                attempts=r["attempts"],
                last_status=r["last_status"],
                last_error=r["last_error"],
                created_at=r["created_at"],
                last_attempt_at=r["last_attempt_at"],
                delivered_at=r["delivered_at"],
            )
            for r in sorted(rows, key=lambda r: r["id"], reverse=True)[:limit]
        ]
