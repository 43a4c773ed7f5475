"""The shop's Redeem buttons, and the Approve / Reject buttons admins get (Reject asks why in a
modal). Typed commands (`/kudos shop`, `/kudos redeem …`, `/kudos admin approve 12`) go through
`commands`; these are the clicks."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks, refs
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.commands import AdminDecide, Redeem
from bot.domain.errors import KudosError
from bot.services.results import RedemptionDecided

log = logging.getLogger("kudos.slack")


def _clicked(body: dict[str, Any]) -> tuple[str, str, str, dict[str, Any]]:
    """(team id, user id, the button's value, the message holding it)."""
    action = (body.get("actions") or [{}])[0]
    return (
        body["team"]["id"],
        body["user"]["id"],
        str(action.get("value") or ""),
        (body.get("container") or {}),
    )


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    async def redeem(body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
        team_id, user_id, item_id, container = _clicked(body)
        listing = container.get("message_ts") or container.get("view_id") or body["trigger_id"]
        try:
            result = await rt.run(
                client,
                team_id,
                user_id,
                Redeem(f"#{item_id}"),
                key=refs.redeem_key(team_id, user_id, listing, item_id),
                channel=container.get("channel_id"),
            )
        except KudosError as refusal:
            rt.refused(refusal)
            await respond(
                response_type="ephemeral", replace_original=False, **blocks.refusal(refusal.message)
            )
            return
        await respond(response_type="ephemeral", replace_original=False, **blocks.render(result))

    async def decide(
        body: dict[str, Any],
        client: AsyncWebClient,
        approve: bool,
        redemption_id: int,
        reason: str | None = None,
    ) -> RedemptionDecided | KudosError:
        """Decide as the admin who clicked; a refusal is returned for the caller to show."""
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        try:
            result = await rt.run(
                client,
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

    @app.action(blocks.REDEEM_ACTION)
    async def redeem_clicked(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """Redeem from the shop: once per listing, however often the button is clicked."""
        await ack()
        rt.later(redeem(body, client, respond))

    @app.action(blocks.APPROVE_ACTION)
    async def approve_clicked(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """Approve: the first admin's click decides; a later one is told who was first."""
        await ack()
        _, _, value, _ = _clicked(body)
        if not value.isdigit():
            return  # not a button of ours

        async def work() -> None:
            outcome = await decide(body, client, True, int(value))
            if isinstance(outcome, KudosError):
                await respond(
                    response_type="ephemeral",
                    replace_original=False,
                    **blocks.refusal(outcome.message),
                )
            else:
                await respond(replace_original=True, **blocks.decided(outcome))

        rt.later(work())

    @app.action(blocks.REJECT_ACTION)
    async def reject_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Reject: a modal asks why before anything changes."""
        await ack()
        _, _, value, container = _clicked(body)
        if not value.isdigit():
            return
        where = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}

        async def ask_why() -> None:
            await client.views_open(
                trigger_id=body["trigger_id"], view=blocks.reject_modal(int(value), where)
            )

        rt.later(ask_why())

    @app.view(blocks.REJECT_CALLBACK)
    async def reject_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """Reject with the reason typed; a refusal (not an admin, decided already) shows in the
        modal."""
        meta = json.loads(view.get("private_metadata") or "{}")
        values = (view.get("state") or {}).get("values") or {}
        reason = ((values.get("reason") or {}).get("reason") or {}).get("value")
        where = (meta["channel"], meta["ts"]) if meta.get("channel") and meta.get("ts") else None
        outcome = await decide(body, client, False, int(meta["redemption"]), reason)
        if isinstance(outcome, KudosError):
            await ack(response_action="errors", errors={"reason": outcome.message[:2000]})
            return
        await ack()
        if where is not None:
            rt.later(_update(client, where, outcome))


async def _update(
    client: AsyncWebClient, where: tuple[str, str], result: RedemptionDecided
) -> None:
    try:
        await client.chat_update(channel=where[0], ts=where[1], **blocks.decided(result))
    except SlackApiError as exc:
        log.info("could not update the approval request: %s", exc.response.get("error"))
