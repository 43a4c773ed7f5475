"""An acknowledged request is never lost and never counts twice: the inbox records it before
the ack, a worker (this process's, or any replica's once a lease runs out) runs it and ends
its row in the same transaction as its effect and its replies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from bot import metrics
from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain.errors import KudosError
from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext
from bot.services.delivery import InboxItem, Incoming, Outgoing
from bot.services.give import GiveKudos, give_kudos
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance
from bot.worker.inbox import InboxWorker
from bot.worker.timing import QueueTiming
from tests.conftest import FakeClock
from tests.support import person

SLACK = WorkspaceRef("slack", "T1", "Acme")


class GivingHandler:
    """A platform whose requests are kudos: `{"from", "to", "amount"}`."""

    def __init__(self) -> None:
        self.failures = 0
        self.hold: asyncio.Event | None = None
        self.runs = 0

    async def process(self, ctx: ServiceContext, item: InboxItem) -> Sequence[Outgoing]:
        self.runs += 1
        if self.hold is not None:
            await self.hold.wait()
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the chat platform hiccuped")
        p = item.payload
        try:
            given = await give_kudos(
                ctx,
                GiveKudos(
                    SLACK,
                    person(p["from"]),
                    (person(p["to"]),),
                    p["amount"],
                    "thanks",
                    (),
                    item.delivery_key,
                ),
            )
        except KudosError as refusal:
            return [Outgoing("slack", "T1", "refusal", {"text": refusal.message})]
        return [Outgoing("slack", "T1", "receipt", {"kudos": given.kudos_id})]

    def given_up(self, item: InboxItem, error: str) -> Sequence[Outgoing]:
        return [Outgoing("slack", "T1", "sorry", {"error": error})]


def request(key: str, giver: str = "ana", to: str = "raj", amount: int = 5) -> Incoming:
    return Incoming("slack", "T1", key, {"from": giver, "to": to, "amount": amount})


def worker(app: App, handler: GivingHandler, **timing: Any) -> InboxWorker:
    return InboxWorker(
        app.services, app.worker.recorder, {"slack": handler}, timing=QueueTiming(**timing)
    )


async def rows(app: App, table: str, *columns: str) -> list[tuple[Any, ...]]:
    async with app.database.engine.connect() as conn:
        found = await conn.exec_driver_sql(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
        return [tuple(r) for r in found.all()]


async def earned(app: App, who: str) -> int:
    return (await show_balance(app.services, SLACK, person(who), newcomer_ok=True)).earned


@pytest.fixture
async def second(database_url: str, clock: FakeClock) -> AsyncIterator[App]:
    """Another process on the same database (a replica, or this one after a restart)."""
    other = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
    yield other
    await other.close()


async def test_a_redelivered_request_is_recorded_once(app: App) -> None:
    inbox = worker(app, GivingHandler())
    assert await inbox.record(request("slack:T1:cmd:1")) is True
    assert await inbox.record(request("slack:T1:cmd:1")) is False
    assert len(await rows(app, "inbox", "id")) == 1


async def test_a_request_is_done_with_its_effect_and_replies_in_one_commit(app: App) -> None:
    inbox = worker(app, GivingHandler())
    inbox.start()
    try:
        await inbox.record(request("slack:T1:cmd:1"))
        assert await inbox.idle()
    finally:
        await inbox.stop()
    assert await earned(app, "raj") == 5
    assert await rows(app, "inbox", "state", "outcome", "attempts") == [("done", "done", 1)]
    assert sorted(m for (m,) in await rows(app, "outbox", "method")) == ["kudos_given", "receipt"]


@pytest.mark.alone  # a 0.3 s lease
async def test_acknowledged_work_left_by_a_dead_process_is_done_after_restart(
    app: App, second: App
) -> None:
    handler = GivingHandler()
    handler.hold = asyncio.Event()  # the first process never gets past this: it "dies" here
    first = worker(app, handler, lease=0.3, run_timeout=0.2)
    first.start()
    await first.record(request("slack:T1:cmd:1"))
    for _ in range(200):  # until the worker has taken it up
        if handler.runs:
            break
        await asyncio.sleep(0.01)
    assert handler.runs == 1
    await first.stop(within=0)
    assert await earned(app, "raj") == 0
    assert await rows(app, "inbox", "state") == [("pending",)]

    # The process that takes over runs with time to spare: only the dead one's lease is short.
    restarted = worker(second, GivingHandler(), lease=10, run_timeout=5, poll=0.05)
    restarted.start()
    try:
        for _ in range(400):  # the lease (or a back-off of about a second) runs out first
            if (await rows(second, "inbox", "state")) == [("done",)]:
                break
            await asyncio.sleep(0.05)
    finally:
        await restarted.stop()
    assert await rows(second, "inbox", "state", "attempts") == [("done", 2)]
    assert await earned(second, "raj") == 5
    assert sorted(m for (m,) in await rows(second, "outbox", "method")) == [
        "kudos_given",
        "receipt",
    ]


async def test_a_lease_taken_over_means_the_first_worker_changes_nothing(
    app: App, second: App
) -> None:
    handler = GivingHandler()
    slow = worker(app, handler, lease=0.05, run_timeout=0.04)
    await slow.record(request("slack:T1:cmd:1"))  # not running: nobody holds it yet
    (first_claim,) = await slow.claim(10)
    await asyncio.sleep(0.1)  # its lease runs out before it starts
    other = worker(second, GivingHandler(), lease=30)
    (second_claim,) = await other.claim(10)
    assert first_claim.id == second_claim.id and first_claim.lease_token != second_claim.lease_token
    await other.run(second_claim)
    await slow.run(first_claim)  # too late: its effect is rolled back
    assert await earned(app, "raj") == 5
    assert await rows(app, "inbox", "state", "attempts") == [("done", 2)]
    assert len(await rows(app, "kudos", "id")) == 1
    assert sorted(m for (m,) in await rows(app, "outbox", "method")) == ["kudos_given", "receipt"]
    assert await verify_ledger(app.services) == []


async def test_a_failed_request_is_retried_later_and_then_done(app: App) -> None:
    handler = GivingHandler()
    handler.failures = 1
    inbox = worker(app, handler)
    await inbox.record(request("slack:T1:cmd:1"))
    (item,) = await inbox.claim(10)
    await inbox.run(item)
    ((state, attempts, error),) = await rows(app, "inbox", "state", "attempts", "error")
    assert (state, attempts) == ("pending", 1) and "hiccuped" in error
    assert await inbox.claim(10) == []  # backing off
    async with app.database.engine.begin() as conn:
        await conn.exec_driver_sql("UPDATE inbox SET available_at = '2000-01-01'")
    (again,) = await inbox.claim(10)
    await inbox.run(again)
    assert await rows(app, "inbox", "state", "attempts") == [("done", 2)]
    assert await earned(app, "raj") == 5


async def test_a_request_that_keeps_failing_is_given_up_and_the_person_told(app: App) -> None:
    handler = GivingHandler()
    handler.failures = 99
    inbox = worker(app, handler, inbox_attempts=2)
    await inbox.record(request("slack:T1:cmd:1"))
    for _ in range(2):
        async with app.database.engine.begin() as conn:
            await conn.exec_driver_sql("UPDATE inbox SET available_at = '2000-01-01'")
        (item,) = await inbox.claim(10)
        await inbox.run(item)
    assert [(s, o) for s, o in await rows(app, "inbox", "state", "outcome")] == [
        ("failed", "given_up")
    ]
    ((method, payload),) = await rows(app, "outbox", "method", "payload")
    assert method == "sorry" and "hiccuped" in json.loads(payload)["error"]
    assert await earned(app, "raj") == 0


async def test_a_refused_request_is_done_with_its_refusal_and_changes_nothing(app: App) -> None:
    inbox = worker(app, GivingHandler())
    await inbox.record(request("slack:T1:cmd:1", to="ana"))
    (item,) = await inbox.claim(10)
    await inbox.run(item)
    assert await rows(app, "inbox", "state") == [("done",)]
    ((method, payload),) = await rows(app, "outbox", "method", "payload")
    assert method == "refusal" and "yourself" in json.loads(payload)["text"]
    assert await rows(app, "kudos", "id") == []
    assert await rows(app, "ledger_entries", "id") == []


@pytest.mark.postgres
@pytest.mark.alone  # 200 acks must beat a 2 s pool timeout
async def test_a_burst_never_starves_the_pool_or_the_acks(
    postgres_url: str, clock: FakeClock
) -> None:
    """Two pooled connections for eight workers and a burst of 200 acks at once: every ack is
    recorded, every request done, and nothing waits on a pool background work holds."""
    app = await build(
        Settings(DATABASE_URL=postgres_url, DATABASE_POOL_SIZE=2, KUDOS_WORKERS=8),
        clock=clock,
        migrate=False,
    )
    handler = GivingHandler()
    inbox = InboxWorker(
        app.services, app.worker.recorder, {"slack": handler}, timing=QueueTiming(concurrency=8)
    )
    inbox.start()
    try:
        recorded = await asyncio.gather(
            *(inbox.record(request(f"slack:T1:cmd:{n}", amount=1)) for n in range(200)),
            *(app.ping() for _ in range(20)),
        )
        assert recorded[:200] == [True] * 200
        for _ in range(400):
            if await rows(app, "inbox", "state") == [("done",)] * 200:
                break
            await asyncio.sleep(0.05)
        assert await rows(app, "inbox", "state") == [("done",)] * 200
        # The allowance is 100 a month: the first 100 count, the rest are refused.
        assert await earned(app, "raj") == 100
        assert await verify_ledger(app.services) == []
    finally:
        await inbox.stop()
        await app.close()


async def test_the_backlog_and_the_age_of_the_oldest_request_are_measured(app: App) -> None:
    inbox = worker(app, GivingHandler())
    await inbox.record(request("slack:T1:cmd:1"))
    await inbox.record(request("slack:T1:cmd:2"))
    await asyncio.sleep(0.05)
    await inbox.sample()
    assert metrics.INBOX_BACKLOG._value.get() == 2
    assert metrics.INBOX_OLDEST._value.get() >= 0.05
    for item in await inbox.claim(10):
        await inbox.run(item)
    await inbox.sample()
    assert metrics.INBOX_BACKLOG._value.get() == 0
    assert metrics.INBOX_OLDEST._value.get() == 0
    assert metrics.OUTBOX_BACKLOG._value.get() == 4  # two receipts, two kudos_given events


async def test_finished_requests_are_forgotten_after_a_day_and_failed_ones_kept(
    app: App,
) -> None:
    handler = GivingHandler()
    inbox = worker(app, handler, inbox_attempts=1)
    await inbox.record(request("slack:T1:cmd:1"))
    await inbox.record(request("slack:T1:cmd:2"))
    (first, second) = await inbox.claim(10)
    await inbox.run(first)
    handler.failures = 1
    await inbox.run(second)  # its only attempt: given up
    async with app.database.engine.begin() as conn:
        await conn.exec_driver_sql("UPDATE inbox SET finished_at = '2000-01-01'")
    await inbox.purge()
    assert await rows(app, "inbox", "state") == [("failed",)]
