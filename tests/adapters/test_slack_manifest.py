"""slack/manifest.yml must ask for exactly what the code listens to and needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.adapters.slack import blocks
from bot.adapters.slack.app import BOT_SCOPES

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def manifest() -> dict[str, Any]:
    return dict(yaml.safe_load(MANIFEST.read_text()))


def test_the_manifest_grants_the_scopes_the_bot_asks_for_at_install() -> None:
    assert sorted(manifest()["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_commands_escape_mentions_and_point_at_the_one_endpoint() -> None:
    commands = {c["command"]: c for c in manifest()["features"]["slash_commands"]}
    assert set(commands) == {"/kudos", "/til"}
    for command in commands.values():
        assert command["should_escape"] is True  # mentions arrive as <@U…>, not plain names
        assert command["url"].endswith("/slack/events")


def test_shortcuts_and_events_match_the_listeners() -> None:
    m = manifest()
    assert {s["callback_id"]: s["type"] for s in m["features"]["shortcuts"]} == {
        blocks.GLOBAL_SHORTCUT: "global",
        blocks.MESSAGE_SHORTCUT: "message",
    }
    events = set(m["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "reaction_added", "reaction_removed", "message.channels"} <= events
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert m["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


def test_people_can_type_commands_in_the_bots_direct_messages() -> None:
    """The bot answers `balance`, `@ana 5 …` and the rest in its DM (test_slack_giving's
    direct-message scenario): the App Home's Messages tab must take input and the app must
    receive and read those messages."""
    m = manifest()
    home = m["features"]["app_home"]
    assert home["messages_tab_enabled"] is True
    assert home["messages_tab_read_only_enabled"] is False
    assert "message.im" in m["settings"]["event_subscriptions"]["bot_events"]
    assert "im:history" in m["oauth_config"]["scopes"]["bot"]
