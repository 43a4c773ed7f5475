"""Contract tests: the same scenarios against the fake unit of work (tests/fakes) and against
`SqlUnitOfWork` on a real SQLite file; both must give the same answers and leave the same rows.

`backend` runs a test once per store. `both` hands a test the two stores at once, for
scenarios whose every row is compared (`same_rows`).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.domain.model import EntryKind, Member, MemberRef, Transfer, Workspace, WorkspaceRef
from bot.services.context import ServiceContext
from bot.services.ports import UnitOfWorkFactory
from bot.store.database import Database
from bot.store.models import Base
from bot.store.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import FakeClock
from tests.fakes.unit_of_work import FakeStore, FakeUnitOfWorkFactory

VOLATILE = {
    "workspaces": {"created_at"},
    "members": {"created_at"},
    "accounts": {"created_at"},
    "outbox": {"created_at", "available_at", "payload"},
    "webhook_deliveries": {"created_at", "delivery_id", "body"},
    "inbox": {"lease_token"},
    "webhooks": {"secret"},
    "api_tokens": {"prefix", "token_hash"},
    "sign_in_links": {"token_hash"},
}
"""Columns written from the wall clock or at random (ids of deliveries, leases): compared as
present, not by value."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite hands back naive datetimes, all UTC
    return value


@dataclass
class Backend:
    """One store behind the services' ports."""

    name: str
    uow: UnitOfWorkFactory
    services: ServiceContext
    clock: FakeClock
    store: FakeStore | None = None
    database: Database | None = None
    _keys: itertools.count[int] = field(default_factory=itertools.count)

    def key(self) -> str:
        """A fresh idempotency key: the same sequence in every store."""
        return f"key-{next(self._keys)}"

    async def rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of `table`, by primary key, with plain values."""
        schema = Base.metadata.tables[table]
        key = [c.name for c in schema.primary_key.columns]
        if self.store is not None:
            found = self.store.rows(table)
        else:
            assert self.database is not None
            async with self.database.engine.connect() as conn:
                result = await conn.execute(select(schema))
                found = [dict(row._mapping) for row in result]
        plain = [{k: _plain(v) for k, v in row.items()} for row in found]
        return sorted(plain, key=lambda row: tuple(row[k] for k in key))

    async def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Every table, volatile columns marked as present or absent."""
        out = {}
        for table in Base.metadata.sorted_tables:
            rows = await self.rows(table.name)
            volatile = VOLATILE.get(table.name, set())
            out[table.name] = [
                {k: (v is not None if k in volatile else v) for k, v in row.items()} for row in rows
            ]
        return out

    async def change(self, table: str, where: dict[str, Any], **values: Any) -> None:
        """Change rows behind the services' back (to make drift that `verify` must find)."""
        if self.store is not None:
            rows = self.store.tables[table]
            for row in rows.where(**where):
                row.update(values)
            return
        assert self.database is not None
        schema = Base.metadata.tables[table]
        statement = update(schema).values(**values)
        for column, value in where.items():
            statement = statement.where(schema.c[column] == value)
        async with self.database.engine.begin() as conn:
            await conn.execute(statement)


def fake_backend(clock: FakeClock) -> Backend:
    store = FakeStore()
    factory = FakeUnitOfWorkFactory(store)
    return Backend("fake", factory, ServiceContext(uow=factory, clock=clock), clock, store=store)


def sqlite_backend(url: str, clock: FakeClock) -> Backend:
    database = Database(url)
    factory = SqlUnitOfWorkFactory(database)
    services = ServiceContext(uow=factory, clock=clock)
    return Backend("sqlite", factory, services, clock, database=database)


@pytest.fixture(params=["fake", "sqlite"])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """None for the fake store, else a fresh migrated SQLite file (made before any event loop
    runs: migrating runs a loop of its own)."""
    return None if request.param == "fake" else str(request.getfixturevalue("sqlite_url"))


@pytest.fixture
async def backend(store_url: str | None, clock: FakeClock) -> AsyncIterator[Backend]:
    """The fake store, then SqlUnitOfWork on a fresh migrated SQLite file."""
    if store_url is None:
        yield fake_backend(clock)
        return
    made = sqlite_backend(store_url, clock)
    yield made
    assert made.database is not None
    await made.database.dispose()


@pytest.fixture
async def both(sqlite_url: str) -> AsyncIterator[tuple[Backend, Backend]]:
    """The two stores at once, each with a clock of its own at the same time."""
    start = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    fake, sql = fake_backend(FakeClock(start)), sqlite_backend(sqlite_url, FakeClock(start))
    yield fake, sql
    assert sql.database is not None
    await sql.database.dispose()


async def same_rows(fake: Backend, sql: Backend) -> None:
    """Every table holds the same rows in both stores."""
    fake_tables, sql_tables = await fake.tables(), await sql.tables()
    for table in sql_tables:
        assert fake_tables[table] == sql_tables[table], table


ACME = WorkspaceRef("slack", "T1", "Acme")
OTHER = WorkspaceRef("slack", "T2", "Other")
AT = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


async def people(
    backend: Backend, *names: str, ref: WorkspaceRef = ACME
) -> tuple[Workspace, dict[str, Member]]:
    """A committed workspace with these members (external id = name, display name = Name)."""
    async with backend.uow(write=True) as uow:
        workspace = await uow.workspaces.ensure(ref)
        members = await uow.members.ensure(workspace, [MemberRef(n, n.title()) for n in names])
        await uow.commit()
    return workspace, members


async def fund(backend: Backend, workspace: Workspace, member: Member, points: int) -> None:
    """Give `member` earned points from the mint, as an adjustment does."""
    async with backend.uow(write=True) as uow:
        transfer = Transfer(
            workspace.mint_account_id, member.earned_account_id, points, EntryKind.ADJUST, "seed"
        )
        await uow.ledger.post(workspace, [transfer], AT)
        await uow.commit()
