"""The Slack side of the inbox: runs a recorded request through the listener module it
belongs to (a slash command, a message, a reaction, the Home tab, a button), and says sorry
when one could not be done after every attempt."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.adapters.slack import commands, home, messages, reactions, rewards
from bot.adapters.slack.runtime import SlackRuntime
from bot.replies.compose import GAVE_UP
from bot.services.context import ServiceContext
from bot.services.delivery import InboxItem, Outgoing


def _kind(body: dict[str, Any]) -> str:
    if body.get("command"):
        return "command"
    if body.get("type") == "block_actions":
        return "action"
    event_type = str((body.get("event") or {}).get("type") or "")
    return event_type


class SlackInbox:
    """Implements `bot.worker.inbox.InboxHandler` for Slack."""

    def __init__(self, runtime: SlackRuntime) -> None:
        self.runtime = runtime

    async def process(self, ctx: ServiceContext, item: InboxItem) -> Sequence[Outgoing]:
        body, team_id, rt = item.payload, item.workspace or "", self.runtime
        match _kind(body):
            case "command":
                replies = await commands.handle_command(rt, ctx, body)
            case "message":
                replies = await messages.handle_message(rt, ctx, team_id, body)
            case "reaction_added" | "reaction_removed":
                replies = await reactions.handle_reaction(rt, ctx, team_id, body)
            case "app_home_opened":
                replies = await home.handle_home_opened(rt, ctx, team_id, body)
            case "action":
                replies = await rewards.handle_action(rt, ctx, body)
            case _:
                replies = []
        return [
            Outgoing(r.platform, r.workspace, r.method, r.payload, r.kind, item.delivery_key)
            for r in replies
        ]

    def given_up(self, item: InboxItem, error: str) -> Sequence[Outgoing]:
        body, team_id = item.payload, item.workspace or ""
        match _kind(body):
            case "command":
                return commands.given_up(body, GAVE_UP)
            case "message":
                return messages.given_up(team_id, body, GAVE_UP)
            case "reaction_added" | "reaction_removed":
                return reactions.given_up(team_id, body, GAVE_UP)
            case "action":
                return rewards.given_up(body, GAVE_UP)
        return []
