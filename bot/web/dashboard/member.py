"""Every member's pages: their points and kudos, and the shop with their redemptions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.domain import errors
from bot.domain.badges import BADGES
from bot.services.browse import list_learnings
from bot.services.queries import show_balance, show_history
from bot.services.rewards import cancel_redemption, redeem, show_redemptions, show_shop
from bot.web.dashboard.core import (
    back,
    checked_form,
    dashboard_of,
    flash,
    render,
    text,
    viewer,
)

router = APIRouter(include_in_schema=False)
SHOP_PAGE = 12
LEARNINGS = 20


@router.get("/")
async def home(request: Request) -> Response:
    """Where a signed-in person starts (the sign-in page for everyone else)."""
    await viewer(request)
    return RedirectResponse("/me", status_code=303)


@router.get("/me")
async def me(request: Request) -> Response:
    """Allowance left and when it renews, points earned, recent kudos, badges, learnings."""
    seen = await viewer(request)
    services = dashboard_of(request).services
    balance = await show_balance(services, seen.workspace, seen.actor, newcomer_ok=True)
    history = await show_history(services, seen.workspace, seen.actor)
    learnings = await list_learnings(
        services, seen.workspace, person=seen.actor.external_id, limit=LEARNINGS
    )
    return render(
        request,
        "me.html",
        seen,
        title="My kudos",
        balance=balance,
        given=[item for item in history.items if item.direction == "given"],
        received=[item for item in history.items if item.direction == "received"],
        badges=[BADGES[b] for b in balance.badges if b in BADGES],
        learnings=learnings.items,
    )


@router.get("/shop")
async def shop(request: Request, page: int = 1) -> Response:
    """The rewards on offer, what the person has to spend, and their redemptions."""
    seen = await viewer(request)
    services = dashboard_of(request).services
    shown = await show_shop(services, seen.workspace, seen.actor)
    mine = await show_redemptions(services, seen.workspace, seen.actor)
    pages = max(1, -(-len(shown.items) // SHOP_PAGE))
    page = min(max(1, page), pages)
    return render(
        request,
        "shop.html",
        seen,
        title="Shop",
        shop=shown,
        items=shown.items[(page - 1) * SHOP_PAGE : page * SHOP_PAGE],
        page=page,
        pages=pages,
        redemptions=mine.own,
        key=uuid.uuid4().hex,
    )


@router.post("/shop/redeem")
async def redeem_item(request: Request) -> Response:
    """Redeem an item: once per rendered form (a double click counts once)."""
    form = await checked_form(request)
    seen = await viewer(request)
    item = text(form, "item")
    key = f"web:{seen.workspace.external_id}:{seen.actor.external_id}:{text(form, 'key')}"[:200]
    try:
        done = await redeem(dashboard_of(request).services, seen.workspace, seen.actor, item, key)
    except errors.KudosError as refusal:
        flash(request, refusal.message, "error")
        return back("/shop")
    if done.duplicate:
        flash(request, f"You redeemed {done.item.name} already (#{done.redemption.id}).")
    elif done.redemption.status == "pending":
        flash(
            request,
            f"Redeemed {done.item.name} (#{done.redemption.id}): an admin will approve it. "
            f"You have {done.earned_left} points left to spend.",
        )
    else:
        flash(
            request,
            f"Redeemed {done.item.name} (#{done.redemption.id}). You have {done.earned_left} "
            "points left to spend.",
        )
    return back("/shop")


@router.post("/redemptions/{redemption_id}/cancel")
async def cancel(request: Request, redemption_id: int) -> Response:
    """Withdraw one's own pending redemption (refunded in full)."""
    await checked_form(request)
    seen = await viewer(request)
    try:
        done = await cancel_redemption(
            dashboard_of(request).services, seen.workspace, seen.actor, redemption_id
        )
    except errors.KudosError as refusal:
        flash(request, refusal.message, "error")
        return back("/shop")
    flash(
        request,
        f"Cancelled #{redemption_id} {done.redemption.item_name}: {done.redemption.cost} points "
        f"are back, {done.earned_after} to spend.",
    )
    return back("/shop")
