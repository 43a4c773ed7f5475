"""The Teams side of the inbox: a recorded activity is run through the bot's turn logic with
an adapter that records what the turn would send, so the replies leave through the outbox in
the same transaction as the turn's effect. Reading from Teams during the turn (the members
of a conversation, for a typed `@name`) still goes to the connector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botbuilder.core import BotAdapter, BotFrameworkAdapter, TurnContext
from botbuilder.schema import Activity, ConversationReference, ResourceResponse

from bot.adapters.teams import cards
from bot.adapters.teams.bot import PLATFORM, SERVICES, KudosTeamsBot, delivery_key, tenant_of
from bot.replies.compose import gave_up
from bot.services.context import ServiceContext
from bot.services.delivery import InboxItem, Incoming, Outgoing

SEND, UPDATE = "send", "update"


def delivery(activity: Activity, body: dict[str, Any]) -> Incoming:
    """An activity as an inbox row: a re-sent activity keeps its id, and is recorded once."""
    return Incoming(PLATFORM, tenant_of(activity), delivery_key(activity), body)


def reply(
    tenant: str, reference: ConversationReference, activity: Activity, method: str = SEND
) -> Outgoing:
    """An activity to send (or, with `update`, to replace) in the referenced conversation."""
    return Outgoing(
        PLATFORM,
        tenant,
        method,
        {"reference": reference.serialize(), "activity": activity.serialize()},
    )


class _Recording(BotAdapter):
    """Collects what a turn sends instead of sending it."""

    def __init__(self, real: BotFrameworkAdapter) -> None:
        super().__init__()
        self.real = real
        self.sent: list[tuple[str, Activity]] = []

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            if activity.type in ("delay", "invokeResponse"):
                continue
            self.sent.append((SEND, activity))
            responses.append(ResourceResponse(id=""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        self.sent.append((UPDATE, activity))

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        raise NotImplementedError("Kudos never deletes a Teams message")


class TeamsInbox:
    """Implements `bot.worker.inbox.InboxHandler` for Teams."""

    def __init__(self, adapter: BotFrameworkAdapter, bot: KudosTeamsBot) -> None:
        self.adapter = adapter
        self.bot = bot

    async def process(self, ctx: ServiceContext, item: InboxItem) -> Sequence[Outgoing]:
        activity = Activity().deserialize(item.payload)
        recording = _Recording(self.adapter)
        turn = TurnContext(recording, activity)
        turn.turn_state[SERVICES] = ctx
        turn.turn_state[
            BotAdapter.BOT_CONNECTOR_CLIENT_KEY
        ] = await self.adapter.create_connector_client(activity.service_url)
        await self.bot.on_turn(turn)
        reference = TurnContext.get_conversation_reference(activity)
        return [
            _grouped(reply(tenant_of(activity), reference, sent, method), item.delivery_key)
            for method, sent in recording.sent
        ]

    def given_up(self, item: InboxItem, error: str) -> Sequence[Outgoing]:
        activity = Activity().deserialize(item.payload)
        if activity.type != "message":
            return []
        reference = TurnContext.get_conversation_reference(activity)
        message = cards.message(gave_up())
        TurnContext.apply_conversation_reference(message, reference)
        return [reply(tenant_of(activity), reference, message)]


def _grouped(outgoing: Outgoing, key: str) -> Outgoing:
    return Outgoing(
        outgoing.platform, outgoing.workspace, outgoing.method, outgoing.payload, "message", key
    )
