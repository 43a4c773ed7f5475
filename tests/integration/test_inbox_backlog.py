"""A backlog in the inbox table (left by a process that died, or recorded while this one had
no room) drains as fast as the workers go: the poller claims batch after batch as they free
up, not one batch per poll."""

from __future__ import annotations

import asyncio

from bot.bootstrap import App
from tests.integration.test_inbox import GivingHandler, earned, request, rows, worker


async def test_a_backlog_in_the_database_drains_without_waiting_a_poll_per_batch(
    app: App,
) -> None:
    inbox = worker(app, GivingHandler(), poll=30.0, batch=5, concurrency=2)
    for n in range(40):  # recorded while no worker runs here: in the database only
        await inbox.record(request(f"slack:T1:cmd:{n}", amount=1))
    inbox.start()
    try:
        for _ in range(300):  # 15 s at most; one batch per 30 s poll would take minutes
            if await rows(app, "inbox", "state") == [("done",)] * 40:
                break
            await asyncio.sleep(0.05)
    finally:
        await inbox.stop()
    assert await rows(app, "inbox", "state") == [("done",)] * 40
    assert await earned(app, "raj") == 40
