"""Property: whatever sequence of gives, undos, period changes, setting changes, redemptions
and decisions happens, the ledger verifies clean (escrow included), points are conserved, and
balances and stock match a simple model. Here on the fake store, with many examples;
tests/integration/test_ledger_properties.py runs the same scenarios on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.domain import errors
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.catalog import add_item, show_catalog
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance, show_leaderboard
from bot.services.rewards import cancel_redemption, decide_redemption, redeem
from bot.services.undo import undo_last_kudos
from tests.conftest import FakeClock
from tests.fakes.unit_of_work import FakeApp
from tests.support import OPERATOR, configure, give, person, scalar

PEOPLE = ["ana", "raj", "bo", "cy"]
UNDO_WINDOW = timedelta(minutes=10)
_workspace_ids = itertools.count()

gives = st.tuples(
    st.just("give"),
    st.sampled_from(PEOPLE),
    st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3),
    st.integers(min_value=-2, max_value=60),
)
undos = st.tuples(st.just("undo"), st.sampled_from(PEOPLE))
waits = st.tuples(st.just("wait"), st.sampled_from([1, 9, 11, 60 * 24, 60 * 24 * 8, 60 * 24 * 31]))
changes = st.tuples(
    st.just("settings"),
    st.sampled_from(["week", "month"]),
    st.booleans(),
    st.sampled_from([20, 100]),
)
redeems = st.tuples(st.just("redeem"), st.sampled_from(PEOPLE), st.sampled_from(["Mug", "Sticker"]))
decisions = st.tuples(
    st.just("decide"),
    st.integers(min_value=0, max_value=3),
    st.sampled_from(["approve", "reject", "cancel"]),
)
SHOPPING = [
    ("give", "ana", ["raj"], 10),
    ("redeem", "raj", "Mug"),
    ("give", "bo", ["raj"], 10),
    ("redeem", "raj", "Mug"),
    ("redeem", "raj", "Mug"),
    ("decide", 0, "reject"),
    ("redeem", "raj", "Sticker"),
    ("undo", "bo"),
    ("decide", 0, "cancel"),
]
SPENT = [("give", "ana", ["raj"], 10), *[("redeem", "raj", "Sticker")] * 3, ("undo", "ana")]
operations = st.lists(
    st.one_of(gives, gives, undos, waits, changes, redeems, decisions), min_size=1, max_size=14
)
ITEMS = {"Mug": (5, True), "Sticker": (3, False)}  # name: (cost, needs approval)
MUG_STOCK = 2
ADMIN = MemberRef("boss", "Boss", is_admin=True)


def same_period(period: str, at: datetime, moment: datetime) -> bool:
    if period == "week":
        return at.isocalendar()[:2] == moment.isocalendar()[:2]
    if period == "month":
        return (at.year, at.month) == (moment.year, moment.month)
    return True


def expected_board(
    given_by: dict[str, list[tuple[list[str], int, datetime]]], period: str, moment: datetime
) -> dict[str, int]:
    """Points received per person from the kudos still in effect, worked out by hand."""
    points: Counter[str] = Counter()
    for history in given_by.values():
        for recipients, amount, at in history:
            if same_period(period, at, moment):
                for r in recipients:
                    points[person(r).display_name or r] += amount
    return {name: total for name, total in points.items() if total > 0}


async def check_leaderboards(
    app: Any,
    clock: FakeClock,
    workspace: WorkspaceRef,
    moments: list[datetime],
    given_by: dict[str, list[tuple[list[str], int, datetime]]],
) -> None:
    """Every week's and month's leaderboard in which anything was given (and all time) equals
    a brute-force count of the kudos still in effect. The workspace runs on UTC."""
    now = clock.now()
    try:
        for moment in sorted(set(moments)):
            clock.current = moment  # leaderboards show the period containing "now"
            for period in ("week", "month", "all"):
                board = await show_leaderboard(app.services, workspace, period)  # type: ignore[arg-type]
                shown = {row.display_name: row.points for row in board.rows}
                assert shown == expected_board(given_by, period, moment), (period, moment)
    finally:
        clock.current = now


START = datetime(2026, 11, 29, 23, 52, tzinfo=UTC)
"""Sunday 23:52: a 9-minute wait crosses into a new week inside the undo window."""


async def lowest_balance(app: Any) -> int:
    """The lowest balance of any account but the mint (which alone may go below zero)."""
    if isinstance(app, FakeApp):
        return min(a["balance"] for a in app.store.rows("accounts") if a["kind"] != "mint")
    return int(await scalar(app, "SELECT min(balance) FROM accounts WHERE kind <> 'mint'"))


async def run_scenario(app: Any, clock: FakeClock, ops: list[tuple[object, ...]]) -> None:
    """Run `ops` against the services of `app` (whose clock is `clock`, at START) and check
    the ledger, the leaderboards, balances and stock against a model kept by hand."""
    workspace = WorkspaceRef("console", f"prop-{next(_workspace_ids)}-{id(ops)}")
    earned: Counter[str] = Counter()
    given_by: dict[str, list[tuple[list[str], int, datetime]]] = {p: [] for p in PEOPLE}
    await give(app, "ana", "raj", amount=1, workspace=workspace)
    earned["raj"] += 1
    given_by["ana"].append((["raj"], 1, clock.now()))
    moments = [clock.now()]
    await add_item(
        app.services, workspace, OPERATOR, {"name": "Mug", "cost": "5", "stock": str(MUG_STOCK)}
    )
    await add_item(
        app.services, workspace, OPERATOR, {"name": "Sticker", "cost": "3", "approval": "no"}
    )
    mugs = MUG_STOCK
    pending: list[tuple[int, str, str]] = []  # (redemption id, who, item)
    for op in ops:
        match op:
            case ("give", giver, recipients, amount):
                try:
                    result = await give(app, giver, *recipients, amount=amount, workspace=workspace)
                except errors.KudosError:
                    continue
                unique = list(dict.fromkeys(recipients))
                for r in unique:
                    earned[r] += result.amount_each
                given_by[giver].append((unique, result.amount_each, clock.now()))
                moments.append(clock.now())
            case ("undo", giver):
                last = given_by[giver][-1] if given_by[giver] else None
                try:
                    await undo_last_kudos(app.services, workspace, person(giver))
                except errors.NothingToUndo:
                    assert last is None
                    continue
                except errors.PointsAlreadySpent:
                    assert last is not None and any(earned[r] < last[1] for r in last[0])
                    continue
                except errors.UndoWindowExpired:
                    assert last is not None and clock.now() - last[2] > UNDO_WINDOW
                    continue
                assert last is not None and clock.now() - last[2] <= UNDO_WINDOW
                recipients, amount, _ = given_by[giver].pop()
                for r in recipients:
                    earned[r] -= amount
            case ("redeem", who, item):
                cost, approval = ITEMS[str(item)]
                try:
                    done = await redeem(
                        app.services, workspace, person(str(who)), str(item), str(uuid4())
                    )
                except errors.NotEnoughPoints:
                    assert earned[who] < cost
                    continue
                except errors.OutOfStock:
                    assert item == "Mug" and mugs == 0
                    continue
                assert earned[who] >= cost and (item != "Mug" or mugs > 0)
                earned[who] -= cost
                mugs -= item == "Mug"
                if approval:
                    pending.append((done.redemption.id, str(who), str(item)))
            case ("decide", index, how):
                if not pending:
                    continue
                redemption, who, item = pending.pop(int(index) % len(pending))
                if how == "cancel":
                    await cancel_redemption(app.services, workspace, person(who), redemption)
                else:
                    await decide_redemption(
                        app.services, workspace, ADMIN, redemption, how == "approve", "no"
                    )
                if how != "approve":
                    earned[who] += ITEMS[item][0]
                    mugs += item == "Mug"
            case ("wait", minutes):
                clock.advance(minutes=minutes)
            case ("settings", period, rollover, allowance):
                await configure(
                    app,
                    workspace,
                    allowance_period=period,
                    allowance_rollover=rollover,
                    allowance_amount=allowance,
                )

    assert await verify_ledger(app.services, workspace) == []
    await check_leaderboards(app, clock, workspace, moments, given_by)
    for name in PEOPLE:
        try:
            balance = await show_balance(app.services, workspace, person(name))
        except errors.UnknownMember:
            assert earned[name] == 0
            continue
        assert balance.earned == earned[name], name
        assert balance.allowance_left >= 0
    assert await lowest_balance(app) >= 0
    shelf = (await show_catalog(app.services, workspace)).items
    assert [i.stock for i in shelf if i.name == "Mug"] == [mugs]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(ops=operations)
@example(ops=[("wait", 9), ("undo", "ana")])  # given Sunday 23:52, undone Monday 00:01
@example(ops=SHOPPING)  # a sold-out mug, a refund that puts one back, an undo after spending
@example(ops=SPENT)  # the points are spent: the undo is refused
def test_ledger_stays_balanced(ops: list[tuple[object, ...]]) -> None:
    clock = FakeClock(START)
    asyncio.run(run_scenario(FakeApp(clock=clock), clock, ops))
