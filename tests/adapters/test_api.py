"""The JSON API's rules: every token rule refuses with the right status and one sentence and
writes nothing; admin writes are the same service calls and audit entries as in chat; lists
page from a stable cursor; nothing a caller can send makes it answer 5xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.bootstrap import App
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.api_tokens import create_api_token, revoke_api_token
from bot.services.catalog import add_item
from bot.services.rewards import adjust_points, redeem
from bot.services.workspaces import open_workspace
from bot.web.api import Api
from bot.web.app import create_app
from bot.web.server import asgi_app
from tests.conftest import FakeClock
from tests.support import OPERATOR, WS, give, person, scalar, snapshot

OTHER = WorkspaceRef("console", "globex", "Globex")


class Client:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.http.request(method, f"/api/v1{path}", headers=headers, **kwargs)


def client_for(asgi: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(asgi), base_url="http://kudos")


@pytest.fixture
async def api(app: App) -> AsyncIterator[Client]:
    async with client_for(asgi_app(app)) as http:
        yield Client(http)


async def token(app: App, scope: str = "admin", workspace: WorkspaceRef = WS, **kw: Any) -> str:
    lifetime = kw.pop("lifetime", timedelta(days=30))
    await open_workspace(app.services, workspace)
    _, text = await create_api_token(app.services, workspace, OPERATOR, scope, lifetime, **kw)
    return text


async def pending_redemption(app: App, workspace: WorkspaceRef = WS) -> int:
    await add_item(app.services, workspace, OPERATOR, {"name": "Book", "cost": "5"})
    await adjust_points(app.services, workspace, OPERATOR, person("bo"), 20, "prize", "adj-1")
    redeemed = await redeem(app.services, workspace, MemberRef("bo", "Bo"), "Book", "red-1")
    return redeemed.redemption.id


WRITES = [
    ("POST", "/catalog", {"json": {"name": "Mug", "cost": 10}}),
    ("PATCH", "/settings", {"json": {"max_amount": 20}}),
    ("DELETE", "/catalog/1", {}),
]


async def assert_refused(
    app: App,
    api: Client,
    status: int,
    code: str,
    method: str,
    path: str,
    tok: str | None,
    **kw: Any,
) -> httpx.Response:
    before = await snapshot(app)
    answer = await api.call(method, path, tok, **kw)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert not code or body["code"] == code
    assert body["error"].endswith(".") and "\n" not in body["error"]
    assert await snapshot(app) == before
    return answer


async def test_no_token_is_refused_and_nothing_is_written(app: App, api: Client) -> None:
    await give(app, "ana", "raj")
    for method, path, kw in [("GET", "/kudos", {}), *WRITES]:
        answer = await assert_refused(app, api, 401, "unauthorized", method, path, None, **kw)
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert "kudos api-token create" in answer.json()["error"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nonsense",
        "Bearer ",
        "Basic YW5hOnNlY3JldA==",
        "Bearer kudos_abcd2345_short",
        "Bearer kudos_ABCD2345_" + "x" * 43,
    ],
)
async def test_a_malformed_token_is_refused(app: App, api: Client, header: str) -> None:
    await give(app, "ana", "raj")
    for method, path, kw in [("GET", "/kudos", {}), *WRITES]:
        answer = await assert_refused(
            app,
            api,
            401,
            "unauthorized",
            method,
            path,
            None,
            headers={"Authorization": header},
            **kw,
        )
        assert "isn't a Kudos API token" in answer.json()["error"]


async def test_an_unknown_token_is_refused(app: App, api: Client) -> None:
    real = await token(app)
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    unknown_prefix = "kudos_zzzzzzzz_" + real.rsplit("_", 1)[1][-43:].rjust(43, "A")
    for fake in (forged, unknown_prefix):
        for method, path, kw in [("GET", "/kudos", {}), *WRITES]:
            answer = await assert_refused(app, api, 401, "unauthorized", method, path, fake, **kw)
            assert "isn't one I know" in answer.json()["error"]


async def test_a_read_token_reads_and_cannot_write(app: App, api: Client) -> None:
    await give(app, "ana", "raj", amount=3)
    redemption = await pending_redemption(app)
    reader = await token(app, "read")
    listed = await api.call("GET", "/kudos", reader)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    writes = [
        *WRITES,
        ("POST", f"/redemptions/{redemption}/approve", {}),
        ("POST", f"/redemptions/{redemption}/reject", {"json": {"reason": "budget"}}),
        ("POST", "/schedules", {"json": {"kind": "weekly_leaderboard", "channel": "C1"}}),
        ("GET", "/audit", {}),
        ("GET", "/exports/kudos", {}),
    ]
    for method, path, kw in writes:
        answer = await assert_refused(app, api, 403, "forbidden", method, path, reader, **kw)
        assert "admin scope" in answer.json()["error"]


async def test_a_token_acts_only_in_its_own_workspace(app: App, api: Client) -> None:
    await give(app, "ana", "raj", amount=3, reason="only in acme")
    redemption = await pending_redemption(app)
    await give(app, "zed", "yan", amount=1, workspace=OTHER)
    outsider = await token(app, "admin", workspace=OTHER)
    kudos = (await api.call("GET", "/kudos", outsider)).json()["items"]
    assert [k["giver"]["id"] for k in kudos] == ["zed"]
    members = (await api.call("GET", "/members", outsider)).json()["items"]
    assert {m["id"] for m in members} == {"zed", "yan"}
    assert (await api.call("GET", "/members/ana", outsider)).status_code == 404
    for method, path, kw in [
        ("POST", f"/redemptions/{redemption}/approve", {}),
        ("POST", f"/redemptions/{redemption}/reject", {"json": {"reason": "no"}}),
        ("PATCH", "/catalog/1", {"json": {"cost": 1}}),
        ("DELETE", "/catalog/1", {}),
    ]:
        await assert_refused(app, api, 404, "not_found", method, path, outsider, **kw)


async def test_an_expired_token_is_refused(app: App, api: Client, clock: FakeClock) -> None:
    short = await token(app, "admin", lifetime=timedelta(hours=1))
    assert (await api.call("GET", "/kudos", short)).status_code == 200
    clock.advance(hours=1)
    for method, path, kw in [("GET", "/kudos", {}), *WRITES]:
        answer = await assert_refused(app, api, 401, "unauthorized", method, path, short, **kw)
        assert "expired" in answer.json()["error"]


async def test_a_revoked_token_is_refused(app: App, api: Client) -> None:
    revoked = await token(app, "admin", name="old dashboard")
    assert (await api.call("GET", "/kudos", revoked)).status_code == 200
    await revoke_api_token(app.services, WS, OPERATOR, revoked.split("_")[1])
    for method, path, kw in [("GET", "/kudos", {}), *WRITES]:
        answer = await assert_refused(app, api, 401, "unauthorized", method, path, revoked, **kw)
        assert "revoked" in answer.json()["error"]
    actions = await scalar(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.revoke'")
    assert actions == 1


async def test_past_the_rate_limit_a_token_waits(app: App) -> None:
    async def ping() -> None:
        return None

    limited = create_app(ping, api=Api(app.services, rate=0.5, burst=2))
    tok, other = await token(app), await token(app)
    async with client_for(limited) as http:
        api = Client(http)
        assert (await api.call("GET", "/kudos", tok)).status_code == 200
        assert (await api.call("GET", "/kudos", tok)).status_code == 200
        for method, path, kw in [("GET", "/kudos", {}), *WRITES]:
            answer = await assert_refused(app, api, 429, "rate_limited", method, path, tok, **kw)
            assert 1 <= int(answer.headers["Retry-After"]) <= 2
        assert (await api.call("GET", "/kudos", other)).status_code == 200  # its own bucket


async def test_an_admin_write_is_the_service_call_and_audit_entry_chat_makes(
    app: App, api: Client
) -> None:
    redemption = await pending_redemption(app)
    admin = await token(app, "admin", name="HR system")
    prefix = admin.split("_")[1]
    added = await api.call("POST", "/catalog", admin, json={"name": "Mug", "cost": 10, "stock": 3})
    assert added.status_code == 201, added.text
    assert added.json() | {"id": 0} == {
        "id": 0,
        "name": "Mug",
        "description": "",
        "cost": 10,
        "stock": 3,
        "needs_approval": True,
        "active": True,
    }
    item = added.json()["id"]
    changed = await api.call("PATCH", f"/catalog/{item}", admin, json={"stock": None})
    assert changed.json()["stock"] is None
    taken = await api.call("POST", "/catalog", admin, json={"name": "mug", "cost": 1})
    assert taken.status_code == 409 and "already has an item" in taken.json()["error"]
    rejected = await api.call(
        "POST", f"/redemptions/{redemption}/reject", admin, json={"reason": "budget spent"}
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "budget spent"
    again = await api.call("POST", f"/redemptions/{redemption}/approve", admin)
    assert again.status_code == 409 and "already rejected" in again.json()["error"]
    assert (await api.call("DELETE", f"/catalog/{item}", admin)).status_code == 204
    settings = await api.call(
        "PATCH", "/settings", admin, json={"max_amount": 20, "values": ["learning"]}
    )
    assert settings.json()["max_amount"] == 20 and settings.json()["values"] == ["learning"]
    audit = (await api.call("GET", "/audit", admin)).json()["items"]
    assert [(e["action"], e["actor_id"], e["actor"]) for e in audit[:5]] == [
        ("settings.change", f"api:kudos_{prefix}", "HR system (API)"),
        ("catalog.remove", f"api:kudos_{prefix}", "HR system (API)"),
        ("redemption.reject", f"api:kudos_{prefix}", "HR system (API)"),
        ("catalog.edit", f"api:kudos_{prefix}", "HR system (API)"),
        ("catalog.add", f"api:kudos_{prefix}", "HR system (API)"),
    ]
    assert await scalar(app, "SELECT status FROM redemptions") == "rejected"


async def test_kudos_pages_follow_a_cursor_that_new_kudos_do_not_disturb(
    app: App, api: Client, clock: FakeClock
) -> None:
    for n in range(5):
        await give(app, "ana", "raj", amount=1, reason=f"k{n}", tags=("learning",) if n % 2 else ())
        clock.advance(seconds=1)
    reader = await token(app, "read")
    first = (await api.call("GET", "/kudos", reader, params={"limit": 2})).json()
    assert [k["reason"] for k in first["items"]] == ["k4", "k3"]
    await give(app, "raj", "ana", amount=1, reason="newer")
    second = (
        await api.call("GET", "/kudos", reader, params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert [k["reason"] for k in second["items"]] == ["k2", "k1"]
    last = (
        await api.call(
            "GET", "/kudos", reader, params={"limit": 2, "cursor": second["next_cursor"]}
        )
    ).json()
    assert [k["reason"] for k in last["items"]] == ["k0"] and last["next_cursor"] is None
    learning = (await api.call("GET", "/kudos", reader, params={"value": "#learning"})).json()
    assert [k["reason"] for k in learning["items"]] == ["k3", "k1"]
    by_raj = (await api.call("GET", "/kudos", reader, params={"giver": "raj"})).json()
    assert [k["reason"] for k in by_raj["items"]] == ["newer"]
    await give(app, "bo", "ana", amount=1, reason="not raj's")
    raj = (await api.call("GET", "/kudos", reader, params={"person": "raj", "limit": 4})).json()
    rest = (
        await api.call(
            "GET", "/kudos", reader, params={"person": "raj", "cursor": raj["next_cursor"]}
        )
    ).json()
    assert [k["reason"] for k in raj["items"] + rest["items"]] == [
        "newer",
        "k4",
        "k3",
        "k2",
        "k1",
        "k0",
    ]
    to_ana = (await api.call("GET", "/kudos", reader, params={"recipient": "ana"})).json()
    assert [k["reason"] for k in to_ana["items"]] == ["not raj's", "newer"]
    nobody = (await api.call("GET", "/kudos", reader, params={"person": "nobody"})).json()
    assert nobody == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("method", "path", "kw", "status"),
    [
        ("GET", "/kudos", {"params": {"cursor": "not-a-cursor"}}, 422),
        ("GET", "/kudos", {"params": {"cursor": "WyJtIiwxLG51bGxd"}}, 422),  # a members cursor
        ("GET", "/kudos", {"params": {"limit": 10**30}}, 422),
        ("GET", "/kudos", {"params": {"limit": 0}}, 422),
        ("GET", "/kudos", {"params": {"since": "2026-02-30"}}, 422),
        ("GET", "/kudos", {"params": {"since": "yesterday"}}, 422),
        ("GET", "/kudos", {"params": {"since": "9999-12-31T23:59:59-23:59"}}, 422),
        ("GET", "/kudos", {"params": {"channel": "a\x00b"}}, 422),
        ("GET", "/members/nobody", {}, 404),
        ("PATCH", "/catalog/999999", {"json": {"cost": 5}}, 404),
        ("PATCH", "/catalog/99999999999999999999", {"json": {"cost": 5}}, 422),
        ("POST", "/redemptions/424242/approve", {}, 404),
        (
            "POST",
            "/catalog",
            {"content": "name=Mug", "headers": {"Content-Type": "text/plain"}},
            415,
        ),
        (
            "POST",
            "/catalog",
            {"content": "{", "headers": {"Content-Type": "application/json"}},
            422,
        ),
        ("POST", "/catalog", {"json": {"name": "Mug", "cost": 10, "colour": "red"}}, 422),
        ("POST", "/catalog", {"json": {"name": "Mug", "cost": 10**12}}, 422),
        ("POST", "/catalog", {"json": ["Mug"]}, 422),
        ("POST", "/catalog", {"json": {"name": "M\x00ug", "cost": 1}}, 422),
        ("POST", "/catalog", {"json": {"name": "x" * 70_000, "cost": 1}}, 413),
        ("PATCH", "/settings", {"json": {"timezone": "Mars/Olympus"}}, 422),
        ("PATCH", "/settings", {"json": {"min_amount": 9, "max_amount": 3}}, 422),
        ("POST", "/schedules", {"json": {"kind": "weekly_leaderboard", "channel": "C1"}}, 422),
        ("GET", "/exports/everything", {}, 422),
        ("PUT", "/kudos", {}, 405),
        ("GET", "/nowhere", {}, 404),
    ],
)
async def test_what_a_caller_sends_is_refused_in_a_sentence(
    app: App, api: Client, method: str, path: str, kw: dict[str, Any], status: int
) -> None:
    await give(app, "ana", "raj")
    admin = await token(app)
    answer = await assert_refused(app, api, status, api_code(status), method, path, admin, **kw)
    assert answer.headers["content-type"].startswith("application/json")


def api_code(status: int) -> str:
    return {
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        415: "unsupported_media_type",
    }.get(status, "")
