"""The App Home tab: allowance and renewal, earned points, recent kudos, the weekly top 5."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks, refs
from bot.adapters.slack.runtime import SlackRuntime
from bot.domain.errors import UnknownWorkspace
from bot.services.queries import show_balance, show_history, show_leaderboard
from bot.services.results import LeaderboardShown

HOME_TOP = 5


async def publish_home(
    rt: SlackRuntime, client: AsyncWebClient, team_id: str, user_id: str
) -> None:
    """Render and publish one person's Home tab."""
    member = await rt.directory.member(client, team_id, user_id)
    workspace = refs.workspace(team_id)
    balance = await show_balance(rt.services, workspace, member, newcomer_ok=True)
    recent = await show_history(rt.services, workspace, member)
    try:
        top = await show_leaderboard(rt.services, workspace, "week", None, HOME_TOP)
    except UnknownWorkspace:  # no kudos in this workspace yet
        top = LeaderboardShown("week", None, ())
    await client.views_publish(user_id=user_id, view=blocks.home(user_id, balance, recent, top))


def register(app: AsyncApp, rt: SlackRuntime) -> None:
    @app.event("app_home_opened")
    async def home_opened(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Someone opened the bot's Home tab."""
        if event.get("tab", "home") != "home":
            return
        rt.later(publish_home(rt, client, context.team_id or "", event["user"]))
