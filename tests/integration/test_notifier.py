"""The notifier hears about each real kudos and learning once, after the commit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain import errors
from bot.domain.model import WorkspaceRef
from bot.services.learning import share_learning
from bot.services.queries import show_balance
from bot.services.results import KudosGiven, LearningShared
from tests.conftest import FakeClock
from tests.support import WS, give, person


class RecordingNotifier:
    def __init__(self, fail: bool = False) -> None:
        self.events: list[tuple[str, int]] = []
        self.fail = fail

    async def kudos_given(self, workspace: WorkspaceRef, given: KudosGiven) -> None:
        if self.fail:
            raise RuntimeError("chat platform down")
        self.events.append(("kudos", given.kudos_id))

    async def learning_shared(self, workspace: WorkspaceRef, shared: LearningShared) -> None:
        self.events.append(("til", shared.learning_id))


@pytest.fixture
async def notified(
    database_url: str, clock: FakeClock
) -> AsyncIterator[tuple[App, RecordingNotifier]]:
    notifier = RecordingNotifier()
    app = await build(
        Settings(DATABASE_URL=database_url), clock=clock, notifier=notifier, migrate=False
    )
    yield app, notifier
    await app.close()


async def test_each_kudos_is_announced_once(notified: tuple[App, RecordingNotifier]) -> None:
    app, notifier = notified
    first = await give(app, "ana", "raj", amount=3, key="delivery-1")
    await give(app, "ana", "raj", amount=3, key="delivery-1")  # redelivered
    with pytest.raises(errors.SelfKudos):
        await give(app, "ana", "ana", amount=3)
    shared = await share_learning(app.services, WS, person("ana"), "pytest -x stops early", ())
    assert notifier.events == [("kudos", first.kudos_id), ("til", shared.learning_id)]


async def test_a_failing_notifier_does_not_undo_the_kudos(
    database_url: str, clock: FakeClock
) -> None:
    app = await build(
        Settings(DATABASE_URL=database_url),
        clock=clock,
        notifier=RecordingNotifier(fail=True),
        migrate=False,
    )
    try:
        given = await give(app, "ana", "raj", amount=3)
        assert given.total == 3
        assert (await show_balance(app.services, WS, person("raj"))).earned == 3
    finally:
        await app.close()
