"""Sign in with Slack and with Microsoft Entra ID, through the real callback routes, against a
local OpenID provider: discovery, keys, a signed ID token, and every check on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.bootstrap import build
from bot.config import Settings
from bot.domain.model import WorkspaceRef
from bot.services.workspaces import open_workspace
from bot.web.server import asgi_app
from tests.adapters.conftest import people, running_teams
from tests.adapters.test_teams import say
from tests.conftest import FakeClock
from tests.dashboard.conftest import SECRET
from tests.fakes.oidc_provider import CLIENT_ID, CLIENT_SECRET, FakeOpenIdProvider
from tests.fakes.slack_api import FakeSlack, token_for
from tests.fakes.slack_sender import SIGNING_SECRET
from tests.fakes.teams_sender import ANA, RAJ, TENANT
from tests.support import quiet

SLACK_TEAM = "https://slack.com/team_id"
SLACK_USER = "https://slack.com/user_id"
BASE = "http://kudos.test"


@pytest.fixture
async def provider() -> AsyncIterator[FakeOpenIdProvider]:
    fake = FakeOpenIdProvider()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def slack_dashboard(
    database_url: str, clock: FakeClock, provider: FakeOpenIdProvider
) -> AsyncIterator[httpx.AsyncClient]:
    """`kudos serve` with Slack on (the fake Web API: UBOSS is a workspace admin) and Sign in
    with Slack pointed at the local provider, all from the settings."""
    slack = FakeSlack()
    await slack.start()
    people(slack)
    settings = Settings(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=token_for("T1"),
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url,
        SLACK_SIGNIN_CLIENT_ID=CLIENT_ID,
        SLACK_SIGNIN_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNIN_ISSUER=provider.issuer,
        KUDOS_SESSION_SECRET=SECRET,
    )
    app = await build(settings, clock=clock, migrate=False)
    await open_workspace(app.services, WorkspaceRef("slack", "T1", "Acme"))
    transport = httpx.ASGITransport(app=asgi_app(app))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client
    await app.close()
    await slack.stop()


async def through_provider(client: httpx.AsyncClient, name: str) -> httpx.Response:
    """What a browser does: start at the dashboard, visit the provider, come back."""
    start = await client.get(f"/signin/{name}")
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient() as outside:
        at_provider = await outside.get(start.headers["location"])
    assert at_provider.status_code == 302, at_provider.text
    return await client.get(at_provider.headers["location"])


def slack_user(user: str, team: str = "T1") -> dict[str, Any]:
    return {"sub": user, SLACK_USER: user, SLACK_TEAM: team, "name": user.title()}


async def test_slack_sign_in_maps_to_the_member_and_slacks_own_admins(
    slack_dashboard: httpx.AsyncClient, provider: FakeOpenIdProvider
) -> None:
    provider.user = slack_user("UBOSS")
    signed = await through_provider(slack_dashboard, "slack")
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    board = await slack_dashboard.get("/admin/leaderboards")
    assert board.status_code == 200, "Slack says UBOSS is a workspace admin"
    assert "Kim Admin · Acme · admin" in board.text, "the name Slack's directory gives"
    authorize = dict(provider.requests)["authorize"]
    assert authorize["scope"] == "openid profile" and authorize["nonce"] and authorize["state"]
    assert dict(provider.requests)["token"]["client_secret"] == CLIENT_SECRET


async def test_a_slack_member_who_is_no_admin_sees_their_own_pages_only(
    slack_dashboard: httpx.AsyncClient, provider: FakeOpenIdProvider
) -> None:
    provider.user = slack_user("UANA")
    await through_provider(slack_dashboard, "slack")
    assert (await slack_dashboard.get("/me")).status_code == 200
    assert (await slack_dashboard.get("/admin/settings")).status_code == 403


@pytest.mark.parametrize(
    "broken",
    [
        {"tamper": {"aud": "some-other-app"}},
        {"tamper": {"nonce": "a-stale-nonce"}},
        {"tamper": {"iss": "https://slack.example"}},
        {"tamper": {"exp": 1_000_000}},
        {"sign_with_unknown_key": True},
    ],
    ids=["audience", "nonce", "issuer", "expired", "signature"],
)
async def test_an_id_token_failing_any_check_signs_nobody_in(
    slack_dashboard: httpx.AsyncClient, provider: FakeOpenIdProvider, broken: dict[str, Any]
) -> None:
    provider.user = slack_user("UBOSS")
    for name, value in broken.items():
        setattr(provider, name, value)
    refused = await through_provider(slack_dashboard, "slack")
    assert refused.status_code == 400 and "could not be verified" in refused.text
    assert (await slack_dashboard.get("/me")).headers["location"] == "/signin"


async def test_a_callback_without_the_sign_in_it_answers_is_refused(
    slack_dashboard: httpx.AsyncClient, provider: FakeOpenIdProvider
) -> None:
    provider.user = slack_user("UBOSS")
    start = await slack_dashboard.get("/signin/slack")
    async with httpx.AsyncClient() as outside:
        back = (await outside.get(start.headers["location"])).headers["location"]
    slack_dashboard.cookies.clear()  # another browser: the state is not its own
    forged = await slack_dashboard.get(back)
    assert forged.status_code == 400
    assert (await slack_dashboard.get("/me")).headers["location"] == "/signin"


async def test_a_slack_workspace_kudos_does_not_serve_is_refused_in_a_sentence(
    slack_dashboard: httpx.AsyncClient, provider: FakeOpenIdProvider
) -> None:
    provider.user = slack_user("UANA", team="T9")
    refused = await through_provider(slack_dashboard, "slack")
    assert refused.status_code == 403
    assert "Kudos isn't set up in that Slack workspace" in refused.text.replace("&#39;", "'")


async def test_entra_sign_in_finds_the_teams_member_by_the_object_id_teams_sent(
    sqlite_url: str, clock: FakeClock
) -> None:
    provider = FakeOpenIdProvider(tenant_template=True)
    await provider.start()
    env = {
        "ENTRA_SIGNIN_CLIENT_ID": CLIENT_ID,
        "ENTRA_SIGNIN_CLIENT_SECRET": CLIENT_SECRET,
        "ENTRA_SIGNIN_ISSUER": provider.issuer,
        "KUDOS_SESSION_SECRET": SECRET,
    }
    async for teams in running_teams(sqlite_url, clock, **env):
        await teams.send(say(teams, "kudos {} 5 for the review", RAJ))  # from Ana: aad-ana
        await quiet(teams.app)
        async with httpx.AsyncClient(base_url=teams.url) as client:
            provider.user = {"sub": "pairwise-ana", "tid": TENANT, "oid": ANA["aadObjectId"]}
            signed = await through_provider(client, "entra")
            assert signed.status_code == 303, signed.text
            me = await client.get("/me")
            assert "Ana Lima · " in me.text and "to Raj Patel" in me.text
            authorize = dict(provider.requests)["authorize"]
            assert authorize["code_challenge_method"] == "S256"
            assert dict(provider.requests)["token"]["code_verifier"]
            client.cookies.clear()
            provider.user = {"sub": "x", "tid": TENANT, "oid": "aad-never-seen"}
            unknown = await through_provider(client, "entra")
            assert unknown.status_code == 403
            assert "doesn't know your Teams account yet" in unknown.text.replace("&#39;", "'")
            provider.user = {"sub": "y", "tid": TENANT, "oid": ANA["aadObjectId"]}
            provider.tamper = {"iss": f"{provider.base}/another-tenant/v2.0"}
            wrong_issuer = await through_provider(client, "entra")
            assert wrong_issuer.status_code == 400
            assert (await client.get("/me", follow_redirects=False)).status_code == 303
    await provider.stop()
