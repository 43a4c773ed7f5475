"""What the Slack adapter says, as outbox rows: each names the Web API method (or the
`response_url`) and its arguments, ready for `SlackSender` to send after the commit."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.refs import PLATFORM
from bot.services.delivery import Outgoing

RESPONSE_URL = "response_url"
FALLBACK_CHANNEL = "fallback_channel"
"""In a message's payload: where to post it instead if the bot cannot post in its channel."""


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
