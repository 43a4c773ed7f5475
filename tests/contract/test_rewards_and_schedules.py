"""The catalog, redemptions and their approval messages; schedules and their exactly-once
runs; conversations the bot may post to."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.domain.model import WorkspaceRef
from bot.domain.schedule import Schedule
from bot.services.ports import DuplicateDelivery
from tests.contract.conftest import AT, OTHER, Backend, people


def item(name: str, cost: int = 10, **more: Any) -> dict[str, Any]:
    fields = {"name": name, "cost": cost, "description": "", "stock": None}
    return fields | {"needs_approval": True, "active": True} | more


async def test_catalog_names_are_unique_in_any_case_until_removed(backend: Backend) -> None:
    workspace, _ = await people(backend)
    other, _ = await people(backend, ref=OTHER)
    async with backend.uow(write=True) as uow:
        book = await uow.catalog.add(workspace, item("Book voucher"), AT)
        mug = await uow.catalog.add(workspace, item("Mug", 5, stock=2, active=False), AT)
        await uow.catalog.add(other, item("Book voucher"), AT)
        await uow.commit()
    with pytest.raises(DuplicateDelivery):
        async with backend.uow(write=True) as uow:
            await uow.catalog.add(workspace, item("BOOK VOUCHER"), AT)
    with pytest.raises(Exception, match="NOT NULL"):
        async with backend.uow(write=True) as uow:
            await uow.catalog.add(workspace, item("Pen", description=None), AT)
    with pytest.raises(DuplicateDelivery):
        async with backend.uow(write=True) as uow:
            await uow.catalog.update(workspace, mug.id, {"name": "book Voucher"})
    async with backend.uow(write=True) as uow:
        assert await uow.catalog.find(workspace, f"#{book.id}") == book
        assert await uow.catalog.find(workspace, f" {book.id} ") == book
        assert await uow.catalog.find(workspace, "book   VOUCHER") == book
        assert await uow.catalog.find(workspace, "99999999999999") is None
        assert await uow.catalog.find(other, f"#{book.id}") is None
        assert [i.name for i in await uow.catalog.all(workspace, active_only=False)] == [
            "Mug",
            "Book voucher",
        ]
        assert [i.name for i in await uow.catalog.all(workspace, active_only=True)] == [
            "Book voucher"
        ]
        changed = await uow.catalog.update(workspace, book.id, {"name": "Book", "cost": 3})
        assert (changed.name, changed.cost) == ("Book", 3)
        await uow.catalog.remove(workspace, changed.id, AT)
        assert await uow.catalog.find(workspace, "book") is None
        assert await uow.catalog.find(workspace, str(book.id)) is None
        again = await uow.catalog.add(workspace, item("book"), AT)
        await uow.commit()
    assert again.id == 4
    removed = next(r for r in await backend.rows("reward_items") if r["id"] == book.id)
    assert (removed["name_key"], removed["active"], removed["removed_at"]) == (None, False, AT)


async def test_a_unit_is_taken_only_while_one_is_left_and_given_back(backend: Backend) -> None:
    workspace, _ = await people(backend)
    async with backend.uow(write=True) as uow:
        last = await uow.catalog.add(workspace, item("Last", stock=1), AT)
        endless = await uow.catalog.add(workspace, item("Endless"), AT)
        hidden = await uow.catalog.add(workspace, item("Hidden", stock=5, active=False), AT)
        assert await uow.catalog.take_one(workspace, last.id)
        assert not await uow.catalog.take_one(workspace, last.id)
        assert await uow.catalog.take_one(workspace, endless.id)
        assert not await uow.catalog.take_one(workspace, hidden.id)
        assert not await uow.catalog.take_one(workspace, 999)
        await uow.catalog.give_back(workspace, last.id)
        await uow.catalog.give_back(workspace, endless.id)
        assert await uow.catalog.take_one(workspace, last.id)
        await uow.catalog.remove(workspace, endless.id, AT)
        assert not await uow.catalog.take_one(workspace, endless.id)
        await uow.commit()
    assert [r["stock"] for r in await backend.rows("reward_items")] == [0, None, 5]


async def test_redemptions_are_recorded_once_and_decided_once(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "raj")
    async with backend.uow(write=True) as uow:
        book = await uow.catalog.add(workspace, item("Book", 30), AT)
        first = await uow.redemptions.add(workspace, book, m["ana"], "pending", "k-1", AT)
        at_once = await uow.redemptions.add(
            workspace, book, m["raj"], "fulfilled", "k-2", AT + timedelta(minutes=1)
        )
        later = await uow.redemptions.add(
            workspace, book, m["ana"], "pending", "k-3", AT + timedelta(minutes=2)
        )
        await uow.commit()
    with pytest.raises(DuplicateDelivery):
        async with backend.uow(write=True) as uow:
            await uow.redemptions.add(workspace, book, m["raj"], "pending", "k-1", AT)
    async with backend.uow(write=True) as uow:
        assert await uow.redemptions.decide(workspace, first, "rejected", "B" * 300, "no", AT)
        assert not await uow.redemptions.decide(workspace, first, "fulfilled", "C", None, AT)
        assert not await uow.redemptions.decide(workspace, at_once, "rejected", "C", None, AT)
        decided = await uow.redemptions.get(workspace, first)
        assert await uow.redemptions.get(workspace, 999) is None
        by_key = await uow.redemptions.by_key(workspace, "k-2")
        mine = await uow.redemptions.of_member(workspace, m["ana"].id, 10)
        one = await uow.redemptions.of_member(workspace, m["ana"].id, 1)
        queue = await uow.redemptions.pending(workspace, 10)
        since = await uow.redemptions.since(workspace, AT + timedelta(minutes=1))
        everything = await uow.redemptions.since(workspace, None)
        await uow.commit()
    assert decided is not None
    assert (decided.status, len(decided.decided_by or ""), decided.reason) == (
        "rejected",
        200,
        "no",
    )
    assert by_key is not None and (by_key.status, by_key.decided_at) == (
        "fulfilled",
        AT + timedelta(minutes=1),
    )
    assert (by_key.item_name, by_key.member_external_id, by_key.member_name) == (
        "Book",
        "raj",
        "Raj",
    )
    assert [r.id for r in mine] == [later, first] and [r.id for r in one] == [later]
    assert [r.id for r in queue] == [later]
    assert [r.id for r in since] == [at_once, later]
    assert [r.id for r in everything] == [first, at_once, later]


async def test_approval_copies_are_remembered_once_for_the_workspaces_own(
    backend: Backend,
) -> None:
    workspace, m = await people(backend, "ana")
    other, _ = await people(backend, ref=OTHER)
    async with backend.uow(write=True) as uow:
        book = await uow.catalog.add(workspace, item("Book"), AT)
        redemption = await uow.redemptions.add(workspace, book, m["ana"], "pending", "k", AT)
        assert await uow.approval_messages.remember(workspace, redemption, "D2", "2.2", AT)
        assert await uow.approval_messages.remember(workspace, redemption, "D1", "1.1", AT)
        assert not await uow.approval_messages.remember(workspace, redemption, "D1", "1.1", AT)
        assert not await uow.approval_messages.remember(other, redemption, "D9", "9.9", AT)
        assert not await uow.approval_messages.remember(workspace, 999, "D9", "9.9", AT)
        assert await uow.approval_messages.of(workspace, redemption) == [
            ("D2", "2.2"),
            ("D1", "1.1"),
        ]
        assert await uow.approval_messages.of(other, redemption) == []
        await uow.commit()


async def test_a_schedule_is_one_per_kind_and_channel_and_a_run_is_claimed_once(
    backend: Backend,
) -> None:
    workspace, _ = await people(backend)
    other, _ = await people(backend, ref=WorkspaceRef("teams", "tenant-1"))
    async with backend.uow(write=True) as uow:
        weekly = await uow.schedules.add(workspace, "weekly_leaderboard", "C1", (4, 16, 0), AT)
        moved = await uow.schedules.add(workspace, "weekly_leaderboard", "C1", (0, 9, 30), AT)
        shout = await uow.schedules.add(workspace, "learning_shoutouts", "C1", (4, 15, 0), AT)
        await uow.schedules.add(other, "monthly_leaderboard", "19:abc", (0, 10, 0), AT)
        assert moved == Schedule(weekly.id, workspace.id, "weekly_leaderboard", "C1", 0, 9, 30)
        assert await uow.schedules.of(workspace) == [shout, moved]
        everywhere = await uow.schedules.everywhere()
        run = await uow.schedules.claim(workspace, "weekly_leaderboard", "C1", "2026-W47", AT)
        assert (
            await uow.schedules.claim(workspace, "weekly_leaderboard", "C1", "2026-W47", AT) is None
        )
        assert await uow.schedules.has_run(workspace, "weekly_leaderboard", "C1", "2026-W47")
        assert not await uow.schedules.has_run(workspace, "weekly_leaderboard", "C1", "2026-W48")
        assert await uow.schedules.remove(workspace, "learning_shoutouts", "C1")
        assert not await uow.schedules.remove(workspace, "learning_shoutouts", "C1")
        await uow.commit()
    assert [(ref.platform, ref.external_id, s.kind) for ref, s in everywhere] == [
        ("slack", "T1", "weekly_leaderboard"),
        ("slack", "T1", "learning_shoutouts"),
        ("teams", "tenant-1", "monthly_leaderboard"),
    ]
    assert run is not None
    later = AT + timedelta(minutes=5)
    async with backend.uow(write=True) as uow:
        await uow.schedules.finish(run, "retry", AT, "E" * 3000, later)
        assert await uow.schedules.retries_due(AT) == []
        [(ref, due)] = await uow.schedules.retries_due(later)
        assert (ref, due.attempts, len(due.error or "")) == (WorkspaceRef("slack", "T1"), 1, 2000)
        assert await uow.schedules.claim_retry(run, later)
        assert not await uow.schedules.claim_retry(run, later)
        await uow.schedules.finish(run, "posted", later)
        second = await uow.schedules.claim(workspace, "weekly_leaderboard", "C1", "2026-W48", AT)
        runs = await uow.schedules.runs(workspace, 10)
        newest = await uow.schedules.runs(workspace, 1)
        await uow.commit()
    assert [(r.id, r.status, r.attempts, r.error, r.next_attempt_at) for r in runs] == [
        (run, "posted", 2, None, None),
        (second, "running", 1, None, None),
    ]
    assert [r.id for r in newest] == [run]
    assert runs[0].claimed_at == later and runs[0].finished_at == later


async def test_conversations_are_remembered_updated_and_forgotten(backend: Backend) -> None:
    workspace, _ = await people(backend)
    other, _ = await people(backend, ref=OTHER)
    async with backend.uow(write=True) as uow:
        await uow.conversations.remember(workspace, "D1", "personal", {"a": (1, 2)}, AT)
        await uow.conversations.remember(workspace, "C1", "channel", {"b": None}, AT)
        await uow.conversations.remember(workspace, "D1", "personal", {"a": [3]}, AT)
        await uow.conversations.remember(other, "D1", "personal", {}, AT)
        assert await uow.conversations.forget(workspace, "C1")
        assert not await uow.conversations.forget(workspace, "C1")
        await uow.conversations.remember(workspace, "C1", "channel", {"again": True}, AT)
        known = await uow.conversations.all(workspace)
        await uow.commit()
    assert known == [("D1", "personal", {"a": [3]}), ("C1", "channel", {"again": True})]
    assert [r["id"] for r in await backend.rows("conversations")] == [1, 3, 4]
