"""Who may run admin commands, the admin list, and the audit log every admin action writes to.

An admin is someone the platform names one (Slack workspace admins and owners arrive with
`MemberRef.is_admin`), or someone on the workspace's admin list (the only kind in Teams and
the console). Whoever runs the `kudos` CLI on the server is trusted as an admin.
"""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

from bot.domain import errors
from bot.domain.model import AuditEntry, MemberRef, Workspace, WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork
from bot.services.results import AdminDone, AdminsShown

AUDIT_LIMIT = 50
PLATFORM_ADMINS = frozenset({"slack"})
"""Platforms that name admins of their own (Slack's workspace admins and owners): only there
may the admin list become empty without leaving the workspace with no admin in chat."""


def cli_operator() -> MemberRef:
    """The person at the server's terminal: an admin of every workspace, audited by OS user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return MemberRef(external_id=f"cli:{user}", display_name=f"{user} (CLI)", is_admin=True)


async def is_admin(uow: UnitOfWork, workspace: Workspace | None, actor: MemberRef) -> bool:
    if actor.is_admin:
        return True
    return workspace is not None and await uow.admins.contains(workspace, actor.external_id)


async def require_admin(
    uow: UnitOfWork, workspace: Workspace | None, actor: MemberRef, what: str
) -> None:
    """Refuse `actor` unless they are an admin; nothing has been written yet when this runs."""
    if not await is_admin(uow, workspace, actor):
        raise errors.AdminOnly(what)


async def check_admin(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, what: str
) -> None:
    """Refuse `actor` unless they are an admin (for reads; writes check in their own
    transaction with `require_admin`)."""

    async def read(uow: UnitOfWork) -> bool:
        return await is_admin(uow, await uow.workspaces.get(workspace_ref), actor)

    if not await in_transaction(ctx, read, write=False):
        raise errors.AdminOnly(what)


async def audit(
    uow: UnitOfWork,
    workspace: Workspace,
    actor: MemberRef,
    action: str,
    target: str,
    details: dict[str, Any],
    at: datetime,
) -> None:
    """Append an admin action to the audit log, in the transaction that made the change."""
    await uow.audit.record(workspace, actor, action, target, details, at)


async def show_admins(ctx: ServiceContext, workspace_ref: WorkspaceRef) -> AdminsShown:
    """The listed admins (anyone may ask who they are)."""

    async def read(uow: UnitOfWork) -> AdminsShown:
        workspace = await uow.workspaces.get(workspace_ref)
        listed = await uow.admins.all(workspace) if workspace else []
        return AdminsShown(tuple(listed), workspace_ref.platform)

    return await in_transaction(ctx, read, write=False)


async def change_admins(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, add: bool, who: MemberRef
) -> AdminDone:
    """Add someone to the admin list, or take them off it (admins only; audited). The last
    listed admin stays, except where the platform names admins of its own (Slack)."""

    async def work(uow: UnitOfWork) -> AdminDone:
        now = ctx.clock.now()
        existing = await uow.workspaces.get(workspace_ref)
        listed = dict(await uow.admins.all(existing, lock=True)) if existing and not add else {}
        await require_admin(uow, existing, actor, "change who the admins are")
        if add and (who.is_bot or who.is_active is False):
            raise errors.InvalidSetting("Admins are people with an active account, not bots.")
        if add:
            workspace = existing or await uow.workspaces.ensure(workspace_ref)
            member = (await uow.members.ensure(workspace, [who]))[who.external_id]
            name, target = member.display_name, member.external_id
            changed = await uow.admins.add(workspace, member, actor.display_name or "", now)
            text = f"{name} is now a Kudos admin." if changed else f"{name} was an admin already."
        else:
            target = who.external_id
            name = listed.get(target) or who.display_name or target
            if target not in listed:
                return AdminDone(f"{name} isn't on the admin list.")
            if len(listed) == 1 and workspace_ref.platform not in PLATFORM_ADMINS:
                raise errors.LastAdmin(name)
            assert existing is not None
            workspace = existing
            changed = await uow.admins.remove(workspace, target)
            text = f"{name} is no longer on the admin list."
        if changed:
            await audit(
                uow,
                workspace,
                actor,
                "admins.add" if add else "admins.remove",
                target,
                {"name": name},
                now,
            )
            await uow.commit()
        return AdminDone(text)

    return await in_transaction(ctx, work)


async def read_audit(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    since: datetime | None = None,
    limit: int = AUDIT_LIMIT,
    before_id: int | None = None,
) -> list[AuditEntry]:
    """The workspace's admin actions, newest first (older than entry `before_id`, if given)."""

    async def read(uow: UnitOfWork) -> list[AuditEntry]:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        return await uow.audit.recent(workspace, since, limit, before_id)

    return await in_transaction(ctx, read, write=False)
