"""Workspace settings across replicas: another process sees a change once its cache expires (the
rules of changing them are in tests/unit/services/test_settings.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain import errors
from bot.services.settings import change_settings
from tests.conftest import FakeClock
from tests.support import OPERATOR, WS, give


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
