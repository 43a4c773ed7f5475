"""Safe defaults around the Teams endpoint: replies that cannot be delivered fail within seconds
in one log line, and an unauthenticated endpoint keeps `kudos serve` on this machine."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from bot.adapters.teams.app import TeamsConfig
from bot.bootstrap import App, build
from bot.config import Settings
from bot.web.server import choose_host
from tests.adapters.conftest import TeamsHarness, serve
from tests.conftest import FakeClock
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.teams_sender import RAJ, activity, mention


@asynccontextmanager
async def emulator_teams(
    sqlite_url: str, clock: FakeClock, **config: Any
) -> AsyncIterator[TeamsHarness]:
    """`kudos serve` without an app id (the Emulator's mode), Teams configured with `config`."""
    connector = FakeConnector()
    await connector.start()
    app = await build(
        Settings(DATABASE_URL=sqlite_url),
        clock=clock,
        migrate=False,
        teams_config=TeamsConfig(**config),
    )
    server, task, url = await serve(app)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            yield TeamsHarness(app, connector, http, url)
    finally:
        server.should_exit = True
        await task
        await app.close()
        await connector.stop()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kudos_to_raj(service_url: str) -> dict[str, Any]:
    text, _ = mention(RAJ)
    return activity(service_url, f"kudos {text} 5 for the review", mentions=[RAJ])


def problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


async def first_failure(app: App, within: float = 5.0) -> tuple[str, int, str]:
    """The first outbox row whose sending failed: (state, attempts, error)."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        async with app.database.engine.connect() as conn:
            row = (
                await conn.exec_driver_sql(
                    "SELECT state, attempts, error FROM outbox WHERE error IS NOT NULL"
                )
            ).first()
        if row is not None:
            return str(row[0]), int(row[1]), str(row[2])
        await asyncio.sleep(0.01)
    raise TimeoutError("no reply failed")


async def failed_reply(
    teams: TeamsHarness, service_url: str
) -> tuple[float, httpx.Response, tuple[str, int, str]]:
    started = time.perf_counter()
    response = await teams.send(kudos_to_raj(service_url))
    failure = await first_failure(teams.app)
    return time.perf_counter() - started, response, failure


@pytest.mark.alone  # within 2 s
async def test_a_reply_to_an_unreachable_service_url_fails_at_once_in_one_log_line(
    sqlite_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    service_url = f"http://127.0.0.1:{closed_port()}/"
    async with emulator_teams(sqlite_url, clock) as teams:
        took, response, (state, attempts, error) = await failed_reply(teams, service_url)
    assert response.status_code == 201
    assert took < 2, f"took {took:.1f} s"
    reason = f"Teams reply to {service_url} failed: Connection refused"
    assert (state, attempts, error) == ("pending", 1, reason)  # tried again later
    [line] = problems(caplog)
    assert line.exc_info is None and line.getMessage().startswith(reason)
    assert "Traceback" not in caplog.text


async def test_a_reply_to_a_connector_that_does_not_answer_times_out(
    sqlite_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with emulator_teams(sqlite_url, clock, connector_timeout=(0.5, 0.5)) as teams:
        teams.connector.delay = 5
        took, response, (_, _, error) = await failed_reply(teams, teams.connector.url)
    assert response.status_code == 201
    assert took < 2, f"took {took:.1f} s: the connector call was retried or not timed out"
    assert error == f"Teams reply to {teams.connector.url} failed: timed out"
    [line] = problems(caplog)
    assert line.getMessage().startswith(error)


async def test_a_connector_error_status_is_one_log_line(
    sqlite_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with emulator_teams(sqlite_url, clock) as teams:
        teams.connector.status = 503
        took, response, (state, _, error) = await failed_reply(teams, teams.connector.url)
    assert response.status_code == 201
    assert took < 2, f"took {took:.1f} s: the connector call was retried"
    assert state == "pending"
    assert error == f"Teams reply to {teams.connector.url} failed: the connector answered HTTP 503"
    [line] = problems(caplog)
    assert line.getMessage().startswith(error)


ONLY_SLACK: list[str] = []
OPEN_TEAMS = ["POST /api/messages (Teams without MICROSOFT_APP_ID)"]


@pytest.mark.parametrize(
    ("requested", "unauthenticated", "host", "exposed"),
    [
        (None, ONLY_SLACK, "0.0.0.0", False),
        (None, OPEN_TEAMS, "127.0.0.1", False),
        ("0.0.0.0", OPEN_TEAMS, "0.0.0.0", True),
        ("::", OPEN_TEAMS, "::", True),
        ("192.0.2.7", OPEN_TEAMS, "192.0.2.7", True),
        ("localhost", OPEN_TEAMS, "localhost", False),
        ("::1", OPEN_TEAMS, "::1", False),
        ("0.0.0.0", ONLY_SLACK, "0.0.0.0", False),
        ("127.0.0.1", ONLY_SLACK, "127.0.0.1", False),
    ],
)
def test_kudos_serve_stays_on_this_machine_while_an_endpoint_is_unauthenticated(
    requested: str | None, unauthenticated: list[str], host: str, exposed: bool
) -> None:
    binding = choose_host(requested, unauthenticated)
    assert (binding.host, binding.exposed) == (host, exposed)
    if unauthenticated and requested is None:
        assert "POST /api/messages" in binding.note and "HOST" in binding.note
