"""What every handler runs with, and the transaction helper that retries transient conflicts."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.services.ports import Clock, SystemClock, TransientConflict, UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
MAX_ATTEMPTS = 8


@dataclass
class ServiceContext:
    """The unit-of-work factory and the clock; `bootstrap` builds one per process."""

    uow: UnitOfWorkFactory
    clock: Clock = field(default_factory=SystemClock)


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
