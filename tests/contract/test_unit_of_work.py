"""Transactions: what a unit of work keeps, what it drops, and what its commit sends."""

from __future__ import annotations

import pytest

from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.results import LearningShared
from tests.contract.conftest import Backend

ACME = WorkspaceRef("slack", "T1", "Acme")
QUIET = WorkspaceRef("console", "acme", "Acme")


def shared(author: str = "ana") -> LearningShared:
    return LearningShared(learning_id=1, author=author.title(), text="bisect", tags=("git",))


async def test_a_unit_left_without_commit_leaves_nothing(backend: Backend) -> None:
    async with backend.uow(write=True) as uow:
        await uow.workspaces.ensure(ACME)
    async with backend.uow(write=False) as uow:
        assert await uow.workspaces.get(ACME) is None
    assert await backend.rows("workspaces") == []


async def test_an_error_inside_a_unit_rolls_it_all_back(backend: Backend) -> None:
    with pytest.raises(RuntimeError):
        async with backend.uow(write=True) as uow:
            workspace = await uow.workspaces.ensure(ACME)
            await uow.members.ensure(workspace, [MemberRef("ana", "Ana")])
            raise RuntimeError("boom")
    assert await backend.rows("members") == []
    assert await backend.rows("accounts") == []


async def test_a_commit_keeps_everything_and_the_unit_reads_on(backend: Backend) -> None:
    async with backend.uow(write=True) as uow:
        workspace = await uow.workspaces.ensure(ACME)
        await uow.commit()
        assert (await uow.workspaces.get(ACME)) == workspace
    async with backend.uow(write=False) as uow:
        assert await uow.workspaces.get(ACME) == workspace


async def test_ids_after_a_rollback_are_handed_out_again(backend: Backend) -> None:
    """SQLite hands out the largest id plus one: a rolled-back row's id is used again."""
    async with backend.uow(write=True) as uow:
        await uow.workspaces.ensure(WorkspaceRef("slack", "T0"))
        await uow.commit()
    async with backend.uow(write=True) as uow:
        assert (await uow.workspaces.ensure(ACME)).id == 2
    async with backend.uow(write=True) as uow:
        assert (await uow.workspaces.ensure(ACME)).id == 2


async def test_published_events_reach_the_outbox_at_commit_and_only_then(
    backend: Backend,
) -> None:
    async with backend.uow(write=True) as uow:
        await uow.workspaces.ensure(ACME)
        uow.publish(ACME, shared())
    assert await backend.rows("outbox") == []
    async with backend.uow(write=True) as uow:
        await uow.workspaces.ensure(ACME)
        uow.publish(ACME, shared())
        uow.publish(QUIET, shared("bo"))  # the console has no one to tell
        await uow.commit()
    [row] = await backend.rows("outbox")
    assert (row["platform"], row["workspace"], row["kind"], row["method"], row["state"]) == (
        "slack",
        "T1",
        "event",
        "learning_shared",
        "pending",
    )
    assert '"author":"Ana"' in row["payload"]


async def test_a_savepoint_rolled_back_keeps_what_came_before_it(backend: Backend) -> None:
    """`shared()`: units joining one transaction, each a savepoint (see `run_as_one`)."""
    async with backend.uow.shared() as transaction:
        async with transaction(write=True) as first:
            workspace = await first.workspaces.ensure(ACME)
            first.publish(ACME, shared())
            await first.commit()
        async with transaction(write=True) as second:
            await second.members.ensure(workspace, [MemberRef("ana", "Ana")])
            second.publish(ACME, shared("bo"))  # dropped with its savepoint
        async with transaction(write=False) as third:
            assert await third.members.get(workspace, "ana") is None
            assert await third.workspaces.get(ACME) == workspace
        await transaction.commit()
    assert [r["external_id"] for r in await backend.rows("workspaces")] == ["T1"]
    assert await backend.rows("members") == []
    assert ['"author":"Ana"' in r["payload"] for r in await backend.rows("outbox")] == [True]


async def test_a_shared_transaction_not_committed_leaves_nothing(backend: Backend) -> None:
    async with backend.uow.shared() as transaction, transaction(write=True) as unit:
        await unit.workspaces.ensure(ACME)
        await unit.commit()
    assert await backend.rows("workspaces") == []


async def test_a_read_before_any_write_in_a_shared_transaction_runs_alone(
    backend: Backend,
) -> None:
    async with backend.uow(write=True) as uow:
        await uow.workspaces.ensure(ACME)
        await uow.commit()
    async with backend.uow.shared() as transaction:
        async with transaction(write=False) as unit:
            assert await unit.workspaces.get(ACME) is not None
        await transaction.commit()
    assert len(await backend.rows("workspaces")) == 1
