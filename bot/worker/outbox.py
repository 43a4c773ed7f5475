"""The outbox deliverer: sends what the bot says, each message once it is committed, with
retries and back-off, in order within a request's replies.

An `event` row (a kudos given, a redemption to decide) is first expanded by its platform into
messages (a DM to each recipient, a request to each admin), written in the same transaction
that marks the event done. A `message` row is sent, then marked sent. A process that dies
mid-send leaves its claim to run out and the message to be sent again: the one moment where a
message can go out twice, and never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Protocol

from bot import metrics
from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.delivery import Event, OutboxItem, Outgoing, SendFailed
from bot.services.ports import UnitOfWork
from bot.worker.timing import QueueTiming, utcnow

log = logging.getLogger("kudos.outbox")


class Sender(Protocol):
    """A platform's side of the outbox (the Slack and Teams adapters implement it)."""

    async def send(self, item: OutboxItem) -> None:
        """Send one message row; raise SendFailed (or anything else, retried) when it fails."""
        ...

    async def expand(self, workspace: WorkspaceRef, event: Event) -> Sequence[Outgoing]:
        """The messages that tell the people concerned about `event`."""
        ...


class OutboxDeliverer:
    """Claims pending outbox rows for the platforms it can send to, and sends them."""

    def __init__(
        self,
        services: ServiceContext,
        senders: Mapping[str, Sender],
        *,
        timing: QueueTiming | None = None,
    ) -> None:
        self.services = services
        self.senders = dict(senders)
        self.timing = timing or QueueTiming()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(self.timing.concurrency)
        self._quiet = asyncio.Event()
        self._quiet.set()

    def poke(self) -> None:
        """Something was just written: look now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None and self.senders:
            self._task = asyncio.create_task(self._loop(), name="outbox-deliverer")

    async def stop(self, within: float = 5.0) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), within)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                sent = await self.deliver_once()
            except Exception as exc:
                log.warning("outbox delivery round failed: %s", exc)
                sent = 0
            if sent >= self.timing.batch:
                continue  # a full batch: there may be more
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.timing.poll)

    async def deliver_once(self) -> int:
        """Claim one batch and deliver it; how many rows were claimed."""
        now = utcnow()
        until = now + timedelta(seconds=self.timing.lease)

        async def take(uow: UnitOfWork) -> list[OutboxItem]:
            items = await uow.outbox.claim(list(self.senders), now, until, self.timing.batch)
            await uow.commit()
            return items

        items = await in_transaction(self.services, take)
        if not items:
            return 0
        groups: dict[str, list[OutboxItem]] = {}
        for item in items:
            groups.setdefault(item.group_key or f"#{item.id}", []).append(item)
        self._quiet.clear()
        try:
            await asyncio.gather(*(self._deliver_group(g) for g in groups.values()))
        finally:
            self._quiet.set()
        return len(items)

    async def _deliver_group(self, group: list[OutboxItem]) -> None:
        """A request's messages in order, marked sent together once they are out (a process
        dying meanwhile sends only this request's again); after a failure the rest wait with
        it."""
        sent: list[OutboxItem] = []
        try:
            async with self._slots:
                for n, item in enumerate(group):
                    delay = await self._deliver(item, sent)
                    if delay is not None:
                        for later in group[n + 1 :]:
                            await self._postpone(later, "an earlier message of its request", delay)
                        return
        finally:
            if sent:
                await self._mark_sent(sent)

    async def _deliver(self, item: OutboxItem, sent: list[OutboxItem]) -> float | None:
        """Send (or expand) one row; None when it is done with, else the seconds until it is
        tried again."""
        sender = self.senders[item.platform]
        try:
            if item.kind == "event":
                await self._expand(sender, item)
            else:
                await sender.send(item)
                sent.append(item)
        except SendFailed as failed:
            return await self._failed(item, str(failed), failed.permanent, failed.retry_after)
        except Exception as exc:
            return await self._failed(item, f"{type(exc).__name__}: {exc}", False, None)
        metrics.OUTBOX.labels(item.platform, "sent").inc()
        return None

    async def _expand(self, sender: Sender, item: OutboxItem) -> None:
        event = item.event()
        messages = list(await sender.expand(item.workspace_ref, event))

        async def write(uow: UnitOfWork) -> None:
            now = utcnow()
            if await uow.outbox.finish(item, now):
                await uow.outbox.add(messages, now)
            await uow.commit()

        await in_transaction(self.services, write)
        metrics.count_event(item.platform, event)
        if messages:
            self.poke()

    async def _mark_sent(self, items: list[OutboxItem]) -> None:
        """One commit for a request's messages."""

        async def write(uow: UnitOfWork) -> None:
            now = utcnow()
            for item in items:
                await uow.outbox.finish(item, now)
            await uow.commit()

        await in_transaction(self.services, write)

    async def _failed(
        self, item: OutboxItem, error: str, permanent: bool, retry_after: float | None
    ) -> float | None:
        if permanent or item.attempts >= self.timing.outbox_attempts:
            log.warning(
                "%s; gave up on this %s %s after %d attempt(s)",
                error,
                item.platform,
                item.method,
                item.attempts,
            )
            metrics.OUTBOX.labels(item.platform, "failed").inc()

            async def fail(uow: UnitOfWork) -> None:
                await uow.outbox.finish(item, utcnow(), failed=True, error=error)
                await uow.commit()

            with contextlib.suppress(Exception):
                await in_transaction(self.services, fail)
            return None  # nothing to wait for: the rest of its request may go on
        delay = (
            retry_after
            if retry_after is not None
            else self.timing.backoff(item.attempts).total_seconds()
        )
        metrics.OUTBOX.labels(item.platform, "retry").inc()
        log.warning(
            "%s; this %s %s is tried again in %.0f s (attempt %d)",
            error,
            item.platform,
            item.method,
            delay,
            item.attempts,
        )
        await self._postpone(item, error, delay)
        return delay

    async def _postpone(self, item: OutboxItem, error: str, seconds: float) -> None:
        at = utcnow() + timedelta(seconds=seconds)

        async def later(uow: UnitOfWork) -> None:
            await uow.outbox.retry_later(item, at, error)
            await uow.commit()

        with contextlib.suppress(Exception):  # if this fails too, the lease runs out instead
            await in_transaction(self.services, later)
