"""Several Slack workspaces: installed through OAuth, kept apart in every row."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from tests.adapters.conftest import SlackHarness, people, running
from tests.adapters.slack_helpers import earned, left
from tests.conftest import FakeClock
from tests.fakes.slack_api import FakeSlack, token_for
from tests.support import quiet, scalar, snapshot


@pytest.fixture
async def oauth_slack(
    database_url: str, clock: FakeClock, fake_slack: FakeSlack
) -> AsyncIterator[SlackHarness]:
    async for harness in running(
        database_url,
        clock,
        fake_slack,
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="client-secret",
    ):
        yield harness


async def install(slack: SlackHarness, team: str, name: str) -> None:
    """Walk Slack's OAuth flow as an admin's browser does."""
    slack.fake.installs[f"code-{team}"] = (team, name)
    people(slack.fake, team)
    page = await slack.http.get(f"{slack.url}/slack/install")
    assert page.status_code == 200
    url = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page.text)
    assert url, page.text
    assert "client_id=1111.2222" in url.group(1) and "commands" in url.group(1)
    state = re.search(r"state=([^&\"]+)", url.group(1))
    assert state
    done = await slack.http.get(
        f"{slack.url}/slack/oauth_redirect",
        params={"code": f"code-{team}", "state": state.group(1)},
        # The state cookie is Secure (a browser would be on https); send it back as a browser does.
        headers={"Cookie": page.headers["set-cookie"].split(";", 1)[0]},
    )
    assert done.status_code == 200, done.text


async def test_oauth_install_then_two_workspaces_side_by_side(oauth_slack: SlackHarness) -> None:
    slack = oauth_slack
    await install(slack, "T1", "Acme")
    await install(slack, "T2", "Beta")
    assert await scalar(slack.app, "SELECT count(*) FROM slack_installations") == 2

    await slack.slack.command("<@URAJ> 5 for the Acme launch", user="UANA", team="T1")
    await slack.slack.command("<@URAJ> 7 for the Beta launch", user="UANA", team="T2")
    await slack.fake.wait_for("response_url", 4)
    dms = await slack.fake.wait_for("chat.postMessage", 2)
    assert {(c.token, "Acme" in str(c.params) or "5 points" in str(c.params)) for c in dms} == {
        (token_for("T1"), True),
        (token_for("T2"), False),
    }
    assert (await earned(slack.app, "URAJ", "T1"), await earned(slack.app, "URAJ", "T2")) == (5, 7)
    assert (await left(slack.app, "UANA", "T1"), await left(slack.app, "UANA", "T2")) == (95, 93)
    assert await scalar(slack.app, "SELECT count(*) FROM workspaces WHERE platform='slack'") == 2


async def test_a_workspace_that_never_installed_the_app_is_refused(
    oauth_slack: SlackHarness,
) -> None:
    slack = oauth_slack
    await install(slack, "T1", "Acme")
    people(slack.fake, "T9")
    before = await snapshot(slack.app)
    response = await slack.slack.command("<@URAJ> 5 for sneaking in", user="UANA", team="T9")
    assert response.status_code == 200
    told = await slack.fake.wait_for("response_url", 1)  # the person is told to install the app
    assert "reinstall this app" in told[0].params["text"]
    await slack.fake.settle(0.1)
    assert await snapshot(slack.app) == before


async def test_a_forged_oauth_state_installs_nothing(oauth_slack: SlackHarness) -> None:
    slack = oauth_slack
    slack.fake.installs["code-T2"] = ("T2", "Beta")
    response = await slack.http.get(
        f"{slack.url}/slack/oauth_redirect", params={"code": "code-T2", "state": "forged"}
    )
    assert response.status_code == 400
    assert await scalar(slack.app, "SELECT count(*) FROM slack_installations") == 0
    assert not slack.fake.calls_to("oauth.v2.access")


async def test_a_bot_token_serves_its_own_workspace_only(slack: SlackHarness) -> None:
    await slack.slack.command("help", user="UANA")  # the token's workspace works
    await slack.fake.wait_for("response_url", 1)
    await quiet(slack.app)
    people(slack.fake, "T2")
    before = await snapshot(slack.app)
    response = await slack.slack.command("<@URAJ> 5 for crossing over", user="UANA", team="T2")
    assert "another Slack workspace" in response.text
    _, _ = await slack.slack.message("+5 <@URAJ> crossing over", user="UANA", team="T2")
    await slack.fake.settle(0.2)
    assert await snapshot(slack.app) == before
    assert len(slack.fake.calls_to("response_url")) == 1
