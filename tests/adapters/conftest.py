"""A running `kudos serve` app on loopback, with the fake Slack Web API beside it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from bot.bootstrap import App, build
from bot.config import Settings
from bot.web.server import asgi_app
from tests.conftest import FakeClock
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.slack_api import FakeSlack, token_for
from tests.fakes.slack_sender import SIGNING_SECRET, SlackSender


@dataclass
class SlackHarness:
    app: App
    fake: FakeSlack
    slack: SlackSender
    http: httpx.AsyncClient
    url: str


def people(fake: FakeSlack, team: str = "T1") -> None:
    fake.team(team, "Acme" if team == "T1" else team)
    fake.user(team, "UANA", "Ana Lima")
    fake.user(team, "URAJ", "Raj Patel")
    fake.user(team, "UBO", "Bo Chen")
    fake.user(team, "UROBOT", "Deploy Bot", bot=True)
    fake.user(team, "UGONE", "Gone Person", deleted=True)
    fake.user(team, "USLACKBOT", "Slackbot")
    fake.user(team, "UBOSS", "Kim Admin", admin=True)  # Slack lists it as a person; it is a bot


async def serve(app: App, *, start: bool = True) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    """Serve `app` on a free loopback port; `start=False` leaves its background work off (a
    process that acknowledges and dies before doing the work)."""
    if start:
        app.start()
    server = uvicorn.Server(
        uvicorn.Config(asgi_app(app), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    people(fake)
    yield fake
    await fake.stop()


async def running(
    database_url: str, clock: FakeClock, fake: FakeSlack, **env: Any
) -> AsyncIterator[SlackHarness]:
    settings = Settings(
        DATABASE_URL=database_url,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        **env,
    )
    app = await build(settings, clock=clock, migrate=False)
    server, task, url = await serve(app)
    async with httpx.AsyncClient(timeout=30) as http:
        yield SlackHarness(app, fake, SlackSender(http, url, fake), http, url)
    server.should_exit = True
    await task
    await app.close()


@pytest.fixture
async def slack(
    database_url: str, clock: FakeClock, fake_slack: FakeSlack
) -> AsyncIterator[SlackHarness]:
    """One workspace (T1) with a bot token, on both databases."""
    async for harness in running(database_url, clock, fake_slack, SLACK_BOT_TOKEN=token_for("T1")):
        yield harness


@pytest.fixture
async def slack_sqlite(
    sqlite_url: str, clock: FakeClock, fake_slack: FakeSlack
) -> AsyncIterator[SlackHarness]:
    """The same on SQLite alone, for tests about Slack's side rather than the ledger."""
    async for harness in running(sqlite_url, clock, fake_slack, SLACK_BOT_TOKEN=token_for("T1")):
        yield harness


@dataclass
class TeamsHarness:
    app: App
    connector: FakeConnector
    http: httpx.AsyncClient
    url: str

    async def send(self, activity: dict[str, Any], token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post(f"{self.url}/api/messages", json=activity, headers=headers)


async def running_teams(
    database_url: str, clock: FakeClock, **env: Any
) -> AsyncIterator[TeamsHarness]:
    connector = FakeConnector()
    await connector.start()
    app = await build(Settings(DATABASE_URL=database_url, **env), clock=clock, migrate=False)
    server, task, url = await serve(app)
    async with httpx.AsyncClient(timeout=30) as http:
        yield TeamsHarness(app, connector, http, url)
    server.should_exit = True
    await task
    await app.close()
    await connector.stop()


@pytest.fixture
async def teams(database_url: str, clock: FakeClock) -> AsyncIterator[TeamsHarness]:
    """Teams without an app id (the Emulator's mode), on both databases."""
    async for harness in running_teams(database_url, clock):
        yield harness
