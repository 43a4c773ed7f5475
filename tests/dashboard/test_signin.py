"""Signing in to the dashboard with a one-time link, and what a session allows."""

from __future__ import annotations

import asyncio
import hashlib

from bot.bootstrap import App
from bot.web.dashboard.core import DashboardConfig
from tests.conftest import FakeClock
from tests.dashboard.conftest import (
    BASE,
    Dash,
    browser,
    csrf_of,
    link_for,
    session_settings,
    sign_in,
)
from tests.support import scalar, snapshot


async def test_a_link_signs_its_person_in_once_and_the_page_knows_them(dash: Dash) -> None:
    signed = await sign_in(dash.client, dash.app, "bob")
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    me = await dash.client.get("/", follow_redirects=True)
    assert me.status_code == 200 and str(me.url) == f"{BASE}/me"
    assert "bob · Acme" in me.text and "points left to give" in me.text
    assert "/admin/settings" not in me.text, "a member's menu has no admin pages"


async def test_a_used_link_is_refused_and_signs_nobody_in(dash: Dash) -> None:
    token = await link_for(dash.app, "bob")
    page = await dash.client.get(f"/signin/link/{token}")
    first = await dash.client.post("/signin/link", data={"token": token, "csrf": csrf_of(page)})
    assert first.status_code == 303
    async with browser(dash.app) as other:
        again = await other.get(f"/signin/link/{token}")
        assert again.status_code == 410 and "expired or was used already" in again.text
        form = await other.get(f"/signin/link/{await link_for(dash.app, 'ana')}")
        before = await snapshot(dash.app)
        replay = await other.post("/signin/link", data={"token": token, "csrf": csrf_of(form)})
        assert replay.status_code == 410 and "expired or was used already" in replay.text
        assert await snapshot(dash.app) == before
        assert (await other.get("/me")).headers["location"] == "/signin"


async def test_an_expired_link_is_refused(dash: Dash, clock: FakeClock) -> None:
    token = await link_for(dash.app, "bob")
    opened = await dash.client.get(f"/signin/link/{token}")
    clock.advance(minutes=10, seconds=1)
    page = await dash.client.get(f"/signin/link/{token}")
    assert page.status_code == 410 and "expired" in page.text
    refused = await dash.client.post("/signin/link", data={"token": token, "csrf": csrf_of(opened)})
    assert refused.status_code == 410
    assert (await dash.client.get("/me")).status_code == 303


async def test_only_a_hash_of_the_link_is_stored_and_its_making_is_audited(dash: Dash) -> None:
    token = await link_for(dash.app, "bob")
    stored = await scalar(dash.app, "SELECT token_hash FROM sign_in_links")
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    action = await scalar(dash.app, "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")
    assert action == "dashboard.link"


async def test_two_people_using_one_link_at_once_sign_in_one_of_them(dash: Dash) -> None:
    token = await link_for(dash.app, "bob")
    clients = [browser(dash.app) for _ in range(4)]
    pages = [await c.get(f"/signin/link/{token}") for c in clients]
    answers = await asyncio.gather(
        *(
            c.post("/signin/link", data={"token": token, "csrf": csrf_of(p)})
            for c, p in zip(clients, pages, strict=True)
        )
    )
    assert sorted(a.status_code for a in answers) == [303, 410, 410, 410]
    for c in clients:
        await c.aclose()


async def test_a_form_without_its_token_or_from_another_site_is_refused(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "ana")
    page = await dash.client.get("/admin/settings")
    before = await snapshot(dash.app)
    change = {"allowance_amount": "55"}
    missing = await dash.client.post("/admin/settings", data=change)
    wrong = await dash.client.post("/admin/settings", data={**change, "csrf": "not-it"})
    elsewhere = await dash.client.post(
        "/admin/settings",
        data={**change, "csrf": csrf_of(page)},
        headers={"Origin": "https://evil.example"},
    )
    for refused in (missing, wrong, elsewhere):
        assert refused.status_code == 403 and "nothing was changed" in refused.text
    assert await snapshot(dash.app) == before
    done = await dash.client.post("/admin/settings", data={**change, "csrf": csrf_of(page)})
    assert done.status_code == 303
    assert '"allowance_amount": 55' in str(
        await scalar(dash.app, "SELECT settings FROM workspaces WHERE external_id = 'acme'")
    ).replace("'", '"')


async def test_a_post_with_no_origin_and_no_referer_is_refused(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "ana")
    page = await dash.client.get("/admin/settings")
    dash.client.headers.pop("Origin")
    refused = await dash.client.post(
        "/admin/settings", data={"allowance_amount": "55", "csrf": csrf_of(page)}
    )
    assert refused.status_code == 403
    referred = await dash.client.post(
        "/admin/settings",
        data={"allowance_amount": "55", "csrf": csrf_of(page)},
        headers={"Referer": f"{BASE}/admin/settings"},
    )
    assert referred.status_code == 303


async def test_signing_out_ends_the_session_and_a_tampered_cookie_is_nobody(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "bob")
    page = await dash.client.get("/me")
    name = "kudos_session"
    cookie = dash.client.cookies[name]
    out = await dash.client.post("/signout", data={"csrf": csrf_of(page)})
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert (await dash.client.get("/me")).headers["location"] == "/signin"
    async with browser(dash.app) as forger:
        payload, _, signature = cookie.rpartition(".")
        forger.cookies.set(name, f"{payload}.{signature[::-1]}")
        assert (await forger.get("/me")).headers["location"] == "/signin"


async def test_a_session_lasts_its_lifetime_and_no_longer(app: App, dash: Dash) -> None:
    config = DashboardConfig(sessions=session_settings(lifetime_seconds=1))
    async with browser(app, config) as client:
        await sign_in(client, app, "bob")
        assert (await client.get("/me")).status_code == 200
        await asyncio.sleep(2.1)
        assert (await client.get("/me")).headers["location"] == "/signin"


async def test_the_cookie_is_httponly_lax_and_secure_over_https_or_in_production(
    app: App, dash: Dash
) -> None:
    async with browser(app, base="https://kudos.test") as client:
        signed = await sign_in(client, app, "bob")
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith("__Host-kudos_session=")
        for attribute in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/"):
            assert attribute in cookie
    production = DashboardConfig(sessions=session_settings(always_secure=True))
    async with browser(app, production) as client:
        page = await client.get("/signin")
        assert "Secure" in page.headers["set-cookie"]
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert page.headers["x-frame-options"] == "DENY"
