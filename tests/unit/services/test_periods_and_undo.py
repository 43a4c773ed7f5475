"""Allowance periods, lazy grants, expiry, undo and leaderboards over time (on the fake store)."""

from __future__ import annotations

import pytest

from bot.domain import errors
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.learning import share_learning
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance, show_history, show_leaderboard
from bot.services.undo import undo_last_kudos
from tests.conftest import FakeClock
from tests.fakes.unit_of_work import FakeApp
from tests.support import WS, configure, count, give, person, snapshot


async def test_unspent_allowance_expires_at_period_end(app: FakeApp, clock: FakeClock) -> None:
    await give(app, "ana", "raj", amount=30)
    clock.advance(days=30)
    assert (await show_balance(app.services, WS, person("ana"))).allowance_left == 100
    await give(app, "ana", "raj", amount=1)
    expired = sum(e["amount"] for e in app.store.rows("ledger_entries", kind="expire"))
    assert expired == 70
    assert (await show_balance(app.services, WS, person("ana"))).allowance_left == 99
    assert await verify_ledger(app.services) == []


async def test_rollover_carries_the_unspent_allowance(app: FakeApp, clock: FakeClock) -> None:
    await give(app, "ana", "raj", amount=30)
    await configure(app, allowance_rollover=True)
    clock.advance(days=30)
    assert (await show_balance(app.services, WS, person("ana"))).allowance_left == 170
    await give(app, "ana", "raj", amount=10)
    assert (await show_balance(app.services, WS, person("ana"))).allowance_left == 160
    assert await verify_ledger(app.services) == []


async def test_weekly_allowance_renews_on_monday(app: FakeApp, clock: FakeClock) -> None:
    await give(app, "ana", "raj", amount=1)
    await configure(app, allowance_period="week", allowance_amount=20)
    # Wednesday 2026-11-18: the period changed, so this week's grant is new.
    balance = await show_balance(app.services, WS, person("ana"))
    assert balance.allowance_left == 20
    assert balance.renews_at.date().isoformat() == "2026-11-23"


async def test_undo_returns_the_points_within_ten_minutes(app: FakeApp, clock: FakeClock) -> None:
    await give(app, "ana", "raj", "bo", amount=10)
    clock.advance(minutes=9)
    undone = await undo_last_kudos(app.services, WS, person("ana"))

    assert undone.recipients == ("Raj", "Bo")
    assert undone.allowance_left == 100
    assert (await show_balance(app.services, WS, person("raj"))).earned == 0
    assert (await show_leaderboard(app.services, WS, "week")).rows == ()
    assert count(app, "ledger_entries", kind="undo") == 2
    assert await verify_ledger(app.services) == []


async def test_undo_is_refused_after_the_window_and_writes_nothing(
    app: FakeApp, clock: FakeClock
) -> None:
    await give(app, "ana", "raj", amount=10)
    clock.advance(minutes=11)
    before = await snapshot(app)
    with pytest.raises(errors.UndoWindowExpired):
        await undo_last_kudos(app.services, WS, person("ana"))
    assert await snapshot(app) == before


async def test_undo_with_nothing_to_undo_is_refused(app: FakeApp) -> None:
    await give(app, "ana", "raj", amount=10)
    before = await snapshot(app)
    with pytest.raises(errors.NothingToUndo):
        await undo_last_kudos(app.services, WS, person("raj"))
    with pytest.raises(errors.NothingToUndo):
        await undo_last_kudos(app.services, WS, person("stranger"))
    assert await snapshot(app) == before


async def test_undo_across_a_period_boundary_returns_points_to_the_mint(
    app: FakeApp, clock: FakeClock
) -> None:
    clock.current = clock.current.replace(day=30, hour=23, minute=55)
    await give(app, "ana", "raj", amount=10)
    clock.advance(minutes=7)  # December now
    await undo_last_kudos(app.services, WS, person("ana"))
    assert (await show_balance(app.services, WS, person("ana"))).allowance_left == 100
    assert await verify_ledger(app.services) == []


async def test_leaderboard_ranks_ties_together_and_filters_by_tag(app: FakeApp) -> None:
    await give(app, "ana", "raj", amount=10, tags=("learning",))
    await give(app, "ana", "bo", amount=10)
    await give(app, "ana", "cy", amount=5, tags=("learning",))
    await give(app, "raj", "cy", amount=20)

    top = await show_leaderboard(app.services, WS, "week")
    assert [(r.rank, r.display_name, r.points) for r in top.rows] == [
        (1, "Cy", 25),
        (2, "Bo", 10),
        (2, "Raj", 10),
    ]
    learning = await show_leaderboard(app.services, WS, "all", "learning")
    assert [(r.rank, r.display_name, r.points) for r in learning.rows] == [
        (1, "Raj", 10),
        (2, "Cy", 5),
    ]


async def test_leaderboard_periods_follow_the_calendar(app: FakeApp, clock: FakeClock) -> None:
    await give(app, "ana", "raj", amount=10)
    clock.advance(days=7)
    await give(app, "ana", "bo", amount=3)
    week = await show_leaderboard(app.services, WS, "week")
    month = await show_leaderboard(app.services, WS, "month")
    alltime = await show_leaderboard(app.services, WS, "all")
    assert [r.display_name for r in week.rows] == ["Bo"]
    assert [r.display_name for r in month.rows] == ["Raj", "Bo"]
    assert [r.points for r in alltime.rows] == [10, 3]


async def test_workspaces_never_see_each_other(app: FakeApp) -> None:
    other = WorkspaceRef("slack", "T-OTHER", "Other")
    await give(app, "ana", "raj", amount=10)
    await give(app, "ana", "raj", amount=3, workspace=other)

    assert (await show_balance(app.services, WS, person("raj"))).earned == 10
    assert (await show_balance(app.services, other, person("raj"))).earned == 3
    assert [r.points for r in (await show_leaderboard(app.services, other, "all")).rows] == [3]
    with pytest.raises(errors.UnknownMember):
        await show_balance(app.services, other, person("bo-from-acme"))
    assert await verify_ledger(app.services, other) == []


async def test_til_is_stored_with_its_tags_and_history_lists_both_directions(
    app: FakeApp,
) -> None:
    shared = await share_learning(
        app.services, WS, person("ana"), "git bisect finds the bad commit 🎯", ("git",)
    )
    assert (shared.author, shared.tags) == ("Ana", ("git",))
    [learning] = app.store.rows("learnings")
    assert learning["text"] == "git bisect finds the bad commit 🎯"

    await give(app, "ana", "raj", amount=2, reason="the bisect tip")
    await give(app, "raj", "ana", amount=3)
    history = await show_history(app.services, WS, person("ana"))
    assert [(i.direction, i.amount_each) for i in history.items] == [("received", 3), ("given", 2)]


async def test_empty_learning_is_refused(app: FakeApp) -> None:
    with pytest.raises(errors.ParseError):
        await share_learning(app.services, WS, MemberRef("ana"), "   ", ())
    assert count(app, "learnings") == 0


async def test_switching_the_allowance_period_back_and_forth_regrants_cleanly(
    app: FakeApp, clock: FakeClock
) -> None:
    await give(app, "ana", "raj", amount=10)  # month 2026-11 granted
    await configure(app, allowance_period="week")
    await give(app, "ana", "raj", amount=1)  # week 2026-W47 granted
    await configure(app, allowance_period="month")
    given = await give(app, "ana", "raj", amount=1)  # 2026-11 again: a new grant, not a crash
    assert (given.duplicate, given.allowance_left) == (False, 99)
    assert await verify_ledger(app.services) == []
