"""The dashboard's pages through the real app: what members and admins see and may do, and
that every admin action is the service call (and the audit entry) chat makes."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import httpx
import pytest

from bot.domain.model import WorkspaceRef
from bot.services.learning import share_learning
from bot.services.workspaces import open_workspace
from tests.conftest import FakeClock
from tests.dashboard.conftest import Dash, browser, csrf_of, make_admin, post_form, sign_in
from tests.support import WS, give, person, scalar, snapshot

ADMIN_PAGES = (
    "/admin/leaderboards",
    "/admin/kudos",
    "/admin/catalog",
    "/admin/redemptions",
    "/admin/settings",
    "/admin/schedules",
    "/admin/audit",
    "/admin/exports",
    "/admin/exports/kudos.csv",
)
OTHER = WorkspaceRef("console", "globex", "Globex")


def read(page: httpx.Response) -> str:
    """A page's text as a person reads it (entities decoded)."""
    return html.unescape(page.text)


async def audit_actions(dash: Dash) -> list[str]:
    async with dash.app.database.engine.connect() as conn:
        from sqlalchemy import text

        rows = await conn.execute(
            text(
                "SELECT action, actor_id FROM audit_log"
                " WHERE action <> 'dashboard.link' ORDER BY id"
            )
        )
        return [f"{action} by {actor}" for action, actor in rows]


async def test_a_member_cannot_open_or_post_to_any_admin_page(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "bob")
    for path in ADMIN_PAGES:
        page = await dash.client.get(path)
        assert page.status_code == 403, path
        assert "This page is for Kudos admins" in page.text
    me = await dash.client.get("/me")
    before = await snapshot(dash.app)
    for action, data in (
        ("/admin/settings", {"allowance_amount": "999"}),
        ("/admin/catalog/add", {"name": "Yacht", "cost": "1"}),
        ("/admin/redemptions/1/approve", {}),
        ("/admin/schedules/add", {"kind": "weekly_leaderboard", "channel": "C1"}),
    ):
        refused = await dash.client.post(action, data={"csrf": csrf_of(me), **data})
        assert refused.status_code == 403, action
    assert await snapshot(dash.app) == before


async def test_signed_out_people_are_sent_to_sign_in(dash: Dash) -> None:
    for path in ("/", "/me", "/shop", *ADMIN_PAGES):
        page = await dash.client.get(path)
        assert page.status_code == 303 and page.headers["location"] == "/signin", path
    signin = await dash.client.get("/signin")
    assert "kudos dashboard link --workspace" in signin.text
    assert "Sign in with Slack" not in signin.text, "no provider is configured here"


async def test_a_member_sees_their_points_kudos_badges_and_learnings(dash: Dash) -> None:
    await give(dash.app, "carol", "bob", amount=7, tags=("mentoring",), reason="SQL tips")
    await give(dash.app, "bob", "carol", amount=3, reason="the review")
    await sign_in(dash.client, dash.app, "bob")
    page = (await dash.client.get("/me")).text
    assert ">97<" in page and ">7<" in page, "allowance left and points earned"
    assert "renewing <time" in page and "1 Dec 2026" in page
    assert "from Carol: SQL tips" in page and "to Carol: the review" in page
    assert "#mentoring" in page and "First kudos" in page
    assert "Nothing shared yet" in page, "an empty state says what to do"
    await share_learning(dash.app.services, WS, person("bob"), "git bisect", ("git",))
    await share_learning(dash.app.services, WS, person("carol"), "not bob's", ())
    page = (await dash.client.get("/me")).text
    assert 'git bisect <span class="tags"><span class="tag">#git' in page
    assert "not bob's" not in page and "Nothing shared yet" not in page


async def test_dates_are_shown_in_the_workspaces_time_zone(dash: Dash) -> None:
    await give(dash.app, "carol", "bob", amount=2)
    await sign_in(dash.client, dash.app, "ana")
    await post_form(dash.client, "/admin/settings", "/admin/settings", {"timezone": "Asia/Tokyo"})
    page = (await dash.client.get("/admin/kudos")).text
    assert "18 Nov 2026, 21:00 JST" in page, "12:00 UTC is 21:00 in Tokyo"


async def test_nobody_sees_or_touches_another_workspaces_data(dash: Dash) -> None:
    await open_workspace(dash.app.services, OTHER)
    await make_admin(dash.app, "zed", OTHER)
    await give(dash.app, "carol", "bob", amount=4, reason="acme only secret")
    await give(dash.app, "yan", "zed", amount=2, reason="globex thing", workspace=OTHER)
    async with browser(dash.app) as zed:
        await sign_in(zed, dash.app, "zed", OTHER)
        feed = (await zed.get("/admin/kudos")).text
        assert "globex thing" in feed and "acme only secret" not in feed
        board = (await zed.get("/admin/leaderboards?period=all")).text
        assert "Zed" in board and "Bob" not in board
        export = (await zed.get("/admin/exports/kudos.csv")).text
        assert "globex thing" in export and "acme only secret" not in export
    await sign_in(dash.client, dash.app, "ana")
    page = await dash.client.get("/admin/catalog")
    added = await dash.client.post(
        "/admin/catalog/add", data={"csrf": csrf_of(page), "name": "Mug", "cost": "5"}
    )
    assert added.status_code == 303
    async with browser(dash.app) as yan:
        await sign_in(yan, dash.app, "yan", OTHER)
        shop = await yan.get("/shop")
        assert "Mug" not in shop.text and "The shop is empty" in shop.text
        before = await snapshot(dash.app)
        steal = await yan.post(
            "/shop/redeem", data={"csrf": csrf_of(shop), "item": "#1", "key": "k"}
        )
        assert steal.status_code == 303
        assert "The catalog has no item called '#1'" in read(await yan.get("/shop"))
        assert await snapshot(dash.app) == before


async def test_an_admin_decides_redemptions_with_a_reason_for_rejecting(dash: Dash) -> None:
    await give(dash.app, "carol", "bob", amount=20)
    await sign_in(dash.client, dash.app, "ana")
    await post_form(
        dash.client, "/admin/catalog", "/admin/catalog/add", {"name": "Book", "cost": "5"}
    )
    async with browser(dash.app) as bob:
        await sign_in(bob, dash.app, "bob")
        for _ in range(2):
            shop = await bob.get("/shop")
            key = shop.text.split('name="key" value="')[1].split('"')[0]
            await bob.post("/shop/redeem", data={"csrf": csrf_of(shop), "item": "#1", "key": key})
        assert "redeemed Book already" not in (await bob.get("/shop")).text
    queue = await dash.client.get("/admin/redemptions")
    assert queue.text.count('id="redemption-') == 2
    before = await snapshot(dash.app)
    no_reason = await dash.client.post(
        "/admin/redemptions/2/reject", data={"csrf": csrf_of(queue), "reason": "  "}
    )
    assert no_reason.status_code == 303
    assert "reason" in (await dash.client.get("/admin/redemptions")).text.lower()
    assert await snapshot(dash.app) == before
    row = await dash.client.post(
        "/admin/redemptions/1/approve",
        data={"csrf": csrf_of(queue)},
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 200 and row.text.lstrip().startswith('<tr id="redemption-1">')
    assert "fulfilled by Ana" in row.text
    again = await dash.client.post(
        "/admin/redemptions/1/reject",
        data={"csrf": csrf_of(queue), "reason": "late"},
        headers={"HX-Request": "true"},
    )
    assert "already" in again.text
    await dash.client.post(
        "/admin/redemptions/2/reject", data={"csrf": csrf_of(queue), "reason": "Out of budget"}
    )
    async with browser(dash.app) as bob:
        await sign_in(bob, dash.app, "bob")
        shop = (await bob.get("/shop")).text
        assert "fulfilled" in shop and "rejected</span>: Out of budget" in shop
        assert "You have <strong>15</strong> points" in shop, "20 - 5 spent; the rejection refunded"
    actions = await audit_actions(dash)
    assert actions[-2:] == ["redemption.approve by ana", "redemption.reject by ana"]


async def test_a_member_redeems_once_per_click_and_cancels_from_the_page(dash: Dash) -> None:
    await give(dash.app, "carol", "bob", amount=10)
    await sign_in(dash.client, dash.app, "ana")
    await post_form(
        dash.client, "/admin/catalog", "/admin/catalog/add", {"name": "Book", "cost": "4"}
    )
    async with browser(dash.app) as bob:
        await sign_in(bob, dash.app, "bob")
        shop = await bob.get("/shop")
        key = shop.text.split('name="key" value="')[1].split('"')[0]
        form = {"csrf": csrf_of(shop), "item": "#1", "key": key}
        await bob.post("/shop/redeem", data=form)
        await bob.post("/shop/redeem", data=form)  # the same rendered form, clicked twice
        assert await scalar(dash.app, "SELECT COUNT(*) FROM redemptions") == 1
        page = await bob.get("/shop")
        assert "You redeemed Book already" in page.text
        await bob.post("/redemptions/1/cancel", data={"csrf": csrf_of(page)})
        after = (await bob.get("/shop")).text
        assert "cancelled" in after and "You have <strong>10</strong> points" in after


async def test_the_catalog_is_managed_from_the_page_and_imported_from_a_csv(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "ana")
    await post_form(
        dash.client,
        "/admin/catalog",
        "/admin/catalog/add",
        {"name": "Book", "cost": "50", "stock": "3", "approval": "no"},
    )
    page = await dash.client.get("/admin/catalog")
    assert "Book" in page.text and "3 left" in page.text
    edited = await dash.client.post(
        "/admin/catalog/1/edit",
        data={"csrf": csrf_of(page), "name": "Book", "cost": "40", "stock": "", "approval": "no"},
    )
    assert edited.status_code == 303
    assert "unlimited" in (await dash.client.get("/admin/catalog")).text
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerows([["name", "cost", "stock"], ["Mug", "15", "10"], ["Book", "45", ""]])
    imported = await dash.client.post(
        "/admin/catalog/import",
        data={"csrf": csrf_of(page)},
        files={"file": ("rewards.csv", rows.getvalue().encode(), "text/csv")},
    )
    assert imported.status_code == 303
    assert "Imported 1 new and 1 updated items." in (await dash.client.get("/admin/catalog")).text
    before = await snapshot(dash.app)
    bad = await dash.client.post(
        "/admin/catalog/import",
        data={"csrf": csrf_of(page)},
        files={"file": ("rewards.csv", b"name,cost\nHat,10\nCap,lots\n", "text/csv")},
    )
    assert bad.status_code == 303
    assert "Row 3: cost is a whole number" in (await dash.client.get("/admin/catalog")).text
    assert await snapshot(dash.app) == before
    await dash.client.post("/admin/catalog/2/remove", data={"csrf": csrf_of(page)})
    assert "<strong>Mug</strong>" not in (await dash.client.get("/admin/catalog")).text
    assert [a.split()[0] for a in await audit_actions(dash)][-5:] == [
        "catalog.add",
        "catalog.edit",
        "catalog.add",
        "catalog.edit",
        "catalog.remove",
    ]


async def test_settings_change_only_what_changed_and_refuse_bad_values_whole(dash: Dash) -> None:
    await sign_in(dash.client, dash.app, "ana")
    page = await dash.client.get("/admin/settings")
    form = dict(
        (name, value)
        for name, value in re.findall(
            r'name="(\w+)" (?:type="number" min="0" )?value="([^"]*)"', page.text
        )
        if name != "csrf"
    )
    before = await snapshot(dash.app)
    bad = await dash.client.post(
        "/admin/settings",
        data={**form, "csrf": csrf_of(page), "max_amount": "5", "min_amount": "9"},
    )
    assert bad.status_code == 303
    assert "max_amount can't be below min_amount" in read(await dash.client.get("/admin/settings"))
    assert await snapshot(dash.app) == before
    await dash.client.post(
        "/admin/settings", data={**form, "csrf": csrf_of(page), "max_amount": "20"}
    )
    stored = await scalar(
        dash.app, "SELECT details FROM audit_log WHERE action = 'settings.change'"
    )
    details = stored if isinstance(stored, dict) else json.loads(stored)
    assert details == {"max_amount": {"from": 50, "to": 20}}


async def test_scheduled_posts_are_added_listed_and_removed(dash: Dash) -> None:
    slack = WorkspaceRef("slack", "T1", "Acme Slack")
    await open_workspace(dash.app.services, slack)
    await make_admin(dash.app, "U1", slack)
    await sign_in(dash.client, dash.app, "U1", slack)
    await post_form(
        dash.client,
        "/admin/schedules",
        "/admin/schedules/add",
        {"kind": "weekly_leaderboard", "channel": "C123", "day": "thu", "time": "09:30"},
    )
    page = await dash.client.get("/admin/schedules")
    assert "weekly leaderboard, Thu at 09:30" in page.text and "C123" in page.text
    assert "not run yet" in page.text
    await dash.client.post(
        "/admin/schedules/remove",
        data={"csrf": csrf_of(page), "kind": "weekly_leaderboard", "channel": "C123"},
    )
    assert "Nothing is scheduled" in (await dash.client.get("/admin/schedules")).text
    assert [a.split()[0] for a in await audit_actions(dash)][-2:] == [
        "schedule.add",
        "schedule.remove",
    ]


async def test_the_feed_filters_and_pages_through_kudos(dash: Dash, clock: FakeClock) -> None:
    for n in range(30):
        clock.advance(minutes=1)
        tags = ("learning",) if n % 3 == 0 else ()
        await give(
            dash.app, "carol", "bob" if n % 2 else "dan", amount=1, reason=f"thanks {n}", tags=tags
        )
    await sign_in(dash.client, dash.app, "ana")
    first = await dash.client.get("/admin/kudos")
    assert first.text.count("thanks ") == 25 and "thanks 29" in first.text
    older = first.text.split('href="/admin/kudos?older=')[1].split('"')[0]
    second = await dash.client.get(f"/admin/kudos?older={older}")
    assert second.text.count("thanks ") == 5 and "thanks 0" in second.text
    assert "thanks 5 " not in second.text and "thanks 4 " in second.text
    assert 'href="/admin/kudos?older=' not in second.text
    bob = await dash.client.get("/admin/kudos?person=BO")
    assert bob.text.count("thanks ") == 15
    learning = await dash.client.get("/admin/kudos?value=%23learning")
    assert learning.text.count("thanks ") == 10
    none = await dash.client.get("/admin/kudos?person=nobody")
    assert "No kudos match" in none.text
    dated = await dash.client.get("/admin/kudos?since=2026-11-19")
    assert "No kudos match" in dated.text
    typo = await dash.client.get("/admin/kudos?since=yesterday")
    assert "isn't a date like 2026-11-01" in read(typo) and typo.text.count("thanks ") == 25
    broken = await dash.client.get("/admin/kudos?older=not-a-cursor")
    assert broken.status_code == 200 and "That page link is broken" in broken.text
    assert broken.text.count("thanks ") == 25
    clock.advance(days=14)
    await give(dash.app, "carol", "bob", amount=1, reason="thanks late")
    week = await dash.client.get("/admin/kudos?period=week")
    assert week.text.count("thanks ") == 1 and 'value="week" selected' in week.text


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_exports_download_as_the_cli_writes_them(dash: Dash, fmt: str) -> None:
    await give(dash.app, "carol", "bob", amount=3, reason="export me")
    await sign_in(dash.client, dash.app, "ana")
    download = await dash.client.get(f"/admin/exports/kudos.{fmt}")
    assert download.status_code == 200
    assert (
        download.headers["content-disposition"] == f'attachment; filename="kudos-acme-kudos.{fmt}"'
    )
    assert "export me" in download.text
    assert (await dash.client.get("/admin/exports/secrets.csv")).status_code == 404


async def test_the_leaderboard_ranks_a_period_and_a_value(dash: Dash) -> None:
    await give(dash.app, "carol", "bob", amount=9, tags=("learning",))
    await give(dash.app, "carol", "dan", amount=4, tags=("teamwork",))
    await sign_in(dash.client, dash.app, "ana")
    week = (await dash.client.get("/admin/leaderboards")).text
    assert week.index("Bob") < week.index("Dan") and "data-chart=" in week
    learning = (await dash.client.get("/admin/leaderboards?period=month&value=learning")).text
    assert "Bob" in learning and "Dan" not in learning
    last_week = (await dash.client.get("/admin/leaderboards?back=1")).text
    assert "Nobody has received kudos in this period yet" in last_week


async def test_an_unknown_page_says_so(dash: Dash) -> None:
    missing = await dash.client.get("/no/such/page")
    assert missing.status_code == 404 and "There is no such page here." in missing.text
    assert (await dash.client.get("/healthz")).json()["status"] == "ok"
