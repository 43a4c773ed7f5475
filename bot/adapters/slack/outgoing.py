"""What the Slack adapter says, as outbox rows: each names the Web API method (or the
`response_url`) and its arguments, ready for `SlackSender` to send after the commit. `deliver`
turns a reply's audience into those rows, for every listener and for the sender's events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.adapters.slack import blocks
from bot.adapters.slack.refs import PLATFORM
from bot.replies.model import (
    Actor,
    Admins,
    ApprovalCopies,
    Channel,
    Conversation,
    DirectMessage,
    Reply,
)
from bot.services.delivery import Outgoing

RESPONSE_URL = "response_url"
FALLBACK_CHANNEL = "fallback_channel"
"""In a message's payload: where to post it instead if the bot cannot post in its channel."""
APPROVAL_OF = "approval_of"
"""In an approval request's payload: the redemption, so the copy is remembered once sent (and
updated with the decision later)."""


@dataclass(frozen=True)
class Where:
    """What a Slack request (or an event) says about where replies go: its channel and person,
    the `response_url` of a command or a click, the thread of a message; for events, the
    admins to ask and the posted copies of an approval request."""

    team: str
    channel: str | None = None
    user: str | None = None
    response_url: str | None = None
    thread_ts: str | None = None
    direct: bool = False
    """The bot's own DM: everything is said there, for the person alone."""
    clicked: bool = False
    """A button's `response_url`: answer beside the message, never replacing it."""
    fallback: str | None = None
    admins: tuple[str, ...] = ()
    copies: tuple[tuple[str, str], ...] = ()


def deliver(where: Where, *replies: Reply) -> list[Outgoing]:
    """The outbox rows that say `replies` to their audiences."""
    return [row for reply in replies for row in _rows(where, reply, blocks.render(reply))]


def _rows(where: Where, reply: Reply, payload: dict[str, Any]) -> list[Outgoing]:
    team, channel, url = where.team, where.channel, where.response_url
    match reply.audience:
        case Conversation() if url and not where.direct:
            return [respond(team, url, payload, public=True)]
        case Conversation(thread=thread) if channel:
            thread_ts = where.thread_ts if thread else None
            extra = {FALLBACK_CHANNEL: where.fallback} if where.fallback else {}
            return [post(team, channel, payload | extra, thread_ts=thread_ts)]
        case Actor() if url:
            return [respond(team, url, payload, replace_original=False if where.clicked else None)]
        case Actor() if channel and where.direct:
            return [post(team, channel, payload)]
        case Actor() if channel and where.user:
            return [ephemeral(team, channel, where.user, payload)]
        case DirectMessage(user_id=user) | Channel(channel_id=user):
            return [post(team, user, payload)]
        case Admins(redemption=redemption):
            return [post(team, to, payload | {APPROVAL_OF: redemption}) for to in where.admins]
        case ApprovalCopies():
            return [update(team, at, ts, payload) for at, ts in where.copies]
    return []


def post(
    team_id: str, channel: str, payload: dict[str, Any], *, thread_ts: str | None = None
) -> Outgoing:
    """A message in a channel (or a DM, with a user id as the channel)."""
    args = {"channel": channel, **payload} | ({"thread_ts": thread_ts} if thread_ts else {})
    return Outgoing(PLATFORM, team_id, "chat.postMessage", args)


def ephemeral(team_id: str, channel: str, user: str, payload: dict[str, Any]) -> Outgoing:
    """A message only `user` sees, in `channel`."""
    return Outgoing(
        PLATFORM, team_id, "chat.postEphemeral", {"channel": channel, "user": user, **payload}
    )


def respond(
    team_id: str,
    response_url: str,
    payload: dict[str, Any],
    *,
    public: bool | None = False,
    replace_original: bool | None = None,
) -> Outgoing:
    """An answer through a command's or a click's `response_url`: in the channel for all to
    see (`public`), or for the person alone (`public=None`: as the original message was)."""
    body = dict(payload)
    if public is not None:
        body["response_type"] = "in_channel" if public else "ephemeral"
    if replace_original is not None:
        body["replace_original"] = replace_original
    return Outgoing(PLATFORM, team_id, RESPONSE_URL, {"url": response_url, "body": body})


def update(team_id: str, channel: str, ts: str, payload: dict[str, Any]) -> Outgoing:
    """Replace a message the bot posted (an approval request once decided)."""
    return Outgoing(PLATFORM, team_id, "chat.update", {"channel": channel, "ts": ts, **payload})


def publish_home(team_id: str, user: str, view: dict[str, Any]) -> Outgoing:
    return Outgoing(PLATFORM, team_id, "views.publish", {"user_id": user, "view": view})
