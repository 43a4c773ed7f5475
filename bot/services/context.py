"""What every handler runs with, and the transaction helpers that retry transient conflicts."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar, cast

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


U = TypeVar("U", bound=UnitOfWork)
U_co = TypeVar("U_co", bound=UnitOfWork, covariant=True)


class UnitOfWorkMaker(Protocol[U_co]):
    """A store's factory of units of work (`SqlUnitOfWorkFactory`, the tests' fake)."""

    def __call__(self, *, write: bool) -> U_co: ...


class JoinedTransaction(Generic[U]):
    """Implements `SharedTransaction` for any store: the transaction is a unit of work of
    `factory`, begun by the first unit that writes (or by `outer()`), committed by `commit()`,
    rolled back otherwise on leaving the block; each unit joining it is `savepoint(outer)`."""

    def __init__(self, factory: UnitOfWorkMaker[U], savepoint: Callable[[U], UnitOfWork]) -> None:
        self.factory, self.savepoint = factory, savepoint
        self.opened: U | None = None

    def __call__(self, *, write: bool) -> Any:
        return _JoiningUnit(self, write)

    async def outer(self) -> U:
        if self.opened is None:
            self.opened = await self.factory(write=True).__aenter__()
        return self.opened

    async def commit(self) -> None:
        if self.opened is not None:
            await self.opened.commit()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        opened, self.opened = self.opened, None
        if opened is not None:
            await opened.__aexit__(exc_type, exc, tb)


class _JoiningUnit(Generic[U]):
    """What the joined transaction hands out: on entry, a savepoint in it, or (for a read
    before anything was written) a unit of its own."""

    def __init__(self, shared: JoinedTransaction[U], write: bool) -> None:
        self._shared, self._write = shared, write
        self._inner: UnitOfWork | None = None

    async def __aenter__(self) -> Any:
        if self._shared.opened is None and not self._write:
            self._inner = self._shared.factory(write=False)
        else:
            self._inner = self._shared.savepoint(await self._shared.outer())
        return await self._inner.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._inner is not None
        await self._inner.__aexit__(exc_type, exc, tb)
