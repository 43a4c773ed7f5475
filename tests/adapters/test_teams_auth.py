"""With an app id, Bot Framework tokens are required: anything else is 401 and writes nothing."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest

from bot.bootstrap import build
from bot.config import Settings
from bot.web.server import asgi_app
from tests.adapters.conftest import TeamsHarness, running_teams
from tests.conftest import FakeClock
from tests.fakes.teams_sender import RAJ, activity, mention
from tests.support import snapshot

APP_ID = "00000000-0000-0000-0000-00000000b07"


@pytest.fixture
async def secured(database_url: str, clock: FakeClock) -> AsyncIterator[TeamsHarness]:
    async for harness in running_teams(
        database_url, clock, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-a-real-secret"
    ):
        yield harness


def forged(**claims: object) -> str:
    """A token that looks like Bot Framework's, signed with a key Bot Framework never used."""
    now = int(time.time())
    payload = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": "http://127.0.0.1/",
        "nbf": now - 10,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(payload, "an-attacker-made-up-this-signing-key!!", algorithm="HS256")


@pytest.mark.parametrize(
    "token",
    [None, "garbage", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "forged", "expired"],
)
async def test_requests_without_a_valid_token_are_refused(
    secured: TeamsHarness, token: str | None
) -> None:
    text, _ = mention(RAJ)
    sent = activity(secured.connector.url, f"kudos {text} 5 for sneaking in", mentions=[RAJ])
    if token == "forged":
        token = forged()
    elif token == "expired":
        token = forged(exp=int(time.time()) - 600, nbf=int(time.time()) - 4000)
    before = await snapshot(secured.app)
    response = await secured.send(sent, token)
    assert response.status_code == 401
    assert await snapshot(secured.app) == before
    assert secured.connector.sent == []


async def test_in_production_without_an_app_id_the_teams_endpoint_is_off(sqlite_url: str) -> None:
    settings = Settings(
        DATABASE_URL=sqlite_url,
        KUDOS_ENV="production",
        SLACK_BOT_TOKEN="xoxb-T1-token",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL="http://127.0.0.1:9/api/",
    )
    app = await build(settings, migrate=False)
    try:
        assert app.teams is None
        transport = httpx.ASGITransport(app=asgi_app(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://kudos") as http:
            response = await http.post("/api/messages", json={"type": "message"})
        assert response.status_code == 404
    finally:
        await app.close()
