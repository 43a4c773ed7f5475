"""The API-token and webhook pages through the real app: an admin makes, lists and revokes
tokens and webhooks with the same service calls and audit entries as the CLI; what is secret is
shown once; the API honours what the page made; members and forged forms change nothing."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from bot.domain.model import WorkspaceRef
from bot.services.webhooks import add_webhook
from bot.services.workspaces import open_workspace
from tests.dashboard.conftest import Dash, browser, csrf_of, make_admin, sign_in
from tests.support import OPERATOR, WS, configure, give, scalar, snapshot

TOKEN = re.compile(r'value="(kudos_[a-z2-7]{8}_[A-Za-z0-9_-]{43})"')
SECRET = re.compile(r'value="(whsec_[A-Za-z0-9_-]+)"')
OTHER = WorkspaceRef("console", "globex", "Globex")


def read(page: httpx.Response) -> str:
    return html.unescape(page.text)


async def audit(dash: Dash, prefix: str) -> list[tuple[str, str, str]]:
    async with dash.app.database.engine.connect() as conn:
        from sqlalchemy import text

        rows = await conn.execute(
            text(
                "SELECT action, actor_id, target FROM audit_log"
                " WHERE action LIKE :prefix ORDER BY id"
            ),
            {"prefix": f"{prefix}.%"},
        )
        return [tuple(row) for row in rows]


async def test_an_admin_makes_a_token_sees_it_once_and_revokes_it(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "ana")
    empty = await dash.client.get("/admin/tokens")
    assert "No API tokens yet. Create one below" in empty.text
    made = await dash.client.post(
        "/admin/tokens",
        data={"csrf": csrf_of(empty), "name": "HR  dashboard", "scope": "read", "expires": "30d"},
    )
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    assert made.headers["hx-push-url"] == "/admin/tokens"
    token = TOKEN.search(made.text)
    assert token, "the token is on the page that answers the form"
    assert "this is the only time it is shown" in made.text
    assert "until 18 Dec 2026" in made.text, "30 days from the (fake) clock's 18 Nov"
    prefix = token.group(1)[len("kudos_") :][:8]
    again = await dash.client.get("/admin/tokens")
    assert token.group(1) not in again.text, "shown once: never on the list"
    assert f"kudos_{prefix}" in again.text and "HR dashboard" in again.text
    assert "status-active" in again.text
    async with browser(dash.app) as system:
        auth = {"Authorization": f"Bearer {token.group(1)}"}
        assert (await system.get("/api/v1/kudos", headers=auth)).status_code == 200
        write = await system.post("/api/v1/catalog", headers=auth, json={"name": "X", "cost": 1})
        assert write.status_code == 403, "read scope, as chosen on the page"
        await dash.client.post(f"/admin/tokens/{prefix}/revoke", data={"csrf": csrf_of(again)})
        listed = await dash.client.get("/admin/tokens")
        assert f"Revoked kudos_{prefix} (HR dashboard)." in listed.text
        assert (
            "status-revoked" in listed.text and f"/admin/tokens/{prefix}/revoke" not in listed.text
        )
        refused = await system.get("/api/v1/kudos", headers=auth)
        assert refused.status_code == 401 and "revoked" in refused.json()["error"]
    assert await audit(dash, "api_token") == [
        ("api_token.create", "ana", f"kudos_{prefix}"),
        ("api_token.revoke", "ana", f"kudos_{prefix}"),
    ]


async def test_a_token_form_with_a_bad_value_says_so_and_writes_nothing(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "ana")
    page = await dash.client.get("/admin/tokens")
    before = await snapshot(dash.app)
    for data, says in (
        ({"scope": "root", "expires": "30d"}, "A token's scope is read or admin, not 'root'."),
        ({"scope": "read", "expires": "99y"}, "Say how long the token lasts like 90d"),
        ({"scope": "read", "name": "x" * 101}, "Keep the token's name under 100 characters."),
    ):
        refused = await dash.client.post("/admin/tokens", data={"csrf": csrf_of(page), **data})
        assert refused.status_code == 303, data
        assert says in read(await dash.client.get("/admin/tokens")), data
    unknown = await dash.client.post("/admin/tokens/abcd2345/revoke", data={"csrf": csrf_of(page)})
    assert unknown.status_code == 303
    assert "There is no API token 'abcd2345' here" in read(await dash.client.get("/admin/tokens"))
    assert await snapshot(dash.app) == before


async def test_an_admin_adds_a_webhook_sees_its_deliveries_and_removes_it(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "ana")
    empty = await dash.client.get("/admin/webhooks")
    assert "No webhooks yet. Add one below" in empty.text
    assert "Nothing has been sent yet" in empty.text
    added = await dash.client.post(
        "/admin/webhooks",
        data={
            "csrf": csrf_of(empty),
            "url": " https://hr.example.com/kudos ",
            "events": ["kudos.given", "badge.awarded"],
        },
    )
    assert added.status_code == 200 and added.headers["cache-control"] == "no-store"
    secret = SECRET.search(added.text)
    assert secret and "Webhook #1 added" in added.text
    stored = await scalar(dash.app, "SELECT secret FROM webhooks WHERE id = 1")
    assert stored == secret.group(1), "the secret the deliveries are signed with"
    await configure(dash.app, timezone="Asia/Tokyo")
    await give(dash.app, "carol", "bob", amount=3)
    page = await dash.client.get("/admin/webhooks")
    shown = re.findall(r'<time datetime="([^"]+)">([^<]+, [^<]+)</time>', page.text)
    assert shown, "the delivery's time"
    for moment, text in shown:
        local = datetime.fromisoformat(moment).astimezone(ZoneInfo("Asia/Tokyo"))
        assert text == f"{local.day} {local:%b %Y, %H:%M} JST", "in the workspace's zone"
    assert secret.group(1) not in page.text, "shown once"
    assert "https://hr.example.com/kudos" in page.text
    assert "kudos.given, badge.awarded" in page.text
    row = page.text.split("Recent deliveries")[1]
    assert "kudos.given" in row and "status-pending" in row and "not sent yet" in row
    failing = await dash.client.get("/admin/webhooks?failed=true")
    assert "No delivery is failing" in failing.text
    await dash.client.post("/admin/webhooks/1/remove", data={"csrf": csrf_of(page)})
    after = await dash.client.get("/admin/webhooks")
    assert "Removed webhook #1 (https://hr.example.com/kudos)." in after.text
    assert "No webhooks yet" in after.text
    assert await audit(dash, "webhook") == [
        ("webhook.add", "ana", "webhook 1"),
        ("webhook.remove", "ana", "webhook 1"),
    ]


async def test_a_webhook_form_with_a_bad_value_says_so_and_writes_nothing(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "ana")
    page = await dash.client.get("/admin/webhooks")
    before = await snapshot(dash.app)
    for data, says in (
        ({"url": "ftp://x.example", "events": "kudos.given"}, "A webhook is an http:// or"),
        ({"url": "https://x.example"}, "Webhook events are kudos.given"),
        ({"url": "https://x.example", "events": "kudos.stolen"}, "kudos.stolen is not one"),
    ):
        refused = await dash.client.post("/admin/webhooks", data={"csrf": csrf_of(page), **data})
        assert refused.status_code == 303, data
        assert says in read(await dash.client.get("/admin/webhooks")), data
    await dash.client.post("/admin/webhooks/7/remove", data={"csrf": csrf_of(page)})
    assert "There is no webhook #7 here" in read(await dash.client.get("/admin/webhooks"))
    assert await snapshot(dash.app) == before


async def test_members_and_forged_forms_change_nothing(dash: Dash) -> None:
    await add_webhook(dash.app.services, WS, OPERATOR, "https://hr.example.com/k", "kudos.given")
    await sign_in(dash.client, dash.app, "bob")
    me = await dash.client.get("/me")
    for path in ("/admin/tokens", "/admin/webhooks", "/admin/webhooks?failed=true"):
        page = await dash.client.get(path)
        assert page.status_code == 403 and "This page is for Kudos admins" in page.text, path
    async with browser(dash.app) as ana:
        await sign_in(ana, dash.app, "ana")
        await forged_and_members_posts(dash, me, ana)


async def forged_and_members_posts(dash: Dash, me: httpx.Response, ana: httpx.AsyncClient) -> None:
    before = await snapshot(dash.app)
    posts = (
        ("/admin/tokens", {"scope": "admin", "expires": "30d"}),
        ("/admin/tokens/abcd2345/revoke", {}),
        ("/admin/webhooks", {"url": "https://evil.example", "events": "kudos.given"}),
        ("/admin/webhooks/1/remove", {}),
    )
    for action, data in posts:
        refused = await dash.client.post(action, data={"csrf": csrf_of(me), **data})
        assert refused.status_code == 403, action
    for action, data in posts:
        forged = await ana.post(action, data=data)  # an admin's session, no CSRF token
        assert forged.status_code == 403 and "Form refused" in forged.text, action
        wrong = await ana.post(action, data={"csrf": "guessed", **data})
        assert wrong.status_code == 403, action
    assert await snapshot(dash.app) == before


async def test_another_workspaces_tokens_and_webhooks_stay_out_of_sight(dash: Dash) -> None:
    await open_workspace(dash.app.services, OTHER)
    await make_admin(dash.app, "zed", OTHER)
    await add_webhook(dash.app.services, WS, OPERATOR, "https://acme.example/k", "kudos.given")
    await give(dash.app, "carol", "bob", amount=1)
    async with browser(dash.app) as zed:
        await sign_in(zed, dash.app, "zed", OTHER)
        page = await zed.get("/admin/webhooks")
        assert "acme.example" not in page.text and "No webhooks yet" in page.text
        before = await snapshot(dash.app)
        await zed.post("/admin/webhooks/1/remove", data={"csrf": csrf_of(page)})
        assert "There is no webhook #1 here" in read(await zed.get("/admin/webhooks"))
        assert await snapshot(dash.app) == before
