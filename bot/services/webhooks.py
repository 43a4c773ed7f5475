"""Outgoing webhooks: endpoints that receive a workspace's events, signed, at least once.

Each event is turned into one delivery per webhook that takes it, in the transaction that
caused the event (see `SqlUnitOfWork.commit`): its body and its id are fixed there, so every
attempt sends the same bytes under the same `Kudos-Delivery` id. The outbox sends it
(`bot.adapters.webhooks.WebhookSender`) and logs each attempt here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import errors
from bot.domain.access import (
    OutgoingDelivery,
    Webhook,
    WebhookDelivery,
    check_webhook_events,
    check_webhook_url,
    new_webhook_secret,
)
from bot.domain.model import MemberRef, WorkspaceRef
from bot.domain.rewards import Redemption
from bot.services.admins import audit, require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.delivery import Event, now
from bot.services.ports import UnitOfWork
from bot.services.results import (
    BadgeAwarded,
    KudosGiven,
    KudosReversed,
    LearningShared,
    Redeemed,
    RedemptionDecided,
)

DELIVERIES_LIMIT = 50


def _person(external_id: str, name: str) -> dict[str, str]:
    return {"id": external_id, "name": name}


def _redemption(r: Redemption) -> dict[str, Any]:
    return {
        "id": r.id,
        "item_id": r.item_id,
        "item": r.item_name,
        "member": _person(r.member_external_id, r.member_name),
        "cost": r.cost,
        "status": r.status,
        "created_at": r.created_at.isoformat(),
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "decided_by": r.decided_by,
        "reason": r.reason,
    }


def webhook_data(event: Event) -> dict[str, Any]:
    """What a webhook receives about `event` (the `data` of its body)."""
    match event:
        case KudosGiven() | KudosReversed():
            data: dict[str, Any] = {
                "kudos_id": event.kudos_id,
                "giver": _person(event.giver_id, event.giver),
                "recipients": [
                    _person(i, n)
                    for i, n in zip(event.recipient_ids, event.recipients, strict=True)
                ],
                "amount_each": event.amount_each,
                "total": event.amount_each * len(event.recipients),
            }
            if isinstance(event, KudosGiven):
                return data | {
                    "reason": event.reason,
                    "values": list(event.tags),
                    "channel": event.channel,
                }
            return data | {"why": event.why, "reversed_at": event.reversed_at.isoformat()}
        case Redeemed():
            return {"redemption": _redemption(event.redemption)}
        case RedemptionDecided():
            return {"redemption": _redemption(event.redemption), "earned_after": event.earned_after}
        case BadgeAwarded():
            return {
                "member": _person(event.external_id, event.display_name),
                "badge": event.badge,
                "channel": event.channel,
                "awarded_at": event.awarded_at.isoformat(),
            }
        case LearningShared():
            return {"learning_id": event.learning_id, "author": event.author, "text": event.text}
    raise AssertionError(f"no webhook body for {type(event).__name__}")


def webhook_body(
    delivery_id: str, name: str, workspace: WorkspaceRef, event: Event, at: datetime
) -> str:
    """The JSON body of one delivery, exactly as it is signed and sent (every attempt)."""
    return json.dumps(
        {
            "id": delivery_id,
            "event": name,
            "created_at": at.isoformat(),
            "workspace": {"platform": workspace.platform, "id": workspace.external_id},
            "data": webhook_data(event),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


async def add_webhook(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    actor: MemberRef,
    url: str,
    events: str | Sequence[str],
) -> tuple[Webhook, str]:
    """Subscribe `url` to events of the workspace; the webhook and its signing secret, shown
    this once. Admins only; audited."""
    checked_url = check_webhook_url(url)
    names = check_webhook_events(events if isinstance(events, str) else list(events))

    async def work(uow: UnitOfWork) -> tuple[Webhook, str]:
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "add webhooks")
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        at, secret = ctx.clock.now(), new_webhook_secret()
        by = actor.display_name or actor.external_id
        webhook = await uow.webhooks.add(workspace, checked_url, names, secret, by, at)
        await audit(
            uow,
            workspace,
            actor,
            "webhook.add",
            f"webhook {webhook.id}",
            {"url": checked_url, "events": list(names)},
            at,
        )
        await uow.commit()
        return webhook, secret

    return await in_transaction(ctx, work)


async def list_webhooks(ctx: ServiceContext, workspace_ref: WorkspaceRef) -> list[Webhook]:
    """The workspace's webhooks (not removed ones), oldest first."""

    async def read(uow: UnitOfWork) -> list[Webhook]:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        return await uow.webhooks.all(workspace)

    return await in_transaction(ctx, read, write=False)


async def remove_webhook(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, webhook_id: int
) -> Webhook:
    """Stop sending to a webhook; deliveries still pending for it are dropped when their turn
    comes. Admins only; audited."""

    async def work(uow: UnitOfWork) -> Webhook:
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "remove webhooks")
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        at = ctx.clock.now()
        removed = await uow.webhooks.remove(workspace, webhook_id, at)
        if removed is None:
            raise errors.UnknownWebhook(webhook_id)
        await audit(
            uow,
            workspace,
            actor,
            "webhook.remove",
            f"webhook {webhook_id}",
            {"url": removed.url},
            at,
        )
        await uow.commit()
        return removed

    return await in_transaction(ctx, work)


async def webhook_deliveries(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    *,
    failed_only: bool = False,
    limit: int = DELIVERIES_LIMIT,
) -> list[WebhookDelivery]:
    """The delivery log, newest first: each delivery's attempts, state and last outcome."""

    async def read(uow: UnitOfWork) -> list[WebhookDelivery]:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        return await uow.webhooks.deliveries(workspace, failed_only, limit)

    return await in_transaction(ctx, read, write=False)


async def outgoing_delivery(ctx: ServiceContext, delivery_id: str) -> OutgoingDelivery | None:
    """A delivery as the sender needs it (None: not known here)."""

    async def read(uow: UnitOfWork) -> OutgoingDelivery | None:
        return await uow.webhooks.outgoing(delivery_id)

    return await in_transaction(ctx, read, write=False)


async def delivery_attempted(
    ctx: ServiceContext, delivery_id: str, state: str, status: int | None, error: str | None
) -> None:
    """Log one attempt to send a delivery (on the wall clock, like the outbox)."""

    async def write(uow: UnitOfWork) -> None:
        await uow.webhooks.attempted(delivery_id, now(), state, status, error)
        await uow.commit()

    await in_transaction(ctx, write)
