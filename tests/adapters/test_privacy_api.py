"""Privacy through the JSON API: its leaderboards leave out members who left the public ones
(the member list says who they are, for integrations to respect), and after forgetting,
every list shows the pseudonym and nothing of the person."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App
from bot.services.learning import share_learning
from bot.services.privacy import forget_member, set_public
from bot.web.server import asgi_app
from tests.adapters.test_api import Client, client_for, token
from tests.support import OPERATOR, WS, give, person


@pytest.fixture
async def api(app: App) -> AsyncIterator[Client]:
    async with client_for(asgi_app(app)) as http:
        yield Client(http)


async def test_the_api_leaderboard_leaves_out_who_left_the_public_ones(
    app: App, api: Client
) -> None:
    await give(app, "ana", "raj", amount=9)
    await give(app, "ana", "bo", amount=3)
    await set_public(app.services, WS, person("raj"), False)
    tok = await token(app, "read")
    board = (await api.call("GET", "/leaderboards?period=week", tok)).json()
    assert [(r["rank"], r["member"]["id"]) for r in board["rows"]] == [(1, "bo")]
    members = {
        m["id"]: m["public"] for m in (await api.call("GET", "/members", tok)).json()["items"]
    }
    assert members == {"ana": True, "raj": False, "bo": True}
    assert (await api.call("GET", "/members/raj", tok)).json()["public"] is False


async def test_after_forgetting_the_api_shows_only_the_pseudonym(app: App, api: Client) -> None:
    await give(app, "raj", "ana", amount=4, reason="raj wrote this")
    await give(app, "ana", "raj", amount=2, reason="ana wrote this")
    await share_learning(app.services, WS, person("raj"), "raj learned this", ("git",))
    tok = await token(app, "admin")
    done = await forget_member(app.services, WS, OPERATOR, "raj")
    everything = ""
    for path in ("/members", "/kudos", "/learnings", "/leaderboards?period=all", "/audit"):
        answer = await api.call("GET", path, tok)
        assert answer.status_code == 200, (path, answer.text)
        everything += answer.text
    assert '"raj"' not in everything and "Raj" not in everything
    assert "raj wrote this" not in everything and "raj learned this" not in everything
    assert "ana wrote this" in everything and done.pseudonym in everything
    assert (await api.call("GET", "/members/raj", tok)).status_code == 404
