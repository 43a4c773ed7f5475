"""Privacy on the dashboard: an admin's leaderboard still names a member who left the public
ones (marked private), and after forgetting, the admin pages show only the pseudonym."""

from __future__ import annotations

import html

from bot.services.learning import share_learning
from bot.services.privacy import forget_member, set_public
from tests.dashboard.conftest import Dash, sign_in
from tests.support import OPERATOR, WS, give, person


async def test_the_admin_leaderboard_names_a_private_member_marked_private(dash: Dash) -> None:
    await give(dash.app, "carol", "bob", amount=9)
    await give(dash.app, "carol", "dan", amount=4)
    await set_public(dash.app.services, WS, person("bob"), False)
    await sign_in(dash.client, dash.app, "ana")
    page = html.unescape((await dash.client.get("/admin/leaderboards")).text)
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    marked = {
        name: ">private</span>" in row for row in rows for name in ("Bob", "Dan") if name in row
    }
    assert marked == {"Bob": True, "Dan": False}


async def test_after_forgetting_the_admin_pages_show_the_pseudonym(dash: Dash) -> None:
    await give(dash.app, "bob", "carol", amount=3, reason="bob wrote this")
    await give(dash.app, "carol", "bob", amount=2, reason="carol wrote this")
    await share_learning(dash.app.services, WS, person("bob"), "bob learned this", ())
    done = await forget_member(dash.app.services, WS, OPERATOR, "bob")
    await sign_in(dash.client, dash.app, "ana")
    seen = ""
    for path in (
        "/admin/kudos",
        "/admin/leaderboards?period=all",
        "/admin/audit",
        "/admin/exports/kudos.csv",
        "/admin/exports/learnings.csv",
    ):
        answer = await dash.client.get(path)
        assert answer.status_code == 200, path
        seen += html.unescape(answer.text)
    assert "Bob" not in seen and "bob wrote this" not in seen and "bob learned this" not in seen
    assert done.pseudonym in seen and "carol wrote this" in seen
