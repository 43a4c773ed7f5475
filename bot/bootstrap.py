"""The one place that wires concrete pieces together."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.migrations import upgrade_async
from bot.services.context import ServiceContext
from bot.services.ports import Clock, Notifier, SilentNotifier, SystemClock
from bot.store.database import Database
from bot.store.unit_of_work import SqlUnitOfWorkFactory


@dataclass
class App:
    """A running Kudos: settings, the database and the services' context."""

    settings: Settings
    database: Database
    services: ServiceContext

    async def close(self) -> None:
        await self.database.dispose()


async def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    notifier: Notifier | None = None,
    migrate: bool = True,
) -> App:
    """Build the app from settings; upgrade the schema first unless told not to."""
    settings = settings or Settings()
    if migrate:
        await upgrade_async(settings.database_url)
    database = Database(settings.database_url)
    services = ServiceContext(
        uow=SqlUnitOfWorkFactory(database),
        clock=clock or SystemClock(),
        notifier=notifier or SilentNotifier(),
    )
    return App(settings=settings, database=database, services=services)
