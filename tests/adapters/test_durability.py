"""An acknowledgement is a promise: what Slack and Teams heard "OK" for is done even if the
process dies right after the ack, and what the bot says is said once, even across a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bot.bootstrap import App, build
from bot.config import Settings
from tests.adapters.conftest import serve
from tests.adapters.slack_helpers import earned
from tests.conftest import FakeClock
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.slack_api import FakeSlack, token_for
from tests.fakes.slack_sender import SIGNING_SECRET, SlackSender
from tests.fakes.teams_sender import RAJ, activity, mention
from tests.support import quiet, scalar


@asynccontextmanager
async def process(
    database_url: str, clock: FakeClock, fake: FakeSlack, *, start: bool
) -> AsyncIterator[tuple[App, SlackSender, httpx.AsyncClient, str]]:
    """One `kudos serve` process; leaving the block is its end (its workers stop first)."""
    settings = Settings(
        DATABASE_URL=database_url,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        SLACK_BOT_TOKEN=token_for("T1"),
    )
    app = await build(settings, clock=clock, migrate=False)
    server, task, url = await serve(app, start=start)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            yield app, SlackSender(http, url, fake), http, url
    finally:
        server.should_exit = True
        await task
        await app.close()


async def test_a_command_acked_by_a_process_that_died_is_done_after_restart(
    database_url: str, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    async with process(database_url, clock, fake_slack, start=False) as (app, slack, _, _):
        acked = await slack.command("<@URAJ> 5 for the flaky-test hunt", user="UANA")
        assert acked.status_code == 200
        assert await scalar(app, "SELECT COUNT(*) FROM inbox WHERE state = 'pending'") == 1
        assert await earned(app, "URAJ") == 0  # acknowledged, not yet done: then it "dies"
    assert fake_slack.calls_to("response_url") == []

    async with process(database_url, clock, fake_slack, start=True) as (app, _, _, _):
        await quiet(app)
        assert await earned(app, "URAJ") == 5
        replies = fake_slack.calls_to("response_url")
        assert [r.params["response_type"] for r in replies] == ["in_channel", "ephemeral"]
        assert [c.params["channel"] for c in fake_slack.calls_to("chat.postMessage")] == ["URAJ"]


async def test_what_the_bot_says_is_said_once_across_a_crash(
    database_url: str, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    async with process(database_url, clock, fake_slack, start=False) as (app, slack, _, _):
        app.worker.start()  # the work is done, but the process dies before it says anything
        await slack.command("<@URAJ> 5 for the flaky-test hunt", user="UANA")
        await app.worker.idle()
        assert await earned(app, "URAJ") == 5
        assert await scalar(app, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") == 3
    said = {"response_url", "chat.postMessage", "chat.postEphemeral"}
    assert not [c for c in fake_slack.calls if c.method in said]  # only reads: auth, users

    async with process(database_url, clock, fake_slack, start=True) as (app, _, _, _):
        await quiet(app)
    async with process(database_url, clock, fake_slack, start=True) as (app, _, _, _):
        await quiet(app)  # a second restart sends nothing again
    assert len(fake_slack.calls_to("response_url")) == 2
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_a_teams_activity_acked_by_a_process_that_died_is_done_after_restart(
    database_url: str, clock: FakeClock
) -> None:
    connector = FakeConnector()
    await connector.start()
    try:
        app = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
        server, task, url = await serve(app, start=False)
        async with httpx.AsyncClient(timeout=30) as http:
            text, _ = mention(RAJ)
            sent = activity(connector.url, f"kudos {text} 5 for the fix", mentions=[RAJ])
            acked = await http.post(f"{url}/api/messages", json=sent)
            assert acked.status_code == 201
        server.should_exit = True
        await task
        await app.close()
        assert connector.sent == []

        app = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
        app.start()
        try:
            await quiet(app)
            card, receipt = await connector.wait_for(2)
            assert card.card is not None and "5" in (receipt.text or "")
        finally:
            await app.close()
    finally:
        await connector.stop()
