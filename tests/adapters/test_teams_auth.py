"""With an app id, Bot Framework tokens are required: anything else is 401 and writes nothing.
Signing keys come from a local server playing login.botframework.com; fetching them never
blocks the event loop, and a flood of tokens naming unknown keys fetches at most once."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest
from botframework.connector.auth import MicrosoftAppCredentials

from bot.adapters.teams.app import TeamsConfig
from bot.adapters.teams.connector import BOT_FRAMEWORK_SERVICE_HOSTS, ServiceUrlHosts
from bot.adapters.teams.tokens import KeyPolicy
from bot.bootstrap import build
from bot.config import Settings
from bot.web.server import asgi_app
from tests.adapters.conftest import TeamsHarness, serve
from tests.conftest import FakeClock
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.bot_keys import FakeBotKeys
from tests.fakes.teams_sender import RAJ, activity, mention
from tests.support import snapshot

APP_ID = "00000000-0000-0000-0000-00000000b07"


class _IssuedToken(MicrosoftAppCredentials):
    """The bot's own outgoing token, as login.microsoftonline.com would issue it."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "bot-outgoing-token"


@asynccontextmanager
async def secured_teams(
    database_url: str, clock: FakeClock, keys: FakeBotKeys, **config: Any
) -> AsyncIterator[TeamsHarness]:
    """`kudos serve` with an app id, its signing keys at `keys`, replies to a local connector."""
    connector = FakeConnector()
    await connector.start()
    app = await build(
        Settings(DATABASE_URL=database_url),
        clock=clock,
        migrate=False,
        teams_config=TeamsConfig(
            app_id=APP_ID,
            app_password="secret",
            open_id_metadata=keys.metadata_url,
            app_credentials=_IssuedToken(APP_ID, "secret"),
            **{"service_url_hosts": ("127.0.0.1",), **config},
        ),
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


@pytest.fixture
def keys() -> Iterator[FakeBotKeys]:
    fake = FakeBotKeys(APP_ID)
    yield fake
    fake.stop()


def kudos_to_raj(connector: FakeConnector, why: str = "the review") -> dict[str, Any]:
    text, _ = mention(RAJ)
    return activity(connector.url, f"kudos {text} 5 for {why}", mentions=[RAJ])


def balance(connector: FakeConnector) -> dict[str, Any]:
    return activity(connector.url, "balance", channel=False)


def forged(service_url: str, **claims: object) -> str:
    """A token that looks like Bot Framework's, signed with a key Bot Framework never used."""
    now = int(time.time())
    payload = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 10,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(payload, "an-attacker-made-up-this-signing-key!!", algorithm="HS256")


def bad_token(kind: str, keys: FakeBotKeys, service_url: str) -> str | None:
    now = int(time.time())
    return {
        "none": None,
        "garbage": "garbage",
        "unsigned": "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.",
        "forged": forged(service_url),
        "other issuer": keys.token(service_url, iss="https://sts.windows.net/attacker/"),
        "expired": keys.token(service_url, exp=now - 600, nbf=now - 4000),
        "another bot": keys.token(service_url, aud="another-app"),
        "other serviceurl": keys.token("https://smba.trafficmanager.net/amer/"),
        "unknown key": keys.token(service_url, key_id="never-published"),
    }[kind]


CHEAP = ["none", "garbage", "unsigned", "forged", "other issuer"]
"""Refused before any signing key is needed."""
SIGNED = ["expired", "another bot", "other serviceurl", "unknown key"]


@pytest.mark.parametrize("kind", CHEAP + SIGNED)
async def test_requests_without_a_valid_token_are_refused(
    database_url: str, clock: FakeClock, keys: FakeBotKeys, kind: str
) -> None:
    async with secured_teams(database_url, clock, keys) as teams:
        before = await snapshot(teams.app)
        response = await teams.send(
            kudos_to_raj(teams.connector), bad_token(kind, keys, teams.connector.url)
        )
        assert response.status_code == 401
        assert await snapshot(teams.app) == before
        assert teams.connector.sent == []
        if kind in CHEAP:
            assert sum(keys.requests.values()) == 0, "a malformed token never fetches keys"


async def test_a_correctly_signed_token_is_accepted(
    sqlite_url: str, clock: FakeClock, keys: FakeBotKeys
) -> None:
    async with secured_teams(sqlite_url, clock, keys) as teams:
        accepted = await teams.send(kudos_to_raj(teams.connector), keys.token(teams.connector.url))
        assert accepted.status_code == 201, accepted.text
        reply = (await teams.connector.wait_for(1))[0]
        assert reply.card is not None and reply.authorization == "Bearer bot-outgoing-token"


async def test_a_key_set_that_arrives_in_pieces_is_read_whole(
    sqlite_url: str, clock: FakeClock, keys: FakeBotKeys
) -> None:
    keys.publish("key-0", "key-1", "key-2")
    keys.piecemeal = True
    async with secured_teams(sqlite_url, clock, keys) as teams:
        answer = await teams.send(balance(teams.connector), keys.token(teams.connector.url))
        assert answer.status_code == 201


async def test_a_key_not_endorsed_for_the_channel_is_refused(
    sqlite_url: str, clock: FakeClock, keys: FakeBotKeys
) -> None:
    keys.publish("key-1", endorsements=("webchat",))
    async with secured_teams(sqlite_url, clock, keys) as teams:
        before = await snapshot(teams.app)
        response = await teams.send(kudos_to_raj(teams.connector), keys.token(teams.connector.url))
        assert response.status_code == 403
        assert await snapshot(teams.app) == before
        assert teams.connector.sent == []


async def test_a_burst_naming_an_unknown_key_fetches_the_keys_at_most_once(
    sqlite_url: str, clock: FakeClock, keys: FakeBotKeys
) -> None:
    keys.delay = 0.3  # every request of the burst arrives while the first fetch is under way
    # An interval long enough that two bursts fit in it on a busy machine or beside other
    # xdist workers.
    policy = KeyPolicy(unknown_key_interval=5.0)
    async with secured_teams(sqlite_url, clock, keys, signing_keys=policy) as teams:
        url = teams.connector.url

        async def burst(key_id: str) -> list[int]:
            token = keys.token(url, key_id=key_id)
            sent = [teams.send(balance(teams.connector), token) for _ in range(50)]
            return [r.status_code for r in await asyncio.gather(*sent)]

        assert await burst("made-up") == [401] * 50
        assert keys.key_set_fetches == 1
        assert await burst("made-up-too") == [401] * 50
        assert keys.key_set_fetches == 1, "no second fetch within the interval"
        await asyncio.sleep(5.1)
        keys.publish("key-1", "key-2")  # a new key Bot Framework starts signing with
        assert await burst("key-2") == [201] * 50
        assert keys.key_set_fetches == 2, "one fetch for the whole burst after the interval"


def _probe(url: str, stop: threading.Event, latencies: list[float]) -> None:
    """Ask `url` every 0.1 s from a thread of its own (so a blocked event loop shows) until
    `stop`, noting how long each answer took."""
    while not stop.is_set():
        asked = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as answer:
            assert answer.status == 200
        latencies.append(time.perf_counter() - asked)
        stop.wait(0.1)


@pytest.mark.alone  # /healthz within 0.5 s
async def test_the_event_loop_keeps_answering_while_the_key_server_is_slow(
    sqlite_url: str, clock: FakeClock, keys: FakeBotKeys
) -> None:
    keys.delay = 2.0  # for the metadata document and again for the key set
    async with secured_teams(sqlite_url, clock, keys) as teams:
        stop, health = threading.Event(), list[float]()
        probe = threading.Thread(target=_probe, args=(f"{teams.url}/healthz", stop, health))
        probe.start()
        started = time.perf_counter()
        try:
            answer = await teams.send(balance(teams.connector), keys.token(teams.connector.url))
        finally:
            stop.set()
            await asyncio.to_thread(probe.join)
        assert answer.status_code == 201
        assert time.perf_counter() - started >= 4.0, "the request did wait for the keys"
        assert len(health) >= 20
        assert max(health) < 0.5, f"/healthz stalled for {max(health):.2f} s"


async def test_keys_are_refreshed_in_the_background_and_a_rotation_is_picked_up(
    sqlite_url: str, clock: FakeClock, keys: FakeBotKeys
) -> None:
    # a token naming an unknown key cannot fetch for 300 s: only the background refresh can
    policy = KeyPolicy(refresh_every=0.5, unknown_key_interval=300)
    async with secured_teams(sqlite_url, clock, keys, signing_keys=policy) as teams:
        url = teams.connector.url
        assert (await teams.send(balance(teams.connector), keys.token(url))).status_code == 201
        assert keys.key_set_fetches == 1
        keys.publish("key-2")  # key-1 retired
        for _ in range(100):
            if keys.key_set_fetches >= 2:
                break
            await asyncio.sleep(0.05)
        assert keys.key_set_fetches >= 2, "refreshed with no request asking"
        rotated = await teams.send(balance(teams.connector), keys.token(url, key_id="key-2"))
        assert rotated.status_code == 201
        retired = await teams.send(balance(teams.connector), keys.token(url, key_id="key-1"))
        assert retired.status_code == 401


async def test_while_the_key_server_fails_requests_wait_for_a_retry_not_each_fetch(
    sqlite_url: str, clock: FakeClock, keys: FakeBotKeys
) -> None:
    keys.failing = True
    policy = KeyPolicy(retry_after_failure=0.5)
    async with secured_teams(sqlite_url, clock, keys, signing_keys=policy) as teams:
        url = teams.connector.url
        before = await snapshot(teams.app)
        for _ in range(10):
            response = await teams.send(kudos_to_raj(teams.connector), keys.token(url))
            assert response.status_code == 503
        assert sum(keys.requests.values()) == 1
        assert await snapshot(teams.app) == before
        keys.failing = False
        await asyncio.sleep(0.6)
        assert (await teams.send(balance(teams.connector), keys.token(url))).status_code == 201


async def test_in_production_without_an_app_id_the_teams_endpoint_is_off(sqlite_url: str) -> None:
    settings = Settings(
        DATABASE_URL=sqlite_url,
        KUDOS_ENV="production",
        SLACK_BOT_TOKEN="xoxb-T1-token",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL="http://127.0.0.1:9/api/",
        KUDOS_SESSION_SECRET="a-session-secret-of-at-least-32-characters",
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


async def test_an_activity_for_a_service_url_off_bot_framework_is_refused_and_writes_nothing(
    database_url: str, clock: FakeClock, keys: FakeBotKeys
) -> None:
    elsewhere = "https://collector.attacker.example/"
    async with secured_teams(
        database_url, clock, keys, service_url_hosts=BOT_FRAMEWORK_SERVICE_HOSTS
    ) as teams:
        before = await snapshot(teams.app)
        sent = {**kudos_to_raj(teams.connector), "serviceUrl": elsewhere}
        response = await teams.send(sent, keys.token(elsewhere))
        assert response.status_code == 403
        assert response.json() == {"error": "serviceUrl is not a Bot Framework host"}
        assert await snapshot(teams.app) == before
        assert teams.connector.sent == []


@pytest.mark.parametrize(
    ("service_url", "allowed"),
    [
        ("https://smba.trafficmanager.net/amer/", True),
        ("https://smba.trafficmanager.net/teams/", True),
        ("https://SMBA.trafficmanager.net./emea/", True),
        ("https://smba.infra.gcc.teams.microsoft.com/gcc/", True),
        ("https://webchat.botframework.com/", True),
        ("https://europe.directline.botframework.com/", True),
        ("http://smba.trafficmanager.net/amer/", False),
        ("https://botframework.com/", False),
        ("https://evilbotframework.com/", False),
        ("https://webchat.botframework.com.attacker.example/", False),
        ("https://smba.trafficmanager.net@attacker.example/", False),
        ("https://attacker.example/smba.trafficmanager.net/", False),
        ("https://smba.trafficmanager.net:99999/", False),
        ("https://smba.infra.gov.teams.microsoft.us/", False),
        ("http://127.0.0.1:3978/", False),
        ("not a url", False),
        ("", False),
    ],
)
def test_only_bot_framework_hosts_are_allowed_by_default(service_url: str, allowed: bool) -> None:
    assert ServiceUrlHosts().allows(service_url) is allowed


async def test_other_clouds_list_their_own_service_url_hosts(sqlite_url: str) -> None:
    settings = Settings(
        DATABASE_URL=sqlite_url,
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="secret",
        TEAMS_SERVICE_URL_HOSTS="smba.infra.gov.teams.microsoft.us, *.botframework.azure.us",
    )
    app = await build(settings, migrate=False)
    try:
        assert app.teams is not None
        allows = app.teams.service_urls.allows
        assert allows("https://smba.infra.gov.teams.microsoft.us/")
        assert allows("https://webchat.botframework.azure.us/")
        assert not allows("https://smba.trafficmanager.net/amer/")
    finally:
        await app.close()
