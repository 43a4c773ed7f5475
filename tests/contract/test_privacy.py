"""Leaving the public boards, and forgetting a person: the public reads leave them out, and
forgetting erases every copy the store keeps while the ledger stays as it was."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import EntryKind, MemberRef, TotalsDelta, Transfer
from bot.domain.privacy import Erasure
from bot.services.delivery import Incoming, Outgoing
from tests.contract.conftest import AT, OTHER, Backend, people


async def test_a_member_leaves_and_rejoins_the_public_boards_once_each(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "raj")
    _, other = await people(backend, "ana", ref=OTHER)
    async with backend.uow(write=True) as uow:
        assert await uow.privacy.set_private(workspace, m["ana"], True)
        assert not await uow.privacy.set_private(workspace, m["ana"], True)
        assert not await uow.privacy.set_private(workspace, other["ana"], True)  # not its own
        assert not await uow.privacy.set_private(workspace, m["raj"], False)
        ana = await uow.members.get(workspace, "ana")
        await uow.commit()
    assert ana is not None and ana.is_private
    async with backend.uow(write=True) as uow:
        assert await uow.privacy.set_private(workspace, m["ana"], False)
        await uow.commit()


async def test_public_reads_leave_out_who_left_and_an_admins_board_marks_them(
    backend: Backend,
) -> None:
    workspace, m = await people(backend, "ana", "bo", "cy")
    async with backend.uow(write=True) as uow:
        await uow.ledger.post(
            workspace,
            [
                Transfer(
                    workspace.mint_account_id, m["bo"].earned_account_id, 1, EntryKind.GRANT, "g"
                )
            ],
            AT,
            [
                TotalsDelta(m["ana"].id, "all", "", 9, 3),
                TotalsDelta(m["bo"].id, "all", "", 5, 4),
                TotalsDelta(m["cy"].id, "all", "", 2, 1),
            ],
        )
        await uow.learnings.add(workspace, m["ana"], "hidden", ("x",), None, AT)
        await uow.learnings.add(workspace, m["bo"], "shown", (), None, AT)
        await uow.privacy.set_private(workspace, m["ana"], True)
        public = await uow.queries.leaderboard(workspace, "all", "", 2)
        everyone = await uow.queries.leaderboard(workspace, "all", "", 2, public=False)
        givers = await uow.queries.top_givers(workspace, "all", 5)
        newcomers = await uow.queries.newcomers(workspace, "all")
        learned = await uow.queries.learnings_between(workspace, AT, AT + timedelta(days=1))
        await uow.commit()
    assert [(r.rank, r.display_name, r.private) for r in public] == [
        (1, "Bo", False),
        (2, "Cy", False),
    ]
    assert [(r.display_name, r.private) for r in everyone] == [("Ana", True), ("Bo", False)]
    assert [r.display_name for r in givers] == ["Bo", "Cy"]
    assert newcomers == ["Bo", "Cy"]
    assert learned == [("Bo", "shown", ())]


async def test_forgetting_erases_every_copy_and_leaves_the_ledger(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "raj")
    other, o = await people(backend, "ana", ref=OTHER)
    async with backend.uow(write=True) as uow:
        grant = Transfer(
            workspace.mint_account_id, m["ana"].allowance_account_id, 10, EntryKind.GRANT, "g"
        )
        await uow.ledger.post(workspace, [grant], AT)
        await uow.kudos.add(workspace, m["ana"], [m["raj"]], 2, "why", (), "C1", None, "k1", AT)
        await uow.kudos.add(workspace, m["raj"], [m["ana"]], 2, "back", (), "C1", None, "k2", AT)
        await uow.kudos.add(other, o["ana"], [o["ana"]], 1, "elsewhere", (), None, None, "k3", AT)
        await uow.learnings.add(workspace, m["ana"], "til", ("git",), None, AT)
        await uow.admins.add(workspace, m["ana"], "ops", AT)
        await uow.admins.add(workspace, m["raj"], "Ana", AT)
        await uow.admins.add(other, o["ana"], "ops", AT)
        await uow.sign_in_links.add(workspace, "ana", "h1", "ops", AT, AT + timedelta(hours=1))
        await uow.sign_in_links.add(workspace, "raj", "h2", "ana", AT, AT + timedelta(hours=1))
        await uow.conversations.remember(workspace, "D1", "personal", {"user": {"id": "ana"}}, AT)
        await uow.conversations.remember(
            workspace, "C1", "channel", {"user": {"id": "ana"}, "x": 1}, AT
        )
        await uow.conversations.remember(workspace, "C2", "channel", {"user": {"id": "raj"}}, AT)
        actor = MemberRef("ana", "Ana")
        await uow.audit.record(
            workspace, actor, "settings.change", "workspace", {"who": ["Ana", 1]}, AT
        )
        await uow.audit.record(workspace, MemberRef("ops"), "admins.add", "Ana", {"id": "ana"}, AT)
        await uow.audit.record(workspace, MemberRef("ops"), "other", "raj", {"n": 1}, AT)
        await uow.inbox.add(Incoming("slack", "T1", "d1", {"user": "ana"}), AT, None, AT)
        await uow.inbox.add(Incoming("slack", "T1", "d2", {"user": "ANA"}), AT, None, AT)
        await uow.outbox.add(
            [Outgoing("slack", "T1", "chat.postMessage", {"text": "<@ana|Ana> hi"})], AT
        )
        await uow.outbox.add([Outgoing("slack", "T2", "chat.postMessage", {"user": "ana"})], AT)
        await uow.commit()
    async with backend.uow(write=True) as uow:
        for item in await uow.inbox.claim(["slack"], AT, AT, 10):
            await uow.inbox.complete(item, "given", AT)
        [sent, _] = await uow.outbox.claim(["slack"], AT, AT, 10)
        await uow.outbox.finish(sent, AT)
        await uow.commit()
    before = [(a["id"], a["balance"]) for a in await backend.rows("accounts")]
    erasure = Erasure("former member 7f3a", "forgotten:7f3a", "d" * 64, AT, "ana", ("Ana",))
    async with backend.uow(write=True) as uow:
        assert not await uow.privacy.was_forgotten(workspace, "d" * 64)
        erased = await uow.privacy.forget(workspace, m["ana"], erasure)
        assert await uow.privacy.was_forgotten(workspace, "d" * 64)
        assert not await uow.privacy.was_forgotten(other, "d" * 64)
        assert await uow.privacy.pseudonym_taken(workspace, "former member 7f3a")
        assert not await uow.privacy.pseudonym_taken(other, "former member 7f3a")
        again = await uow.privacy.forget(workspace, m["ana"], erasure)
        await uow.commit()
    assert erased == type(erased)(
        reasons=1,
        learnings=1,
        admin_rows=1,
        sign_in_links=1,
        conversations=2,
        audit_entries=2,
        request_log=3,
        webhook_deliveries=0,
    )
    assert (again.reasons, again.admin_rows, again.audit_entries) == (0, 0, 0)
    assert [(a["id"], a["balance"]) for a in await backend.rows("accounts")] == before
    [row] = [r for r in await backend.rows("members") if r["id"] == m["ana"].id]
    assert (row["external_id"], row["display_name"], row["is_private"], row["is_active"]) == (
        "forgotten:7f3a",
        "former member 7f3a",
        True,
        False,
    )
    assert [r["added_by"] for r in await backend.rows("workspace_admins")] == [
        "former member 7f3a",
        "ops",
    ]
    assert [c["conversation_id"] for c in await backend.rows("conversations")] == ["C1", "C2"]
    audit = await backend.rows("audit_log")
    assert [(a["actor_id"], a["target"], a["details"]) for a in audit] == [
        ("forgotten:7f3a", "workspace", {"who": ["former member 7f3a", 1]}),
        ("ops", "former member 7f3a", {"id": "forgotten:7f3a"}),
        ("ops", "raj", {"n": 1}),
    ]
    assert [r["payload"] for r in await backend.rows("inbox")] == ["{}", "{}"]
    assert [r["payload"] for r in await backend.rows("outbox")] == ["{}", '{"user":"ana"}']
    assert [k["reason"] for k in await backend.rows("kudos")] == [None, "back", "elsewhere"]
