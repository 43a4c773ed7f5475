"""Show and change a workspace's settings."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain import settings as settings_rules
from bot.domain.model import MemberRef, WorkspaceRef, WorkspaceSettings
from bot.services.admins import audit, require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork


async def show_settings(ctx: ServiceContext, workspace_ref: WorkspaceRef) -> WorkspaceSettings:
    """The workspace's settings (the defaults for a workspace not seen yet)."""

    async def read(uow: UnitOfWork) -> WorkspaceSettings:
        workspace = await uow.workspaces.get(workspace_ref)
        return workspace.settings if workspace else WorkspaceSettings()

    return await in_transaction(ctx, read, write=False)


async def change_settings(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    changes: Mapping[str, str],
    actor: MemberRef,
) -> WorkspaceSettings:
    """Validate and store setting changes given as text; refuse them all if one is wrong.
    Admins only; each change is audited with its old and new value."""

    async def work(uow: UnitOfWork) -> WorkspaceSettings:
        await require_admin(
            uow, await uow.workspaces.get(workspace_ref), actor, "change the settings"
        )
        workspace = await uow.workspaces.ensure(workspace_ref)
        old = workspace.settings
        new = settings_rules.change_settings(old, changes)
        before, after = old.to_dict(), new.to_dict()
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        if changed:
            await uow.workspaces.save_settings(workspace, new)
            await audit(
                uow, workspace, actor, "settings.change", "settings", changed, ctx.clock.now()
            )
            await uow.commit()
        return new

    return await in_transaction(ctx, work)
