"""The admins' pages for what reaches Kudos from outside and what Kudos sends out: access
tokens to the JSON API, and webhooks with their recent deliveries. Each change is the same
service call, with the same checks and audit entry, as `kudos api-token …` and
`kudos webhooks …`; a token's text and a webhook's secret are shown once, on the page that
answers the form, and never again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.domain import errors
from bot.domain.access import WEBHOOK_EVENTS, ApiToken, Webhook, token_lifetime
from bot.services.api_tokens import create_api_token, list_api_tokens, revoke_api_token
from bot.services.webhooks import add_webhook, list_webhooks, remove_webhook, webhook_deliveries
from bot.web.dashboard.core import (
    Viewer,
    admin_viewer,
    back,
    checked_form,
    dashboard_of,
    flash,
    outcome,
    render,
    text,
)

router = APIRouter(prefix="/admin", include_in_schema=False)
LIFETIMES = {
    "7d": "7 days",
    "30d": "30 days",
    "90d": "90 days",
    "180d": "180 days",
    "365d": "1 year",
}
DEFAULT_LIFETIME = "90d"
SCOPES = {
    "read": "Read: lists, leaderboards, members, exports",
    "admin": "Admin: also changes settings, the catalog and redemptions",
}
EVENT_HELP = {
    "kudos.given": "someone gave kudos",
    "kudos.reversed": "a kudos was undone",
    "redemption.requested": "someone redeemed a reward",
    "redemption.decided": "an admin approved or rejected a redemption",
    "badge.awarded": "someone earned a badge",
}
DELIVERIES_SHOWN = 20


# ------------------------------------------------------------------ API tokens


async def _tokens_page(
    request: Request, seen: Viewer, created: tuple[ApiToken, str] | None = None
) -> Response:
    services = dashboard_of(request).services
    tokens = await list_api_tokens(services, seen.workspace)
    page = render(
        request,
        "admin/tokens.html",
        seen,
        title="API tokens",
        tokens=list(reversed(tokens)),
        now=services.clock.now(),
        created=created,
        lifetimes=LIFETIMES,
        default_lifetime=DEFAULT_LIFETIME,
        scopes=SCOPES,
    )
    page.headers["HX-Push-Url"] = "/admin/tokens"
    return page


@router.get("/tokens")
async def tokens(request: Request) -> Response:
    """The workspace's tokens (newest first, revoked and expired ones too) and a form for a
    new one."""
    return await _tokens_page(request, await admin_viewer(request))


@router.post("/tokens")
async def token_create(request: Request) -> Response:
    """Make a token, as `kudos api-token create` does, and show its text this once."""
    form = await checked_form(request)
    seen = await admin_viewer(request)
    try:
        lifetime = token_lifetime(text(form, "expires") or DEFAULT_LIFETIME)
        token, secret = await create_api_token(
            dashboard_of(request).services,
            seen.workspace,
            seen.actor,
            text(form, "scope"),
            lifetime,
            text(form, "name"),
        )
    except errors.KudosError as refusal:
        flash(request, refusal.message, "error")
        return back("/admin/tokens")
    return await _tokens_page(request, seen, created=(token, secret))


@router.post("/tokens/{prefix}/revoke")
async def token_revoke(request: Request, prefix: str) -> Response:
    """Refuse a token from its next request on, as `kudos api-token revoke` does."""
    await checked_form(request)
    seen = await admin_viewer(request)

    async def revoke() -> str:
        services = dashboard_of(request).services
        revoked = await revoke_api_token(services, seen.workspace, seen.actor, prefix)
        return f"Revoked kudos_{revoked.prefix} ({revoked.name})."

    return await outcome(request, "/admin/tokens", revoke())


# ------------------------------------------------------------------ webhooks


async def _webhooks_page(
    request: Request, seen: Viewer, failed: bool, added: tuple[Webhook, str] | None = None
) -> Response:
    services = dashboard_of(request).services
    page = render(
        request,
        "admin/webhooks.html",
        seen,
        title="Webhooks",
        webhooks=await list_webhooks(services, seen.workspace),
        deliveries=await webhook_deliveries(
            services, seen.workspace, failed_only=failed, limit=DELIVERIES_SHOWN
        ),
        failed=failed,
        added=added,
        events=[(name, EVENT_HELP.get(name, "")) for name in WEBHOOK_EVENTS],
    )
    page.headers["HX-Push-Url"] = "/admin/webhooks"
    return page


@router.get("/webhooks")
async def webhooks(request: Request, failed: bool = False) -> Response:
    """The webhooks, a form for another, and the latest deliveries (or only failing ones)."""
    return await _webhooks_page(request, await admin_viewer(request), failed)


@router.post("/webhooks")
async def webhook_add(request: Request) -> Response:
    """Send events to a URL, as `kudos webhooks add` does; its signing secret is shown once."""
    form = await checked_form(request)
    seen = await admin_viewer(request)
    chosen = [name for name in form.getlist("events") if isinstance(name, str)]
    try:
        hook, secret = await add_webhook(
            dashboard_of(request).services, seen.workspace, seen.actor, text(form, "url"), chosen
        )
    except errors.KudosError as refusal:
        flash(request, refusal.message, "error")
        return back("/admin/webhooks")
    return await _webhooks_page(request, seen, False, added=(hook, secret))


@router.post("/webhooks/{webhook_id}/remove")
async def webhook_remove(request: Request, webhook_id: int) -> Response:
    """Stop sending to a webhook, as `kudos webhooks remove` does."""
    await checked_form(request)
    seen = await admin_viewer(request)

    async def remove() -> str:
        services = dashboard_of(request).services
        removed = await remove_webhook(services, seen.workspace, seen.actor, webhook_id)
        return f"Removed webhook #{removed.id} ({removed.url})."

    return await outcome(request, "/admin/webhooks", remove())
