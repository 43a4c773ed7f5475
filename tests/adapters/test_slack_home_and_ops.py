"""The App Home tab, /metrics, and the endpoint when Slack is off."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.bootstrap import build
from bot.config import Settings
from bot.services.schedules import add_schedule, run_due_posts, schedule_status
from bot.web.app import HEALTH_TIMEOUT_SECONDS, create_app
from bot.web.server import asgi_app
from tests.adapters.conftest import SlackHarness
from tests.adapters.slack_helpers import ws
from tests.conftest import FakeClock
from tests.support import OPERATOR, quiet, snapshot


async def test_home_tab_shows_allowance_earned_recent_kudos_and_the_weekly_top(
    slack: SlackHarness,
) -> None:
    await slack.slack.command("<@URAJ> 7 for the design review #feedback", user="UANA")
    await slack.slack.command("<@UANA> 3 for the pairing", user="UBO")
    await slack.fake.wait_for("response_url", 4)
    await slack.slack.event(
        {"type": "app_home_opened", "user": "UANA", "channel": "D1", "tab": "home"}
    )
    published = (await slack.fake.wait_for("views.publish", 1))[0].params
    assert published["user_id"] == "UANA"
    view = str(published["view"])
    for part in (
        "93 points* left to give",
        "3 points* earned",
        "received 3 points from Bo Chen for the pairing",
        "given 7 points to Raj Patel for the design review",
        "Top 5 this week",
        "<@URAJ> — 7 points",
    ):
        assert part in view, part
    await slack.slack.event(
        {"type": "app_home_opened", "user": "UANA", "channel": "D1", "tab": "messages"}
    )
    await slack.fake.settle(0.2)
    assert len(slack.fake.calls_to("views.publish")) == 1


async def test_a_newcomer_sees_a_friendly_home_tab(slack: SlackHarness) -> None:
    await slack.slack.event(
        {"type": "app_home_opened", "user": "URAJ", "channel": "D2", "tab": "home"}
    )
    view = str((await slack.fake.wait_for("views.publish", 1))[0].params["view"])
    assert "100 points* left to give" in view and "No kudos this week yet" in view


async def test_metrics_count_requests_kudos_and_refusals(slack: SlackHarness) -> None:
    await slack.slack.command("<@URAJ> 5 for the metrics", user="UANA")
    await slack.slack.command("<@UANA> 5 for myself", user="UANA")
    await slack.fake.wait_for("response_url", 3)
    text = (await slack.http.get(f"{slack.url}/metrics")).text
    assert 'kudos_http_requests_total{method="POST",route="/slack/events",status="200"}' in text
    assert 'kudos_given_total{platform="slack"}' in text
    assert 'kudos_refusals_total{code="self_kudos",platform="slack"}' in text
    assert "kudos_http_request_duration_seconds_bucket" in text


async def test_with_slack_off_the_endpoint_says_so_and_health_still_answers(
    sqlite_url: str,
) -> None:
    app = await build(Settings(DATABASE_URL=sqlite_url), migrate=False)
    try:
        assert app.slack is None
        transport = httpx.ASGITransport(app=asgi_app(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://kudos") as http:
            events = await http.post("/slack/events", content=b"{}")
            assert events.status_code == 404
            assert "not configured" in events.json()["error"]
            assert (await http.get("/healthz")).json()["status"] == "ok"
            assert (await http.head("/healthz")).status_code == 200
    finally:
        await app.close()


@pytest.mark.alone  # within a second of its timeout
async def test_health_says_unhealthy_in_time_when_the_database_hangs(sqlite_url: str) -> None:
    hung = asyncio.Event()

    async def ping() -> None:
        await hung.wait()  # a database that never answers

    transport = httpx.ASGITransport(app=create_app(ping))
    async with httpx.AsyncClient(transport=transport, base_url="http://kudos") as http:
        started = time.perf_counter()
        answer = await http.get("/healthz")
    assert answer.status_code == 503 and answer.json()["status"] == "unhealthy"
    assert time.perf_counter() - started < HEALTH_TIMEOUT_SECONDS + 1


async def test_scheduled_leaderboards_go_to_the_slack_channel_and_failures_are_retried(
    slack: SlackHarness, clock: FakeClock
) -> None:
    await slack.slack.command("<@URAJ> 7 for the design review #feedback", user="UANA")
    await slack.fake.wait_for("response_url", 2)
    await quiet(slack.app)  # the recipient's DM is out: the failures below are the post's
    await add_schedule(
        slack.app.services, ws(), "weekly_leaderboard", "CTEAM", "fri 16:00", actor=OPERATOR
    )
    clock.current = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    slack.fake.fail("chat.postMessage", 500, times=3)  # the client's own retries give up
    assert [o[3] for o in await run_due_posts(slack.app.services)] == ["retry"]
    clock.advance(minutes=1)
    assert [o[3] for o in await run_due_posts(slack.app.services)] == ["posted"]
    posted = [c for c in slack.fake.calls_to("chat.postMessage") if c.params["channel"] == "CTEAM"]
    assert len(posted) == 1
    text = str(posted[0].params["blocks"])
    assert "Week 47, 2026" in text and "<@URAJ> — 7 points" in text


async def test_badges_are_announced_in_the_channel_and_shown_on_the_home_tab(
    slack: SlackHarness,
) -> None:
    await slack.slack.command("<@URAJ> 2 for the pairing", user="UANA")
    public = (await slack.fake.wait_for("response_url", 2))[0]
    assert "earned *🌱 First kudos*" in str(public.params["blocks"])
    await slack.slack.command("badges <@UANA>", user="URAJ")
    shown = (await slack.fake.wait_for("response_url", 3))[-1]
    assert "🌱 First kudos: gave their first kudos" in str(shown.params)
    await slack.slack.event(
        {"type": "app_home_opened", "user": "UANA", "channel": "D1", "tab": "home"}
    )
    home = str((await slack.fake.wait_for("views.publish", 1))[0].params["view"])
    assert "*Your badges*" in home and "🌱 First kudos" in home


async def test_admins_schedule_posts_from_chat_and_others_are_refused(slack: SlackHarness) -> None:
    await slack.slack.command("help", user="UANA")  # the workspace exists
    await slack.fake.wait_for("response_url", 1)
    before = await snapshot(slack.app, requests=False)
    await slack.slack.command("admin schedule add weekly fri 16:00", user="UANA", channel="CTEAM")
    refused = (await slack.fake.wait_for("response_url", 2))[-1].params["text"]
    assert "Only Kudos admins can manage scheduled posts" in refused
    assert await snapshot(slack.app, requests=False) == before

    await slack.slack.command("admin schedule add weekly fri 16:30", user="UBOSS", channel="CTEAM")
    added = (await slack.fake.wait_for("response_url", 3))[-1].params["text"]
    assert "Scheduled: weekly leaderboard, Fri at 16:30" in added
    await slack.slack.command("admin schedule add learning <#CLEARN|learning>", user="UBOSS")
    await slack.fake.wait_for("response_url", 4)  # commands run side by side: one at a time
    await slack.slack.command("admin schedule list", user="UBOSS")
    listed = str((await slack.fake.wait_for("response_url", 5))[-1].params)
    assert "weekly leaderboard, Fri at 16:30 in CTEAM" in listed
    assert "learning shoutouts, Fri at 15:00 in CLEARN" in listed
    await slack.slack.command("admin schedule remove weekly", user="UBOSS", channel="CTEAM")
    await slack.fake.wait_for("response_url", 6)
    assert [s.kind for s in await schedule_list(slack)] == ["learning_shoutouts"]


async def test_a_channel_typed_as_plain_text_is_looked_up_by_name(
    slack_sqlite: SlackHarness,
) -> None:
    slack = slack_sqlite
    team = slack.fake.team("T1")
    team.channels.update({"CTEAM": "team", "CREWARDS": "rewards"})

    async def say(text: str) -> str:
        before = len(slack.fake.calls_to("response_url"))
        await slack.slack.command(text, user="UBOSS", channel="CGENERAL")
        return str((await slack.fake.wait_for("response_url", before + 1))[-1].params)

    assert "Scheduled: weekly leaderboard, Fri at 16:00" in await say(
        "admin schedule add weekly #team fri 16:00"
    )
    assert [(s.kind, s.channel) for s in await schedule_list(slack)] == [
        ("weekly_leaderboard", "CTEAM")
    ]
    assert "CREWARDS (changed)" in await say("admin settings approvals_channel=#rewards")
    before = await snapshot(slack.app, requests=False)
    unknown = await say("admin schedule add weekly #nowhere")
    assert "✋ I can't find a public channel called #nowhere" in unknown
    team.can_list_channels = False
    team.channels["CNEW"] = "new"  # not in the cached list: asked again, and refused
    refused = await say("admin schedule add weekly #new")
    assert "channels:read" in refused and "# menu" in refused
    assert await snapshot(slack.app, requests=False) == before
    assert "Removed the weekly leaderboard" in await say("admin schedule remove weekly #team")
    assert await schedule_list(slack) == []


async def schedule_list(slack: SlackHarness) -> list[Any]:
    return [st.schedule for st in await schedule_status(slack.app.services, ws())]


async def test_the_first_request_from_a_workspace_logs_its_id_once(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/slack.md sends operators to the log for the workspace id (`T…`)."""
    caplog.set_level(logging.INFO, logger="kudos.slack")
    await slack.slack.command("balance", user="UANA")
    await slack.slack.command("balance", user="URAJ")
    await slack.fake.wait_for("response_url", 2)
    firsts = [r.getMessage() for r in caplog.records if "first request" in r.getMessage()]
    assert firsts == ["first request from Slack workspace T1 (t1)"]  # the domain it sent
