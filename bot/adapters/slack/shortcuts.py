""" "Give kudos for this message" (message shortcut) and "Give kudos" (global shortcut): a modal
that validates in place (`response_action: errors`), so its submission runs in the request."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks, refs
from bot.adapters.slack.outgoing import Where, deliver
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain import errors
from bot.domain.commands import Give, Mention
from bot.replies.compose import kudos_post
from bot.services.context import ServiceContext
from bot.services.delivery import Outgoing
from bot.services.results import KudosGiven, Result

_FIELD_OF_ERROR: dict[type[errors.KudosError], str] = {
    errors.AmountOutOfBounds: "amount",
    errors.InsufficientAllowance: "amount",
    errors.ReasonRequired: "reason",
    errors.ReasonTooLong: "reason",
    errors.ValueRequired: "value",
}


def _field(refusal: errors.KudosError) -> str:
    return _FIELD_OF_ERROR.get(type(refusal), "recipients")


def _state(view: dict[str, Any]) -> dict[str, Any]:
    """The modal's inputs by block id."""
    values = view.get("state", {}).get("values", {})
    out: dict[str, Any] = {}
    for block_id, actions in values.items():
        for action in actions.values():
            out[block_id] = (
                action.get("selected_users")
                or action.get("value")
                or (action.get("selected_option") or {}).get("value")
                or action.get("selected_conversation")
            )
    return out


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    async def open_modal(client: AsyncWebClient, body: dict[str, Any], **prefill: Any) -> None:
        settings = await rt.settings(rt.services, body["team"]["id"])
        await client.views_open(
            trigger_id=body["trigger_id"], view=blocks.give_modal(settings, **prefill)
        )

    @app.shortcut(blocks.MESSAGE_SHORTCUT)
    async def for_message(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Kudos for a message: the modal, with its author already picked."""
        await ack()
        message = body.get("message") or {}
        author = message.get("user")
        giver = body["user"]["id"]
        rt.ui(
            open_modal(
                client,
                body,
                recipients=[author] if author and author != giver else [],
                channel=(body.get("channel") or {}).get("id"),
                message_ts=message.get("ts"),
            )
        )

    @app.shortcut(blocks.GLOBAL_SHORTCUT)
    async def from_anywhere(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Kudos from the shortcuts menu: the modal, with a channel to share it in."""
        await ack()
        rt.ui(open_modal(client, body))

    @app.view(blocks.GIVE_CALLBACK)
    async def submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Give the kudos before answering, so that a refusal shows next to the field (a
        modal must be answered within 3 seconds; a give takes milliseconds)."""
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        state = _state(view)
        meta = json.loads(view.get("private_metadata") or "{}")
        channel = meta.get("channel") or state.get("channel")
        amount_text = str(state.get("amount") or "").strip()
        if amount_text and not amount_text.isdigit():
            await ack(response_action="errors", errors={"amount": "A whole number of points."})
            return
        give = Give(
            recipients=tuple(Mention(user_id=u) for u in state.get("recipients") or ()),
            amount=int(amount_text) if amount_text else None,
            reason=(state.get("reason") or "").strip() or None,
            tags=(str(state["value"]),) if state.get("value") else (),
        )

        async def work(ctx: ServiceContext) -> tuple[Result | errors.KudosError, list[Outgoing]]:
            try:
                result = await rt.run(
                    ctx,
                    await rt.client(team_id),
                    team_id,
                    user_id,
                    give,
                    key=refs.view_key(team_id, view["id"]),
                    channel=channel,
                    markup=False,
                )
            except errors.KudosError as refusal:
                return refusal, []
            assert isinstance(result, KudosGiven)
            if result.duplicate:
                return result, []
            # Posted where it was asked for; if the bot cannot post there, to the giver. The
            # modal closing is the giver's receipt.
            where = Where(team_id, channel or user_id, user_id, fallback=user_id)
            return result, deliver(where, kudos_post(result))

        outcome = await rt.inline(work)
        if isinstance(outcome, errors.KudosError):
            rt.refused(outcome)
            await ack(response_action="errors", errors={_field(outcome): outcome.message[:2000]})
            return
        await ack()
