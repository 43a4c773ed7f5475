"""The App Home tab: allowance and renewal, earned points, recent kudos, the weekly top 5."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.adapters.slack import blocks, refs
from bot.adapters.slack.blocks import SURFACE
from bot.adapters.slack.outgoing import publish_home
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.errors import UnknownWorkspace
from bot.replies.compose import home
from bot.services.context import ServiceContext
from bot.services.delivery import Incoming, Outgoing
from bot.services.queries import show_balance, show_history, show_leaderboard
from bot.services.results import LeaderboardShown

HOME_TOP = 5


async def handle_home_opened(
    rt: SlackRuntime, ctx: ServiceContext, team_id: str, body: dict[str, Any]
) -> list[Outgoing]:
    """Render one person's Home tab, to publish."""
    user_id = body["event"]["user"]
    member = await rt.directory.member(await rt.client(team_id), team_id, user_id)
    workspace = refs.workspace(team_id)
    balance = await show_balance(ctx, workspace, member, newcomer_ok=True)
    recent = await show_history(ctx, workspace, member)
    try:
        top = await show_leaderboard(ctx, workspace, "week", None, HOME_TOP)
    except UnknownWorkspace:  # no kudos in this workspace yet
        top = LeaderboardShown("week", None, ())
    view = blocks.home_view(user_id, home(balance, recent, top, SURFACE))
    return [publish_home(team_id, user_id, view)]


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    @app.event("app_home_opened")
    async def home_opened(
        event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """Someone opened the bot's Home tab."""
        if event.get("tab", "home") != "home":
            return
        team_id = context.team_id or body.get("team_id") or ""
        key = refs.event_key(team_id, str(body.get("event_id") or event.get("event_ts")))
        await rt.record(Incoming(refs.PLATFORM, team_id, key, body))
