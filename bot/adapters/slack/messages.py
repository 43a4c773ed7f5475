"""Kudos typed in a channel (`+5 <@U…> for …`, `<@U…> ++`), commands typed in the bot's DM,
and what happens to kudos when their message is edited or deleted.

The listener records only messages that can matter (a DM to the bot, a message that reads as
kudos now or did before its edit or deletion); `handle_message` runs them from the inbox."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import refs
from bot.adapters.slack.blocks import SURFACE
from bot.adapters.slack.outgoing import Where, deliver
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.commands import Give
from bot.domain.errors import KudosError
from bot.domain.grammar import parse_ambient, parse_command
from bot.replies.compose import compose, refusal, refused_edit
from bot.services.context import ServiceContext
from bot.services.delivery import Incoming, Outgoing

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


async def direct(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """A message in the bot's own DM (the Messages tab) is a command, as after /kudos."""
    user_id, channel, ts = str(event.get("user")), event["channel"], event["ts"]
    where = Where(team_id, channel, user_id, direct=True)
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
    except KudosError as refused:
        rt.refused(refused)
        return deliver(where, refusal(refused.message))
    return deliver(where, *compose(result, SURFACE))


async def posted(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """Kudos typed in a channel: a thread reply for all, a receipt for the giver."""
    user_id, channel, ts = str(event.get("user")), event["channel"], event["ts"]
    where = Where(team_id, channel, user_id, thread_ts=event.get("thread_ts") or ts)
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
    except KudosError as refused:
        rt.refused(refused)
        return deliver(where, refusal(refused.message))
    return deliver(where, *compose(result, SURFACE))


async def edited(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """An edited message's kudos are read again: the old ones reversed, the new ones given, in
    one transaction; a refused edit keeps the old ones."""
    message = event.get("message") or {}
    user_id, channel, ts = str(message.get("user")), event["channel"], message["ts"]
    edited_ts = (message.get("edited") or {}).get("ts") or event.get("event_ts") or ts
    where = Where(team_id, channel, user_id, thread_ts=message.get("thread_ts") or ts)
    client = await rt.client(team_id)
    try:
        give = await _ambient(rt, client, team_id, user_id, message.get("text") or "")
        result = await rt.revise(
            ctx,
            team_id,
            refs.message_ref(channel, ts),
            "message edited",
            give,
            actor_id=user_id,
            key=refs.edit_key(team_id, channel, ts, edited_ts),
            channel=channel,
        )
    except KudosError as refused:
        rt.refused(refused)
        return deliver(where, refused_edit(refused.message))
    return deliver(where, *compose(result, SURFACE))


async def deleted(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """A deleted message takes its kudos with it; the giver is told."""
    before = event.get("previous_message") or {}
    channel, ts = event["channel"], str(event.get("deleted_ts") or before.get("ts"))
    try:
        result = await rt.revise(ctx, team_id, refs.message_ref(channel, ts), "message deleted")
    except KudosError as refused:
        log.info("kudos of deleted message %s:%s kept: %s", channel, ts, refused.message)
        return []
    return deliver(Where(team_id, channel, before.get("user")), *compose(result, SURFACE))


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
    where = Where(team_id, channel, user, direct=event.get("channel_type") == "im")
    return deliver(where, refusal(reason))


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    @app.event("message")
    async def on_message(body: dict[str, Any], context: AsyncBoltContext) -> None:
        """Every message event in channels the bot is in: new, edited and deleted messages.
        Bolt acks events when the listener returns, after the inbox holds what matters."""
        team_id = context.team_id or body.get("team_id") or ""
        incoming = delivery(team_id, body)
        if incoming is not None:
            await rt.record(incoming)
