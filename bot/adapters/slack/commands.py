"""`/kudos` (every subcommand of the grammar) and `/til`: recorded in the inbox before the ack,
then run by `handle_command`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.adapters.slack import refs
from bot.adapters.slack.blocks import SURFACE
from bot.adapters.slack.outgoing import Where, deliver
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.errors import KudosError
from bot.domain.grammar import parse_command, parse_til
from bot.replies.compose import compose, refusal
from bot.services.context import ServiceContext
from bot.services.delivery import Incoming, Outgoing


def delivery(body: dict[str, Any]) -> Incoming:
    """A slash command as an inbox row: one per trigger, however often Slack sends it."""
    team_id = body["team_id"]
    return Incoming(refs.PLATFORM, team_id, refs.command_key(team_id, body["trigger_id"]), body)


async def handle_command(
    rt: SlackRuntime, ctx: ServiceContext, body: dict[str, Any]
) -> list[Outgoing]:
    """Run a recorded `/kudos` or `/til`; answer through its `response_url`."""
    team_id, user_id = body["team_id"], body["user_id"]
    where = Where(team_id, body.get("channel_id"), user_id, body["response_url"])
    parse = parse_til if body.get("command") == "/til" else parse_command
    client = await rt.client(team_id)
    try:
        text = await rt.expand_groups(client, team_id, user_id, body.get("text") or "")
        result = await rt.run(
            ctx,
            client,
            team_id,
            user_id,
            parse(text),
            key=refs.command_key(team_id, body["trigger_id"]),
            channel=body.get("channel_id"),
        )
    except KudosError as refused:
        rt.refused(refused)
        return deliver(where, refusal(refused.message))
    return deliver(where, *compose(result, SURFACE))


def given_up(body: dict[str, Any], reason: str) -> list[Outgoing]:
    return deliver(Where(body["team_id"], response_url=body["response_url"]), refusal(reason))


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    @app.command("/kudos")
    async def kudos_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        """`/kudos @ana 5 for … #learning`, `/kudos balance|top|history|undo|help|til …`."""
        await rt.record(delivery(body))
        await ack()

    @app.command("/til")
    async def til_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        """`/til <what I learned> #topic`."""
        await rt.record(delivery(body))
        await ack()
