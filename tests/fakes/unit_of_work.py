"""A unit of work in memory: the services' rules as unit tests that run in milliseconds.

`FakeUnitOfWorkFactory` implements `bot.services.ports.UnitOfWorkFactory` (and `FakeUnitOfWork`
the `UnitOfWork` protocol) on a `FakeStore`: tables in memory with the real schema's names,
keys and checks (tests/fakes/tables.py), and one fake repository per repository of
`bot/store/repositories/`, each in the module of the same name under
tests/fakes/repositories/. It behaves as `SqlUnitOfWork` on SQLite does, and
tests/contract/ proves it: the same scenarios run against both and must agree.

    store = FakeStore()
    services = ServiceContext(uow=FakeUnitOfWorkFactory(store), clock=clock)
    await give_kudos(services, ...)
    store.rows("ledger_entries", kind="grant")   # what SQL would find, as dicts

What it keeps from the real thing:
- a transaction: a unit sees the tables as they were when it first used each one; leaving it
  without `commit()` leaves nothing behind; writing units run one at a time (an asyncio lock,
  as on SQLite); `shared()` nests units as savepoints of one transaction (see `run_as_one`);
- every statement's all-or-nothing, unique and foreign keys, checks, ids handed out as SQLite
  does (the largest plus one), `DuplicateDelivery` and `InsufficientFunds` where the store
  raises them;
- `publish`: a commit writes the outbox rows and webhook deliveries SqlUnitOfWork writes.

What it leaves to the database-backed tests (tests/integration, tests/adapters): real
concurrency (here a coroutine never yields inside a unit, so gathered calls run one after
another), two processes on one database, caches between replicas, migrations, PostgreSQL.

How to add a repository (say `uow.pulses`, with `SqlPulseRepository` in
bot/store/repositories/pulses.py):
1. Write `FakePulseRepository(FakeRepository)` in tests/fakes/repositories/pulses.py with the
   same methods, reading and writing `self.tables["<table>"]` (a `Table`: `where`, `first`,
   `get`, `update`, `delete`; insert with `self.tables.insert(name, values)`, which checks keys
   and references). Port the SQL statement by statement: the same filters, the same ORDER BY,
   the same LIMIT; truncate where the store truncates.
2. Add `"pulses": FakePulseRepository` to `REPOSITORIES` below.
3. Add its scenarios to tests/contract/, run against both stores by the `backend` fixture
   (tests/contract/test_schema_rules.py fails until every property of `UnitOfWork` has a fake
   with every method of its port, and every fake is used by some contract test).
A new table or column needs nothing here: the tables come from the models. A new CHECK
constraint needs its twin in `CHECKS` (tests/fakes/tables.py); a contract test says so.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from bot.domain.model import WorkspaceRef
from bot.services.context import JoinedTransaction, ServiceContext
from bot.services.delivery import WEBHOOK_NAMES, WEBHOOK_PLATFORM, Event, Outgoing, tells_chat
from bot.services.ports import Clock, Notifier, SilentNotifier, SystemClock, UnitOfWorkFactory
from bot.services.webhooks import webhook_body
from bot.store.unit_of_work import SILENT_PLATFORMS
from tests.fakes.repositories.access import FakeApiTokenRepository, FakeWebhookRepository
from tests.fakes.repositories.admins import FakeAdminRepository, FakeAuditRepository
from tests.fakes.repositories.approvals import FakeApprovalMessageRepository
from tests.fakes.repositories.badges import FakeBadgeRepository
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.repositories.browse import FakeBrowseQueries
from tests.fakes.repositories.catalog import FakeCatalogRepository
from tests.fakes.repositories.conversations import FakeConversationRepository
from tests.fakes.repositories.exports import FakeExportQueries
from tests.fakes.repositories.kudos import FakeKudosRepository
from tests.fakes.repositories.learnings import FakeLearningRepository
from tests.fakes.repositories.ledger import FakeLedgerRepository
from tests.fakes.repositories.members import FakeMemberRepository
from tests.fakes.repositories.privacy import FakePrivacyRepository
from tests.fakes.repositories.queries import FakeReadQueries
from tests.fakes.repositories.queues import FakeInboxRepository, FakeOutboxRepository
from tests.fakes.repositories.redemptions import FakeRedemptionRepository
from tests.fakes.repositories.schedules import FakeScheduleRepository
from tests.fakes.repositories.signin import FakeSignInLinkRepository
from tests.fakes.repositories.workspaces import FakeWorkspaceRepository
from tests.fakes.tables import Row, Table, Tables, empty_tables

REPOSITORIES: dict[str, type[FakeRepository]] = {
    "workspaces": FakeWorkspaceRepository,
    "members": FakeMemberRepository,
    "ledger": FakeLedgerRepository,
    "kudos": FakeKudosRepository,
    "learnings": FakeLearningRepository,
    "queries": FakeReadQueries,
    "conversations": FakeConversationRepository,
    "schedules": FakeScheduleRepository,
    "badges": FakeBadgeRepository,
    "privacy": FakePrivacyRepository,
    "catalog": FakeCatalogRepository,
    "redemptions": FakeRedemptionRepository,
    "admins": FakeAdminRepository,
    "audit": FakeAuditRepository,
    "exports": FakeExportQueries,
    "inbox": FakeInboxRepository,
    "outbox": FakeOutboxRepository,
    "approval_messages": FakeApprovalMessageRepository,
    "sign_in_links": FakeSignInLinkRepository,
    "browse": FakeBrowseQueries,
    "api_tokens": FakeApiTokenRepository,
    "webhooks": FakeWebhookRepository,
}
"""The attribute of the unit of work -> its fake repository (one per `UnitOfWork` property)."""

REQUEST_LOG = frozenset({"inbox", "outbox"})


class FakeStore:
    """The database: the committed tables, and the lock writing units queue on."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = empty_tables()
        self.write_lock = asyncio.Lock()

    def rows(self, table: str, **equals: Any) -> list[Row]:
        """Copies of the committed rows of `table` whose columns equal these values, in id
        order: what `SELECT * FROM table WHERE ...` would find."""
        return [dict(r) for r in self.tables[table].where(**equals)]

    def snapshot(self, *, requests: bool = True) -> dict[str, list[tuple[Any, ...]]]:
        """Every committed row of every table, to assert that something wrote nothing (the
        shape of `tests.support.snapshot`); `requests=False` leaves out the request log."""
        return {
            name: sorted(tuple(map(str, row.values())) for row in table)
            for name, table in self.tables.items()
            if requests or name not in REQUEST_LOG
        }


class _Repositories:
    """The repositories of one unit, bound to its tables (`__getattr__`: each is made on
    first use)."""

    _tables: Tables
    _store: FakeStore

    def __getattr__(self, name: str) -> Any:
        repository_class = REPOSITORIES.get(name)
        if repository_class is None:
            raise AttributeError(name)
        repository = repository_class(self._tables, self._store)
        setattr(self, name, repository)
        return repository


class FakeUnitOfWork(_Repositories):
    """Implements `bot.services.ports.UnitOfWork` on a `FakeStore`."""

    def __init__(
        self, store: FakeStore, *, write: bool, silent: Collection[str] = SILENT_PLATFORMS
    ) -> None:
        self._store = store
        self._write = write
        self._silent = silent
        self._locked = False
        self._tables = Tables(store.tables)
        self.published: list[tuple[WorkspaceRef, Event]] = []

    async def __aenter__(self) -> Self:
        if self._write:
            await self._store.write_lock.acquire()
            self._locked = True
        self._tables.reset(self._store.tables)
        return self

    def publish(self, workspace: WorkspaceRef, event: Event) -> None:
        self.published.append((workspace, event))

    async def commit(self) -> None:
        if self.published:
            published, self.published = self.published, []
            now = datetime.now(UTC)
            rows = [
                Outgoing.event(workspace, event)
                for workspace, event in published
                if workspace.platform not in self._silent and tells_chat(event)
            ]
            rows += await self._webhook_deliveries(published, now)
            await self.outbox.add(rows, now)
        for name, table in self._tables.changed().items():
            table.dirty = False
            self._store.tables[name] = table
        self._tables.reset(self._store.tables)

    async def _webhook_deliveries(
        self, published: list[tuple[WorkspaceRef, Event]], now: datetime
    ) -> list[Outgoing]:
        """One delivery per event and webhook that takes it (as SqlUnitOfWork's commit)."""
        rows: list[Outgoing] = []
        for ref, event in published:
            name = WEBHOOK_NAMES.get(type(event))
            workspace = await self.workspaces.get(ref) if name else None
            if name is None or workspace is None:
                continue
            deliveries = []
            for webhook_id in self.webhooks.subscribers(workspace, name):
                delivery_id = str(uuid.uuid4())
                deliveries.append(
                    {
                        "webhook_id": webhook_id,
                        "delivery_id": delivery_id,
                        "event": name,
                        "body": webhook_body(delivery_id, name, ref, event, now),
                        "created_at": now,
                    }
                )
                rows.append(
                    Outgoing(
                        platform=WEBHOOK_PLATFORM,
                        workspace=ref.external_id,
                        method=name,
                        payload={"delivery": delivery_id},
                    )
                )
            self.webhooks.add_deliveries(workspace, deliveries)
        return rows

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tables.reset(self._store.tables)  # anything not committed is gone
        if self._locked:
            self._locked = False
            self._store.write_lock.release()


class _FakeSavepointUnit(_Repositories):
    """A unit inside a shared transaction: a savepoint of its tables, kept by `commit()`,
    rolled back to otherwise. Its events join the shared transaction's."""

    def __init__(self, outer: FakeUnitOfWork) -> None:
        self._outer = outer
        self._store = outer._store
        self._tables = outer._tables
        self._saved: dict[str, Table] = {}
        self._committed = False
        self.published: list[tuple[WorkspaceRef, Event]] = []

    async def __aenter__(self) -> Self:
        self._tables = self._outer._tables
        self._saved = self._tables.savepoint()
        return self

    def publish(self, workspace: WorkspaceRef, event: Event) -> None:
        self.published.append((workspace, event))

    async def commit(self) -> None:
        self._outer.published.extend(self.published)
        self.published = []
        self._committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            self._tables.roll_back_to(self._saved)


class FakeUnitOfWorkFactory:
    """Makes units of work on one `FakeStore` (what `ServiceContext.uow` takes)."""

    def __init__(self, store: FakeStore, silent: Collection[str] = SILENT_PLATFORMS) -> None:
        self.store = store
        self.silent = silent

    def __call__(self, *, write: bool) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, write=write, silent=self.silent)

    def shared(self) -> JoinedTransaction[FakeUnitOfWork]:
        """One transaction that units join as savepoints, as on SQL."""
        return JoinedTransaction(self, _FakeSavepointUnit)


@dataclass
class FakeApp:
    """What the service tests use of `bot.bootstrap.App`: the services, here on a fake store
    (`store` stands where `database` stands in the App)."""

    clock: Clock = field(default_factory=SystemClock)
    notifier: Notifier = field(default_factory=SilentNotifier)
    store: FakeStore = field(default_factory=FakeStore)
    services: ServiceContext = field(init=False)

    def __post_init__(self) -> None:
        factory: UnitOfWorkFactory = FakeUnitOfWorkFactory(self.store)
        self.services = ServiceContext(uow=factory, clock=self.clock, notifier=self.notifier)
