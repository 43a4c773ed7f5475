"""Scheduled posts: when each is due, in the workspace's own time zone, and which period it
covers. Pure functions of the clock, so daylight-saving changes and missed runs are testable.

- Weekly leaderboard: a weekday and time (default Friday 16:00); covers the ISO week it runs in.
- Monthly leaderboard: the first working day (Monday to Friday) of each month at a time; covers
  the month before.
- Learning shoutouts: a weekday and time (default Friday 15:00); cover the week it runs in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidSetting

ScheduleKind = Literal["weekly_leaderboard", "monthly_leaderboard", "learning_shoutouts"]
KINDS: tuple[ScheduleKind, ...] = (
    "weekly_leaderboard",
    "monthly_leaderboard",
    "learning_shoutouts",
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIMES: dict[ScheduleKind, tuple[int, int, int]] = {
    "weekly_leaderboard": (4, 16, 0),
    "monthly_leaderboard": (0, 10, 0),
    "learning_shoutouts": (4, 15, 0),
}


@dataclass(frozen=True)
class Schedule:
    """One scheduled post in one channel. `weekday` is 0 (Monday) to 6; unused for monthly."""

    id: int
    workspace_id: int
    kind: ScheduleKind
    channel: str
    weekday: int
    hour: int
    minute: int

    def describe(self) -> str:
        at = f"{self.hour:02d}:{self.minute:02d}"
        if self.kind == "monthly_leaderboard":
            return f"monthly leaderboard, first working day of the month at {at}"
        what = "weekly leaderboard" if self.kind == "weekly_leaderboard" else "learning shoutouts"
        return f"{what}, {WEEKDAYS[self.weekday].title()} at {at}"


@dataclass(frozen=True)
class ScheduleRun:
    """One claimed run of a scheduled post: `running`, `posted`, `retry` (failed, will try
    again at `next_attempt_at`) or `failed` (gave up)."""

    id: int
    kind: str
    channel: str
    period: str
    status: str
    attempts: int
    claimed_at: datetime
    next_attempt_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None


def parse_when(kind: str, when: str | None) -> tuple[ScheduleKind, int, int, int]:
    """Check a kind and an optional `fri 16:00` / `16:00`; fill in the defaults."""
    found = next((k for k in KINDS if k == kind), None)
    if found is None:
        raise InvalidSetting(f"A schedule is one of {', '.join(KINDS)}, not {kind!r}.")
    weekday, hour, minute = DEFAULT_TIMES[found]
    for part in (when or "").replace(",", " ").split():
        word = part.casefold()[:3]
        if word in WEEKDAYS and kind != "monthly_leaderboard":
            weekday = WEEKDAYS.index(word)
        elif ":" in part and all(p.isdigit() for p in part.split(":", 1)):
            hour, minute = (int(p) for p in part.split(":", 1))
            if not (0 <= hour < 24 and 0 <= minute < 60):
                raise InvalidSetting(f"{part} isn't a time of day; use 24-hour HH:MM like 16:00.")
        else:
            raise InvalidSetting(f"I can't read {part!r} as a day or a time; try `fri 16:00`.")
    return found, weekday, hour, minute


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A wall-clock moment in `tz`, as UTC. A time that does not exist (the hour skipped when
    clocks go forward) moves forward by the gap; one that happens twice counts the first time.
    (Both are what `fold=0` means. Slots are compared in UTC: Python compares two datetimes of
    the same zone by wall clock, ignoring `fold`.)"""
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def latest_slot(schedule: Schedule, tz: ZoneInfo, now: datetime) -> datetime:
    """The most recent moment at or before `now` when this schedule was due."""
    local_now = now.astimezone(tz)
    at = time(schedule.hour, schedule.minute)
    if schedule.kind == "monthly_leaderboard":
        year, month = local_now.year, local_now.month
        for _ in range(2):
            slot = _local(first_working_day(year, month), at, tz)
            if slot <= now:
                return slot
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        raise AssertionError("unreachable")
    day = local_now.date() - timedelta(days=(local_now.weekday() - schedule.weekday) % 7)
    slot = _local(day, at, tz)
    if slot > now:
        slot = _local(day - timedelta(days=7), at, tz)
    return slot


def _runs_on(schedule: Schedule, day: date) -> bool:
    if schedule.kind == "monthly_leaderboard":
        return day == first_working_day(day.year, day.month)
    return day.weekday() == schedule.weekday


def next_slot(schedule: Schedule, tz: ZoneInfo, now: datetime) -> datetime:
    """The first moment after `now` when this schedule is due."""
    day = now.astimezone(tz).date()
    at = time(schedule.hour, schedule.minute)
    while True:
        if _runs_on(schedule, day) and (slot := _local(day, at, tz)) > now:
            return slot
        day += timedelta(days=1)


def period_of(schedule: Schedule, slot: datetime, tz: ZoneInfo) -> str:
    """The period a post at `slot` covers, which is also its exactly-once key:
    `2026-W47` for weekly posts, `2026-10` (the month before) for the monthly leaderboard."""
    local = slot.astimezone(tz)
    if schedule.kind == "monthly_leaderboard":
        first = local.date().replace(day=1) - timedelta(days=1)
        return f"{first.year}-{first.month:02d}"
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def due(
    schedule: Schedule, tz: ZoneInfo, now: datetime, grace: timedelta
) -> tuple[datetime, str] | None:
    """(slot, period) when the latest slot is within `grace` of now: a run missed while the
    server was down is posted once when it comes back, not once per missed slot."""
    slot = latest_slot(schedule, tz, now)
    if now - slot > grace:
        return None
    return slot, period_of(schedule, slot, tz)
