"""The Teams side of the outbox: sends the messages a turn decided (replies in their
conversation, and updates of cards the bot posted), turns the services' events into messages
(`deliver` maps a reply's audience onto the conversations the bot remembers), and posts the
scheduled leaderboards and shoutouts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ConversationReference
from msrest.exceptions import HttpOperationError

from bot.adapters.teams import cards
from bot.adapters.teams.connector import connector_failure
from bot.adapters.teams.inbox import UPDATE, reply
from bot.domain.model import WorkspaceRef
from bot.replies.compose import event_replies, scheduled
from bot.replies.model import Admins, ApprovalCopies, Channel, DirectMessage, Reply
from bot.services.approvals import approval_messages, remember_approval_message
from bot.services.conversations import known_conversations
from bot.services.delivery import Event, OutboxItem, Outgoing, SendFailed
from bot.services.results import KudosGiven, Redeemed, RedemptionDecided, ScheduledPost

if TYPE_CHECKING:
    from bot.adapters.teams.app import TeamsBot

log = logging.getLogger("kudos.teams")
APPROVAL_OF = "approval_of"
"""In an approval request's payload: the redemption, so the copy is remembered once sent."""
Conversation = tuple[str, str, dict[str, Any]]
"""A remembered conversation: (id, kind, reference)."""


@dataclass(frozen=True)
class Where:
    """What the bot knows of a tenant when it posts unprompted: the conversations it was
    installed in or spoken to, and the posted copies of an approval request."""

    tenant: str
    conversations: Sequence[Conversation] = ()
    copies: Sequence[tuple[str, str]] = ()


def deliver(where: Where, *replies: Reply) -> list[Outgoing]:
    """Messages that say `replies` to their audiences, in the conversations the bot knows: a
    person's personal chat with the bot, a channel it was added to, each posted copy of an
    approval request (replaced). Audiences it has no conversation for hear nothing."""
    out: list[Outgoing] = []
    for said in replies:
        card = cards.card(said)
        match said.audience:
            case DirectMessage(user_id=user):
                out += _to(where, card, lambda c: _personal_chat_of(c) == user)[:1]
            case Channel(channel_id=channel):
                out += _to(where, card, lambda c: c[0] == channel)
            case Admins(redemption=redemption, channel=channel, listed=listed):
                asked = (
                    _to(where, card, lambda c: c[0] == channel)
                    if channel
                    else _to(where, card, lambda c: _personal_chat_of(c) in listed)
                )
                out += [_remembered(o, redemption) for o in asked]
            case ApprovalCopies():
                out += _updates(where, card)
    return out


def _to(where: Where, card: cards.Card, wanted: Callable[[Conversation], bool]) -> list[Outgoing]:
    return [proactive(where.tenant, c[2], card) for c in where.conversations if wanted(c)]


def _remembered(outgoing: Outgoing, redemption: int) -> Outgoing:
    """Each copy of an approval request is remembered once sent, to show the decision later."""
    payload = {**outgoing.payload, APPROVAL_OF: redemption}
    return Outgoing(outgoing.platform, outgoing.workspace, outgoing.method, payload)


def _updates(where: Where, card: cards.Card) -> list[Outgoing]:
    references = {c[0]: c[2] for c in where.conversations}
    updates = []
    for conversation_id, activity_id in where.copies:
        if conversation_id not in references:
            continue  # the bot was removed from there since
        ref = ConversationReference().deserialize(references[conversation_id])
        message = card_in(ref, card)
        message.id = activity_id
        updates.append(reply(where.tenant, ref, message, UPDATE))
    return updates


class TeamsSender:
    """Implements `bot.worker.outbox.Sender` for Teams, and the scheduled posts' notifier.
    Recipients are @mentioned on the kudos card itself, so a kudos needs no more messages;
    learnings also go to the learning channel when the bot knows that conversation. Approval
    requests go to the approvals channel, or to each listed admin's personal chat with the bot;
    decisions go to the member's personal chat (where the bot has one)."""

    def __init__(self, teams: TeamsBot) -> None:
        self.teams = teams

    async def send(self, item: OutboxItem) -> None:
        reference = ConversationReference().deserialize(item.payload["reference"])
        activity = Activity().deserialize(item.payload["activity"])
        try:
            if item.method == UPDATE:
                await self.teams.update(reference, activity)
                return
            posted = await self.teams.deliver(reference, activity)
        except Exception as exc:
            reason = connector_failure(exc)
            if reason is None:
                raise
            raise _failure(
                exc, f"Teams reply to {reference.service_url} failed: {reason}"
            ) from None
        approval = item.payload.get(APPROVAL_OF)
        if approval is not None and posted:
            await remember_approval_message(
                self.teams.services,
                item.workspace_ref,
                int(approval),
                str(reference.conversation.id),
                posted,
            )

    async def expand(self, workspace: WorkspaceRef, event: Event) -> Sequence[Outgoing]:
        if isinstance(event, KudosGiven):
            return []
        services = self.teams.services
        copies: list[tuple[str, str]] = []
        if isinstance(event, RedemptionDecided):
            copies = await approval_messages(services, workspace, event.redemption.id)
        where = Where(workspace.external_id, await known_conversations(services, workspace), copies)
        sent = deliver(where, *event_replies(event, cards.SURFACE))
        if isinstance(event, Redeemed) and not sent:
            log.warning(
                "redemption #%s: no approvals channel or admin chat known in Teams tenant %s",
                event.redemption.id,
                workspace.external_id,
            )
        return sent

    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None:
        for conversation_id, _kind, reference in await known_conversations(
            self.teams.services, workspace
        ):
            if conversation_id == channel:
                await self.teams.post(reference, cards.card(scheduled(post, channel)))
                return
        raise LookupError(f"Kudos is not installed in Teams conversation {channel}")


def card_in(reference: ConversationReference, card: cards.Card) -> Activity:
    """A message holding `card`, addressed to the referenced conversation."""
    message = MessageFactory.attachment(CardFactory.adaptive_card(card))
    TurnContext.apply_conversation_reference(message, reference)
    return message


def proactive(tenant: str, reference: dict[str, Any], card: cards.Card) -> Outgoing:
    """A card posted unprompted into a remembered conversation (a new thread in a channel)."""
    ref = ConversationReference().deserialize(reference)
    return reply(tenant, ref, card_in(ref, card))


def _failure(exc: Exception, reason: str) -> SendFailed:
    """Retry later, after the connector's Retry-After for a 429; never again for another 4xx
    (403/404: the bot was removed from that conversation; others: the message is refused)."""
    if not isinstance(exc, HttpOperationError):  # refused, timed out, reset: try again later
        return SendFailed(reason)
    status = getattr(exc.response, "status_code", None) or 0
    if status == 429:
        retry = str(exc.response.headers.get("Retry-After", ""))
        return SendFailed(reason, retry_after=float(retry) if retry.isdigit() else None)
    return SendFailed(reason, permanent=400 <= status < 500)


def _personal_chat_of(conversation: Conversation) -> str | None:
    """The user a remembered personal chat is with (None for channels and group chats)."""
    _conversation_id, kind, reference = conversation
    if kind != "personal":
        return None
    user = reference.get("user") or {}
    return str(user.get("id")) if user.get("id") else None
