"""Kudos without a chat platform: the settings, the database and the services on it.

Every `kudos` command but `serve` needs only this, so it imports no chat SDK, no web framework,
no scheduler and no background worker (an import-linter contract in pyproject.toml and
tests/e2e/test_cli_imports.py keep it so). `bot.bootstrap` builds the server on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.migrations import head_revision, upgrade_async
from bot.services.context import ServiceContext
from bot.services.ports import Clock, Notifier, PlatformNotifier, SystemClock
from bot.store.database import Database
from bot.store.unit_of_work import SqlUnitOfWorkFactory

FRONT_POOL_SIZE = 8
"""PostgreSQL connections kept for recording requests before their ack (and for reads on the
request path), so background work can never keep an acknowledgement waiting for a connection."""
FRONT_POOL_TIMEOUT = 2.0
"""An ack that cannot get a connection this soon fails (and Slack retries it), rather than
answer after Slack stopped waiting (3 s)."""


@dataclass
class Core:
    """The settings, the database (with the server's two extra pools on PostgreSQL) and the
    services' context on it."""

    settings: Settings
    database: Database
    front: Database
    """For what must not wait behind background work: the request path's records and reads."""
    health: Database
    """For /healthz: a connection of its own."""
    services: ServiceContext

    async def close(self) -> None:
        """Dispose of every pool (each once: on SQLite the three are one)."""
        for database in {id(d): d for d in (self.database, self.front, self.health)}.values():
            await database.dispose()


async def open_core(
    settings: Settings,
    *,
    migrate: bool = True,
    clock: Clock | None = None,
    notifier: Notifier | None = None,
) -> Core:
    """Open the database (upgrading the schema first, unless told not to or it is at the
    newest revision already) and the services on it. Without `notifier`, scheduled posts go
    to a `PlatformNotifier` with no platform yet: `bootstrap` registers the ones that are
    on."""
    database = Database(settings.database_url, pool_size=settings.database_pool_size)
    if migrate:
        head = head_revision()
        if head is None or await database.schema_revision() != head:
            await upgrade_async(settings.database_url)
    if database.is_sqlite:  # one writer per file: the same lock must guard every write
        front = health = database
    else:
        front = Database(
            settings.database_url, pool_size=FRONT_POOL_SIZE, pool_timeout=FRONT_POOL_TIMEOUT
        )
        health = Database(settings.database_url, pooled=False)
    services = ServiceContext(
        uow=SqlUnitOfWorkFactory(database),
        clock=clock or SystemClock(),
        notifier=notifier or PlatformNotifier(),
    )
    return Core(settings, database, front, health, services)
