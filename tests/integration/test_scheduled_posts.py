"""Scheduled posts on one database shared by two servers: each run is posted once. The rest
(DST, catching up, retries, what a post says) is in tests/unit/services/test_scheduled_posts.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain.model import WorkspaceRef
from bot.services.results import KudosGiven, LearningShared, ScheduledPost
from bot.services.schedules import add_schedule, run_due_posts
from tests.conftest import FakeClock
from tests.support import OPERATOR, WS, configure


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
async def app(
    database_url: str, clock: FakeClock, notifier: RecordingNotifier
) -> AsyncIterator[App]:
    built = await build(
        Settings(DATABASE_URL=database_url), clock=clock, notifier=notifier, migrate=False
    )
    await configure(built, timezone="Europe/Berlin")
    yield built
    await built.close()


def at(clock: FakeClock, *args: int) -> None:
    clock.current = datetime(*args, tzinfo=UTC)


async def test_two_servers_on_one_database_post_once(
    app: App, database_url: str, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    other = await build(
        Settings(DATABASE_URL=database_url), clock=clock, notifier=notifier, migrate=False
    )
    try:
        await add_schedule(app.services, WS, "weekly_leaderboard", "C1", actor=OPERATOR)
        await add_schedule(app.services, WS, "learning_shoutouts", "C2", actor=OPERATOR)
        at(clock, 2026, 11, 20, 15, 0)  # Friday 16:00 Berlin: both are due
        results = await asyncio.gather(
            *(run_due_posts(a.services) for a in (app, other, app, other))
        )
        assert sorted(o for r in results for o in r) == [
            ("acme", "learning_shoutouts", "C2", "posted"),
            ("acme", "weekly_leaderboard", "C1", "posted"),
        ]
        assert len(notifier.posts) == 2
    finally:
        await other.close()
