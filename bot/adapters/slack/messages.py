"""Kudos typed in a channel (`+5 <@U…> for …`, `<@U…> ++`), and what happens to them when the
message is edited or deleted."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks, refs
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.commands import Give
from bot.domain.errors import KudosError
from bot.domain.grammar import parse_ambient, parse_command
from bot.services.context import notify
from bot.services.results import KudosGiven
from bot.services.revise import revise_message_kudos

log = logging.getLogger("kudos.slack")
_HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


async def _ambient(
    rt: SlackRuntime, client: AsyncWebClient, team_id: str, user_id: str, text: str
) -> Give | None:
    give = parse_ambient(text)
    if give is None or "<!subteam^" not in text:
        return give
    return parse_ambient(await rt.expand_groups(client, team_id, user_id, text))


async def _tell(client: AsyncWebClient, channel: str, user: str, payload: dict[str, Any]) -> None:
    await client.chat_postEphemeral(channel=channel, user=user, **payload)


async def _post_given(
    client: AsyncWebClient, channel: str, thread_ts: str, user: str, given: KudosGiven
) -> None:
    await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **blocks.kudos_post(given))
    await _tell(client, channel, user, blocks.kudos_receipt(given))


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    async def direct(event: dict[str, Any], team_id: str, client: AsyncWebClient) -> None:
        """A message in the bot's own DM (the Messages tab) is a command, as after /kudos."""
        user_id, channel, ts = event.get("user"), event["channel"], event["ts"]
        if not user_id or event.get("bot_id"):
            return
        try:
            text = await rt.expand_groups(client, team_id, user_id, event.get("text") or "")
            result = await rt.run(
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
            await client.chat_postMessage(channel=channel, **blocks.refusal(refusal.message))
            return
        if isinstance(result, KudosGiven):
            if not result.duplicate:
                await client.chat_postMessage(channel=channel, **blocks.kudos_post(result))
            await client.chat_postMessage(channel=channel, **blocks.kudos_receipt(result))
            return
        await client.chat_postMessage(channel=channel, **blocks.render(result))

    async def posted(event: dict[str, Any], team_id: str, client: AsyncWebClient) -> None:
        user_id, channel, ts = event.get("user"), event["channel"], event["ts"]
        if not user_id or event.get("bot_id"):
            return
        try:
            give = await _ambient(rt, client, team_id, user_id, event.get("text") or "")
            if give is None:
                return
            result = await rt.run(
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
            await _tell(client, channel, user_id, blocks.refusal(refusal.message))
            return
        assert isinstance(result, KudosGiven)
        if not result.duplicate:
            await _post_given(client, channel, event.get("thread_ts") or ts, user_id, result)

    async def edited(event: dict[str, Any], team_id: str, client: AsyncWebClient) -> None:
        message = event.get("message") or {}
        before = event.get("previous_message") or {}
        user_id, channel = message.get("user"), event["channel"]
        if not user_id or message.get("bot_id") or message.get("text") == before.get("text"):
            return  # unfurls and other changes that are not a person editing their text
        ts = message["ts"]
        edited_ts = (message.get("edited") or {}).get("ts") or event.get("event_ts") or ts
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
                rt.services,
                refs.workspace(team_id),
                refs.message_ref(channel, ts),
                replacement,
                "message edited",
            )
        except KudosError as refusal:
            rt.refused(refusal)
            await _tell(
                client,
                channel,
                user_id,
                blocks.refusal(
                    f"I kept your kudos as they were before the edit. {refusal.message}"
                ),
            )
            return
        if result.duplicate or not result.changed:
            return
        if result.given and not result.undone:  # an edit that turned a message into kudos
            await notify(rt.services.notifier.kudos_given(refs.workspace(team_id), result.given))
            await _post_given(
                client, channel, message.get("thread_ts") or ts, user_id, result.given
            )
            return
        await _tell(client, channel, user_id, blocks.revised(result, "you edited the message"))

    async def deleted(event: dict[str, Any], team_id: str, client: AsyncWebClient) -> None:
        before = event.get("previous_message") or {}
        channel, ts = event["channel"], event.get("deleted_ts") or before.get("ts")
        if not ts:
            return
        try:
            result = await revise_message_kudos(
                rt.services,
                refs.workspace(team_id),
                refs.message_ref(channel, ts),
                None,
                "message deleted",
            )
        except KudosError as refusal:
            log.info("kudos of deleted message %s:%s kept: %s", channel, ts, refusal.message)
            return
        if result.undone and before.get("user"):
            await _tell(
                client, channel, before["user"], blocks.revised(result, "the message was deleted")
            )

    @app.event("message")
    async def on_message(
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """Every message event in channels the bot is in: new, edited and deleted messages.
        Bolt acks events when the listener returns; the work runs after."""
        team_id = context.team_id or body.get("team_id") or ""
        subtype = event.get("subtype")
        if subtype in _HUMAN_SUBTYPES and event.get("channel_type") == "im":
            rt.later(direct(event, team_id, client))
        elif subtype in _HUMAN_SUBTYPES:
            rt.later(posted(event, team_id, client))
        elif subtype == "message_changed":
            rt.later(edited(event, team_id, client))
        elif subtype == "message_deleted":
            rt.later(deleted(event, team_id, client))
