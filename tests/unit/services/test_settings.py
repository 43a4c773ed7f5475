"""Workspace settings: validated changes, and refused ones write nothing (on the fake store)."""

from __future__ import annotations

import pytest

from bot.domain import errors
from bot.services.settings import change_settings, show_settings
from tests.fakes.unit_of_work import FakeApp
from tests.support import OPERATOR, WS, give, snapshot


async def test_settings_change_applies_to_the_next_kudos(app: FakeApp) -> None:
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
    app: FakeApp, changes: dict[str, str]
) -> None:
    await give(app, "ana", "raj", amount=1)
    before = await snapshot(app)
    with pytest.raises(errors.InvalidSetting) as caught:
        await change_settings(app.services, WS, changes, OPERATOR)
    assert caught.value.message.endswith(".")
    assert await snapshot(app) == before
