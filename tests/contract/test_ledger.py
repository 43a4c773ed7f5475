"""The ledger: balances move all or nothing, keys count once, allowances are claimed once per
period, leaderboard totals add up, and `verify` finds every kind of drift."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.model import AccountKind, EntryKind, TotalsDelta, Transfer
from bot.services.ports import DuplicateDelivery, InsufficientFunds
from tests.contract.conftest import AT, OTHER, Backend, fund, people


def move(debit: int, credit: int, amount: int, key: str | None = None) -> Transfer:
    return Transfer(debit, credit, amount, EntryKind.ADJUST, "x", key)


async def test_a_posting_moves_every_balance_and_writes_every_entry(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "raj", "bo")
    ana, raj, bo = (m[n].earned_account_id for n in ("ana", "raj", "bo"))
    await fund(backend, workspace, m["ana"], 30)
    async with backend.uow(write=True) as uow:
        moved = await uow.ledger.post(
            workspace,
            [move(ana, raj, 10), move(ana, bo, 10)],
            AT,
            [TotalsDelta(m["raj"].id, "all", "", 10, 0), TotalsDelta(m["raj"].id, "all", "", 5, 1)],
        )
        await uow.commit()
    assert moved == {ana: 10, raj: 10, bo: 10}
    [total] = await backend.rows("leaderboard_totals")
    assert (total["received"], total["given"]) == (15, 1)
    assert len(await backend.rows("ledger_entries")) == 3


async def test_a_posting_that_would_overdraw_moves_nothing_and_names_the_account(
    backend: Backend,
) -> None:
    workspace, m = await people(backend, "ana", "raj")
    await fund(backend, workspace, m["ana"], 5)
    before = await backend.rows("accounts")
    with pytest.raises(InsufficientFunds) as short:
        async with backend.uow(write=True) as uow:
            await uow.ledger.post(
                workspace, [move(m["ana"].earned_account_id, m["raj"].earned_account_id, 6)], AT
            )
            await uow.commit()
    assert short.value.account_id == m["ana"].earned_account_id
    assert await backend.rows("accounts") == before


async def test_the_mint_alone_may_go_below_zero(backend: Backend) -> None:
    workspace, m = await people(backend, "ana")
    await fund(backend, workspace, m["ana"], 7)
    [mint] = [a for a in await backend.rows("accounts") if a["kind"] == "mint"]
    assert mint["balance"] == -7


async def test_an_account_of_another_workspace_is_refused(backend: Backend) -> None:
    workspace, m = await people(backend, "ana")
    _, elsewhere = await people(backend, "raj", ref=OTHER)
    await fund(backend, workspace, m["ana"], 5)
    with pytest.raises(InsufficientFunds):
        async with backend.uow(write=True) as uow:
            await uow.ledger.post(
                workspace,
                [move(m["ana"].earned_account_id, elsewhere["raj"].earned_account_id, 1)],
                AT,
            )


async def test_an_entry_key_counts_once_per_workspace(backend: Backend) -> None:
    workspace, m = await people(backend, "ana")
    elsewhere, other = await people(backend, "bo", ref=OTHER)
    grant = move(workspace.mint_account_id, m["ana"].earned_account_id, 5, "k-1")
    async with backend.uow(write=True) as uow:
        await uow.ledger.post(workspace, [grant], AT)
        await uow.commit()
    before = await backend.rows("accounts")
    with pytest.raises(DuplicateDelivery):
        async with backend.uow(write=True) as uow:
            await uow.ledger.post(workspace, [grant], AT)
    assert await backend.rows("accounts") == before
    async with backend.uow(write=True) as uow:
        await uow.ledger.post(
            elsewhere,
            [move(elsewhere.mint_account_id, other["bo"].earned_account_id, 5, "k-1")],
            AT,
        )
        await uow.commit()
    assert [e["idempotency_key"] for e in await backend.rows("ledger_entries")] == ["k-1", "k-1"]


async def test_a_period_is_claimed_once(backend: Backend) -> None:
    _workspace, m = await people(backend, "ana")
    account = m["ana"].allowance_account_id
    async with backend.uow(write=True) as uow:
        assert await uow.ledger.claim_period(account, "2026-11") == 0
        assert await uow.ledger.claim_period(account, "2026-11") is None
        assert await uow.ledger.claim_period(account, "2026-12") == 0
        assert await uow.ledger.claim_period(10**6, "2026-12") is None
        await uow.commit()
    [row] = [a for a in await backend.rows("accounts") if a["id"] == account]
    assert row["period"] == "2026-12"


async def test_a_shared_account_is_made_once(backend: Backend) -> None:
    workspace, _ = await people(backend)
    async with backend.uow(write=True) as uow:
        escrow = await uow.ledger.shared_account(workspace, AccountKind.ESCROW)
        assert await uow.ledger.shared_account(workspace, AccountKind.ESCROW) == escrow
        rewards = await uow.ledger.shared_account(workspace, AccountKind.REWARDS)
        await uow.commit()
    assert escrow != rewards
    kinds = sorted(a["kind"] for a in await backend.rows("accounts"))
    assert kinds == ["escrow", "mint", "rewards"]


async def test_verify_finds_every_kind_of_drift(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "raj")
    await fund(backend, workspace, m["ana"], 10)
    async with backend.uow(write=True) as uow:
        await uow.ledger.post(  # a leaderboard total that no kudos backs
            workspace,
            [move(workspace.mint_account_id, m["raj"].earned_account_id, 4)],
            AT,
            [TotalsDelta(m["raj"].id, "all", "", 4, 0)],
        )
        escrow = await uow.ledger.shared_account(workspace, AccountKind.ESCROW)
        await uow.commit()
    await backend.change("accounts", {"id": m["ana"].earned_account_id}, balance=12)
    await backend.change("accounts", {"id": escrow}, balance=3)
    async with backend.uow(write=False) as uow:
        found = await uow.ledger.verify(workspace.id)
        everywhere = await uow.ledger.verify(None)
        nowhere = await uow.ledger.verify(workspace.id + 1)
    details = sorted((d.detail, d.account_id or 0, d.cached, d.computed) for d in found)
    assert details == sorted(
        [
            ("cached balance", m["ana"].earned_account_id, 12, 10),
            ("cached balance", escrow, 3, 0),
            ("escrow vs pending redemptions", escrow, 3, 0),
            (f"leaderboard of member {m['raj'].id}", 0, 4, 0),
            ("workspace balances do not sum to 0", 0, 5, 0),
        ]
    )
    assert sorted(map(str, everywhere)) == sorted(map(str, found))
    assert nowhere == []


async def test_verify_finds_an_entry_that_crosses_workspaces(backend: Backend) -> None:
    workspace, m = await people(backend, "ana")
    _, other = await people(backend, "bo", ref=OTHER)
    await fund(backend, workspace, m["ana"], 3)
    [entry] = await backend.rows("ledger_entries")
    await backend.change(
        "ledger_entries", {"id": entry["id"]}, credit_account_id=other["bo"].earned_account_id
    )
    async with backend.uow(write=False) as uow:
        found = await uow.ledger.verify(workspace.id)
    assert f"entry {entry['id']} crosses workspaces" in [d.detail for d in found]


async def test_times_are_kept_to_the_microsecond(backend: Backend) -> None:
    workspace, m = await people(backend, "ana")
    later = AT + timedelta(days=3, microseconds=7)
    async with backend.uow(write=True) as uow:
        await uow.ledger.post(
            workspace, [move(workspace.mint_account_id, m["ana"].earned_account_id, 1)], later
        )
        await uow.commit()
    assert [e["created_at"] for e in await backend.rows("ledger_entries")] == [later]


@pytest.mark.filterwarnings("ignore:Empty parameter sequence")
async def test_a_posting_without_transfers_is_refused(backend: Backend) -> None:
    """The store cannot insert no entries (a programming error, never a rule)."""
    workspace, _ = await people(backend)
    with pytest.raises(Exception, match="NOT NULL"):
        async with backend.uow(write=True) as uow:
            await uow.ledger.post(workspace, [], AT)
