"""The dashboard in a real browser: Debian's chromium, driven by Playwright, against a real
`kudos serve` on loopback. Few tests, each a journey a person makes; axe-core checks every page
for serious accessibility problems, at a phone's width and a desk's."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from bot.bootstrap import App
from bot.services.catalog import add_item
from bot.services.schedules import add_schedule
from bot.services.workspaces import open_workspace
from tests.adapters.conftest import serve
from tests.dashboard.conftest import link_for, make_admin
from tests.support import OPERATOR, WS, give, snapshot

CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
PHONE = {"width": 375, "height": 740}
DESK = {"width": 1280, "height": 900}
KUDOS = str(Path(sys.executable).parent / "kudos")
PAGES = (
    "/me",
    "/shop",
    "/admin/leaderboards",
    "/admin/kudos",
    "/admin/redemptions",
    "/admin/catalog",
    "/admin/schedules",
    "/admin/settings",
    "/admin/audit",
    "/admin/exports",
    "/admin/tokens",
    "/admin/webhooks",
    "/admin/webhooks?failed=true",
    "/signin",
)


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    assert HAVE_CHROMIUM, "Debian's chromium is needed: apt-get install -y chromium"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def site(sqlite_app: App) -> AsyncIterator[str]:
    """`kudos serve` on loopback: Acme with an admin (ana), members, kudos, a reward."""
    await open_workspace(sqlite_app.services, WS)
    await make_admin(sqlite_app, "ana")
    await give(sqlite_app, "carol", "bob", amount=12, tags=("learning",), reason="SQL tips")
    await give(sqlite_app, "bob", "carol", amount=3, reason="the review")
    fields = {"name": "Book voucher", "cost": "5", "description": "Any book"}
    await add_item(sqlite_app.services, WS, OPERATOR, fields)
    server, task, url = await serve(sqlite_app)
    yield url
    server.should_exit = True
    await task


async def signed_in(browser: Browser, app: App, url: str, user: str, **options: Any) -> Page:
    """A new browser window, signed in through a one-time link the way a person is."""
    context = await browser.new_context(**({"viewport": DESK} | options))
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(f"{url}/signin/link/{await link_for(app, user)}")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{url}/me")
    return page


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    await page.evaluate(AXE)  # the way devtools runs it: the page's own CSP still holds
    found = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in found
        if v["impact"] in {"serious", "critical"}
    ]


async def test_sign_in_by_link_then_the_members_page_at_a_phones_width(
    chromium: Browser, sqlite_app: App, site: str
) -> None:
    page = await signed_in(chromium, sqlite_app, site, "bob", viewport=PHONE)
    assert await page.title() == "My kudos · Kudos"
    body = await page.inner_text("main")
    assert "97\npoints left to give" in body, "100, less the 3 Bob gave Carol"
    assert "12\npoints earned" in body and "12 points from Carol: SQL tips" in body
    width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "nothing scrolls sideways on a phone"
    await page.reload()
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"
    assert page.errors == []  # type: ignore[attr-defined]


async def test_an_admin_approves_and_the_member_sees_it(
    chromium: Browser, sqlite_app: App, site: str
) -> None:
    bob = await signed_in(chromium, sqlite_app, site, "bob")
    await bob.goto(f"{site}/shop")
    await bob.get_by_role("button", name="Redeem Book voucher for 5 points").click()
    await bob.get_by_text("an admin will approve it").wait_for()
    ana = await signed_in(chromium, sqlite_app, site, "ana")
    await ana.goto(f"{site}/admin/redemptions")
    await ana.get_by_role("button", name="Approve Book voucher for Bob").click()
    await ana.locator("#redemption-1").get_by_text("fulfilled by Ana").wait_for()
    assert ana.url == f"{site}/admin/redemptions", "decided in place (htmx), no page load"
    await bob.reload()
    row = bob.get_by_role("row").filter(has_text="Book voucher").last
    assert "fulfilled" in await row.inner_text() and "by Ana" in await row.inner_text()
    assert ana.errors == [] and bob.errors == []  # type: ignore[attr-defined]


async def test_an_admin_edits_a_setting_and_the_cli_sees_it_with_an_audit_entry(
    chromium: Browser, sqlite_app: App, site: str, sqlite_url: str
) -> None:
    ana = await signed_in(chromium, sqlite_app, site, "ana")
    await ana.goto(f"{site}/admin/settings")
    await ana.get_by_label("Allowance").first.fill("150")
    await ana.get_by_role("button", name="Save settings").click()
    await ana.get_by_text("Saved: Allowance.").wait_for()
    env = {**os.environ, "DATABASE_URL": sqlite_url}
    shown = await asyncio.to_thread(
        subprocess.run,
        [KUDOS, "settings", "show", "--workspace", "acme", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(shown.stdout)["allowance_amount"] == 150
    await ana.goto(f"{site}/admin/audit")
    first = ana.get_by_role("row").nth(1)
    assert "settings.change" in await first.inner_text()
    assert '"from": 100, "to": 150' in await first.inner_text()


async def test_every_page_passes_axe_and_fits_a_phone(
    chromium: Browser, sqlite_app: App, site: str
) -> None:
    slack_free = await add_schedule(
        sqlite_app.services, WS, "learning_shoutouts", "learning", actor=OPERATOR
    )
    assert slack_free.channel == "learning"
    ana = await signed_in(chromium, sqlite_app, site, "ana")
    problems: dict[str, Any] = {}
    for viewport in (DESK, PHONE):
        await ana.set_viewport_size(viewport)
        for path in PAGES:
            await ana.goto(f"{site}{path}")
            found = await serious_violations(ana)
            if found:
                problems[f"{path} at {viewport['width']}px"] = found
            scroll, inner = await ana.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                problems[f"{path} at {viewport['width']}px scrolls sideways"] = (scroll, inner)
    assert problems == {}
    chart = ana.locator("canvas[data-chart]")
    await ana.goto(f"{site}/admin/leaderboards?period=all")
    assert await chart.get_attribute("data-drawn") == "1", "the chart library drew the chart"
    assert ana.errors == []  # type: ignore[attr-defined]


async def by_keyboard(page: Page, label: str, *keys: str) -> None:
    """Reach a field the way a keyboard user does (focus moves there), then press `keys`."""
    await page.get_by_label(label, exact=True).focus()
    for key in keys:
        await page.keyboard.press(key)


async def test_an_admin_makes_and_revokes_a_token_with_the_keyboard_alone(
    chromium: Browser, sqlite_app: App, site: str
) -> None:
    ana = await signed_in(chromium, sqlite_app, site, "ana", viewport=PHONE)
    await ana.goto(f"{site}/admin/tokens")
    await ana.get_by_text("No API tokens yet").wait_for()
    await by_keyboard(ana, "Name what it is for, e.g. HR dashboard")
    await ana.keyboard.type("BI export")
    await ana.keyboard.press("Tab")  # to Scope
    assert await ana.evaluate("document.activeElement.id") == "token-scope"
    await ana.keyboard.press("Tab")  # to Lasts
    await ana.keyboard.press("Tab")  # to the button
    assert await ana.evaluate("document.activeElement.textContent") == "Create token"
    await ana.keyboard.press("Enter")
    await ana.get_by_role("heading", name="Your new token: BI export").wait_for()
    secret = ana.get_by_role("textbox", name="Token", exact=True)
    await secret.wait_for()
    assert ana.url == f"{site}/admin/tokens", "the address a reload reads, not the form's post"
    token = await secret.input_value()
    assert token.startswith("kudos_") and len(token) == 58
    await secret.focus()
    chosen = await ana.evaluate(
        "[document.activeElement.selectionStart, document.activeElement.selectionEnd]"
    )
    assert chosen == [0, len(token)], "focus selects the whole token, ready to copy"
    assert await serious_violations(ana) == []
    scroll, inner = await ana.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll <= inner, "the token page fits a phone"
    prefix = token[6:14]
    revoke = ana.get_by_role("button", name=f"Revoke kudos_{prefix} (BI export)")
    await revoke.focus()
    await ana.keyboard.press("Enter")
    await ana.get_by_text(f"Revoked kudos_{prefix} (BI export).").wait_for()
    assert token not in await ana.content(), "shown once: gone after the next page"
    row = ana.get_by_role("row").filter(has_text=f"kudos_{prefix}")
    assert "revoked" in await row.inner_text()
    assert ana.errors == []  # type: ignore[attr-defined]


async def test_an_admin_adds_a_webhook_sees_a_delivery_and_removes_it(
    chromium: Browser, sqlite_app: App, site: str
) -> None:
    ana = await signed_in(chromium, sqlite_app, site, "ana")
    await ana.goto(f"{site}/admin/webhooks")
    await ana.get_by_label("URL").fill("https://hr.example.com/kudos")
    await ana.get_by_label("kudos.reversed").check()
    await ana.get_by_role("button", name="Add webhook").click()
    await ana.get_by_role("heading", name="Webhook #1 added").wait_for()
    secret = ana.get_by_role("textbox", name="Signing secret")
    await secret.wait_for()
    assert (await secret.input_value()).startswith("whsec_")
    assert await serious_violations(ana) == []
    await give(sqlite_app, "carol", "bob", amount=2, reason="for the webhook")
    await ana.reload()
    deliveries = ana.get_by_role("row").filter(has_text="kudos.given").filter(has_text="#1")
    await deliveries.first.wait_for()
    listed = ana.get_by_role("row").filter(has_text="https://hr.example.com/kudos").first
    assert "kudos.given, kudos.reversed" in await listed.inner_text()
    await ana.get_by_role("button", name="Remove webhook #1 (https://hr.example.com/kudos)").click()
    await ana.get_by_text("Removed webhook #1 (https://hr.example.com/kudos).").wait_for()
    await ana.get_by_text("No webhooks yet").wait_for()
    assert ana.errors == []  # type: ignore[attr-defined]


async def test_a_member_is_refused_and_a_form_without_its_token_writes_nothing(
    chromium: Browser, sqlite_app: App, site: str
) -> None:
    bob = await signed_in(chromium, sqlite_app, site, "bob")
    for path in ("/admin/tokens", "/admin/webhooks"):
        answer = await bob.goto(f"{site}{path}")
        assert answer is not None and answer.status == 403, path
        assert "This page is for Kudos admins" in await bob.inner_text("main")
        assert await bob.get_by_role("link", name="Webhooks").count() == 0, "no admin links"
        assert await serious_violations(bob) == []
    await bob.get_by_role("link", name="Back to My kudos").click()
    await bob.wait_for_url(f"{site}/me")
    ana = await signed_in(chromium, sqlite_app, site, "ana")
    await ana.goto(f"{site}/admin/tokens")
    before = await snapshot(sqlite_app)
    for action, fields in (
        ("/admin/tokens", {"name": "forged", "scope": "admin", "expires": "365d"}),
        ("/admin/webhooks", {"url": "https://evil.example/", "events": "kudos.given"}),
        ("/admin/webhooks/1/remove", {}),
    ):
        for form in (fields, {**fields, "csrf": "not-the-sessions"}):
            posted = await ana.evaluate(
                """async ([action, fields]) => {
                    const body = new URLSearchParams(fields);
                    const answer = await fetch(action, {method: "POST", body});
                    return [answer.status, await answer.text()];
                }""",
                [action, form],
            )
            assert posted[0] == 403 and "Form refused" in posted[1], (action, form)
    await bob.goto(f"{site}/me")
    bob_token = await bob.evaluate(
        "document.querySelector('input[name=csrf]').value"
    )  # a member's own valid token does not make them an admin
    posted = await bob.evaluate(
        """async (csrf) => (await fetch("/admin/tokens", {method: "POST",
            body: new URLSearchParams({csrf, scope: "admin", expires: "30d"})})).status""",
        bob_token,
    )
    assert posted == 403
    assert await snapshot(sqlite_app) == before
