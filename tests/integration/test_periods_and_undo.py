"""Allowance grants and undos at once, on real SQLite and PostgreSQL: a period is granted once
however many gives race for it, and racing undos reverse once. The rules over time are in
tests/unit/services/test_periods_and_undo.py."""

from __future__ import annotations

import asyncio

from bot.bootstrap import App
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance
from bot.services.undo import undo_last_kudos
from tests.conftest import FakeClock
from tests.support import WS, give, person, scalar


async def test_allowance_is_granted_once_per_member_and_period(app: App, clock: FakeClock) -> None:
    await give(app, "raj", "ana", amount=1)
    await asyncio.gather(*[give(app, "ana", "raj", amount=1) for _ in range(10)])
    grants = "SELECT count(*) FROM ledger_entries WHERE kind = 'grant'"
    assert await scalar(app, grants) == 2  # raj's and ana's, once each

    clock.advance(days=30)  # 2026-12-18: a new month
    await asyncio.gather(*[give(app, "ana", "raj", amount=1) for _ in range(5)])
    assert await scalar(app, grants) == 3
    assert (await show_balance(app.services, WS, person("ana"))).allowance_left == 95
    assert await verify_ledger(app.services) == []


async def test_concurrent_undos_reverse_once(app: App) -> None:
    await give(app, "ana", "raj", amount=10)
    outcomes = await asyncio.gather(
        *[undo_last_kudos(app.services, WS, person("ana")) for _ in range(4)],
        return_exceptions=True,
    )
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
    assert (await show_balance(app.services, WS, person("ana"))).allowance_left == 100
    assert await verify_ledger(app.services) == []
