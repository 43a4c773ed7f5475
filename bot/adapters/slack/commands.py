"""`/kudos` (every subcommand of the grammar) and `/til`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks, refs
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.commands import Command
from bot.domain.errors import KudosError
from bot.domain.grammar import parse_command, parse_til
from bot.services.results import KudosGiven, LearningShared, Result


async def reply(rt: SlackRuntime, respond: AsyncRespond, team_id: str, result: Result) -> None:
    """Answer a slash command: kudos and learnings in the channel, everything else to the
    person alone."""
    if isinstance(result, KudosGiven):
        if not result.duplicate:
            await respond(response_type="in_channel", **blocks.kudos_post(result))
        await respond(response_type="ephemeral", **blocks.kudos_receipt(result))
    elif isinstance(result, LearningShared):
        channel = (await rt.settings(team_id)).learning_channel
        if channel:
            await respond(response_type="ephemeral", **blocks.learning_receipt(result, channel))
        else:
            await respond(response_type="in_channel", **blocks.learning(result))
    else:
        await respond(response_type="ephemeral", **blocks.render(result))


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    async def run(
        body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, parse: Any
    ) -> None:
        team_id, user_id = body["team_id"], body["user_id"]
        try:
            text = await rt.expand_groups(client, team_id, user_id, body.get("text") or "")
            command: Command = parse(text)
            result = await rt.run(
                client,
                team_id,
                user_id,
                command,
                key=refs.command_key(team_id, body["trigger_id"]),
                channel=body.get("channel_id"),
            )
        except KudosError as refusal:
            rt.refused(refusal)
            await respond(response_type="ephemeral", **blocks.refusal(refusal.message))
            return
        await reply(rt, respond, team_id, result)

    @app.command("/kudos")
    async def kudos_command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """`/kudos @ana 5 for … #learning`, `/kudos balance|top|history|undo|help|til …`."""
        await ack()
        rt.later(run(body, client, respond, parse_command))

    @app.command("/til")
    async def til_command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """`/til <what I learned> #topic`."""
        await ack()
        rt.later(run(body, client, respond, parse_til))
