"""Scheduled posts with a clock the test moves: on time in local time across DST, caught up once
after downtime, retried then recorded, and saying the right thing (on the fake store; two
servers on one database are in tests/integration/test_scheduled_posts.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.domain.model import WorkspaceRef
from bot.services.learning import share_learning
from bot.services.posts import leaderboard_post, learning_post
from bot.services.results import KudosGiven, LearningShared, ScheduledPost
from bot.services.schedules import add_schedule, run_due_posts, schedule_status
from tests.conftest import FakeClock
from tests.fakes.unit_of_work import FakeApp
from tests.support import OPERATOR, WS, configure, give, person


@dataclass
class RecordingNotifier:
    """Records scheduled posts; `failures` makes the next posts raise, as Slack's 5xx would."""

    posts: list[tuple[str, str, ScheduledPost]] = field(default_factory=list)
    failures: int = 0

    async def kudos_given(self, workspace: WorkspaceRef, given: KudosGiven) -> None:
        return None

    async def learning_shared(self, workspace: WorkspaceRef, shared: LearningShared) -> None:
        return None

    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Slack answered 503")
        self.posts.append((workspace.external_id, channel, post))


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
async def app(clock: FakeClock, notifier: RecordingNotifier) -> FakeApp:
    """The services on the fake store, posting through `notifier`, in Berlin."""
    made = FakeApp(clock=clock, notifier=notifier)
    await configure(made, timezone="Europe/Berlin")
    return made


def at(clock: FakeClock, *args: int) -> None:
    clock.current = datetime(*args, tzinfo=UTC)


async def test_a_weekly_post_fires_at_four_local_time_on_both_sides_of_the_dst_change(
    app: FakeApp, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await add_schedule(app.services, WS, "weekly_leaderboard", "C1", "fri 16:00", actor=OPERATOR)
    at(clock, 2026, 10, 23, 13, 59)  # 15:59 CEST
    assert await run_due_posts(app.services) == []
    at(clock, 2026, 10, 23, 14, 0)  # 16:00 CEST
    assert await run_due_posts(app.services) == [("acme", "weekly_leaderboard", "C1", "posted")]
    at(clock, 2026, 10, 23, 14, 30)
    assert await run_due_posts(app.services) == []
    at(clock, 2026, 10, 30, 14, 0)  # 15:00 CET: a UTC-fixed schedule would post now
    assert await run_due_posts(app.services) == []
    at(clock, 2026, 10, 30, 15, 0)  # 16:00 CET
    assert await run_due_posts(app.services) == [("acme", "weekly_leaderboard", "C1", "posted")]
    assert [p.title for _, _, p in notifier.posts] == [
        "Week 43, 2026 (from Oct 19)",
        "Week 44, 2026 (from Oct 26)",
    ]


async def test_a_run_missed_while_down_is_posted_once_when_the_server_returns(
    app: FakeApp, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await add_schedule(app.services, WS, "weekly_leaderboard", "C1", actor=OPERATOR)
    at(clock, 2026, 11, 6, 12, 0)
    await run_due_posts(app.services)
    at(clock, 2026, 11, 20, 18, 0)  # down since the 6th: two Fridays missed, the last 3 h ago
    assert len(await run_due_posts(app.services)) == 1
    at(clock, 2026, 11, 20, 19, 0)
    assert await run_due_posts(app.services) == []
    assert [p.title for _, _, p in notifier.posts] == ["Week 47, 2026 (from Nov 16)"]
    at(clock, 2026, 11, 28, 3, 0)  # back after the grace period: that week is skipped
    assert await run_due_posts(app.services) == []


async def test_a_failing_post_is_retried_with_back_off_then_recorded(
    app: FakeApp, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await add_schedule(app.services, WS, "weekly_leaderboard", "C1", actor=OPERATOR)
    notifier.failures = 1
    at(clock, 2026, 11, 20, 15, 0)
    assert await run_due_posts(app.services) == [("acme", "weekly_leaderboard", "C1", "retry")]
    assert await run_due_posts(app.services) == []  # not before its back-off
    clock.advance(minutes=1)
    assert await run_due_posts(app.services) == [("acme", "weekly_leaderboard", "C1", "posted")]
    [status] = await schedule_status(app.services, WS)
    assert status.last_run is not None
    assert (status.last_run.status, status.last_run.attempts) == ("posted", 2)
    assert len(notifier.posts) == 1

    notifier.failures = 99
    at(clock, 2026, 11, 27, 15, 0)
    outcomes = []
    for _ in range(8):
        outcomes += [o[3] for o in await run_due_posts(app.services)]
        clock.advance(hours=1)
    assert outcomes == ["retry", "retry", "retry", "retry", "failed"]
    [status] = await schedule_status(app.services, WS)
    assert status.last_run is not None and status.last_run.status == "failed"
    assert status.last_run.error == "ConnectionError: Slack answered 503"


async def test_the_leaderboard_post_says_who_was_recognised_given_and_new(
    app: FakeApp, clock: FakeClock
) -> None:
    at(clock, 2026, 11, 11, 10, 0)  # week 46
    await give(app, "ana", "bob", amount=5)
    await give(app, "bob", "cy", amount=9)
    at(clock, 2026, 11, 18, 10, 0)  # week 47
    await give(app, "ana", "bob", amount=3, tags=("mentoring",))
    await give(app, "cy", "bob", amount=2)
    await give(app, "bob", "cy", amount=4, tags=("learning",))
    await give(app, "ana", "dee", amount=1)
    post = await leaderboard_post(app.services, WS, "week")
    assert post.title == "Week 47, 2026 (from Nov 16)"
    assert [(r.rank, r.display_name, r.points, r.previous_rank) for r in post.receivers] == [
        (1, "Bob", 5, 2),
        (2, "Cy", 4, 1),
        (3, "Dee", 1, None),
    ]
    assert [(g.display_name, g.points) for g in post.givers] == [("Ana", 4), ("Bob", 4), ("Cy", 2)]
    assert [(v, r.display_name) for v, r in post.value_leaders] == [
        ("learning", "Cy"),
        ("mentoring", "Bob"),
    ]
    assert post.newcomers == ("Dee",)
    quiet = await leaderboard_post(app.services, WS, "week", "2026-W40")
    assert quiet.empty


async def test_the_learning_post_lists_learnings_learning_kudos_and_the_best_helpers(
    app: FakeApp, clock: FakeClock
) -> None:
    at(clock, 2026, 11, 16, 9, 0)
    await share_learning(app.services, WS, person("ana"), "git bisect finds bad commits", ("git",))
    await give(app, "ana", "bob", amount=3, reason="the SQL walkthrough", tags=("mentoring",))
    await give(app, "cy", "bob", amount=2, reason="pairing", tags=("mentoring",))
    await give(app, "ana", "cy", amount=2, reason="the coffee", tags=("teamwork",))
    await give(app, "dee", "cy", amount=1, reason="code review", tags=("mentoring",))
    at(clock, 2026, 11, 9, 9, 0)  # the week before does not count
    await share_learning(app.services, WS, person("ana"), "old news", ())
    at(clock, 2026, 11, 20, 15, 0)
    post = await learning_post(app.services, WS)
    assert post.learnings == (("Ana", "git bisect finds bad commits", ("git",)),)
    assert [(k.giver, k.recipients, k.reason) for k in post.kudos] == [
        ("Ana", ("Bob",), "the SQL walkthrough"),
        ("Cy", ("Bob",), "pairing"),
        ("Dee", ("Cy",), "code review"),
    ]
    assert [(name, n) for _, name, n in post.helpers] == [("Bob", 2), ("Cy", 1)]
