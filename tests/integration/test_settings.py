"""Workspace settings: validated changes, refused ones write nothing, replicas catch up."""

from __future__ import annotations

import asyncio

import pytest

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain import errors
from bot.services.settings import change_settings, show_settings
from tests.conftest import FakeClock
from tests.support import OPERATOR, WS, give, snapshot


async def test_settings_change_applies_to_the_next_kudos(app: App) -> None:
    changed = await change_settings(
        app.services, WS, {"max_amount": "5", "values": "#Learning, ops"}, OPERATOR
    )
    assert (changed.max_amount, changed.values) == (5, ("learning", "ops"))
    assert (await show_settings(app.services, WS)).max_amount == 5
    with pytest.raises(errors.AmountOutOfBounds):
        await give(app, "ana", "raj", amount=6)


@pytest.mark.parametrize(
    "changes",
    [
        {"max_amount": "0"},
        {"min_amount": "0"},
        {"default_amount": "99"},
        {"allowance_period": "fortnight"},
        {"allowance_amount": "-5"},
        {"timezone": "Mars/Olympus"},
        {"value_required": "maybe"},
        {"values": "#, ,"},
        {"no_such_setting": "1"},
        {"max_amount": "5", "timezone": "Nowhere/Else"},
    ],
)
async def test_invalid_settings_are_refused_and_change_nothing(
    app: App, changes: dict[str, str]
) -> None:
    await give(app, "ana", "raj", amount=1)
    before = await snapshot(app)
    with pytest.raises(errors.InvalidSetting) as caught:
        await change_settings(app.services, WS, changes, OPERATOR)
    assert caught.value.message.endswith(".")
    assert await snapshot(app) == before


async def test_another_replica_sees_a_change_once_its_cache_expires(
    app: App, database_url: str, clock: FakeClock
) -> None:
    other = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
    other.database.workspace_cache.ttl = 0.05
    try:
        await give(app, "ana", "raj", amount=10)
        assert (await give(other, "ana", "raj", amount=10)).amount_each == 10  # cached now
        await change_settings(app.services, WS, {"max_amount": "5"}, OPERATOR)
        await asyncio.sleep(0.1)
        with pytest.raises(errors.AmountOutOfBounds):
            await give(other, "ana", "raj", amount=10)
    finally:
        await other.close()
