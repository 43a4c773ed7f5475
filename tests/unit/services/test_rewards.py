"""Rewards: the catalog, redeeming into escrow, approval and rejection, admins, the audit log,
exports (on the fake store; concurrency is in tests/integration/test_rewards.py)."""

from __future__ import annotations

import uuid

import pytest

from bot.domain import errors
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import change_admins, read_audit, show_admins
from bot.services.approvals import approval_messages, remember_approval_message
from bot.services.catalog import add_item, edit_item, import_items, remove_item, show_catalog
from bot.services.export import export_rows
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance
from bot.services.results import Redeemed
from bot.services.rewards import (
    adjust_points,
    cancel_redemption,
    decide_redemption,
    redeem,
    show_redemptions,
    show_shop,
)
from bot.services.schedules import add_schedule, remove_schedule
from bot.services.settings import change_settings
from bot.services.undo import undo_last_kudos
from tests.conftest import FakeClock
from tests.fakes.unit_of_work import FakeApp
from tests.support import OPERATOR, WS, count, give, person, snapshot

ADMIN = MemberRef("boss", "Boss", is_admin=True)
"""A platform admin (a Slack workspace admin, say)."""


async def earn(app: FakeApp, who: str, amount: int) -> None:
    """Give `who` exactly `amount` points to spend (an audited adjustment)."""
    await adjust_points(app.services, WS, OPERATOR, person(who), amount, "seed", str(uuid.uuid4()))


async def earned(app: FakeApp, who: str) -> int:
    return (await show_balance(app.services, WS, person(who), newcomer_ok=True)).earned


async def item(app: FakeApp, name: str = "Book", **fields: str) -> int:
    fields = {"cost": "10", **fields}
    await add_item(app.services, WS, OPERATOR, {"name": name, **fields})
    found = [i for i in (await show_catalog(app.services, WS)).items if i.name == name]
    return found[0].id


async def buy(app: FakeApp, who: str, what: str = "Book", key: str | None = None) -> Redeemed:
    return await redeem(app.services, WS, person(who), what, key or str(uuid.uuid4()))


async def account(app: FakeApp, kind: str) -> int:
    """The balance of the workspace's own account of `kind` (0 before it exists)."""
    return sum(int(a["balance"]) for a in app.store.rows("accounts", kind=kind))


async def stock(app: FakeApp, item_id: int) -> int | None:
    [row] = app.store.rows("reward_items", id=item_id)
    return row["stock"]


# ---------------------------------------------------------------------------- redeeming


async def test_redeeming_holds_the_cost_in_escrow_and_reserves_a_unit(app: FakeApp) -> None:
    await earn(app, "ana", 50)
    book = await item(app, cost="30", stock="3")

    done = await buy(app, "ana")

    assert done.redemption.status == "pending"
    assert (done.earned_left, done.item.stock) == (20, 2)
    assert await earned(app, "ana") == 20
    assert await account(app, "escrow") == 30
    assert await stock(app, book) == 2
    assert await verify_ledger(app.services) == []


async def test_approval_fulfils_and_tells_nobody_twice(app: FakeApp) -> None:
    await earn(app, "ana", 50)
    await item(app, cost="30")
    pending = await buy(app, "ana")

    decided = await decide_redemption(app.services, WS, ADMIN, pending.redemption.id, True)

    assert decided.redemption.status == "fulfilled"
    assert decided.redemption.decided_by == "Boss"
    assert (await account(app, "escrow"), await account(app, "rewards")) == (0, 30)
    assert await earned(app, "ana") == 20
    before = await snapshot(app)
    with pytest.raises(errors.AlreadyDecided):
        await decide_redemption(app.services, WS, ADMIN, pending.redemption.id, False, "oops")
    assert await snapshot(app) == before
    assert await verify_ledger(app.services) == []


async def test_rejection_refunds_exactly_and_returns_the_unit(app: FakeApp) -> None:
    await earn(app, "ana", 47)
    book = await item(app, cost="30", stock="1")
    pending = await buy(app, "ana")
    assert (await earned(app, "ana"), await stock(app, book)) == (17, 0)

    decided = await decide_redemption(
        app.services, WS, ADMIN, pending.redemption.id, False, "  out of   budget "
    )

    assert (decided.redemption.status, decided.redemption.reason) == ("rejected", "out of budget")
    assert decided.earned_after == 47
    assert await earned(app, "ana") == 47
    assert (await stock(app, book), await account(app, "escrow")) == (1, 0)
    assert await account(app, "rewards") == 0
    assert await verify_ledger(app.services) == []
    again = await buy(app, "ana")  # the unit is back on the shelf
    assert again.redemption.status == "pending"


@pytest.mark.parametrize("reason", [None, "", "   \n "])
async def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(
    app: FakeApp, reason: str | None
) -> None:
    await earn(app, "ana", 50)
    await item(app, cost="30")
    pending = await buy(app, "ana")
    before = await snapshot(app)

    with pytest.raises(errors.RejectReasonRequired) as caught:
        await decide_redemption(app.services, WS, ADMIN, pending.redemption.id, False, reason)

    assert caught.value.message.startswith("Rejecting needs a reason")
    assert await snapshot(app) == before
    decided = await decide_redemption(app.services, WS, ADMIN, pending.redemption.id, False, "no")
    assert decided.redemption.status == "rejected"


async def test_a_member_can_cancel_their_pending_redemption_and_only_theirs(app: FakeApp) -> None:
    await earn(app, "ana", 30)
    book = await item(app, cost="30", stock="1")
    pending = await buy(app, "ana")
    before = await snapshot(app)
    with pytest.raises(errors.UnknownRedemption):  # someone else's: not even confirmed to exist
        await cancel_redemption(app.services, WS, person("raj"), pending.redemption.id)
    assert await snapshot(app) == before

    cancelled = await cancel_redemption(app.services, WS, person("ana"), pending.redemption.id)

    assert (cancelled.redemption.status, cancelled.earned_after) == ("cancelled", 30)
    assert (await earned(app, "ana"), await stock(app, book)) == (30, 1)
    assert await account(app, "escrow") == 0
    assert await verify_ledger(app.services) == []
    before = await snapshot(app)
    with pytest.raises(errors.AlreadyDecided, match="already cancelled by Ana"):
        await decide_redemption(app.services, WS, ADMIN, pending.redemption.id, True)
    with pytest.raises(errors.AlreadyDecided):
        await cancel_redemption(app.services, WS, person("ana"), pending.redemption.id)
    assert await snapshot(app) == before


async def test_an_item_without_approval_is_fulfilled_at_once(app: FakeApp) -> None:
    await earn(app, "ana", 15)
    await item(app, "Sticker", cost="5", approval="no")

    done = await buy(app, "ana", "sticker")

    assert done.redemption.status == "fulfilled"
    assert (await account(app, "escrow"), await account(app, "rewards")) == (0, 5)
    assert await earned(app, "ana") == 10
    kinds = count(app, "ledger_entries", reference=f"redemption:{done.redemption.id}")
    assert kinds == 2  # into escrow and on to rewards: the trail shows both steps
    assert await verify_ledger(app.services) == []


async def test_the_same_delivery_redeems_once(app: FakeApp) -> None:
    await earn(app, "ana", 50)
    await item(app, cost="10")
    first = await buy(app, "ana", key="click-1")
    before = await snapshot(app)

    second = await buy(app, "ana", key="click-1")

    assert second.duplicate and second.redemption.id == first.redemption.id
    assert await snapshot(app) == before
    assert await earned(app, "ana") == 40


async def test_the_shop_lists_active_items_and_what_one_can_spend(app: FakeApp) -> None:
    await earn(app, "ana", 25)
    await item(app, "Mug", cost="20")
    await item(app, "Book", cost="40")
    await item(app, "Hidden", cost="1", active="no")

    shop = await show_shop(app.services, WS, person("ana"))

    assert shop.earned == 25
    assert [i.name for i in shop.items] == ["Mug", "Book"]


async def test_redemptions_show_ones_own_and_admins_the_queue(app: FakeApp) -> None:
    await earn(app, "ana", 50)
    await earn(app, "raj", 50)
    await item(app, cost="10")
    await buy(app, "ana")
    await buy(app, "raj")

    mine = await show_redemptions(app.services, WS, person("ana"))
    assert [r.member_external_id for r in mine.own] == ["ana"] and mine.queue is None
    queue = await show_redemptions(app.services, WS, ADMIN, own=False)
    assert [r.member_external_id for r in queue.queue or ()] == ["ana", "raj"]
    with pytest.raises(errors.AdminOnly):
        await show_redemptions(app.services, WS, person("ana"), own=False)


@pytest.mark.parametrize(
    ("setup", "attempt", "refusal"),
    [
        ("none", "Nothing such", errors.UnknownItem),
        ("inactive", "Book", errors.ItemUnavailable),
        ("sold_out", "Book", errors.OutOfStock),
        ("pricey", "Book", errors.NotEnoughPoints),
        ("removed", "Book", errors.UnknownItem),
    ],
)
async def test_refused_redemptions_write_nothing(
    app: FakeApp, setup: str, attempt: str, refusal: type[errors.KudosError]
) -> None:
    await earn(app, "ana", 50)
    fields = {
        "none": {},
        "inactive": {"active": "no"},
        "sold_out": {"stock": "0"},
        "pricey": {"cost": "51"},
        "removed": {},
    }[setup]
    book = await item(app, **fields)
    if setup == "removed":
        await remove_item(app.services, WS, OPERATOR, str(book))
    before = await snapshot(app)

    with pytest.raises(refusal) as caught:
        await buy(app, "ana", attempt)

    assert caught.value.message.endswith((".", "!"))
    assert await snapshot(app) == before


async def test_points_already_redeemed_cannot_be_undone_away(app: FakeApp) -> None:
    await give(app, "raj", "ana", amount=10)
    await item(app, cost="10", approval="no")
    await buy(app, "ana")
    before = await snapshot(app)

    with pytest.raises(errors.PointsAlreadySpent):
        await undo_last_kudos(app.services, WS, person("raj"))

    assert await snapshot(app) == before


# ---------------------------------------------------------------------------- admins


@pytest.mark.parametrize(
    "attempt",
    [
        lambda app: add_item(app.services, WS, person("ana"), {"name": "Car", "cost": "1"}),
        lambda app: edit_item(app.services, WS, person("ana"), "Book", {"cost": "1"}),
        lambda app: remove_item(app.services, WS, person("ana"), "Book"),
        lambda app: import_items(app.services, WS, person("ana"), [{"name": "X", "cost": "1"}]),
        lambda app: change_settings(app.services, WS, {"max_amount": "5"}, person("ana")),
        lambda app: change_admins(app.services, WS, person("ana"), True, person("ana")),
        lambda app: adjust_points(app.services, WS, person("ana"), person("raj"), 5, "hi", "k"),
        lambda app: decide_redemption(app.services, WS, person("ana"), 1, True),
        lambda app: add_schedule(app.services, WS, "weekly_leaderboard", "C1", actor=person("ana")),
    ],
    ids=[
        "catalog-add",
        "catalog-edit",
        "catalog-remove",
        "import",
        "settings",
        "admins",
        "adjust",
        "decide",
        "schedule",
    ],
)
async def test_a_non_admins_admin_command_is_refused_and_changes_nothing(
    app: FakeApp, attempt: object
) -> None:
    await earn(app, "raj", 50)
    await item(app)
    await buy(app, "raj")
    before = await snapshot(app)

    with pytest.raises(errors.AdminOnly) as caught:
        await attempt(app)  # type: ignore[operator]

    assert "Only Kudos admins" in caught.value.message
    assert await snapshot(app) == before


async def test_the_admin_list_makes_and_unmakes_admins(app: FakeApp) -> None:
    await earn(app, "raj", 50)
    await item(app)
    pending = await buy(app, "raj")
    await change_admins(app.services, WS, OPERATOR, True, person("ana"))
    assert [n for _, n in (await show_admins(app.services, WS)).admins] == ["Ana"]

    await decide_redemption(app.services, WS, person("ana"), pending.redemption.id, True)

    await change_admins(app.services, WS, person("ana"), True, person("bea"))
    await change_admins(app.services, WS, person("ana"), False, person("ana"))
    with pytest.raises(errors.AdminOnly):
        await add_item(app.services, WS, person("ana"), {"name": "Mug", "cost": "5"})
    assert [n for _, n in (await show_admins(app.services, WS)).admins] == ["Bea"]


@pytest.mark.parametrize("remover", ["ana", "operator"])
async def test_the_last_admin_on_the_list_stays(app: FakeApp, remover: str) -> None:
    await change_admins(app.services, WS, OPERATOR, True, person("ana"))
    before = await snapshot(app)

    with pytest.raises(errors.LastAdmin) as caught:
        actor = OPERATOR if remover == "operator" else person("ana")
        await change_admins(app.services, WS, actor, False, person("ana"))

    assert caught.value.message.startswith("Ana is the last Kudos admin here")
    assert await snapshot(app) == before


async def test_on_slack_the_list_may_empty_because_slack_names_admins_too(app: FakeApp) -> None:
    slack = WorkspaceRef("slack", "T0123")
    await change_admins(app.services, slack, OPERATOR, True, person("UANA"))

    done = await change_admins(app.services, slack, person("UANA"), False, person("UANA"))

    assert "no longer on the admin list" in done.text
    assert (await show_admins(app.services, slack)).admins == ()


async def test_removing_someone_not_on_the_list_writes_nothing(app: FakeApp) -> None:
    await change_admins(app.services, WS, OPERATOR, True, person("ana"))
    before = await snapshot(app)

    done = await change_admins(app.services, WS, person("ana"), False, person("nobody"))

    assert done.text == "Nobody isn't on the admin list."
    assert await snapshot(app) == before


async def test_an_admin_cannot_approve_their_own_redemption_or_adjust_themselves(
    app: FakeApp,
) -> None:
    await change_admins(app.services, WS, OPERATOR, True, person("ana"))
    await earn(app, "ana", 50)
    await item(app)
    mine = await buy(app, "ana")
    before = await snapshot(app)

    with pytest.raises(errors.InvalidSetting):
        await decide_redemption(app.services, WS, person("ana"), mine.redemption.id, True)
    with pytest.raises(errors.NotAnAdjustment):
        await adjust_points(app.services, WS, person("ana"), person("ana"), 5, "me", "k1")

    assert await snapshot(app) == before


async def test_adjustments_move_earned_points_and_refuse_going_below_zero(app: FakeApp) -> None:
    await earn(app, "ana", 10)
    done = await adjust_points(app.services, WS, ADMIN, person("ana"), -4, "typo", "k1")
    assert "now have 6" in done.text
    again = await adjust_points(app.services, WS, ADMIN, person("ana"), -4, "typo", "k1")
    assert "already" in again.text
    assert await earned(app, "ana") == 6
    before = await snapshot(app)
    with pytest.raises(errors.NotAnAdjustment):
        await adjust_points(app.services, WS, ADMIN, person("ana"), -7, "too much", "k2")
    with pytest.raises(errors.BotRecipient):
        await adjust_points(app.services, WS, ADMIN, person("bot", is_bot=True), 5, "x", "k3")
    assert await snapshot(app) == before
    assert await verify_ledger(app.services) == []


@pytest.mark.parametrize(
    ("amount", "reason", "fragment"),
    [
        (5, "", "An adjustment needs a reason"),
        (5, "  \n ", "An adjustment needs a reason"),
        (5, "x" * 501, "Keep the reason under 500 characters"),
        (0, "typo", "0 isn't an adjustment I can make"),
        (10**10, "typo", "10000000000 isn't an adjustment I can make"),
    ],
)
async def test_an_adjustment_needs_a_reason_and_a_sane_amount(
    app: FakeApp, amount: int, reason: str, fragment: str
) -> None:
    """The CLI's `--reason ""` as much as chat: the audit log must be able to say why."""
    await earn(app, "ana", 10)
    before = await snapshot(app)

    with pytest.raises(errors.NotAnAdjustment) as caught:
        await adjust_points(app.services, WS, ADMIN, person("ana"), amount, reason, "k")

    assert caught.value.message.startswith(fragment)
    assert await snapshot(app) == before


# ---------------------------------------------------------------------------- catalog


async def test_item_names_are_unique_in_any_case_and_free_again_once_removed(app: FakeApp) -> None:
    book = await item(app, "Book voucher")
    before = await snapshot(app)
    with pytest.raises(errors.DuplicateItem):
        await add_item(app.services, WS, OPERATOR, {"name": "BOOK  voucher", "cost": "3"})
    with pytest.raises(errors.InvalidItem):
        await add_item(app.services, WS, OPERATOR, {"name": "Mug", "cost": "-3"})
    with pytest.raises(errors.InvalidItem):
        await edit_item(app.services, WS, OPERATOR, "book voucher", {"colour": "red"})
    assert await snapshot(app) == before

    await edit_item(app.services, WS, OPERATOR, f"#{book}", {"cost": "12", "stock": "4"})
    await remove_item(app.services, WS, OPERATOR, "book voucher")
    again = await item(app, "Book voucher")
    assert again != book
    assert [(i.name, i.cost) for i in (await show_catalog(app.services, WS)).items] == [
        ("Book voucher", 10)
    ]


async def test_a_pending_redemption_of_a_removed_item_can_still_be_decided(app: FakeApp) -> None:
    await earn(app, "ana", 20)
    await item(app, cost="20", stock="2")
    pending = await buy(app, "ana")
    await remove_item(app.services, WS, OPERATOR, "Book")

    decided = await decide_redemption(app.services, WS, ADMIN, pending.redemption.id, False, "gone")

    assert decided.earned_after == 20
    assert await verify_ledger(app.services) == []


async def test_import_adds_and_updates_all_or_nothing(app: FakeApp) -> None:
    await item(app, "Mug", cost="5")
    done = await import_items(
        app.services,
        WS,
        OPERATOR,
        [
            {"name": "mug", "cost": "7"},
            {"name": "Hoodie", "cost": "300", "stock": "5", "approval": "yes"},
            {"name": "Learning day", "cost": "500", "description": "A day to learn"},
        ],
    )
    assert (done.added, done.updated) == (("Hoodie", "Learning day"), ("Mug",))
    before = await snapshot(app)

    with pytest.raises(errors.InvalidItem) as caught:
        await import_items(
            app.services,
            WS,
            OPERATOR,
            [{"name": "Pen", "cost": "2"}, {"name": "Cap", "cost": "lots"}],
        )

    assert caught.value.message.startswith("Row 3:")
    assert await snapshot(app) == before


# ---------------------------------------------------------------------------- audit and export


async def test_every_admin_action_is_audited_with_who_and_what_changed(app: FakeApp) -> None:
    await change_settings(app.services, WS, {"max_amount": "20"}, ADMIN)
    await item(app, "Mug", cost="5")
    await edit_item(app.services, WS, ADMIN, "Mug", {"cost": "6"})
    await change_admins(app.services, WS, ADMIN, True, person("ana"))
    await earn(app, "raj", 6)
    pending = await buy(app, "raj", "Mug")
    await decide_redemption(app.services, WS, person("ana"), pending.redemption.id, False, "later")
    await remove_item(app.services, WS, ADMIN, "Mug")
    await add_schedule(app.services, WS, "weekly_leaderboard", "C1", "fri 16:00", actor=ADMIN)
    await remove_schedule(app.services, WS, "weekly_leaderboard", "C1", actor=ADMIN)

    entries = await read_audit(app.services, WS)

    assert [e.action for e in reversed(entries)] == [
        "settings.change",
        "catalog.add",
        "catalog.edit",
        "admins.add",
        "points.adjust",
        "redemption.reject",
        "catalog.remove",
        "schedule.add",
        "schedule.remove",
    ]
    by_action = {e.action: e for e in entries}
    assert by_action["settings.change"].details == {"max_amount": {"from": 50, "to": 20}}
    assert by_action["settings.change"].actor_name == "Boss"
    assert by_action["catalog.edit"].details == {"cost": {"from": 5, "to": 6}}
    assert by_action["redemption.reject"].actor_id == "ana"
    assert by_action["redemption.reject"].details["reason"] == "later"
    assert by_action["points.adjust"].actor_id == OPERATOR.external_id
    assert by_action["schedule.add"].details == {"when": "weekly leaderboard, Fri at 16:00"}


async def test_exports_hold_every_row_since_a_date(app: FakeApp, clock: FakeClock) -> None:
    await give(app, "ana", "raj", amount=5, reason="the demo", tags=("learning",))
    clock.advance(days=3)
    since = clock.now()
    await give(app, "ana", "raj", "bo", amount=2)
    await item(app, cost="5")
    await buy(app, "raj")

    kudos = await export_rows(app.services, WS, "kudos", None)
    recent = await export_rows(app.services, WS, "kudos", since)
    ledger = await export_rows(app.services, WS, "ledger", None)
    redemptions = await export_rows(app.services, WS, "redemptions", since)

    assert [k["total"] for k in kudos] == [5, 4]
    assert kudos[0]["reason"] == "the demo" and kudos[0]["tags"] == "#learning"
    assert [k["recipients"] for k in recent] == ["Raj, Bo"]
    assert {row["kind"] for row in ledger} == {"grant", "kudos", "redeem"}
    redeem_row = next(row for row in ledger if row["kind"] == "redeem")
    assert (redeem_row["debit"], redeem_row["credit"], redeem_row["amount"]) == (
        "earned:raj",
        "escrow",
        5,
    )
    assert [(r["member"], r["item"], r["status"]) for r in redemptions] == [
        ("Raj", "Book", "pending")
    ]


async def test_verify_notices_escrow_that_disagrees_with_pending_redemptions(app: FakeApp) -> None:
    await earn(app, "ana", 10)
    await item(app, cost="10")
    await buy(app, "ana")
    for row in app.store.tables["redemptions"]:  # behind the services' back
        row["status"] = "fulfilled"

    drifts = await verify_ledger(app.services)

    assert [d.detail for d in drifts] == ["escrow vs pending redemptions"]
    assert (drifts[0].cached, drifts[0].computed) == (10, 0)


async def test_copies_of_an_approval_request_are_remembered_once_and_per_workspace(
    app: FakeApp,
) -> None:
    await earn(app, "raj", 30)
    await item(app)
    redemption = (await buy(app, "raj")).redemption.id
    for conversation, message in [("D1", "1.000100"), ("D2", "1.000200"), ("D1", "1.000100")]:
        await remember_approval_message(app.services, WS, redemption, conversation, message)
    assert await approval_messages(app.services, WS, redemption) == [
        ("D1", "1.000100"),
        ("D2", "1.000200"),
    ]

    other = WorkspaceRef("console", "globex", "Globex")
    await give(app, "zoe", "yan", workspace=other)  # the other workspace exists
    before = await snapshot(app)
    await remember_approval_message(app.services, other, redemption, "D9", "9.000900")
    assert await snapshot(app) == before, "a redemption of another workspace is not its to note"
    assert await approval_messages(app.services, other, redemption) == []
