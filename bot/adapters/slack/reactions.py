"""A reaction with the workspace's kudos emoji gives the message's author the default amount
(1 point unless an admin changed it); removing the reaction takes it back. Reactions on bot
messages or on your own give nothing."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.adapters.slack import refs
from bot.adapters.slack.outgoing import Where, deliver
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.commands import Give, Mention
from bot.domain.errors import KudosError
from bot.replies.compose import reacted, refusal
from bot.services.context import ServiceContext
from bot.services.delivery import Incoming, Outgoing
from bot.services.results import KudosGiven


def _emoji(name: str) -> str:
    """`clap::skin-tone-3` is still `clap`."""
    return name.split("::", 1)[0]


def _ref(event: dict[str, Any]) -> str:
    item = event["item"]
    return refs.reaction_ref(item["channel"], item["ts"], event["user"], _emoji(event["reaction"]))


def delivery(team_id: str, body: dict[str, Any], emoji: str) -> Incoming | None:
    """The inbox row for the kudos `emoji` on someone else's message (whether that someone is
    a person is asked of Slack later, off the request path)."""
    event = body.get("event") or {}
    item = event.get("item") or {}
    reactor, author = event.get("user"), event.get("item_user")
    if item.get("type") != "message" or not reactor or not author or author == reactor:
        return None
    if _emoji(event.get("reaction") or "") != emoji:
        return None
    key = refs.reaction_key(team_id, _ref(event), event.get("event_ts") or item["ts"])
    if event.get("type") == "reaction_removed":
        key = refs.reaction_removed_key(team_id, _ref(event), event.get("event_ts") or item["ts"])
    return Incoming(refs.PLATFORM, team_id, key, body)


async def _counts(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> bool:
    """Whether this reaction is the kudos emoji on a person's message."""
    if _emoji(event.get("reaction", "")) != (await rt.settings(ctx, team_id)).reaction_emoji:
        return False
    try:
        author = await rt.directory.member(await rt.client(team_id), team_id, event["item_user"])
    except KudosError:
        return False
    return not author.is_bot


async def give_point(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """The kudos emoji on someone's message: points from the reactor to the author."""
    if not await _counts(rt, ctx, team_id, event):
        return []
    channel, ts, author, reactor = (
        event["item"]["channel"],
        event["item"]["ts"],
        event["item_user"],
        event["user"],
    )
    ref = _ref(event)
    give = Give((Mention(user_id=author),), None, f":{_emoji(event['reaction'])}: on a message", ())
    try:
        result = await rt.run(
            ctx,
            await rt.client(team_id),
            team_id,
            reactor,
            give,
            key=refs.reaction_key(team_id, ref, event.get("event_ts") or ts),
            channel=channel,
            message_ref=ref,
        )
    except KudosError as refused:
        rt.refused(refused)
        return deliver(Where(team_id, channel, reactor), refusal(refused.message))
    assert isinstance(result, KudosGiven)
    return deliver(Where(team_id, channel, reactor), *reacted(result))


async def take_back(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, event: dict[str, Any]
) -> list[Outgoing]:
    """Taking the kudos emoji off a message takes the point back."""
    if not await _counts(rt, ctx, team_id, event):
        return []
    try:
        await rt.revise(ctx, team_id, _ref(event), "reaction removed")
    except KudosError as refused:
        rt.refused(refused)
    return []


async def handle_reaction(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, body: dict[str, Any]
) -> list[Outgoing]:
    """Run a recorded reaction_added or reaction_removed event."""
    event = body["event"]
    if event.get("type") == "reaction_removed":
        return await take_back(rt, ctx, team_id, event)
    return await give_point(rt, ctx, team_id, event)


def given_up(team_id: str, body: dict[str, Any], reason: str) -> list[Outgoing]:
    event = body.get("event") or {}
    channel = (event.get("item") or {}).get("channel")
    if event.get("type") == "reaction_removed" or not channel or not event.get("user"):
        return []
    return deliver(Where(team_id, channel, event["user"]), refusal(reason))


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    async def record(body: dict[str, Any], context: AsyncBoltContext) -> None:
        team_id = context.team_id or body.get("team_id") or ""
        emoji = (await rt.settings(rt.front, team_id)).reaction_emoji
        incoming = delivery(team_id, body, emoji)
        if incoming is not None:
            await rt.record(incoming)

    app.event("reaction_added")(record)
    app.event("reaction_removed")(record)
