"""Giving kudos at once, on real SQLite and PostgreSQL: concurrent deliveries of one key count
once, and concurrent gives (through one engine or two) never overdraw. The rules themselves are
in tests/unit/services/test_give.py."""

from __future__ import annotations

import asyncio

from bot.bootstrap import App
from bot.domain import errors
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance
from tests.support import WS, give, person, scalar


async def test_concurrent_deliveries_of_one_key_count_once(app: App) -> None:
    results = await asyncio.gather(
        *[give(app, "ana", "raj", amount=7, key="teams:activity-42") for _ in range(3)]
    )
    assert sorted(r.duplicate for r in results) == [False, True, True]
    assert (await show_balance(app.services, WS, person("raj"))).earned == 7
    assert await verify_ledger(app.services) == []


async def test_fifty_concurrent_gives_never_overdraw_the_allowance(app: App) -> None:
    await give(app, "raj", "ana", amount=1)  # make the members before the stampede

    outcomes = await asyncio.gather(
        *[give(app, "ana", "raj", amount=10) for _ in range(50)], return_exceptions=True
    )

    given = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(given) == 10
    assert all(isinstance(o, errors.InsufficientAllowance) for o in refused)
    assert (await show_balance(app.services, WS, person("ana"))).allowance_left == 0
    assert await scalar(app, "SELECT min(balance) FROM accounts WHERE kind <> 'mint'") >= 0
    assert await verify_ledger(app.services) == []


async def test_concurrent_gives_through_two_engines_on_one_database(
    database_url: str, clock: object
) -> None:
    """Two processes' worth of connection pools on one database still never overdraw."""
    from bot.bootstrap import build
    from bot.config import Settings

    apps = [
        await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
        for _ in range(2)
    ]  # type: ignore[arg-type]
    try:
        await give(apps[0], "raj", "ana", amount=1)
        outcomes = await asyncio.gather(
            *[give(apps[i % 2], "ana", "raj", amount=10) for i in range(30)],
            return_exceptions=True,
        )
        assert sum(not isinstance(o, BaseException) for o in outcomes) == 10
        assert all(
            isinstance(o, errors.InsufficientAllowance)
            for o in outcomes
            if isinstance(o, BaseException)
        )
        assert await verify_ledger(apps[0].services) == []
    finally:
        for a in apps:
            await a.close()
