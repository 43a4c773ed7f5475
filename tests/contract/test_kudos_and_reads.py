"""Kudos, learnings and badges, and everything read from them: leaderboards, history, the
scheduled posts' reads, the JSON API's pages (the dashboard's feed too) and the exports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.browse import KudosFilter, Position
from bot.domain.model import EntryKind, MemberRef, TotalsDelta, Transfer, Workspace
from bot.services.ports import DuplicateDelivery
from tests.contract.conftest import AT, OTHER, Backend, people


async def kudos(
    backend: Backend,
    workspace: Workspace,
    giver: str,
    recipients: list[str],
    *,
    amount: int = 1,
    tags: tuple[str, ...] = (),
    at_minutes: int = 0,
    key: str | None = None,
    channel: str | None = "C1",
    message: str | None = None,
) -> int:
    async with backend.uow(write=True) as uow:
        found = await uow.members.ensure(
            workspace, [MemberRef(n, name_if_new=n.title()) for n in (giver, *recipients)]
        )
        kudos_id = await uow.kudos.add(
            workspace,
            found[giver],
            [found[r] for r in recipients],
            amount,
            f"{giver} says thanks",
            tags,
            channel,
            message,
            key or backend.key(),
            AT + timedelta(minutes=at_minutes),
        )
        await uow.commit()
    return kudos_id


async def test_a_kudos_is_recorded_once_per_key_with_its_recipients_in_id_order(
    backend: Backend,
) -> None:
    workspace, m = await people(backend, "ana", "zed", "bo")
    first = await kudos(
        backend, workspace, "ana", ["zed", "bo"], tags=("a" * 300, "b" * 300), key="k"
    )
    with pytest.raises(DuplicateDelivery):
        await kudos(backend, workspace, "bo", ["ana"], key="k")
    other, _ = await people(backend, "ana", "bo", ref=OTHER)
    await kudos(backend, other, "ana", ["bo"], key="k")  # another workspace's key
    async with backend.uow(write=False) as uow:
        found = await uow.kudos.by_key(workspace, "k")
        assert await uow.kudos.by_key(workspace, "nope") is None
    assert found is not None and found.id == first
    assert found.recipient_ids == (m["zed"].id, m["bo"].id)
    assert len(" ".join(found.tags)) == 500
    assert len(await backend.rows("kudos")) == 2
    assert len(await backend.rows("kudos_recipients")) == 3


async def test_reversing_counts_once_and_hides_a_kudos_from_the_last_and_the_message(
    backend: Backend,
) -> None:
    workspace, m = await people(backend, "ana", "raj")
    older = await kudos(backend, workspace, "ana", ["raj"], message="C1:1", at_minutes=1)
    newer = await kudos(backend, workspace, "ana", ["raj"], message="C1:1", at_minutes=2)
    async with backend.uow(write=True) as uow:
        last = await uow.kudos.last_given(workspace, m["ana"].id)
        assert last is not None and last.id == newer
        assert [k.id for k in await uow.kudos.active_for_message(workspace, "C1:1")] == [
            newer,
            older,
        ]
        assert await uow.kudos.mark_reversed(newer, AT, "undo")
        assert not await uow.kudos.mark_reversed(newer, AT, "again")
        last = await uow.kudos.last_given(workspace, m["ana"].id)
        assert last is not None and last.id == older
        assert [k.id for k in await uow.kudos.active_for_message(workspace, "C1:1")] == [older]
        assert await uow.kudos.last_given(workspace, m["raj"].id) is None
        await uow.commit()
    reversed_row = next(r for r in await backend.rows("kudos") if r["id"] == newer)
    assert (reversed_row["reversed_at"], reversed_row["reversal_reason"]) == (AT, "undo")


async def test_badges_are_awarded_once_and_measured_on_what_still_counts(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "bo", "cy", "dee")
    for n in range(4):
        await kudos(backend, workspace, "ana", ["bo"], channel=f"C{n % 3}", tags=("mentoring",))
    await kudos(backend, workspace, "ana", ["bo"], channel=None)
    await kudos(backend, workspace, "cy", ["bo"], tags=("mentoring", "x"))
    undone = await kudos(backend, workspace, "dee", ["bo"], tags=("mentoring",), channel="C9")
    await kudos(backend, workspace, "dee", ["bo"], tags=("mentorings",))
    async with backend.uow(write=True) as uow:
        await uow.kudos.mark_reversed(undone, AT, "undo")
        for n in range(4):
            await uow.learnings.add(workspace, m["cy"], f"lesson {n}", ("git", "x" * 80), None, AT)
        await uow.learnings.add(workspace, m["cy"], "untagged", (), "C1", AT)
        assert await uow.badges.channels_given_in(workspace, m["ana"], 10) == {"C0", "C1", "C2"}
        assert len(await uow.badges.channels_given_in(workspace, m["ana"], 2)) == 2
        assert await uow.badges.channels_given_in(workspace, m["dee"], 10) == {"C1"}
        assert await uow.badges.mentoring_givers(workspace, m["bo"]) == 2
        assert await uow.badges.learnings_shared(workspace, m["cy"], 3) == 3
        assert await uow.badges.learnings_shared(workspace, m["cy"], 10) == 5
        assert await uow.badges.award(workspace, m["ana"], "mentor", "C" * 200, AT)
        assert not await uow.badges.award(workspace, m["ana"], "mentor", None, AT)
        assert await uow.badges.award(workspace, m["ana"], "first-kudos", None, AT - timedelta(1))
        owned = await uow.badges.of(workspace, [m["ana"].id, m["bo"].id])
        await uow.commit()
    assert owned == {
        m["ana"].id: [("first-kudos", AT - timedelta(1)), ("mentor", AT)],
        m["bo"].id: [],
    }
    learnings = await backend.rows("learnings")
    assert next((r["topic"], r["tags"]) for r in learnings) == ("git", "git " + "x" * 80)
    assert learnings[-1]["topic"] is None
    assert [len(r["channel"] or "") for r in await backend.rows("badges")] == [128, 0]


async def test_leaderboards_rank_the_top_by_points_then_name(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "bo", "cy", "dee", "eve")
    deltas = [
        TotalsDelta(m["eve"].id, "all", "", 5, 0),
        TotalsDelta(m["dee"].id, "all", "", 5, 2),
        TotalsDelta(m["cy"].id, "all", "", 5, 2),
        TotalsDelta(m["bo"].id, "all", "", 9, 0),
        TotalsDelta(m["ana"].id, "all", "", 0, 7),
        TotalsDelta(m["ana"].id, "all", "learning", 3, 0),
    ]
    async with backend.uow(write=True) as uow:
        grant = Transfer(
            workspace.mint_account_id, m["ana"].earned_account_id, 1, EntryKind.GRANT, "g"
        )
        await uow.ledger.post(workspace, [grant], AT, deltas)
        await uow.commit()
    async with backend.uow(write=False) as uow:
        board = await uow.queries.leaderboard(workspace, "all", "", 10)
        top3 = await uow.queries.leaderboard(workspace, "all", "", 3)
        learning = await uow.queries.leaderboard(workspace, "all", "learning", 10)
        givers = await uow.queries.top_givers(workspace, "all", 2)
        newcomers = await uow.queries.newcomers(workspace, "all")
    assert [(r.rank, r.display_name, r.points) for r in board] == [
        (1, "Bo", 9),
        (2, "Cy", 5),
        (2, "Dee", 5),
        (2, "Eve", 5),
    ]
    assert [r.display_name for r in top3] == ["Bo", "Cy", "Dee"]  # the top 3 by id, then names
    assert [(r.display_name, r.points) for r in learning] == [("Ana", 3)]
    assert [(r.rank, r.display_name, r.points) for r in givers] == [(1, "Ana", 7), (2, "Cy", 2)]
    assert newcomers == ["Bo", "Cy", "Dee", "Eve"]


async def test_history_and_the_posts_reads_see_both_directions_and_their_period(
    backend: Backend,
) -> None:
    workspace, m = await people(backend, "ana", "raj", "bo")
    first = await kudos(backend, workspace, "ana", ["raj", "bo"], amount=2, at_minutes=0)
    second = await kudos(backend, workspace, "raj", ["ana"], amount=3, at_minutes=5)
    undone = await kudos(backend, workspace, "bo", ["ana"], at_minutes=10)
    await kudos(backend, workspace, "bo", ["raj"], at_minutes=60 * 24 * 8)
    async with backend.uow(write=True) as uow:
        await uow.kudos.mark_reversed(undone, AT, "undo")
        await uow.learnings.add(workspace, m["bo"], "late", ("x",), None, AT + timedelta(days=7))
        await uow.learnings.add(workspace, m["ana"], "early", ("git", "sql"), None, AT)
        await uow.commit()
    async with backend.uow(write=False) as uow:
        history = await uow.queries.history(workspace, m["ana"], 10)
        short = await uow.queries.history(workspace, m["ana"], 2)
        week = await uow.queries.kudos_between(workspace, AT, AT + timedelta(days=7))
        learned = await uow.queries.learnings_between(workspace, AT, AT + timedelta(days=7))
    assert [(h.kudos_id, h.direction, h.reversed) for h in history] == [
        (undone, "received", True),
        (second, "received", False),
        (first, "given", False),
    ]
    assert history[-1].recipients == ("Raj", "Bo")
    assert len(short) == 2
    assert [k.id for k, _ in week] == [first, second]
    assert week[0][1][m["bo"].id] == ("bo", "Bo", False)
    assert learned == [("Ana", "early", ("git", "sql"))]


async def test_the_api_pages_continue_from_a_position(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "raj", "bo")
    ids = [
        await kudos(backend, workspace, "ana", ["raj"], tags=("Learning",), at_minutes=1),
        await kudos(backend, workspace, "raj", ["bo", "ana"], at_minutes=1),
        await kudos(backend, workspace, "bo", ["ana"], channel="C2", at_minutes=2),
    ]
    async with backend.uow(write=True) as uow:
        await uow.kudos.mark_reversed(ids[2], AT, "undo")
        for n, tags in enumerate((("git",), ("git_hub",), ("python", "git"))):
            await uow.learnings.add(
                workspace, m["ana" if n else "bo"], f"l{n}", tags, None, AT + timedelta(minutes=n)
            )
        await uow.commit()

    async def listed(
        where: KudosFilter, after: Position | None = None, limit: int = 10
    ) -> list[int]:
        async with backend.uow(write=False) as uow:
            return [k.id for k in await uow.browse.kudos(workspace, where, after, limit)]

    assert await listed(KudosFilter()) == ids[::-1]
    assert await listed(KudosFilter(include_reversed=False)) == [ids[1], ids[0]]
    assert await listed(KudosFilter(), Position(ids[1], AT + timedelta(minutes=1))) == [ids[0]]
    assert await listed(KudosFilter(), Position(ids[1])) == [ids[0]]
    assert await listed(KudosFilter(person="ana")) == ids[::-1]
    assert await listed(KudosFilter(person="ana"), limit=1) == [ids[2]]
    assert await listed(KudosFilter(giver="raj", recipient="ana")) == [ids[1]]
    assert await listed(KudosFilter(recipient="raj")) == [ids[0]]
    assert await listed(KudosFilter(person="nobody")) == []
    assert await listed(KudosFilter(value="learning")) == [ids[0]]  # LIKE: case-blind (ASCII)
    assert await listed(KudosFilter(channel="C2", since=AT + timedelta(minutes=2))) == [ids[2]]
    assert await listed(KudosFilter(until=AT + timedelta(minutes=2))) == [ids[1], ids[0]]
    async with backend.uow(write=False) as uow:
        [record] = await uow.browse.kudos(workspace, KudosFilter(giver="raj"), None, 5)
        members = await uow.browse.members(workspace, None, Position(m["ana"].id), 1)
        active = await uow.browse.members(workspace, False, None, 10)
        since = await uow.browse.member_since(workspace, "ana")
        nobody = await uow.browse.member_since(workspace, "nobody")
        learned = await uow.browse.learnings(workspace, None, None, None, "git", None, 10)
        by_ana = await uow.browse.learnings(
            workspace,
            AT + timedelta(minutes=1),
            None,
            "ana",
            None,
            Position(99, AT + timedelta(minutes=5)),
            10,
        )
        audit = await uow.browse.audit(workspace, None, None, None, 10)
        redemptions = await uow.browse.redemptions(workspace, ("pending",), None, 10)
    assert [p.external_id for p in record.recipients] == ["ana", "bo"]
    assert [mem.external_id for mem, _ in members] == ["raj"] and members[0][0].directory_id is None
    assert active == [] and since is not None and nobody is None
    assert [r.text for r in learned] == ["l2", "l0"]
    assert [r.text for r in by_ana] == ["l2", "l1"]
    assert audit == [] and redemptions == []


async def test_exports_hold_every_row_since_a_time_oldest_first(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "raj", "bo")
    first = await kudos(backend, workspace, "ana", ["raj"], tags=("learning",))
    second = await kudos(backend, workspace, "ana", ["bo", "raj"], at_minutes=5, channel=None)
    async with backend.uow(write=True) as uow:
        await uow.kudos.mark_reversed(first, AT + timedelta(minutes=1), "undo")
        await uow.learnings.add(
            workspace, m["raj"], "til", ("a", "b"), "C1", AT + timedelta(minutes=6)
        )
        await uow.commit()
    async with backend.uow(write=False) as uow:
        everything = await uow.exports.kudos(workspace, None)
        recent = await uow.exports.kudos(workspace, AT + timedelta(minutes=5))
        learnings = await uow.exports.learnings(workspace, AT)
        none = await uow.exports.learnings(workspace, AT + timedelta(minutes=7))
        ledger = await uow.exports.ledger(workspace, None)
    assert [k["id"] for k in everything] == [first, second]
    assert everything[0]["reversed_at"] == (AT + timedelta(minutes=1)).isoformat()
    assert everything[0]["tags"] == "#learning"
    assert (recent[0]["recipient_ids"], recent[0]["total"], recent[0]["channel"]) == (
        "raj bo",
        2,
        "",
    )
    assert learnings[0]["tags"] == "#a #b" and none == []
    assert ledger == []
