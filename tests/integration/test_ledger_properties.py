"""The ledger property of tests/unit/services/test_ledger_properties.py (many examples, on the
fake store) on real databases, a few examples each: the same scenarios, through the SQL store,
verify clean and match the model kept by hand."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, example, given, settings

from bot.bootstrap import build
from bot.config import Settings
from tests.conftest import FakeClock
from tests.unit.services.test_ledger_properties import (
    SHOPPING,
    SPENT,
    START,
    operations,
    run_scenario,
)


async def _on(database_url: str, ops: list[tuple[object, ...]]) -> None:
    clock = FakeClock(START)
    app = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
    try:
        await run_scenario(app, clock, ops)
    finally:
        await app.close()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
@example(ops=[("wait", 9), ("undo", "ana")])
@example(ops=SHOPPING)
@example(ops=SPENT)
def test_ledger_stays_balanced_on_postgres(
    postgres_url: str, ops: list[tuple[object, ...]]
) -> None:
    asyncio.run(_on(postgres_url, ops))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
@example(ops=[("wait", 9), ("undo", "ana")])
@example(ops=SHOPPING)
@example(ops=SPENT)
def test_ledger_stays_balanced_on_sqlite(sqlite_url: str, ops: list[tuple[object, ...]]) -> None:
    asyncio.run(_on(sqlite_url, ops))
