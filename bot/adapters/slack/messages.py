"""Kudos typed in a channel (`+5 <@U…> for …`, `<@U…> ++`), commands typed in the bot's DM,
and what happens to kudos when their message is edited or deleted.

The listener records only messages that can matter (a DM to the bot, a message that reads as
kudos now or did before its edit or deletion); `handle_message` runs them from the inbox."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks, refs
from bot.adapters.slack.outgoing import ephemeral, post
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.commands import Give
from bot.domain.errors import KudosError
from bot.domain.grammar import parse_ambient, parse_command
from bot.services.context import ServiceContext
from bot.services.delivery import Incoming, Outgoing
from bot.services.results import KudosGiven
from bot.services.revise import revise_message_kudos

log = logging.getLogger("kudos.slack")
_HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


def _person(message: dict[str, Any]) -> str | None:
    """The author, for a message a person wrote (not a bot)."""
    return None if message.get("bot_id") else message.get("user")


def _reads_as_kudos(message: dict[str, Any] | None) -> bool:
    return bool(message) and parse_ambient((message or {}).get("text") or "") is not None


def delivery(team_id: str, body: dict[str, Any]) -> Incoming | None:
    """The inbox row for a message event, or None when it cannot give or change kudos."""
    event = body.get("event") or {}
    subtype, channel = event.get("subtype"), event.get("channel") or ""
    key: str | None = None
    if subtype in _HUMAN_SUBTYPES and _person(event):
        if event.get("channel_type") == "im" or _reads_as_kudos(event):
            key = refs.message_key(team_id, channel, event["ts"])
    elif subtype == "message_changed":
        message, before = event.get("message") or {}, event.get("previous_message") or {}
        changed = message.get("text") != before.get("text")
        if _person(message) and changed and (_reads_as_kudos(message) or _reads_as_kudos(before)):
            edited = (message.get("edited") or {}).get("ts") or event.get("event_ts")
            key = refs.edit_key(team_id, channel, message["ts"], edited or message["ts"])
    elif subtype == "message_deleted":
        before = event.get("previous_message")
        ts = event.get("deleted_ts") or (before or {}).get("ts")
        if ts and (before is None or _reads_as_kudos(before)):
            key = refs.deleted_key(team_id, channel, ts)
    return Incoming(refs.PLATFORM, team_id, key, body) if key else None


async def _ambient(
    rt: SlackRuntime, client: AsyncWebClient, team_id: str, user_id: str, text: str
) -> Give | None:
    give = parse_ambient(text)
    if give is None or "<!subteam^" not in text:
        return give
    return parse_ambient(await rt.expand_groups(client, team_id, user_id, text))


def _given(
    team_id: str, channel: str, thread_ts: str, user: str, given: KudosGiven
) -> list[Outgoing]:
    return [
        post(team_id, channel, blocks.kudos_post(given), thread_ts=thread_ts),
        ephemeral(team_id, channel, user, blocks.kudos_receipt(given)),
    ]


async def direct(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """A message in the bot's own DM (the Messages tab) is a command, as after /kudos."""
    user_id, channel, ts = str(event.get("user")), event["channel"], event["ts"]
    client = await rt.client(team_id)
    try:
        text = await rt.expand_groups(client, team_id, user_id, event.get("text") or "")
        result = await rt.run(
            ctx,
            client,
            team_id,
            user_id,
            parse_command(text),
            key=refs.message_key(team_id, channel, ts),
            channel=channel,
            message_ref=refs.message_ref(channel, ts),
        )
    except KudosError as refusal:
        rt.refused(refusal)
        return [post(team_id, channel, blocks.refusal(refusal.message))]
    if isinstance(result, KudosGiven):
        receipt = post(team_id, channel, blocks.kudos_receipt(result))
        if result.duplicate:
            return [receipt]
        return [post(team_id, channel, blocks.kudos_post(result)), receipt]
    return [post(team_id, channel, blocks.render(result))]


async def posted(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """Kudos typed in a channel: a thread reply for all, a receipt for the giver."""
    user_id, channel, ts = str(event.get("user")), event["channel"], event["ts"]
    client = await rt.client(team_id)
    try:
        give = await _ambient(rt, client, team_id, user_id, event.get("text") or "")
        if give is None:
            return []
        result = await rt.run(
            ctx,
            client,
            team_id,
            user_id,
            give,
            key=refs.message_key(team_id, channel, ts),
            channel=channel,
            message_ref=refs.message_ref(channel, ts),
        )
    except KudosError as refusal:
        rt.refused(refusal)
        return [ephemeral(team_id, channel, user_id, blocks.refusal(refusal.message))]
    assert isinstance(result, KudosGiven)
    if result.duplicate:
        return []
    return _given(team_id, channel, event.get("thread_ts") or ts, user_id, result)


async def edited(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """An edited message's kudos are read again: the old ones reversed, the new ones given, in
    one transaction; a refused edit keeps the old ones."""
    message = event.get("message") or {}
    user_id, channel, ts = str(message.get("user")), event["channel"], message["ts"]
    edited_ts = (message.get("edited") or {}).get("ts") or event.get("event_ts") or ts
    client = await rt.client(team_id)
    try:
        give = await _ambient(rt, client, team_id, user_id, message.get("text") or "")
        actor = await rt.directory.member(client, team_id, user_id)
        replacement = (
            await rt.give_command(
                client,
                team_id,
                actor,
                give,
                key=refs.edit_key(team_id, channel, ts, edited_ts),
                channel=channel,
                message_ref=refs.message_ref(channel, ts),
            )
            if give
            else None
        )
        result = await revise_message_kudos(
            ctx,
            refs.workspace(team_id),
            refs.message_ref(channel, ts),
            replacement,
            "message edited",
        )
    except KudosError as refusal:
        rt.refused(refusal)
        text = f"I kept your kudos as they were before the edit. {refusal.message}"
        return [ephemeral(team_id, channel, user_id, blocks.refusal(text))]
    if result.duplicate or not result.changed:
        return []
    if result.given and not result.undone:  # an edit that turned a message into kudos
        return _given(team_id, channel, message.get("thread_ts") or ts, user_id, result.given)
    return [ephemeral(team_id, channel, user_id, blocks.revised(result, "you edited the message"))]


async def deleted(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """A deleted message takes its kudos with it; the giver is told."""
    before = event.get("previous_message") or {}
    channel, ts = event["channel"], str(event.get("deleted_ts") or before.get("ts"))
    try:
        result = await revise_message_kudos(
            ctx, refs.workspace(team_id), refs.message_ref(channel, ts), None, "message deleted"
        )
    except KudosError as refusal:
        log.info("kudos of deleted message %s:%s kept: %s", channel, ts, refusal.message)
        return []
    if result.undone and before.get("user"):
        why = blocks.revised(result, "the message was deleted")
        return [ephemeral(team_id, channel, before["user"], why)]
    return []


async def handle_message(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, body: dict[str, Any]
) -> list[Outgoing]:
    """Run a recorded message event: new, in the bot's DM, edited or deleted."""
    event = body["event"]
    subtype = event.get("subtype")
    if subtype in _HUMAN_SUBTYPES and event.get("channel_type") == "im":
        return await direct(rt, ctx, team_id, event)
    if subtype in _HUMAN_SUBTYPES:
        return await posted(rt, ctx, team_id, event)
    if subtype == "message_changed":
        return await edited(rt, ctx, team_id, event)
    if subtype == "message_deleted":
        return await deleted(rt, ctx, team_id, event)
    return []


def given_up(team_id: str, body: dict[str, Any], reason: str) -> list[Outgoing]:
    event = body.get("event") or {}
    message = event.get("message") or event
    user, channel = _person(message), event.get("channel")
    if not user or not channel:
        return []
    if event.get("channel_type") == "im":
        return [post(team_id, channel, blocks.refusal(reason))]
    return [ephemeral(team_id, channel, user, blocks.refusal(reason))]


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    @app.event("message")
    async def on_message(body: dict[str, Any], context: AsyncBoltContext) -> None:
        """Every message event in channels the bot is in: new, edited and deleted messages.
        Bolt acks events when the listener returns, after the inbox holds what matters."""
        team_id = context.team_id or body.get("team_id") or ""
        incoming = delivery(team_id, body)
        if incoming is not None:
            await rt.record(incoming)
