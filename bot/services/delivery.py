"""What crosses the durable request path: a verified request recorded before its ack (the
inbox), and what the bot says afterwards (the outbox: messages ready to send, or events a
platform turns into messages). Plain values; the store keeps them, the worker moves them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from bot.domain.model import WorkspaceRef
from bot.services import codec
from bot.services.results import (
    BadgeAwarded,
    KudosGiven,
    KudosReversed,
    LearningShared,
    Redeemed,
    RedemptionDecided,
)

Event = KudosGiven | LearningShared | Redeemed | RedemptionDecided | KudosReversed | BadgeAwarded
"""What the services publish for people beyond the one who asked: the chat platforms tell the
people concerned (see `tells_chat`), webhooks tell other systems (see `WEBHOOK_NAMES`)."""

EVENT_TYPES: dict[str, type[Any]] = {
    "kudos_given": KudosGiven,
    "learning_shared": LearningShared,
    "redemption_requested": Redeemed,
    "redemption_decided": RedemptionDecided,
}
_EVENT_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}

WEBHOOK_PLATFORM = "webhook"
"""The outbox rows of webhook deliveries: a `message` each, its payload the delivery's id."""

WEBHOOK_NAMES: dict[type[Any], str] = {
    KudosGiven: "kudos.given",
    KudosReversed: "kudos.reversed",
    Redeemed: "redemption.requested",
    RedemptionDecided: "redemption.decided",
    BadgeAwarded: "badge.awarded",
}
"""The events webhooks can subscribe to, by the name a subscription uses."""


def event_name(event: Event) -> str:
    return _EVENT_NAMES[type(event)]


def tells_chat(event: Event) -> bool:
    """Whether a chat platform has someone to tell: the recipients of a kudos, the learning
    channel, the admins asked to decide a pending redemption, the member whose redemption an
    admin decided. Reversals and badges are told in the reply to whoever caused them, and a
    redemption fulfilled at once or withdrawn by its member needs no one else."""
    match event:
        case KudosGiven():
            return not event.replaces
        case LearningShared():
            return not event.private
        case Redeemed():
            return event.redemption.status == "pending"
        case RedemptionDecided():
            return event.redemption.status in ("fulfilled", "rejected")
    return False


@dataclass(frozen=True)
class Incoming:
    """A verified request to record before it is acknowledged. `delivery_key` names what the
    person did, so a redelivery of it is recorded once."""

    platform: str
    workspace: str | None
    delivery_key: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class InboxItem:
    """A recorded request, claimed by a worker under `lease_token`."""

    id: int
    platform: str
    workspace: str | None
    delivery_key: str
    payload: dict[str, Any]
    received_at: datetime
    attempts: int
    lease_token: str


@dataclass(frozen=True)
class Outgoing:
    """One thing to send on a platform: a `message` (its `method` and arguments, ready to go)
    or an `event` (its name and the encoded result) that the platform expands into messages.
    Messages with the same `group_key` go out in the order they were written."""

    platform: str
    workspace: str
    method: str
    payload: dict[str, Any]
    kind: str = "message"
    group_key: str | None = None

    @staticmethod
    def event(workspace: WorkspaceRef, event: Event) -> Outgoing:
        return Outgoing(
            platform=workspace.platform,
            workspace=workspace.external_id,
            method=event_name(event),
            payload=codec.encode(event),
            kind="event",
        )


@dataclass(frozen=True)
class OutboxItem:
    """A pending outbox row, claimed by a deliverer under `lease_token`."""

    id: int
    platform: str
    workspace: str
    kind: str
    method: str
    payload: dict[str, Any]
    group_key: str | None
    attempts: int
    created_at: datetime
    lease_token: str = field(default="")

    @property
    def workspace_ref(self) -> WorkspaceRef:
        return WorkspaceRef(self.platform, self.workspace)

    def event(self) -> Event:
        """The event an `event` row carries."""
        return cast(Event, codec.decode(EVENT_TYPES[self.method], self.payload))


class SendFailed(Exception):
    """A message could not be sent. `permanent`: trying again cannot help (a channel that no
    longer exists); `retry_after`: the platform said when to try again."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


def now() -> datetime:
    """Queue timing runs on the wall clock, whatever clock the services are given."""
    return datetime.now(UTC)


def new_token() -> str:
    """A lease token: whoever holds it may finish the row it claimed."""
    return uuid.uuid4().hex


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("a payload is a JSON object")
    return value
