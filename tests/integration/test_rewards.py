"""Rewards under pressure on real SQLite and PostgreSQL, two processes on one database: the last
unit is never sold twice, earned points never spent twice, two admins deciding at once decide
once, two admins removing each other leave one. The rules are in
tests/unit/services/test_rewards.py."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain import errors
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import change_admins, show_admins
from bot.services.catalog import add_item, show_catalog
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance
from bot.services.results import Redeemed
from bot.services.rewards import (
    adjust_points,
    decide_redemption,
    redeem,
)
from tests.conftest import FakeClock
from tests.support import OPERATOR, WS, person, scalar

ADMIN = MemberRef("boss", "Boss", is_admin=True)
"""A platform admin (a Slack workspace admin, say)."""


async def earn(app: App, who: str, amount: int) -> None:
    """Give `who` exactly `amount` points to spend (an audited adjustment)."""
    await adjust_points(app.services, WS, OPERATOR, person(who), amount, "seed", str(uuid.uuid4()))


async def earned(app: App, who: str) -> int:
    return (await show_balance(app.services, WS, person(who), newcomer_ok=True)).earned


async def item(app: App, name: str = "Book", **fields: str) -> int:
    fields = {"cost": "10", **fields}
    await add_item(app.services, WS, OPERATOR, {"name": name, **fields})
    found = [i for i in (await show_catalog(app.services, WS)).items if i.name == name]
    return found[0].id


async def buy(app: App, who: str, what: str = "Book", key: str | None = None) -> Redeemed:
    return await redeem(app.services, WS, person(who), what, key or str(uuid.uuid4()))


async def account(app: App, kind: str) -> int:
    value = await scalar(app, "SELECT balance FROM accounts WHERE kind = :k", k=kind)
    return int(value or 0)


async def stock(app: App, item_id: int) -> int | None:
    return await scalar(app, "SELECT stock FROM reward_items WHERE id = :i", i=item_id)


# ---------------------------------------------------------------------------- redeeming


# ---------------------------------------------------------------------------- under pressure


@pytest.fixture
async def second_app(database_url: str, clock: FakeClock) -> AsyncIterator[App]:
    """Another process's view of the same database: its own engine, pool and locks."""
    other = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
    yield other
    await other.close()


async def test_the_last_unit_is_never_sold_twice(app: App, second_app: App) -> None:
    people = [f"p{i}" for i in range(8)]
    for who in people:
        await earn(app, who, 50)
    book = await item(app, cost="10", stock="1")

    outcomes = await asyncio.gather(
        *[buy(app if i % 2 else second_app, who) for i, who in enumerate(people)],
        return_exceptions=True,
    )

    sold = [o for o in outcomes if isinstance(o, Redeemed)]
    assert len(sold) == 1, outcomes
    assert all(isinstance(o, errors.OutOfStock) for o in outcomes if o not in sold)
    assert await stock(app, book) == 0
    assert await scalar(app, "SELECT count(*) FROM redemptions") == 1
    assert await account(app, "escrow") == 10
    assert await verify_ledger(app.services) == []


async def test_earned_points_are_never_spent_twice(app: App, second_app: App) -> None:
    await earn(app, "ana", 50)
    book = await item(app, cost="10", stock="100")

    outcomes = await asyncio.gather(
        *[buy(app if i % 2 else second_app, "ana") for i in range(20)], return_exceptions=True
    )

    succeeded = [o for o in outcomes if isinstance(o, Redeemed)]
    refused = [o for o in outcomes if isinstance(o, errors.NotEnoughPoints)]
    assert (len(succeeded), len(refused)) == (5, 15), outcomes
    assert await earned(app, "ana") == 0
    assert await stock(app, book) == 95
    assert await scalar(app, "SELECT count(*) FROM redemptions") == 5
    assert await account(app, "escrow") == 50
    assert await verify_ledger(app.services) == []

    for done in succeeded[:2]:
        await decide_redemption(app.services, WS, ADMIN, done.redemption.id, False, "no budget")
    assert await earned(app, "ana") == 20
    assert await stock(app, book) == 97
    assert await verify_ledger(app.services) == []


async def test_two_admins_clicking_at_once_decide_once(app: App, second_app: App) -> None:
    await earn(app, "ana", 50)
    await item(app, cost="10")
    pending = await buy(app, "ana")
    other_admin = MemberRef("chief", "Chief", is_admin=True)

    outcomes = await asyncio.gather(
        decide_redemption(app.services, WS, ADMIN, pending.redemption.id, True),
        decide_redemption(second_app.services, WS, other_admin, pending.redemption.id, False, "no"),
        return_exceptions=True,
    )

    decided = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(decided) == 1, outcomes
    assert any(isinstance(o, errors.AlreadyDecided) for o in outcomes)
    moves = await scalar(
        app,
        "SELECT count(*) FROM ledger_entries WHERE kind IN ('fulfil', 'refund')",
    )
    assert moves == 1
    assert await scalar(app, "SELECT count(*) FROM audit_log WHERE action LIKE 'redemption.%'") == 1
    assert await verify_ledger(app.services) == []


# ---------------------------------------------------------------------------- admins


async def test_two_admins_removing_each_other_at_once_leave_one(app: App, second_app: App) -> None:
    """Eight workspaces at once, so the two removals really overlap in some of them."""
    places = [WorkspaceRef("console", f"w{i}") for i in range(8)]
    for place in places:
        for name in ("ana", "bea"):
            await change_admins(app.services, place, OPERATOR, True, person(name))

    outcomes = await asyncio.gather(
        *[
            attempt
            for place in places
            for attempt in (
                change_admins(app.services, place, person("ana"), False, person("bea")),
                change_admins(second_app.services, place, person("bea"), False, person("ana")),
            )
        ],
        return_exceptions=True,
    )

    for place, pair in zip(places, zip(outcomes[::2], outcomes[1::2], strict=True), strict=True):
        assert sum(not isinstance(o, BaseException) for o in pair) == 1, pair
        assert all(
            isinstance(o, errors.LastAdmin | errors.AdminOnly)
            for o in pair
            if isinstance(o, BaseException)
        ), pair
        assert len((await show_admins(app.services, place)).admins) == 1


# ---------------------------------------------------------------------------- catalog


# ---------------------------------------------------------------------------- audit and export
