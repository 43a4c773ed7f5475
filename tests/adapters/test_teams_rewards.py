"""Rewards in Teams: the shop card's Redeem buttons, approval cards sent to the admins on the
admin list, and the member told of the decision, all through the real Bot Framework endpoint."""

from __future__ import annotations

import json
import uuid
from typing import Any

from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import change_admins
from bot.services.catalog import add_item
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance
from bot.services.rewards import adjust_points
from tests.adapters.conftest import TeamsHarness
from tests.fakes.bot_connector import Sent
from tests.fakes.teams_sender import ANA, BO, RAJ, TENANT, activity
from tests.support import OPERATOR, scalar, snapshot, worst_case_catalog

WS = WorkspaceRef("teams", TENANT)


async def earned(h: TeamsHarness, who: dict[str, Any]) -> int:
    shown = await show_balance(h.app.services, WS, MemberRef(who["id"]), newcomer_ok=True)
    return shown.earned


def submits(card: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The data of every Action.Submit on a card, wherever it sits."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def personal(h: TeamsHarness, who: dict[str, Any], text: str = "", **kw: Any) -> None:
    await h.send(activity(h.connector.url, text, sender=who, channel=False, **kw))


async def next_sent(h: TeamsHarness, count: int) -> list[Sent]:
    return await h.connector.wait_for(count)


async def ana_admin_raj_30_points_and_a_book(h: TeamsHarness) -> None:
    await change_admins(h.app.services, WS, OPERATOR, True, MemberRef(ANA["id"], "Ana Lima"))
    await adjust_points(
        h.app.services, WS, OPERATOR, MemberRef(RAJ["id"]), 30, "seed", uuid.uuid4().hex
    )
    await add_item(h.app.services, WS, OPERATOR, {"name": "Book", "cost": "20"})


async def test_redeem_from_the_shop_card_and_an_admin_approves_from_theirs(
    teams: TeamsHarness,
) -> None:
    await ana_admin_raj_30_points_and_a_book(teams)
    await add_item(teams.app.services, WS, OPERATOR, {"name": "Hoodie", "cost": "100"})
    await personal(teams, ANA, "help")  # the bot now knows Ana's personal chat
    await next_sent(teams, 1)  # requests run side by side: one at a time here
    await personal(teams, RAJ, "shop")
    shop = (await next_sent(teams, 2))[-1].card
    assert shop is not None and "Hoodie" in str(shop)
    [redeem] = submits(shop)  # only what Raj can afford has a button

    await personal(teams, RAJ, value=redeem)
    await personal(teams, RAJ, value=redeem)  # a double click
    sent = await next_sent(teams, 5)
    replies = [s.text for s in sent[2:]]
    assert any("You redeemed Book for 20 points" in t for t in replies), replies
    assert any("already" in t for t in replies), replies
    assert await earned(teams, RAJ) == 10
    assert await scalar(teams.app, "SELECT count(*) FROM redemptions") == 1

    ana_chat = f"a:1{ANA['id']}-"
    approval = next(
        s for s in sent if s.conversation.startswith(ana_chat) and "redeemed Book" in str(s.card)
    )
    assert "Raj Patel redeemed Book for 20 points" in str(approval.card)
    assert approval.reply_to is None  # a message of its own, not a reply
    approve = next(d for d in submits(approval.card) if d["approve"] is True)

    await personal(teams, ANA, value=approve)
    sent = await next_sent(teams, 7)
    assert any("Approved #" in s.text for s in sent[5:])
    told = next(s for s in sent[5:] if s.conversation.startswith(f"a:1{RAJ['id']}-"))
    assert "approved by Ana Lima" in str(told.card)
    assert await verify_ledger(teams.app.services) == []


async def test_a_reject_from_the_card_refunds_and_a_non_admin_is_refused(
    teams: TeamsHarness,
) -> None:
    await ana_admin_raj_30_points_and_a_book(teams)
    await personal(teams, ANA, "help")
    await personal(teams, BO, "help")  # Bo's chat is known before the snapshot below
    await personal(teams, RAJ, "redeem book")
    sent = await next_sent(teams, 4)
    approval = next(s for s in sent if s.card and "redeemed Book" in str(s.card))
    reject = next(d for d in submits(approval.card) if d["approve"] is False)

    before = await snapshot(teams.app, requests=False)
    await personal(teams, BO, value={**reject, "reason": "no"})
    refused = (await next_sent(teams, 5))[-1]
    assert "Only Kudos admins can approve or reject redemptions" in refused.text
    await personal(teams, ANA, value={**reject, "reason": "   "})
    blank = (await next_sent(teams, 6))[-1]
    assert blank.text.startswith("✋ Rejecting needs a reason")
    await personal(teams, ANA, value=reject)  # the field left empty
    assert (await next_sent(teams, 7))[-1].text.startswith("✋ Rejecting needs a reason")
    assert await snapshot(teams.app, requests=False) == before

    await personal(teams, ANA, value={**reject, "reason": "Out of budget this quarter"})
    sent = await next_sent(teams, 9)
    told = next(s for s in sent[7:] if s.conversation.startswith(f"a:1{RAJ['id']}-"))
    assert "Out of budget this quarter" in str(told.card)
    assert await earned(teams, RAJ) == 30
    assert await verify_ledger(teams.app.services) == []


async def test_every_admins_approval_card_is_replaced_by_the_decision(
    teams: TeamsHarness,
) -> None:
    """Ana and Bo each get the card in their personal chat; once Ana approves from hers, both
    cards are updated in place and no Approve / Reject button is left. A decision typed in chat
    updates the cards just the same."""
    await ana_admin_raj_30_points_and_a_book(teams)
    await adjust_points(
        teams.app.services, WS, OPERATOR, MemberRef(RAJ["id"]), 10, "more", uuid.uuid4().hex
    )
    await change_admins(teams.app.services, WS, OPERATOR, True, MemberRef(BO["id"], "Bo Chen"))
    await personal(teams, ANA, "help")
    await personal(teams, BO, "help")
    await personal(teams, RAJ, "redeem book")
    sent = await next_sent(teams, 5)
    approvals = [s for s in sent if "redeemed Book" in str(s.card)]
    ana_card, bo_card = (
        next(s for s in approvals if s.conversation.startswith(f"a:1{who['id']}-"))
        for who in (ANA, BO)
    )
    assert len(approvals) == 2 and ana_card.id != bo_card.id
    approve = next(d for d in submits(ana_card.card) if d["approve"] is True)

    await personal(teams, ANA, value=approve)
    updated = await teams.connector.wait_for_updates(2)
    assert sorted((u.conversation, u.reply_to) for u in updated) == sorted(
        (s.conversation, s.id) for s in approvals
    )
    for update in updated:
        card = Sent(update.conversation, None, update.activity).card
        assert card is not None and submits(card) == []
        assert "fulfilled" in str(card) and "by Ana Lima" in str(card)

    await personal(teams, RAJ, "redeem book")
    sent = await next_sent(teams, 10)
    second = [s for s in sent[7:] if "redeemed Book" in str(s.card)]
    assert len(second) == 2
    reject = next(d for d in submits(second[0].card) if d["approve"] is False)
    await personal(teams, BO, f"admin reject {reject['redemption']} out of budget")
    updated = (await teams.connector.wait_for_updates(4))[2:]
    assert sorted(u.reply_to or "" for u in updated) == sorted(s.id for s in second)
    assert all("rejected" in str(u.activity) for u in updated)


def shop_items(card: dict[str, Any] | None) -> list[str]:
    """The first line of every reward on a shop card (number, name, cost, stock)."""
    assert card is not None
    return [
        node["items"][0]["inlines"][0]["text"]
        for node in card["body"]
        if node.get("type") == "Container"
    ]


async def test_a_long_shop_comes_in_pages_each_well_inside_what_teams_accepts(
    teams: TeamsHarness,
) -> None:
    """45 rewards with 80-character names and 500-character descriptions (ASCII, CJK and
    emoji) were one 83+ KB card, which Teams refuses (413 over 40 KB, counted as UTF-16)."""
    names = await worst_case_catalog(teams.app, WS)
    await adjust_points(
        teams.app.services, WS, OPERATOR, MemberRef(RAJ["id"]), 10_000, "rich", "seed"
    )  # every reward affordable: every Redeem button shown
    await personal(teams, RAJ, "shop")
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        shop = (await next_sent(teams, pages))[-1]
        utf16 = len(json.dumps(shop.activity, ensure_ascii=False).encode("utf-16-le"))
        assert shop.size < 28 * 1024 and utf16 < 28 * 1024, (pages, shop.size, utf16)
        on_page = shop_items(shop.card)
        assert on_page and f"page {pages} of" in str(shop.card)
        seen += on_page
        more = [d for d in submits(shop.card) if d == {"action": "shop_page", "page": pages + 1}]
        if not more:
            break
        await personal(teams, RAJ, value=more[0])
    assert pages > 1
    assert len(seen) == len(names) and all(
        name in line for name, line in zip(names, seen, strict=True)
    ), "every reward shows once, in catalog order"

    await personal(teams, RAJ, "shop 999")  # past the end: the last page
    last = (await next_sent(teams, pages + 1))[-1]
    assert shop_items(last.card) == on_page
    back = next(d for d in submits(last.card) if d.get("action") == "shop_page")
    assert back == {"action": "shop_page", "page": pages - 1}
