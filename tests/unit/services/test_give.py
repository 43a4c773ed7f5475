"""Giving kudos: what is written, and what each refusal is not (on the fake store; what only
concurrency shows is in tests/integration/test_give.py)."""

from __future__ import annotations

import pytest

from bot.domain import errors
from bot.domain.model import WorkspaceRef
from bot.services.ledger import verify_ledger
from bot.services.members import member_names
from bot.services.queries import show_balance
from tests.fakes.unit_of_work import FakeApp
from tests.support import WS, configure, count, give, person, snapshot


async def test_give_moves_points_from_allowance_to_earned(app: FakeApp) -> None:
    result = await give(app, "ana", "raj", "bo", amount=10, reason="pairing", tags=("learning",))

    assert (result.amount_each, result.total, result.allowance_left) == (10, 20, 80)
    assert result.recipients == ("Raj", "Bo")
    ana = await show_balance(app.services, WS, person("ana"))
    raj = await show_balance(app.services, WS, person("raj"))
    assert (ana.allowance_left, ana.earned) == (80, 0)
    assert (raj.allowance_left, raj.earned) == (100, 10)
    assert count(app, "ledger_entries", kind="kudos") == 2
    assert await verify_ledger(app.services) == []


async def test_amount_defaults_to_one_and_a_missing_reason_gets_a_nudge(app: FakeApp) -> None:
    result = await give(app, "ana", "raj", reason=None)
    assert result.amount_each == 1
    assert result.nudge and "why" in result.nudge
    assert (await give(app, "ana", "raj", reason="the demo")).nudge is None


async def test_a_recipient_listed_twice_counts_once(app: FakeApp) -> None:
    result = await give(app, "ana", "raj", "raj", amount=5)
    assert result.total == 5
    assert (await show_balance(app.services, WS, person("raj"))).earned == 5


@pytest.mark.parametrize(
    ("recipients", "amount", "refusal"),
    [
        (("ana",), 5, errors.SelfKudos),
        (("raj", "ana"), 5, errors.SelfKudos),
        ((person("kudosbot", is_bot=True),), 5, errors.BotRecipient),
        ((person("gone", is_active=False),), 5, errors.InactiveRecipient),
        (("raj",), 0, errors.AmountOutOfBounds),
        (("raj",), 51, errors.AmountOutOfBounds),
        (("raj",), 10**9, errors.AmountOutOfBounds),
        (("raj", "bo", "cy"), 40, errors.InsufficientAllowance),
        ((), 5, errors.NoRecipients),
        (tuple(f"p{i}" for i in range(21)), 1, errors.TooManyRecipients),
    ],
)
async def test_refusals_write_nothing(
    app: FakeApp, recipients: tuple[object, ...], amount: int, refusal: type[errors.KudosError]
) -> None:
    await give(app, "ana", "raj", amount=1)  # the workspace and ana exist, with history
    before = await snapshot(app)

    with pytest.raises(refusal) as caught:
        await give(app, "ana", *recipients, amount=amount)  # type: ignore[arg-type]

    assert caught.value.message.endswith((".", "!")), "refusals are one friendly sentence"
    assert await snapshot(app) == before


async def test_an_unknown_giver_refused_for_a_bad_amount_is_not_created(app: FakeApp) -> None:
    await give(app, "ana", "raj", amount=1)
    before = await snapshot(app)
    with pytest.raises(errors.AmountOutOfBounds):
        await give(app, "newcomer", "someone-new", amount=500)
    assert await snapshot(app) == before


async def test_deactivated_giver_is_refused(app: FakeApp) -> None:
    await give(app, "ana", "raj", amount=1)
    before = await snapshot(app)
    with pytest.raises(errors.InactiveGiver):
        await give(app, person("raj", is_active=False), "ana", amount=1)
    assert await snapshot(app) == before


async def test_overlong_reason_is_refused(app: FakeApp) -> None:
    await give(app, "ana", "raj", amount=1)
    before = await snapshot(app)
    with pytest.raises(errors.ReasonTooLong):
        await give(app, "ana", "raj", amount=1, reason="x" * 501)
    assert await snapshot(app) == before


async def test_required_reason_and_value_are_enforced(app: FakeApp) -> None:
    await configure(app, reason_required=True, value_required=True)
    before = await snapshot(app)
    with pytest.raises(errors.ReasonRequired):
        await give(app, "ana", "raj", reason=None, tags=("learning",))
    with pytest.raises(errors.ValueRequired) as caught:
        await give(app, "ana", "raj", reason="the talk", tags=("random",))
    assert "#learning" in caught.value.message
    assert await snapshot(app) == before
    assert (await give(app, "ana", "raj", reason="the talk", tags=("mentoring",))).total == 1


async def test_the_same_delivery_three_times_counts_once(app: FakeApp) -> None:
    results = [await give(app, "ana", "raj", amount=7, key="slack:T1:C1:1700.01") for _ in range(3)]

    assert [r.duplicate for r in results] == [False, True, True]
    assert len({r.kudos_id for r in results}) == 1
    assert (await show_balance(app.services, WS, person("raj"))).earned == 7
    assert count(app, "kudos") == 1


async def test_member_names_are_the_workspaces_people_alphabetically(app: FakeApp) -> None:
    """What `kudos chat` completes after `@`."""
    assert await member_names(app.services, WS) == []
    await give(app, "zoe", "ana", "bob")
    await give(app, "yan", "xia", workspace=WorkspaceRef("console", "globex", "Globex"))
    assert await member_names(app.services, WS) == ["Ana", "Bob", "Zoe"]
