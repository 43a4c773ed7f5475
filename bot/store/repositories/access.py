"""API tokens, webhooks, and the deliveries of events to webhooks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update

from bot.domain.access import ApiToken, OutgoingDelivery, Webhook, WebhookDelivery
from bot.domain.model import Workspace, WorkspaceRef
from bot.store.cache import WebhookCache
from bot.store.database import SqlConnection
from bot.store.models import (
    ApiTokenRow,
    WebhookDeliveryRow,
    WebhookRow,
    WorkspaceRow,
)
from bot.store.repositories.base import Repository, utc

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

_TOKEN_BY_PREFIX = (
    select(
        ApiTokenRow,
        WorkspaceRow.platform,
        WorkspaceRow.external_id,
        WorkspaceRow.name.label("workspace_name"),
    )
    .join(WorkspaceRow, WorkspaceRow.id == ApiTokenRow.workspace_id)
    .where(ApiTokenRow.prefix == bindparam("p_prefix"))
)
_SUBSCRIBED = (
    select(WebhookRow.id, WebhookRow.events)
    .where(WebhookRow.workspace_id == bindparam("p_ws"))
    .where(WebhookRow.removed_at.is_(None))
    .order_by(WebhookRow.id)
)


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        prefix=row.prefix,
        name=row.name,
        scope=row.scope,
        created_at=utc(row.created_at),
        expires_at=utc(row.expires_at),
        revoked_at=utc(row.revoked_at) if row.revoked_at else None,
        created_by=row.created_by,
    )


def _webhook(row: Any) -> Webhook:
    return Webhook(
        id=row.id,
        url=row.url,
        events=tuple(row.events.split()),
        created_at=utc(row.created_at),
        created_by=row.created_by,
    )


class SqlApiTokenRepository(Repository):
    """Implements `bot.services.ports.ApiTokenRepository`."""

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
        """Raise DuplicateDelivery when the prefix is taken (draw another)."""
        result = await self._execute_unique(
            insert(ApiTokenRow)
            .values(
                workspace_id=workspace.id,
                prefix=prefix,
                token_hash=digest,
                name=name,
                scope=scope,
                created_by=by[:200],
                created_at=at,
                expires_at=expires_at,
            )
            .returning(ApiTokenRow)
        )
        return _token(result.one())

    async def by_prefix(self, prefix: str) -> tuple[ApiToken, str, WorkspaceRef] | None:
        row = (await self.conn.execute(_TOKEN_BY_PREFIX, {"p_prefix": prefix})).first()
        if row is None:
            return None
        return (
            _token(row),
            row.token_hash,
            WorkspaceRef(row.platform, row.external_id, row.workspace_name),
        )

    async def all(self, workspace: Workspace) -> list[ApiToken]:
        rows = await self.conn.execute(
            select(ApiTokenRow)
            .where(ApiTokenRow.workspace_id == workspace.id)
            .order_by(ApiTokenRow.created_at, ApiTokenRow.id)
        )
        return [_token(row) for row in rows]

    async def revoke(self, workspace: Workspace, prefix: str, at: datetime) -> bool:
        result = await self.conn.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.workspace_id == workspace.id)
            .where(ApiTokenRow.prefix == prefix)
            .where(ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount == 1


class SqlWebhookRepository(Repository):
    """Implements `bot.services.ports.WebhookRepository`."""

    def __init__(self, conn: SqlConnection, cache: WebhookCache) -> None:
        super().__init__(conn)
        self._cache = cache
        self._changed: set[int] = set()

    async def add(
        self,
        workspace: Workspace,
        url: str,
        events: Sequence[str],
        secret: str,
        by: str,
        at: datetime,
    ) -> Webhook:
        self._changed.add(workspace.id)
        row = (
            await self.conn.execute(
                insert(WebhookRow)
                .values(
                    workspace_id=workspace.id,
                    url=url,
                    events=" ".join(events),
                    secret=secret,
                    created_by=by[:200],
                    created_at=at,
                )
                .returning(WebhookRow)
            )
        ).one()
        return _webhook(row)

    async def remove(self, workspace: Workspace, webhook_id: int, at: datetime) -> Webhook | None:
        self._changed.add(workspace.id)
        row = (
            await self.conn.execute(
                update(WebhookRow)
                .where(WebhookRow.workspace_id == workspace.id)
                .where(WebhookRow.id == webhook_id)
                .where(WebhookRow.removed_at.is_(None))
                .values(removed_at=at)
                .returning(WebhookRow)
            )
        ).first()
        return None if row is None else _webhook(row)

    async def all(self, workspace: Workspace) -> list[Webhook]:
        rows = await self.conn.execute(
            select(WebhookRow)
            .where(WebhookRow.workspace_id == workspace.id)
            .where(WebhookRow.removed_at.is_(None))
            .order_by(WebhookRow.id)
        )
        return [_webhook(row) for row in rows]

    def committed(self) -> None:
        """What changed is committed: every process reads it afresh (this one at once)."""
        for workspace_id in self._changed:
            self._cache.forget(workspace_id)
        self._changed.clear()

    async def subscribed_events(self, workspace: Workspace) -> frozenset[str]:
        """Every event some webhook of the workspace takes, from the short-lived cache."""
        cached = self._cache.get(workspace.id)
        if cached is not None:
            return cached
        rows = (await self.conn.execute(_SUBSCRIBED, {"p_ws": workspace.id})).all()
        events = frozenset(name for row in rows for name in row.events.split())
        if workspace.id not in self._changed:
            self._cache.put(workspace.id, events)
        return events

    async def subscribers(self, workspace: Workspace, event: str) -> list[int]:
        """The webhooks that take `event` now (read in this transaction, not from the cache)."""
        rows = await self.conn.execute(_SUBSCRIBED, {"p_ws": workspace.id})
        return [row.id for row in rows if event in row.events.split()]

    async def add_deliveries(self, workspace: Workspace, rows: Sequence[dict[str, Any]]) -> None:
        """Record deliveries to make: dicts of webhook_id, delivery_id, event, body, created_at."""
        await self.conn.execute(
            insert(WebhookDeliveryRow),
            [
                {**row, "workspace_id": workspace.id, "state": PENDING, "attempts": 0}
                for row in rows
            ],
        )

    async def outgoing(self, delivery_id: str) -> OutgoingDelivery | None:
        row = (
            await self.conn.execute(
                select(
                    WebhookDeliveryRow.delivery_id,
                    WebhookDeliveryRow.event,
                    WebhookDeliveryRow.body,
                    WebhookDeliveryRow.state,
                    WebhookRow.url,
                    WebhookRow.secret,
                    WebhookRow.removed_at,
                )
                .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
                .where(WebhookDeliveryRow.delivery_id == delivery_id)
            )
        ).first()
        if row is None:
            return None
        return OutgoingDelivery(
            delivery_id=row.delivery_id,
            event=row.event,
            body=row.body,
            url=row.url,
            secret=row.secret,
            removed=row.removed_at is not None,
            state=row.state,
        )

    async def attempted(
        self,
        delivery_id: str,
        at: datetime,
        state: str,
        status: int | None,
        error: str | None,
    ) -> None:
        await self.conn.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.delivery_id == delivery_id)
            .values(
                attempts=WebhookDeliveryRow.attempts + 1,
                state=state,
                last_status=status,
                last_error=error[:2000] if error else None,
                last_attempt_at=at,
                delivered_at=at if state == DELIVERED else None,
            )
        )

    async def deliveries(
        self, workspace: Workspace, failed_only: bool, limit: int
    ) -> list[WebhookDelivery]:
        query = (
            select(WebhookDeliveryRow, WebhookRow.url)
            .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
            .where(WebhookDeliveryRow.workspace_id == workspace.id)
            .order_by(WebhookDeliveryRow.id.desc())
            .limit(limit)
        )
        if failed_only:  # given up, or still trying after a failed attempt
            query = query.where(
                or_(
                    WebhookDeliveryRow.state == FAILED,
                    and_(
                        WebhookDeliveryRow.state == PENDING,
                        WebhookDeliveryRow.last_error.is_not(None),
                    ),
                )
            )
        return [
            WebhookDelivery(
                id=row.id,
                delivery_id=row.delivery_id,
                webhook_id=row.webhook_id,
                url=row.url,
                event=row.event,
                state=row.state,
                attempts=row.attempts,
                last_status=row.last_status,
                last_error=row.last_error,
                created_at=utc(row.created_at),
                last_attempt_at=utc(row.last_attempt_at) if row.last_attempt_at else None,
                delivered_at=utc(row.delivered_at) if row.delivered_at else None,
            )
            for row in await self.conn.execute(query)
        ]
