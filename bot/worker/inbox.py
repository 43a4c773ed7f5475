"""The inbox worker: runs acknowledged chat requests through their platform's handler, each
as one transaction with its replies and the end of its inbox row.

A request recorded by this process is handed straight to its workers (leased to it, so no
other replica takes it meanwhile); requests left by a process that died, or recorded while this
one was full, are claimed from the database once their lease has run out. Work in progress is
bounded (`QueueTiming.concurrency`), and a request that keeps failing is given up after
`inbox_attempts`, with a word to the person who asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot import metrics
from bot.services.context import ServiceContext, in_transaction, run_as_one
from bot.services.delivery import InboxItem, Incoming, Outgoing, new_token
from bot.services.ports import InboxRecorder, UnitOfWork
from bot.worker.timing import QueueTiming, utcnow

log = logging.getLogger("kudos.worker")
HOUSEKEEPING_SECONDS = 5.0
PURGE_EVERY = 120  # housekeeping rounds: about every 10 minutes
BUSY_POLL = 0.02
"""Seconds between looks at the local queue while it is too full to claim more."""


class InboxHandler(Protocol):
    """A platform's side of the inbox (the Slack and Teams adapters implement it)."""

    async def process(self, ctx: ServiceContext, item: InboxItem) -> Sequence[Outgoing]:
        """Run the recorded request through the services (`ctx` joins one transaction) and
        return what to send. A refusal is a reply, not an exception; raise only for what a
        retry might fix."""
        ...

    def given_up(self, item: InboxItem, error: str) -> Sequence[Outgoing]:
        """What to tell the person when their request could not be done after all."""
        ...


class LeaseLost(Exception):
    """Another worker took this row over (its lease ran out); its effect is rolled back."""


class InboxWorker:
    """Records requests before their ack and works through them, in every replica."""

    def __init__(
        self,
        services: ServiceContext,
        recorder: InboxRecorder,
        handlers: Mapping[str, InboxHandler],
        *,
        timing: QueueTiming | None = None,
        poke_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self.services = services
        self.recorder = recorder
        self.handlers = dict(handlers)
        self.timing = timing or QueueTiming()
        self.poke_outbox = poke_outbox
        self._queue: asyncio.Queue[tuple[float, InboxItem]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._running = False
        self._busy = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    # ------------------------------------------------------------------ the request path
    async def record(self, incoming: Incoming) -> bool:
        """Commit a verified request to the inbox; the caller acknowledges it after this.
        False when the same delivery was recorded before (it is done or under way)."""
        now = utcnow()
        local = (
            self._running
            and incoming.platform in self.handlers
            and self._queue.qsize() < self.timing.backlog_in_memory
        )
        token = new_token() if local else None
        until = now + timedelta(seconds=self.timing.lease)

        item_id = await self.recorder.record(incoming, now, token, until)
        if item_id is None:
            metrics.INBOX.labels(incoming.platform, "duplicate").inc()
            return False
        metrics.INBOX.labels(incoming.platform, "recorded").inc()
        if token is not None:
            item = InboxItem(
                id=item_id,
                platform=incoming.platform,
                workspace=incoming.workspace,
                delivery_key=incoming.delivery_key,
                payload=incoming.payload,
                received_at=now,
                attempts=1,
                lease_token=token,
            )
            self._queue.put_nowait((time.monotonic(), item))
        return True

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the workers, the poller and housekeeping (inside the running loop)."""
        if self._running:
            return
        self._running = True
        self._tasks = [
            asyncio.create_task(self._consume(), name=f"inbox-worker-{n}")
            for n in range(self.timing.concurrency)
        ]
        self._tasks.append(asyncio.create_task(self._poll(), name="inbox-poller"))
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="queue-housekeeping"))

    async def stop(self, within: float = 10.0) -> None:
        """Stop taking work; let requests in progress finish (up to `within` seconds). What is
        left in memory stays leased in the database and is claimed again after its lease."""
        self._running = False
        for task in self._tasks[self.timing.concurrency :]:  # the poller and housekeeping
            task.cancel()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), within)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    async def idle(self, within: float = 10.0) -> bool:
        """Wait until nothing is queued or running in this process (for tests and shutdown)."""
        deadline = time.monotonic() + within
        while self._queue.qsize() or self._busy:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.005)
        return True

    # ------------------------------------------------------------------ the work
    async def _consume(self) -> None:
        while True:
            queued_at, item = await self._queue.get()
            if time.monotonic() - queued_at > self.timing.lease - self.timing.run_timeout:
                continue  # its lease may run out mid-way: leave it to the next claim
            self._busy += 1
            self._quiet.clear()
            try:
                await self.run(item)
            except Exception:  # run() records failures itself; this is a last resort
                log.exception("inbox worker failed on request %s", item.id)
            finally:
                self._busy -= 1
                if not self._busy:
                    self._quiet.set()

    async def _poll(self) -> None:
        while True:
            room = min(self.timing.batch, self.timing.backlog_in_memory - self._queue.qsize())
            if not (self._running and room > 0 and self._queue.qsize() < self.timing.concurrency):
                # busy with what it has: look again soon (without asking the database), so a
                # backlog in the database drains as fast as the workers go, not a batch a poll
                await asyncio.sleep(min(BUSY_POLL, self.timing.poll))
                continue
            claimed: list[InboxItem] = []
            try:
                claimed = await self.claim(room)
            except Exception as exc:
                log.warning("could not claim inbox rows: %s", exc)
            for item in claimed:
                self._queue.put_nowait((time.monotonic(), item))
            if len(claimed) < room:  # the database has no more for now
                await asyncio.sleep(self.timing.poll)
            else:
                await asyncio.sleep(0)

    async def claim(self, limit: int) -> list[InboxItem]:
        """Lease up to `limit` requests nobody is working on (left over, or from elsewhere)."""
        now = utcnow()
        until = now + timedelta(seconds=self.timing.lease)

        async def take(uow: UnitOfWork) -> list[InboxItem]:
            items = await uow.inbox.claim(list(self.handlers), now, until, limit)
            await uow.commit()
            return items

        items = await in_transaction(self.services, take)
        if items:
            metrics.INBOX.labels(items[0].platform, "claimed").inc(len(items))
        return items

    async def run(self, item: InboxItem) -> None:
        """Run one request: its effect, its replies and its end in one commit; on an error,
        try again later, or give up after `inbox_attempts` and say so."""
        handler = self.handlers[item.platform]
        if item.attempts > self.timing.inbox_attempts:
            await self._give_up(item, "it failed too many times")
            return

        async def work(ctx: ServiceContext) -> list[Outgoing]:
            return list(await handler.process(ctx, item))

        async def finish(uow: UnitOfWork, outgoing: list[Outgoing]) -> None:
            now = utcnow()
            await uow.outbox.add(outgoing, now)
            if not await uow.inbox.complete(item, "done", now):
                raise LeaseLost()

        try:
            await asyncio.wait_for(run_as_one(self.services, work, finish), self.timing.run_timeout)
        except LeaseLost:
            metrics.INBOX.labels(item.platform, "lease_lost").inc()
            log.info("request %s was taken over by another worker", item.id)
            return
        except Exception as exc:
            await self._failed(item, exc)
            return
        metrics.INBOX.labels(item.platform, "done").inc()
        metrics.INBOX_LATENCY.labels(item.platform).observe(
            max(0.0, (utcnow() - item.received_at).total_seconds())
        )
        self.poke_outbox()

    async def _failed(self, item: InboxItem, exc: BaseException) -> None:
        error = f"{type(exc).__name__}: {exc}"[:500]
        metrics.ERRORS.labels(item.platform).inc()
        if item.attempts >= self.timing.inbox_attempts:
            log.error("request %s (%s) failed for good: %s", item.id, item.delivery_key, error)
            await self._give_up(item, error)
            return
        log.warning(
            "request %s (%s) failed on attempt %d, will retry: %s",
            item.id,
            item.delivery_key,
            item.attempts,
            error,
            exc_info=not isinstance(exc, TimeoutError),
        )
        at = utcnow() + self.timing.backoff(item.attempts)

        async def later(uow: UnitOfWork) -> None:
            await uow.inbox.retry_later(item, at, error)
            await uow.commit()

        metrics.INBOX.labels(item.platform, "retry").inc()
        with contextlib.suppress(Exception):  # if even this fails, the lease runs out instead
            await in_transaction(self.services, later)

    async def _give_up(self, item: InboxItem, error: str) -> None:
        outgoing = list(self.handlers[item.platform].given_up(item, error))

        async def end(uow: UnitOfWork) -> None:
            now = utcnow()
            await uow.outbox.add(outgoing, now)
            await uow.inbox.complete(item, "given_up", now, failed=True, error=error)
            await uow.commit()

        metrics.INBOX.labels(item.platform, "given_up").inc()
        try:
            await in_transaction(self.services, end)
        except Exception:
            log.exception("could not give request %s up; its lease will run out", item.id)
            return
        self.poke_outbox()

    # ------------------------------------------------------------------ housekeeping
    async def _housekeeping(self) -> None:
        rounds = 0
        while True:
            try:
                await self.sample()
                if rounds % PURGE_EVERY == PURGE_EVERY - 1:
                    await self.purge()
            except Exception as exc:
                log.warning("queue housekeeping failed: %s", exc)
            rounds += 1
            await asyncio.sleep(HOUSEKEEPING_SECONDS)

    async def sample(self) -> None:
        """Set the backlog gauges: rows waiting, and the age of the oldest, per queue."""

        async def read(uow: UnitOfWork) -> list[tuple[int, datetime | None]]:
            return [await uow.inbox.backlog(), await uow.outbox.backlog()]

        now = utcnow()
        gauges = (
            (metrics.INBOX_BACKLOG, metrics.INBOX_OLDEST),
            (metrics.OUTBOX_BACKLOG, metrics.OUTBOX_OLDEST),
        )
        for (count, oldest), (backlog, age) in zip(
            await in_transaction(self.services, read, write=False), gauges, strict=True
        ):
            backlog.set(count)
            age.set((now - oldest).total_seconds() if oldest else 0)

    async def purge(self) -> None:
        """Forget finished rows older than `keep_finished` (failed ones stay for operators)."""
        before = utcnow() - self.timing.keep_finished

        async def drop(uow: UnitOfWork) -> int:
            dropped = await uow.inbox.purge(before, 1000) + await uow.outbox.purge(before, 1000)
            await uow.commit()
            return dropped

        await in_transaction(self.services, drop)
