"""Property: whatever sequence of gives, undos, period changes and setting changes happens,
the ledger verifies clean, points are conserved and balances match a simple model."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import build
from bot.config import Settings
from bot.domain import errors
from bot.domain.model import WorkspaceRef
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance
from bot.services.undo import undo_last_kudos
from tests.conftest import FakeClock
from tests.support import configure, give, person, scalar

PEOPLE = ["ana", "raj", "bo", "cy"]
UNDO_WINDOW = timedelta(minutes=10)
_workspace_ids = itertools.count()

gives = st.tuples(
    st.just("give"),
    st.sampled_from(PEOPLE),
    st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3),
    st.integers(min_value=-2, max_value=60),
)
undos = st.tuples(st.just("undo"), st.sampled_from(PEOPLE))
waits = st.tuples(st.just("wait"), st.sampled_from([1, 9, 11, 60 * 24, 60 * 24 * 8, 60 * 24 * 31]))
changes = st.tuples(
    st.just("settings"),
    st.sampled_from(["week", "month"]),
    st.booleans(),
    st.sampled_from([20, 100]),
)
operations = st.lists(st.one_of(gives, gives, undos, waits, changes), min_size=1, max_size=14)


async def run_scenario(database_url: str, ops: list[tuple[object, ...]]) -> None:
    clock = FakeClock(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    app = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
    workspace = WorkspaceRef("console", f"prop-{next(_workspace_ids)}-{id(ops)}")
    earned: Counter[str] = Counter()
    given_by: dict[str, list[tuple[list[str], int, datetime]]] = {p: [] for p in PEOPLE}
    try:
        await give(app, "ana", "raj", amount=1, workspace=workspace)
        earned["raj"] += 1
        given_by["ana"].append((["raj"], 1, clock.now()))
        for op in ops:
            match op:
                case ("give", giver, recipients, amount):
                    try:
                        result = await give(
                            app, giver, *recipients, amount=amount, workspace=workspace
                        )
                    except errors.KudosError:
                        continue
                    unique = list(dict.fromkeys(recipients))
                    for r in unique:
                        earned[r] += result.amount_each
                    given_by[giver].append((unique, result.amount_each, clock.now()))
                case ("undo", giver):
                    last = given_by[giver][-1] if given_by[giver] else None
                    try:
                        await undo_last_kudos(app.services, workspace, person(giver))
                    except errors.NothingToUndo:
                        assert last is None
                        continue
                    except errors.UndoWindowExpired:
                        assert last is not None and clock.now() - last[2] > UNDO_WINDOW
                        continue
                    assert last is not None and clock.now() - last[2] <= UNDO_WINDOW
                    recipients, amount, _ = given_by[giver].pop()
                    for r in recipients:
                        earned[r] -= amount
                case ("wait", minutes):
                    clock.advance(minutes=minutes)
                case ("settings", period, rollover, allowance):
                    await configure(
                        app,
                        workspace,
                        allowance_period=period,
                        allowance_rollover=rollover,
                        allowance_amount=allowance,
                    )

        assert await verify_ledger(app.services, workspace) == []
        for name in PEOPLE:
            try:
                balance = await show_balance(app.services, workspace, person(name))
            except errors.UnknownMember:
                assert earned[name] == 0
                continue
            assert balance.earned == earned[name], name
            assert balance.allowance_left >= 0
        assert await scalar(app, "SELECT min(balance) FROM accounts WHERE kind <> 'mint'") >= 0
    finally:
        await app.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_ledger_stays_balanced_on_sqlite(sqlite_url: str, ops: list[tuple[object, ...]]) -> None:
    asyncio.run(run_scenario(sqlite_url, ops))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_ledger_stays_balanced_on_postgres(
    postgres_url: str, ops: list[tuple[object, ...]]
) -> None:
    asyncio.run(run_scenario(postgres_url, ops))
