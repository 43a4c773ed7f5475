"""What every handler runs with, and the transaction helper that retries transient conflicts."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.services.ports import (
    Clock,
    Notifier,
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
    """The unit-of-work factory, the clock and the notifier; `bootstrap` builds one per
    process."""

    uow: UnitOfWorkFactory
    clock: Clock = field(default_factory=SystemClock)
    notifier: Notifier = field(default_factory=SilentNotifier)
    memo: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    """What this process learned that can never become untrue (a badge owned, a channel
    someone gave kudos in), so hot paths need not ask the database again."""


async def notify(event: Awaitable[None]) -> None:
    """Deliver a notification; a failure is logged, never undoes or fails the command."""
    try:
        await event
    except Exception:
        log.exception("notification failed; the command itself succeeded")


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
