"""Pure ledger rules: no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import errors, rules
from bot.domain.model import (
    EntryKind,
    Member,
    Transfer,
    WorkspaceSettings,
    allowance_period_key,
    leaderboard_buckets,
    next_period_start,
    rank_rows,
)

SETTINGS = WorkspaceSettings()
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def member(id: int, **overrides: object) -> Member:
    base = dict(
        id=id,
        workspace_id=1,
        external_id=f"m{id}",
        display_name=f"M{id}",
        is_bot=False,
        is_active=True,
        allowance_account_id=100 + id,
        earned_account_id=200 + id,
        allowance_balance=100,
        earned_balance=0,
        allowance_period="2026-11",
    )
    base.update(overrides)
    return Member(**base)  # type: ignore[arg-type]


def test_defaults_lean_towards_learning() -> None:
    assert SETTINGS.values[:2] == ("learning", "mentoring")
    assert (SETTINGS.allowance_amount, SETTINGS.allowance_period) == (100, "month")
    assert (SETTINGS.min_amount, SETTINGS.max_amount, SETTINGS.default_amount) == (1, 50, 1)


def test_settings_round_trip_through_json_and_ignore_unknown_keys() -> None:
    stored = {**WorkspaceSettings(max_amount=7).to_dict(), "from_the_future": True}
    assert WorkspaceSettings.from_dict(stored) == WorkspaceSettings(max_amount=7)
    assert WorkspaceSettings.from_dict(None) == SETTINGS


def test_self_is_refused_before_amount() -> None:
    with pytest.raises(errors.SelfKudos):
        rules.check_give(SETTINGS, member(1), [member(1)], 999, None, ())


def test_bot_and_inactive_recipients_are_named_in_the_refusal() -> None:
    with pytest.raises(errors.BotRecipient, match="M2"):
        rules.check_give(SETTINGS, member(1), [member(2, is_bot=True)], 1, None, ())
    with pytest.raises(errors.InactiveRecipient, match="M3"):
        rules.check_give(SETTINGS, member(1), [member(3, is_active=False)], 1, None, ())


@pytest.mark.parametrize("amount", [0, -1, 51])
def test_amount_bounds(amount: int) -> None:
    with pytest.raises(errors.AmountOutOfBounds):
        rules.check_give(SETTINGS, member(1), [member(2)], amount, None, ())


def test_plan_moves_each_amount_and_sums_totals() -> None:
    plan = rules.plan_give(SETTINGS, member(1), [member(2), member(3)], 5, ("learning",), 9, NOW)
    assert [(t.debit_account_id, t.credit_account_id, t.amount) for t in plan.transfers] == [
        (101, 202, 5),
        (101, 203, 5),
    ]
    # three buckets (week, month, all) x two tags ('' and learning)
    assert sum(d.received for d in plan.totals) == 5 * 2 * 6
    assert sum(d.given for d in plan.totals) == 10 * 6


def test_transfers_refuse_non_positive_amounts_and_self_moves() -> None:
    with pytest.raises(ValueError):
        Transfer(1, 2, 0, EntryKind.KUDOS, "x")
    with pytest.raises(ValueError):
        Transfer(1, 1, 5, EntryKind.KUDOS, "x")


def test_allowance_refresh_expires_then_grants_and_conserves() -> None:
    old = member(1, allowance_balance=30, allowance_period="2026-10")
    transfers = rules.plan_allowance_refresh(SETTINGS, old, 999, "2026-11")
    assert [(t.kind, t.amount) for t in transfers] == [
        (EntryKind.EXPIRE, 30),
        (EntryKind.GRANT, 100),
    ]
    rolled = rules.plan_allowance_refresh(
        WorkspaceSettings(allowance_rollover=True), old, 999, "2026-11"
    )
    assert [(t.kind, t.amount) for t in rolled] == [(EntryKind.GRANT, 100)]


def test_effective_allowance_counts_a_grant_not_yet_made() -> None:
    assert rules.effective_allowance(SETTINGS, member(1, allowance_balance=5), NOW) == 5
    stale = member(1, allowance_balance=5, allowance_period="2026-10")
    assert rules.effective_allowance(SETTINGS, stale, NOW) == 100
    assert rules.effective_allowance(WorkspaceSettings(allowance_rollover=True), stale, NOW) == 105


def test_periods_use_the_workspace_time_zone() -> None:
    tokyo = WorkspaceSettings(timezone="Asia/Tokyo")
    late_utc = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # already December 1st in Tokyo
    assert allowance_period_key(SETTINGS, late_utc) == "2026-11"
    assert allowance_period_key(tokyo, late_utc) == "2026-12"
    assert leaderboard_buckets(tokyo, late_utc)["month"] == "month:2026-12"


def test_weekly_periods_are_iso_weeks_and_renew_on_monday_midnight_local() -> None:
    weekly = WorkspaceSettings(allowance_period="week", timezone="Europe/Berlin")
    sunday_late = datetime(2026, 3, 29, 21, 30, tzinfo=UTC)  # Sunday 23:30 CEST in Berlin
    assert allowance_period_key(weekly, sunday_late) == "2026-W13"
    renews = next_period_start(weekly, sunday_late)
    assert (renews.isoformat()) == "2026-03-30T00:00:00+02:00"  # after the DST change


def test_month_renewal_wraps_the_year() -> None:
    assert next_period_start(SETTINGS, datetime(2026, 12, 15, tzinfo=UTC)).date().isoformat() == (
        "2027-01-01"
    )


def test_ties_share_a_rank() -> None:
    rows = rank_rows([(1, "a", "A", 9), (2, "b", "B", 5), (3, "c", "C", 5), (4, "d", "D", 1)])
    assert [r.rank for r in rows] == [1, 2, 2, 4]


def test_undo_window() -> None:
    from bot.domain.model import Kudos

    kudos = Kudos(1, 1, 1, 5, (2,), None, (), None, None, NOW)
    assert rules.check_undo(SETTINGS, kudos, NOW.replace(minute=10)) is kudos
    with pytest.raises(errors.UndoWindowExpired):
        rules.check_undo(SETTINGS, kudos, NOW.replace(minute=11))
    with pytest.raises(errors.NothingToUndo):
        rules.check_undo(SETTINGS, None, NOW)
