"""How Slack things are named for the services: workspaces, delivery keys and message refs.

A delivery key identifies what a person did, so that Slack's retries and redeliveries (which may
carry a new `event_id`) count once: a message by (team, channel, ts), a slash command by its
`trigger_id`, a modal by its view id, a reaction by (message, reactor, emoji, reaction time).
"""

from __future__ import annotations

from bot.domain.model import WorkspaceRef

PLATFORM = "slack"
SLACKBOT = "USLACKBOT"


def workspace(team_id: str, name: str | None = None) -> WorkspaceRef:
    return WorkspaceRef(PLATFORM, team_id, name)


def message_ref(channel: str, ts: str) -> str:
    """The message that carried a kudos; its deletion or edit finds the kudos by this."""
    return f"{channel}:{ts}"


def message_key(team_id: str, channel: str, ts: str) -> str:
    return f"slack:{team_id}:msg:{channel}:{ts}"


def edit_key(team_id: str, channel: str, ts: str, edited_ts: str) -> str:
    return f"{message_key(team_id, channel, ts)}:edit:{edited_ts}"


def reaction_ref(channel: str, ts: str, reactor: str, emoji: str) -> str:
    return f"{channel}:{ts}:reaction:{reactor}:{emoji}"


def reaction_key(team_id: str, ref: str, reaction_ts: str) -> str:
    return f"slack:{team_id}:{ref}:{reaction_ts}"


def command_key(team_id: str, trigger_id: str) -> str:
    return f"slack:{team_id}:cmd:{trigger_id}"


def view_key(team_id: str, view_id: str) -> str:
    return f"slack:{team_id}:view:{view_id}"


def redeem_key(team_id: str, user_id: str, listing: str, item: str) -> str:
    """A Redeem button: once per person, shop listing (its message or view) and item, however
    often it is clicked."""
    return f"slack:{team_id}:redeem:{user_id}:{listing}:{item}"


def deleted_key(team_id: str, channel: str, ts: str) -> str:
    return f"{message_key(team_id, channel, ts)}:deleted"


def reaction_removed_key(team_id: str, ref: str, reaction_ts: str) -> str:
    return f"{reaction_key(team_id, ref, reaction_ts)}:removed"


def event_key(team_id: str, event_id: str) -> str:
    """An event with no person's act behind it to name (the Home tab opened)."""
    return f"slack:{team_id}:event:{event_id}"


def action_key(team_id: str, trigger_id: str) -> str:
    """A button click: each click has its own trigger."""
    return f"slack:{team_id}:action:{trigger_id}"
