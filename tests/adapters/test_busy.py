"""When the inbox cannot record a request (every connection of the acks' pool taken past its
wait), the request is refused with 503 and Retry-After, not acknowledged: nothing is written,
nothing is sent, no error is counted or logged with a traceback, and the same request sent again
once a connection is free is recorded and done once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from bot import core
from bot.store.database import Database
from tests.adapters.conftest import SlackHarness, TeamsHarness, running, running_teams
from tests.adapters.test_bad_requests import (
    errors_logged,
    read_metrics,
    refused,
    teams_warm_up,
    warm_up,
)
from tests.conftest import FakeClock
from tests.fakes.slack_api import FakeSlack, token_for
from tests.fakes.teams_sender import RAJ, activity, mention
from tests.support import quiet, scalar

__all__ = ["errors_logged"]  # a fixture, used by name below

pytestmark = pytest.mark.postgres


@pytest.fixture
def small_front_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """One connection (and one more in a burst) for the acks, waited for 0.2 s."""
    monkeypatch.setattr(core, "FRONT_POOL_SIZE", 1)
    monkeypatch.setattr(core, "FRONT_POOL_TIMEOUT", 0.2)


async def hold_every_connection(stack: AsyncExitStack, front: Database) -> None:
    for _ in range(2):  # the pool's one, and its one overflow
        await stack.enter_async_context(front.engine.connect())


@pytest.fixture
async def slack_pg(
    postgres_url: str, clock: FakeClock, fake_slack: FakeSlack, small_front_pool: None
) -> AsyncIterator[SlackHarness]:
    async for harness in running(postgres_url, clock, fake_slack, SLACK_BOT_TOKEN=token_for("T1")):
        yield harness


@pytest.fixture
async def teams_pg(
    postgres_url: str, clock: FakeClock, small_front_pool: None
) -> AsyncIterator[TeamsHarness]:
    async for harness in running_teams(postgres_url, clock):
        yield harness


async def test_slack_gets_503_while_every_ack_connection_is_busy_then_its_retry_counts_once(
    slack_pg: SlackHarness, errors_logged: pytest.LogCaptureFixture
) -> None:
    slack = slack_pg
    await warm_up(slack)  # a give of 1 (and Slack's auth.test) before the pool is taken
    command = slack.slack.command_body("<@URAJ> 5 for the review", user="UANA")
    message = slack.slack.event_body(
        {"type": "message", "channel": "C1", "user": "UANA", "text": "+3 <@URAJ> for pairing",
         "ts": "1700000000.000100", "channel_type": "channel"}
    )  # fmt: skip
    async with AsyncExitStack() as stack:
        await hold_every_connection(stack, slack.app.front)
        async with refused(slack, errors_logged, "/slack/events", "unavailable", 2):
            for body, media in (
                (command, "application/x-www-form-urlencoded"),
                (message, "application/json"),
            ):
                response = await slack.slack.post(body, media)
                assert response.status_code == 503, response.text
                assert response.headers["Retry-After"] == "1"
        assert any(
            "503" in r.getMessage() and r.levelno == logging.WARNING for r in errors_logged.records
        )
    # A connection is free again: Slack's retry of the same request is recorded and done once.
    for body, media in (
        (command, "application/x-www-form-urlencoded"),
        (message, "application/json"),
    ):
        assert (await slack.slack.post(body, media)).status_code == 200
        assert (await slack.slack.post(body, media)).status_code == 200  # and a second retry
    await slack.fake.wait_for("chat.postMessage", 1)
    await quiet(slack.app)
    assert await scalar(slack.app, "SELECT count(*) FROM kudos") == 1 + 2
    assert await scalar(slack.app, "SELECT sum(amount_each) FROM kudos") == 1 + 5 + 3


async def test_teams_gets_503_while_every_ack_connection_is_busy(
    teams_pg: TeamsHarness, errors_logged: pytest.LogCaptureFixture
) -> None:
    teams = teams_pg
    await teams_warm_up(teams)  # a give of 1
    text, _ = mention(RAJ)
    sent = activity(teams.connector.url, f"kudos {text} 4 for the demo", mentions=[RAJ])
    before = await read_metrics(teams.http, teams.url)
    async with AsyncExitStack() as stack:
        await hold_every_connection(stack, teams.app.front)
        async with refused(teams, errors_logged, "/api/messages", "unavailable", 1):
            response = await teams.send(sent)
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == "1"
    assert (await teams.send(sent)).status_code == 201
    await teams.connector.wait_for(1)
    await quiet(teams.app)
    assert await scalar(teams.app, "SELECT sum(amount_each) FROM kudos") == 1 + 4
    after = await read_metrics(teams.http, teams.url)
    assert after.get(("kudos_errors_total", "teams", ""), 0) == before.get(
        ("kudos_errors_total", "teams", ""), 0
    )
