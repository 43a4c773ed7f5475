"""When scheduled posts are due, in local time, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidSetting
from bot.domain.schedule import (
    KINDS,
    Schedule,
    due,
    latest_slot,
    next_slot,
    parse_when,
    period_of,
)

BERLIN = ZoneInfo("Europe/Berlin")


def weekly(
    weekday: int = 4, hour: int = 16, minute: int = 0, kind: str = "weekly_leaderboard"
) -> Schedule:
    return Schedule(1, 1, kind, "C1", weekday, hour, minute)  # type: ignore[arg-type]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_friday_at_four_is_four_in_berlin_on_both_sides_of_the_autumn_change() -> None:
    s = weekly()
    before = next_slot(s, BERLIN, utc(2026, 10, 20))
    after = next_slot(s, BERLIN, before)
    assert before == utc(2026, 10, 23, 14, 0)  # CEST, UTC+2
    assert after == utc(2026, 10, 30, 15, 0)  # CET, UTC+1
    assert before.astimezone(BERLIN).hour == after.astimezone(BERLIN).hour == 16


def test_a_time_skipped_by_the_spring_change_runs_just_after_it() -> None:
    s = weekly(weekday=6, hour=2, minute=30)  # Sunday 02:30 does not exist on 2026-03-29
    slot = next_slot(s, BERLIN, utc(2026, 3, 28))
    assert slot.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == "2026-03-29 03:30"


def test_a_time_that_happens_twice_in_autumn_runs_once() -> None:
    s = weekly(weekday=6, hour=2, minute=30)  # Sunday 02:30 happens twice on 2026-10-25
    first = next_slot(s, BERLIN, utc(2026, 10, 24))
    assert first == utc(2026, 10, 25, 0, 30)
    assert next_slot(s, BERLIN, first) == utc(2026, 11, 1, 1, 30)


def test_monthly_runs_on_the_first_working_day_and_covers_the_month_before() -> None:
    s = Schedule(1, 1, "monthly_leaderboard", "C1", 0, 10, 0)
    slot = next_slot(s, BERLIN, utc(2026, 10, 15))
    assert slot.astimezone(BERLIN).strftime("%a %Y-%m-%d %H:%M") == "Mon 2026-11-02 10:00"
    assert period_of(s, slot, BERLIN) == "2026-10"


def test_weekly_posts_cover_the_week_they_run_in() -> None:
    s = weekly()
    assert period_of(s, utc(2026, 11, 20, 15, 0), BERLIN) == "2026-W47"


def test_a_missed_run_is_due_once_within_the_grace_period_and_not_after() -> None:
    s = weekly()
    slot = utc(2026, 11, 20, 15, 0)  # Friday 16:00 Berlin
    assert due(s, BERLIN, slot - timedelta(minutes=1), timedelta(hours=6)) is None  # not yet
    assert due(s, BERLIN, slot + timedelta(hours=5), timedelta(hours=6)) == (slot, "2026-W47")
    assert due(s, BERLIN, slot + timedelta(hours=7), timedelta(hours=6)) is None
    # down for two weeks: only the latest slot is due, not one per missed week
    assert due(s, BERLIN, slot + timedelta(days=14, hours=1), timedelta(hours=6)) == (
        slot + timedelta(days=14),
        "2026-W49",
    )


@pytest.mark.parametrize(
    ("kind", "when", "expected"),
    [
        ("weekly_leaderboard", None, (4, 16, 0)),
        ("weekly_leaderboard", "mon 09:30", (0, 9, 30)),
        ("learning_shoutouts", "Thursday", (3, 15, 0)),
        ("monthly_leaderboard", "08:00", (0, 8, 0)),
    ],
)
def test_schedules_read_a_day_and_a_time_with_defaults(
    kind: str, when: str | None, expected: tuple[int, int, int]
) -> None:
    assert parse_when(kind, when)[1:] == expected


@pytest.mark.parametrize(
    ("kind", "when"),
    [("daily_digest", None), ("weekly_leaderboard", "25:00"), ("weekly_leaderboard", "soon")],
)
def test_unreadable_schedules_are_refused(kind: str, when: str | None) -> None:
    with pytest.raises(InvalidSetting):
        parse_when(kind, when)


ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]


@given(
    kind=st.sampled_from(KINDS),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    zone=st.sampled_from(ZONES),
    now=st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)),
)
def test_slots_bracket_now_and_keep_their_wall_clock_time(
    kind: str, weekday: int, hour: int, minute: int, zone: str, now: datetime
) -> None:
    tz = ZoneInfo(zone)
    s = Schedule(1, 1, kind, "C1", weekday, hour, minute)  # type: ignore[arg-type]
    last, upcoming = latest_slot(s, tz, now), next_slot(s, tz, now)
    assert last <= now < upcoming
    assert upcoming - last <= timedelta(days=36)
    assert next_slot(s, tz, last) == upcoming or next_slot(s, tz, last) <= now
    local = upcoming.astimezone(tz)
    if (local.hour, local.minute) != (hour, minute):  # only in a spring-forward gap
        assert local.utcoffset() != (local - timedelta(hours=3)).utcoffset()
