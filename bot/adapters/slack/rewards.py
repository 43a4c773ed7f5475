"""The shop's Redeem buttons, and the Approve / Reject buttons admins get (Reject asks why in a
modal). Typed commands (`/kudos shop`, `/kudos redeem …`, `/kudos admin approve 12`) go through
`commands`; these are the clicks. Clicks are recorded in the inbox; the reject modal, whose
answer Slack needs at once, runs in the request."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks, refs
from bot.adapters.slack.blocks import SURFACE
from bot.adapters.slack.outgoing import Where, deliver, respond, update
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.commands import AdminDecide, Redeem
from bot.domain.errors import KudosError
from bot.replies.compose import compose, decided, refusal
from bot.services.context import ServiceContext
from bot.services.delivery import Incoming, Outgoing
from bot.services.results import RedemptionDecided


def _clicked(body: dict[str, Any]) -> tuple[str, str, str, dict[str, Any]]:
    """(team id, user id, the button's value, the message holding it)."""
    action = (body.get("actions") or [{}])[0]
    return (
        body["team"]["id"],
        body["user"]["id"],
        str(action.get("value") or ""),
        (body.get("container") or {}),
    )


def delivery(body: dict[str, Any]) -> Incoming:
    team_id = body["team"]["id"]
    return Incoming(refs.PLATFORM, team_id, refs.action_key(team_id, body["trigger_id"]), body)


async def decide(
    rt: SlackRuntime,
    ctx: ServiceContext,
    body: dict[str, Any],
    approve: bool,
    redemption_id: int,
    reason: str | None = None,
) -> RedemptionDecided | KudosError:
    """Decide as the admin who clicked; a refusal is returned for the caller to show."""
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    try:
        result = await rt.run(
            ctx,
            await rt.client(team_id),
            team_id,
            user_id,
            AdminDecide(redemption_id, approve, reason),
            key=f"slack:{team_id}:decide:{redemption_id}",
            channel=None,
            markup=False,
        )
    except KudosError as refusal:
        rt.refused(refusal)
        return refusal
    assert isinstance(result, RedemptionDecided)
    return result


async def handle_redeem(
    rt: SlackRuntime, ctx: ServiceContext, body: dict[str, Any]
) -> list[Outgoing]:
    """Redeem from the shop: once per listing, however often the button is clicked."""
    team_id, user_id, item_id, container = _clicked(body)
    where = Where(team_id, response_url=body["response_url"], clicked=True)
    listing = container.get("message_ts") or container.get("view_id") or body["trigger_id"]
    try:
        result = await rt.run(
            ctx,
            await rt.client(team_id),
            team_id,
            user_id,
            Redeem(f"#{item_id}"),
            key=refs.redeem_key(team_id, user_id, listing, item_id),
            channel=container.get("channel_id"),
        )
    except KudosError as refused:
        rt.refused(refused)
        return deliver(where, refusal(refused.message))
    return deliver(where, *compose(result, SURFACE))


async def handle_approve(
    rt: SlackRuntime, ctx: ServiceContext, body: dict[str, Any]
) -> list[Outgoing]:
    """Approve: the first admin's click decides; a later one is told who was first."""
    team_id, _, value, _ = _clicked(body)
    url = body["response_url"]
    outcome = await decide(rt, ctx, body, True, int(value))
    if isinstance(outcome, KudosError):
        return deliver(Where(team_id, response_url=url, clicked=True), refusal(outcome.message))
    shown = blocks.render(decided(outcome))
    return [respond(team_id, url, shown, public=None, replace_original=True)]


async def handle_action(
    rt: SlackRuntime, ctx: ServiceContext, body: dict[str, Any]
) -> list[Outgoing]:
    """Run a recorded button click."""
    action = str(((body.get("actions") or [{}])[0]).get("action_id") or "")
    if action == blocks.REDEEM_ACTION:
        return await handle_redeem(rt, ctx, body)
    if action == blocks.APPROVE_ACTION:
        return await handle_approve(rt, ctx, body)
    return []


def given_up(body: dict[str, Any], reason: str) -> list[Outgoing]:
    url = body.get("response_url")
    if not url:
        return []
    return deliver(Where(body["team"]["id"], response_url=url, clicked=True), refusal(reason))


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    @app.action(blocks.REDEEM_ACTION)
    async def redeem_clicked(ack: AsyncAck, body: dict[str, Any]) -> None:
        await rt.record(delivery(body))
        await ack()

    @app.action(blocks.APPROVE_ACTION)
    async def approve_clicked(ack: AsyncAck, body: dict[str, Any]) -> None:
        _, _, value, _ = _clicked(body)
        if value.isdigit():  # else not a button of ours
            await rt.record(delivery(body))
        await ack()

    @app.action(blocks.REJECT_ACTION)
    async def reject_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Reject: a modal asks why before anything changes."""
        await ack()
        _, _, value, container = _clicked(body)
        if not value.isdigit():
            return
        where = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}
        rt.ui(
            client.views_open(
                trigger_id=body["trigger_id"], view=blocks.reject_modal(int(value), where)
            )
        )

    @app.view(blocks.REJECT_CALLBACK)
    async def reject_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Reject with the reason typed, in the request: a refusal (not an admin, decided
        already) shows in the modal."""
        meta = json.loads(view.get("private_metadata") or "{}")
        values = (view.get("state") or {}).get("values") or {}
        reason = ((values.get("reason") or {}).get("reason") or {}).get("value")
        where = (meta["channel"], meta["ts"]) if meta.get("channel") and meta.get("ts") else None
        team_id = body["team"]["id"]

        async def work(
            ctx: ServiceContext,
        ) -> tuple[RedemptionDecided | KudosError, list[Outgoing]]:
            outcome = await decide(rt, ctx, body, False, int(meta["redemption"]), reason)
            if isinstance(outcome, KudosError) or where is None:
                return outcome, []
            shown = blocks.render(decided(outcome))
            return outcome, [update(team_id, where[0], where[1], shown)]

        outcome = await rt.inline(work)
        if isinstance(outcome, KudosError):
            await ack(response_action="errors", errors={"reason": outcome.message[:2000]})
            return
        await ack()
