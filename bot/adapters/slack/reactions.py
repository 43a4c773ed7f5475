"""A reaction with the workspace's kudos emoji gives the message's author the default amount
(1 point unless an admin changed it); removing the reaction takes it back. Reactions on bot
messages or on your own give nothing."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.plain import points
from bot.adapters.slack import blocks, refs
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.commands import Give, Mention
from bot.domain.errors import KudosError
from bot.services.results import KudosGiven
from bot.services.revise import revise_message_kudos


def _emoji(name: str) -> str:
    """`clap::skin-tone-3` is still `clap`."""
    return name.split("::", 1)[0]


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    async def relevant(
        event: dict[str, Any], team_id: str, client: AsyncWebClient
    ) -> tuple[str, str, str] | None:
        """(channel, ts, author) when this reaction is a kudos reaction on a person's message."""
        item = event.get("item") or {}
        reactor, author = event.get("user"), event.get("item_user")
        if item.get("type") != "message" or not reactor or not author or author == reactor:
            return None
        if _emoji(event.get("reaction", "")) != (await rt.settings(team_id)).reaction_emoji:
            return None
        try:
            if (await rt.directory.member(client, team_id, author)).is_bot:
                return None
        except KudosError:
            return None
        return item["channel"], item["ts"], author

    async def give_point(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """The kudos emoji on someone's message: points from the reactor to the author."""
        team_id = context.team_id or ""
        found = await relevant(event, team_id, client)
        if found is None:
            return
        channel, ts, author = found
        emoji = _emoji(event["reaction"])
        ref = refs.reaction_ref(channel, ts, event["user"], emoji)
        give = Give((Mention(user_id=author),), None, f":{emoji}: on a message", ())
        try:
            result = await rt.run(
                client,
                team_id,
                event["user"],
                give,
                key=refs.reaction_key(team_id, ref, event.get("event_ts") or ts),
                channel=channel,
                message_ref=ref,
            )
        except KudosError as refusal:
            rt.refused(refusal)
            await client.chat_postEphemeral(
                channel=channel, user=event["user"], **blocks.refusal(refusal.message)
            )
            return
        assert isinstance(result, KudosGiven)
        if not result.duplicate:
            await client.chat_postEphemeral(
                channel=channel,
                user=event["user"],
                **blocks.message(
                    f"You gave {blocks.mention(author, result.recipients[0])} "
                    f"{points(result.amount_each)} for their message. "
                    f"{blocks.kudos_receipt(result)['text']}"
                ),
            )

    async def take_back(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Taking the kudos emoji off a message takes the point back."""
        team_id = context.team_id or ""
        found = await relevant(event, team_id, client)
        if found is None:
            return
        channel, ts, _ = found
        ref = refs.reaction_ref(channel, ts, event["user"], _emoji(event["reaction"]))
        try:
            await revise_message_kudos(
                rt.services, refs.workspace(team_id), ref, None, "reaction removed"
            )
        except KudosError as refusal:
            rt.refused(refusal)

    @app.event("reaction_added")
    async def reaction_added(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        rt.later(give_point(event, client, context))

    @app.event("reaction_removed")
    async def reaction_removed(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        rt.later(take_back(event, client, context))
