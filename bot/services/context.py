"""What every handler runs with, and the transaction helpers that retry transient conflicts."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar, cast

from bot.domain.model import WorkspaceRef
from bot.services.delivery import Event
from bot.services.ports import (
    Clock,
    Notifier,
    SharedConflict,
    SilentNotifier,
    SystemClock,
    TransientConflict,
    UnitOfWork,
    UnitOfWorkFactory,
)

T = TypeVar("T")
log = logging.getLogger("kudos.services")
MAX_ATTEMPTS = 8


@dataclass
class ServiceContext:
    """The unit-of-work factory, the clock and the notifier (for scheduled posts); `bootstrap`
    builds one per process."""

    uow: UnitOfWorkFactory
    clock: Clock = field(default_factory=SystemClock)
    notifier: Notifier = field(default_factory=SilentNotifier)
    memo: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    """What this process learned that can never become untrue (a badge owned, a channel
    someone gave kudos in), so hot paths need not ask the database again."""


async def publish(ctx: ServiceContext, workspace: WorkspaceRef, event: Event) -> None:
    """Publish an event in a transaction of its own (for an event that needs the outcome of
    several transactions; most are published in the transaction that caused them)."""

    async def work(uow: UnitOfWork) -> None:
        uow.publish(workspace, event)
        await uow.commit()

    await in_transaction(ctx, work)


async def in_transaction(
    ctx: ServiceContext, work: Callable[[UnitOfWork], Awaitable[T]], *, write: bool = True
) -> T:
    """Run `work` in a fresh unit of work, again if the database aborted it for a conflict."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with ctx.uow(write=write) as uow:
                return await work(uow)
        except TransientConflict:
            if attempt == MAX_ATTEMPTS:
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")


async def run_as_one(
    ctx: ServiceContext,
    work: Callable[[ServiceContext], Awaitable[T]],
    finish: Callable[[UnitOfWork, T], Awaitable[None]],
) -> T:
    """Run `work` (any number of service calls) and then `finish` (what to send, the end of an
    inbox row) as ONE transaction: every unit of work the services open joins it as a
    savepoint, and nothing is committed until `finish` is done. A conflict anywhere runs the
    whole again; an error rolls all of it back."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with ctx.uow.shared() as shared:
                result = await work(replace(ctx, uow=cast(UnitOfWorkFactory, shared)))
                await finish(await shared.outer(), result)
                await shared.commit()
                return result
        except (TransientConflict, SharedConflict):
            if attempt == MAX_ATTEMPTS:
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")
