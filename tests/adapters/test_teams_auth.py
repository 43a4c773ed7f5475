"""With an app id, Bot Framework tokens are required: anything else is 401 and writes nothing."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from botframework.connector.auth import ChannelValidation, MicrosoftAppCredentials
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.adapters.teams.app import TeamsConfig
from bot.bootstrap import build
from bot.config import Settings
from bot.web.server import asgi_app
from tests.adapters.conftest import TeamsHarness, running_teams, serve
from tests.conftest import FakeClock
from tests.fakes.bot_connector import FakeConnector
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


class _OpenIdServer:
    """Plays Bot Framework's token-signing metadata (login.botframework.com), in a thread:
    botframework-connector fetches it with blocking `requests`."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()

        def b64(n: int) -> str:
            raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        jwk = {
            "kty": "RSA",
            "use": "sig",
            "kid": "test-key",
            "n": b64(numbers.n),
            "e": b64(numbers.e),
            "endorsements": ["msteams"],
        }
        documents: dict[str, bytes] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = documents.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body or b"{}")

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.metadata_url = f"{base}/v1/.well-known/openidconfiguration"
        documents["/v1/.well-known/openidconfiguration"] = json.dumps(
            {
                "issuer": "https://api.botframework.com",
                "jwks_uri": f"{base}/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        ).encode()
        documents["/keys"] = json.dumps({"keys": [jwk]}).encode()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, service_url: str, audience: str = APP_ID) -> str:
        now = int(time.time())
        claims = {
            "iss": "https://api.botframework.com",
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 10,
            "exp": now + 3600,
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "test-key"})


class _IssuedToken(MicrosoftAppCredentials):
    """The bot's own outgoing token, as login.microsoftonline.com would issue it."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "bot-outgoing-token"


async def test_a_correctly_signed_token_is_accepted_and_one_for_another_bot_is_not(
    sqlite_url: str, clock: FakeClock
) -> None:
    keys = _OpenIdServer()
    connector = FakeConnector()
    await connector.start()
    app = await build(
        Settings(DATABASE_URL=sqlite_url),
        clock=clock,
        migrate=False,
        teams_config=TeamsConfig(
            app_id=APP_ID,
            app_password="secret",
            open_id_metadata=keys.metadata_url,
            app_credentials=_IssuedToken(APP_ID, "secret"),
        ),
    )
    server, task, url = await serve(app)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            text, _ = mention(RAJ)
            sent = activity(connector.url, f"kudos {text} 5 for the review", mentions=[RAJ])
            wrong_bot = await http.post(
                f"{url}/api/messages",
                json=sent,
                headers={"Authorization": f"Bearer {keys.token(connector.url, 'another-app')}"},
            )
            assert wrong_bot.status_code == 401
            accepted = await http.post(
                f"{url}/api/messages",
                json=sent,
                headers={"Authorization": f"Bearer {keys.token(connector.url)}"},
            )
            assert accepted.status_code == 201, accepted.text
        reply = (await connector.wait_for(1))[0]
        assert reply.card is not None and reply.authorization == "Bearer bot-outgoing-token"
    finally:
        server.should_exit = True
        await task
        await app.close()
        await connector.stop()
        keys.server.shutdown()
        ChannelValidation.open_id_metadata_endpoint = None  # the SDK keeps it process-wide
