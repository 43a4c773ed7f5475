"""Rewards in Slack: the shop's Redeem buttons, the admins' Approve / Reject buttons and the
reject modal, admin commands, all through signed requests to the real bolt app."""

from __future__ import annotations

import json
import uuid
from typing import Any

from slack_sdk.models.blocks import Block, BlockElement, ConfirmObject

from bot.domain.model import MemberRef
from bot.services.admins import change_admins
from bot.services.catalog import add_item, show_catalog
from bot.services.ledger import verify_ledger
from bot.services.rewards import adjust_points
from tests.adapters.conftest import SlackHarness
from tests.adapters.slack_helpers import earned, everything, ws
from tests.support import OPERATOR, scalar, snapshot, worst_case_catalog


async def seed(h: SlackHarness, *, raj: int = 30, **item: str) -> int:
    """Raj has `raj` points to spend; the catalog holds a Book (and a pricey Hoodie)."""
    await adjust_points(
        h.app.services, ws(), OPERATOR, MemberRef("URAJ"), raj, "seed", uuid.uuid4().hex
    )
    await add_item(h.app.services, ws(), OPERATOR, {"name": "Book", "cost": "20", **item})
    await add_item(h.app.services, ws(), OPERATOR, {"name": "Hoodie", "cost": "100"})
    return next(i.id for i in (await show_catalog(h.app.services, ws())).items if i.name == "Book")


def click(
    h: SlackHarness,
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str = "C1",
    message_ts: str = "1700000000.000100",
    ephemeral: bool = False,
) -> dict[str, Any]:
    """A `block_actions` payload as Slack sends it for a button."""
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "api_app_id": "AKUDOS",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": f"{uuid.uuid4().int % 10**9}.222.abc",
        "channel": {"id": channel, "name": "general"},
        "response_url": h.fake.response_url(uuid.uuid4().hex[:8]),
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "type": "button",
                "action_ts": f"{uuid.uuid4().int % 10**9}.000001",
            }
        ],
        "is_enterprise_install": False,
    }


def buttons(call_params: dict[str, Any]) -> dict[str, str]:
    """The buttons of a message: action id -> value (one per action id)."""
    found: dict[str, str] = {}
    for block in call_params.get("blocks") or []:
        for element in [block.get("accessory") or {}, *(block.get("elements") or [])]:
            if element.get("type") == "button":
                found.setdefault(element["action_id"], element["value"])
    return found


async def redeem_from_shop(h: SlackHarness) -> dict[str, Any]:
    """Raj opens the shop and clicks Redeem on the Book; the admin's approval request."""
    await h.slack.command("shop", user="URAJ")
    shop = (await h.fake.wait_for("response_url", 1))[-1]
    await h.slack.interaction(
        click(h, "redeem_item", buttons(shop.params)["redeem_item"], user="URAJ", ephemeral=True)
    )
    return (await h.fake.wait_for("chat.postMessage", 1))[-1].params


async def test_the_shop_offers_what_one_can_afford_and_a_double_click_redeems_once(
    slack: SlackHarness,
) -> None:
    book = await seed(slack)
    await slack.slack.command("shop", user="URAJ")
    shop = (await slack.fake.wait_for("response_url", 1))[0]
    assert shop.params["response_type"] == "ephemeral"
    assert "30 points" in everything(shop) and "Hoodie" in everything(shop)
    assert buttons(shop.params) == {"redeem_item": str(book)}  # the Hoodie is out of reach

    for _ in range(2):  # a double click on the same listing
        await slack.slack.interaction(
            click(slack, "redeem_item", str(book), user="URAJ", ephemeral=True)
        )
    first, second = (await slack.fake.wait_for("response_url", 3))[1:3]
    texts = sorted([first.params["text"], second.params["text"]])
    assert "You redeemed Book for 20 points" in texts[1]
    assert "already" in texts[0]
    assert await earned(slack.app, "URAJ") == 10
    assert await scalar(slack.app, "SELECT count(*) FROM redemptions") == 1

    # With no admin list and no approvals channel, Slack's own admins are asked, in a DM.
    ask = (await slack.fake.wait_for("chat.postMessage", 1))[0]
    assert ask.params["channel"] == "UBOSS"
    assert "Raj Patel redeemed Book for 20 points" in ask.params["text"]
    assert set(buttons(ask.params)) == {"approve_redemption", "reject_redemption"}


async def test_an_admin_approves_with_a_click_and_the_member_hears(slack: SlackHarness) -> None:
    await seed(slack)
    ask = await redeem_from_shop(slack)
    redemption = buttons(ask)["approve_redemption"]

    await slack.slack.interaction(
        click(slack, "approve_redemption", redemption, user="UBOSS", channel="DBOSS")
    )

    replaced = (await slack.fake.wait_for("response_url", 3))[-1]
    assert replaced.params["replace_original"] is True
    assert "Approved #" in replaced.params["text"] and "blocks" in replaced.params
    assert buttons(replaced.params) == {}  # the buttons give way to the outcome
    dm = (await slack.fake.wait_for("chat.postMessage", 2))[-1]
    assert dm.params["channel"] == "URAJ"
    assert "approved by Kim Admin" in dm.params["text"]
    assert await scalar(slack.app, "SELECT balance FROM accounts WHERE kind = 'rewards'") == 20

    # A second click (another admin, or the same one) is told it was decided already.
    before = await snapshot(slack.app, requests=False)
    await slack.slack.interaction(
        click(slack, "approve_redemption", redemption, user="UBOSS", channel="DBOSS")
    )
    late = (await slack.fake.wait_for("response_url", 4))[-1]
    assert late.params["response_type"] == "ephemeral"
    assert "already fulfilled by Kim Admin" in late.params["text"]
    assert await snapshot(slack.app, requests=False) == before


async def test_a_non_admin_clicking_approve_is_refused_and_nothing_changes(
    slack: SlackHarness,
) -> None:
    await seed(slack)
    ask = await redeem_from_shop(slack)
    before = await snapshot(slack.app, requests=False)

    await slack.slack.interaction(
        click(slack, "approve_redemption", buttons(ask)["approve_redemption"], user="UANA")
    )

    refused = (await slack.fake.wait_for("response_url", 3))[-1]
    assert "Only Kudos admins can approve or reject redemptions" in refused.params["text"]
    assert refused.params.get("replace_original") is False
    assert await snapshot(slack.app, requests=False) == before


async def test_rejecting_asks_why_then_refunds_and_tells_the_member(slack: SlackHarness) -> None:
    book = await seed(slack, stock="1")
    ask = await redeem_from_shop(slack)
    ask_at = slack.fake.calls_to("chat.postMessage")[0].answer
    assert ask_at is not None
    assert await earned(slack.app, "URAJ") == 10

    await slack.slack.interaction(
        click(
            slack,
            "reject_redemption",
            buttons(ask)["reject_redemption"],
            user="UBOSS",
            channel="DBOSS",
            message_ts="1700000000.000900",
        )
    )
    modal = (await slack.fake.wait_for("views.open", 1))[0].params["view"]
    assert modal["callback_id"] == "reject_redemption_modal"
    [field] = modal["blocks"]
    assert field["optional"] is False and field["element"]["min_length"] == 1

    def submit(user: str, reason: str) -> dict[str, Any]:
        return {
            "type": "view_submission",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": "T1"},
            "api_app_id": "AKUDOS",
            "token": "legacy",
            "trigger_id": "777.888.jkl",
            "view": {
                **modal,
                "id": f"V{uuid.uuid4().hex[:6]}",
                "team_id": "T1",
                "state": {
                    "values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}
                },
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }

    before = await snapshot(slack.app)
    refused = await slack.slack.interaction(submit("UANA", "no"))
    assert refused.json()["response_action"] == "errors"
    assert "Only Kudos admins" in refused.json()["errors"]["reason"]
    blank = await slack.slack.interaction(submit("UBOSS", "  \n "))
    assert blank.json()["response_action"] == "errors"
    assert blank.json()["errors"]["reason"].startswith("Rejecting needs a reason")
    assert await snapshot(slack.app) == before

    response = await slack.slack.interaction(submit("UBOSS", "Out of <!channel> budget"))
    assert response.status_code == 200 and response.text == ""
    updates = [c.params for c in await slack.fake.wait_for("chat.update", 2)]
    clicked = next(u for u in updates if u["ts"] == "1700000000.000900")  # the click's message
    assert clicked["channel"] == "DBOSS" and "Rejected #" in clicked["text"]
    stored = next(u for u in updates if u["ts"] == ask_at["ts"])  # the copy the bot posted
    assert stored["channel"] == ask_at["channel"] == "DBOSS"
    assert "Rejected #" in stored["text"] and buttons(stored) == {}
    dm = (await slack.fake.wait_for("chat.postMessage", 2))[-1]
    assert dm.params["channel"] == "URAJ"
    assert "declined by Kim Admin" in dm.params["text"]
    assert "&lt;!channel&gt;" in dm.params["text"]  # what an admin typed cannot ping anyone
    assert await earned(slack.app, "URAJ") == 30
    assert await scalar(slack.app, "SELECT stock FROM reward_items WHERE id = :i", i=book) == 1
    assert await verify_ledger(slack.app.services) == []


async def test_admin_commands_are_for_admins_and_requests_go_to_the_approvals_channel(
    slack: SlackHarness,
) -> None:
    await seed(slack)
    before = await snapshot(slack.app, requests=False)
    await slack.slack.command("admin catalog add Mug cost=5 approval=no", user="UANA")
    refused = (await slack.fake.wait_for("response_url", 1))[0]
    assert "Only Kudos admins can edit the catalog" in refused.params["text"]
    assert await snapshot(slack.app, requests=False) == before

    commands = {
        'admin catalog add Mug cost=5 stock=2 description="Coffee, not tea"': "Added #",
        "admin settings approvals_channel=<#CAPPROVE|approvals>": "approvals_channel: CAPPROVE",
        "admin admins add <@UANA>": "Ana Lima is now a Kudos admin",
        "admin catalog": "Mug — 5 points (2 left, needs approval)",
    }
    for n, (text, expected) in enumerate(commands.items(), start=2):
        await slack.slack.command(text, user="UBOSS")
        reply = (await slack.fake.wait_for("response_url", n))[-1]
        assert expected in everything(reply), (text, everything(reply))

    await slack.slack.command("redeem mug", user="URAJ")
    receipt = (await slack.fake.wait_for("response_url", 6))[-1]
    assert "You redeemed Mug for 5 points" in receipt.params["text"]
    ask = (await slack.fake.wait_for("chat.postMessage", 1))[0]
    assert ask.params["channel"] == "CAPPROVE"

    # Ana is on the admin list now: she decides from chat by number.
    redemption = buttons(ask.params)["approve_redemption"]
    await slack.slack.command(f"admin approve {redemption}", user="UANA")
    approved = (await slack.fake.wait_for("response_url", 7))[-1]
    assert f"Approved #{redemption}: Mug for Raj Patel" in approved.params["text"]
    await slack.slack.command("redemptions", user="URAJ")
    mine = (await slack.fake.wait_for("response_url", 8))[-1]
    assert "Mug, 5 points — fulfilled" in everything(mine)
    await slack.slack.command("redeem mug", user="URAJ")
    asks = [
        c
        for c in await slack.fake.wait_for("chat.postMessage", 3)
        if c.params["channel"] == "CAPPROVE"
    ]
    assert len(asks) == 2
    second = asks[-1]
    await slack.slack.command(f"cancel {buttons(second.params)['approve_redemption']}", user="URAJ")
    cancelled = (await slack.fake.wait_for("response_url", 10))[-1]
    assert (
        "Cancelled #" in cancelled.params["text"]
        and "you have 25 points" in cancelled.params["text"]
    )
    audit = await scalar(slack.app, "SELECT count(*) FROM audit_log WHERE actor_id = 'UBOSS'")
    assert audit == 3  # the item, the setting, the admin


async def test_what_people_read_in_the_shop_is_never_markup(slack: SlackHarness) -> None:
    await adjust_points(
        slack.app.services, ws(), OPERATOR, MemberRef("URAJ"), 50, "seed", uuid.uuid4().hex
    )
    await add_item(
        slack.app.services,
        ws(),
        OPERATOR,
        {"name": "<!channel> mug", "cost": "5", "description": "<@UANA> *bold*"},
    )
    await slack.slack.command("shop", user="URAJ")
    shop = (await slack.fake.wait_for("response_url", 1))[0].params
    text_objects = json.dumps(shop["blocks"])
    assert '"type": "mrkdwn"' in text_objects  # the header only
    for block in shop["blocks"][1:]:
        assert block["text"]["type"] == "plain_text"


async def test_every_admins_copy_of_an_approval_request_shows_the_decision(
    slack: SlackHarness,
) -> None:
    """Ana and Bo are each asked in a DM; once Ana approves from hers, Bo's copy loses its
    buttons too, and so does every copy after a decision typed in chat."""
    await seed(slack, raj=40)
    for who in ("UANA", "UBO"):
        await change_admins(slack.app.services, ws(), OPERATOR, True, MemberRef(who))
    await slack.slack.command("redeem book", user="URAJ")
    asks = await slack.fake.wait_for("chat.postMessage", 2)
    assert {a.params["channel"] for a in asks} == {"UANA", "UBO"}
    posted = {a.params["channel"]: a.answer for a in asks}
    assert posted["UANA"] is not None and posted["UBO"] is not None
    redemption = buttons(asks[0].params)["approve_redemption"]

    await slack.slack.interaction(
        click(
            slack,
            "approve_redemption",
            redemption,
            user="UANA",
            channel=posted["UANA"]["channel"],
            message_ts=posted["UANA"]["ts"],
        )
    )
    updates = await slack.fake.wait_for("chat.update", 2)
    assert sorted((u.params["channel"], u.params["ts"]) for u in updates) == sorted(
        (p["channel"], p["ts"]) for p in (posted["UANA"], posted["UBO"])
    )
    assert {u.params["channel"] for u in updates} == {"DANA", "DBO"}  # Slack's DM channels
    for update in updates:
        assert buttons(update.params) == {}
        assert "fulfilled" in everything(update) and "by Ana Lima" in everything(update)
    dm = (await slack.fake.wait_for("chat.postMessage", 3))[-1]
    assert dm.params["channel"] == "URAJ" and "approved by Ana Lima" in dm.params["text"]

    # A decision typed in chat updates the copies just the same.
    await slack.slack.command("redeem book", user="URAJ")
    second = (await slack.fake.wait_for("chat.postMessage", 5))[3:5]
    await slack.slack.command(
        f"admin reject {buttons(second[0].params)['reject_redemption']} out of budget",
        user="UBO",
    )
    updates = (await slack.fake.wait_for("chat.update", 4))[2:]
    assert sorted(u.params["ts"] for u in updates) == sorted(
        str(c.answer["ts"]) for c in second if c.answer
    )
    assert all("rejected" in everything(u) and buttons(u.params) == {} for u in updates)
    assert await scalar(slack.app, "SELECT count(*) FROM approval_messages") == 4


def valid_block_kit(payload: dict[str, Any]) -> None:
    """Slack's own limits, as slack_sdk's models check them: at most 50 blocks, 3000
    characters of text, 75 on a button, 100 and 300 in a confirmation."""
    blocks = payload["blocks"]
    assert len(blocks) <= 50
    assert len(payload["text"]) <= 3000
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()
        for raw_element in [raw.get("accessory"), *(raw.get("elements") or [])]:
            if raw_element and raw_element.get("type") != "plain_text":
                element = BlockElement.parse(raw_element)
                assert element is not None
                element.validate_json()
                if raw_element.get("confirm"):
                    ConfirmObject.parse(raw_element["confirm"]).validate_json()


async def test_a_long_shop_comes_in_pages_within_slacks_limits(slack: SlackHarness) -> None:
    names = await worst_case_catalog(slack.app, ws())
    await adjust_points(
        slack.app.services, ws(), OPERATOR, MemberRef("URAJ"), 10_000, "rich", "seed"
    )  # every reward affordable: every Redeem button shown
    seen: list[str] = []
    for page in (1, 2, 3):
        await slack.slack.command(f"shop {page}" if page > 1 else "shop", user="URAJ")
        shop = (await slack.fake.wait_for("response_url", page))[-1].params
        valid_block_kit(shop)
        assert f"page {page} of 3" in shop["text"]
        seen += [b["text"]["text"] for b in shop["blocks"] if b.get("accessory", {}).get("value")]
        if page < 3:
            assert f"`/kudos shop {page + 1}`" in json.dumps(shop["blocks"][-1], ensure_ascii=False)
    assert len(seen) == len(names) and all(
        name in line for name, line in zip(names, seen, strict=True)
    ), "every reward shows once, in catalog order"
