"""Workspaces, members, the admin list and the audit log."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import MemberRef, WorkspaceRef, WorkspaceSettings
from tests.contract.conftest import ACME, AT, OTHER, Backend, people


async def test_a_workspace_is_made_once_with_its_mint_and_found_by_id(backend: Backend) -> None:
    async with backend.uow(write=True) as uow:
        made = await uow.workspaces.ensure(ACME)
        assert await uow.workspaces.ensure(ACME) == made
        console = await uow.workspaces.ensure(WorkspaceRef("console", "T1"))
        await uow.commit()
    assert (made.name, made.settings) == ("Acme", WorkspaceSettings())
    assert (console.name, console.id) == ("T1", 2)
    async with backend.uow(write=False) as uow:
        assert await uow.workspaces.called("T1") == [
            WorkspaceRef("console", "T1", "T1"),
            WorkspaceRef("slack", "T1", "Acme"),
        ]
        assert await uow.workspaces.called("nope") == []
        assert await uow.workspaces.get(OTHER) is None
    assert [a["kind"] for a in await backend.rows("accounts")] == ["mint", "mint"]


async def test_settings_are_saved_as_json_and_read_back(backend: Backend) -> None:
    workspace, _ = await people(backend)
    settings = WorkspaceSettings(max_amount=7, values=("learning", "ops"), timezone="Europe/Berlin")
    async with backend.uow(write=True) as uow:
        await uow.workspaces.save_settings(workspace, settings)
        await uow.commit()
    async with backend.uow(write=False) as uow:
        found = await uow.workspaces.get(ACME)
    assert found is not None and found.settings == settings
    [row] = await backend.rows("workspaces")
    assert row["settings"]["values"] == ["learning", "ops"]


async def test_members_are_made_on_first_sight_and_refreshed_where_the_ref_knows_more(
    backend: Backend,
) -> None:
    workspace, m = await people(backend, "ana", "raj")
    assert (m["ana"].display_name, m["ana"].allowance_balance, m["ana"].allowance_period) == (
        "Ana",
        0,
        None,
    )
    async with backend.uow(write=True) as uow:
        again = await uow.members.ensure(
            workspace,
            [
                MemberRef("ana"),  # knows nothing new: kept
                MemberRef("raj", "Raj K", is_bot=False, is_active=False, directory_id="aad-1"),
                MemberRef("zoe", name_if_new="Zoë"),
                MemberRef("bot", is_bot=True),
                MemberRef("x" * 5, "y" * 300),
            ],
        )
        renamed = await uow.members.ensure(workspace, [MemberRef("zoe", name_if_new="Zed")])
        await uow.commit()
    assert again["ana"] == m["ana"]
    assert (again["raj"].display_name, again["raj"].is_active, again["raj"].directory_id) == (
        "Raj K",
        False,
        "aad-1",
    )
    assert again["raj"].id == m["raj"].id
    assert renamed["zoe"].display_name == "Zoë"  # a name for the new only
    assert (again["bot"].is_bot, again["bot"].display_name) == (True, "bot")
    assert len(again["xxxxx"].display_name) == 200
    assert len(await backend.rows("accounts")) == 1 + 2 * 5


async def test_members_are_read_by_id_by_directory_id_and_listed_by_name(
    backend: Backend,
) -> None:
    workspace, m = await people(backend, "zoe", "ana", "bob")
    _, elsewhere = await people(backend, "cy", ref=OTHER)
    async with backend.uow(write=True) as uow:
        await uow.members.ensure(
            workspace,
            [
                MemberRef("bob", is_active=False),
                MemberRef("bot", "A bot", is_bot=True),
                MemberRef("old", "Ana", directory_id="aad-ana"),
                MemberRef("new", "Ana", directory_id="aad-ana"),
            ],
        )
        await uow.commit()
    async with backend.uow(write=False) as uow:
        by_ids = await uow.members.by_ids(
            workspace, [m["ana"].id, m["zoe"].id, elsewhere["cy"].id, 999]
        )
        assert sorted(by_ids) == sorted([m["ana"].id, m["zoe"].id])
        newest = await uow.members.by_directory_id(workspace, "aad-ana")
        assert newest is not None and newest.external_id == "new"
        assert await uow.members.by_directory_id(workspace, "aad-nobody") is None
        assert await uow.members.get(workspace, "cy") is None
        assert await uow.members.names(workspace, 10) == ["Ana", "Ana", "Ana", "Zoe"]
        assert await uow.members.names(workspace, 2) == ["Ana", "Ana"]


async def test_the_admin_list_adds_once_and_keeps_its_order(backend: Backend) -> None:
    workspace, m = await people(backend, "ana", "bea", "cy")
    _, other = await people(backend, "ana", ref=OTHER)
    async with backend.uow(write=True) as uow:
        assert await uow.admins.add(workspace, m["bea"], "ops", AT)
        assert await uow.admins.add(workspace, m["ana"], "ops", AT)
        assert not await uow.admins.add(workspace, m["ana"], "someone else", AT)
        assert await uow.admins.add(workspace, m["cy"], "x" * 300, AT - timedelta(days=1))
        assert await uow.admins.remove(workspace, "bea")
        assert not await uow.admins.remove(workspace, "bea")
        await uow.commit()
    async with backend.uow(write=False) as uow:
        assert await uow.admins.all(workspace) == [("cy", "Cy"), ("ana", "Ana")]
        assert await uow.admins.all(workspace, lock=True) == [("cy", "Cy"), ("ana", "Ana")]
        assert await uow.admins.contains(workspace, "ana")
        assert not await uow.admins.contains(workspace, "bea")
        elsewhere = await uow.workspaces.get(OTHER)
        assert elsewhere is not None and not await uow.admins.contains(elsewhere, "ana")
    assert [len(r["added_by"]) for r in await backend.rows("workspace_admins")][-1] == 200
    assert other


async def test_the_audit_log_reads_newest_first_since_a_time_and_before_an_entry(
    backend: Backend,
) -> None:
    workspace, _ = await people(backend)
    async with backend.uow(write=True) as uow:
        for n in range(5):
            await uow.audit.record(
                workspace,
                MemberRef("ops" * 60, None),
                f"act.{n}",
                "t" * 300,
                {"n": n, "pair": (1, 2)},
                AT + timedelta(minutes=n % 3),
            )
        await uow.commit()
    async with backend.uow(write=False) as uow:
        recent = await uow.audit.recent(workspace, None, 10)
        assert [e.action for e in recent] == ["act.2", "act.4", "act.1", "act.3", "act.0"]
        assert recent[0].details == {"n": 2, "pair": [1, 2]}
        assert (len(recent[0].actor_id), len(recent[0].actor_name), len(recent[0].target)) == (
            128,
            180,
            200,
        )
        since = await uow.audit.recent(workspace, AT + timedelta(minutes=1), 10)
        assert [e.action for e in since] == ["act.2", "act.4", "act.1"]
        older = await uow.audit.recent(workspace, None, 2, before_id=recent[2].id)
        assert [e.action for e in older] == ["act.0"]
