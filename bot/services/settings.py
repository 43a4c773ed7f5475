"""Show and change a workspace's settings."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain import settings as settings_rules
from bot.domain.model import WorkspaceRef, WorkspaceSettings
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork


async def show_settings(ctx: ServiceContext, workspace_ref: WorkspaceRef) -> WorkspaceSettings:
    """The workspace's settings (the defaults for a workspace not seen yet)."""

    async def read(uow: UnitOfWork) -> WorkspaceSettings:
        workspace = await uow.workspaces.get(workspace_ref)
        return workspace.settings if workspace else WorkspaceSettings()

    return await in_transaction(ctx, read, write=False)


async def change_settings(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, changes: Mapping[str, str]
) -> WorkspaceSettings:
    """Validate and store setting changes given as text; refuse them all if one is wrong."""

    async def work(uow: UnitOfWork) -> WorkspaceSettings:
        workspace = await uow.workspaces.ensure(workspace_ref)
        new = settings_rules.change_settings(workspace.settings, changes)
        await uow.workspaces.save_settings(workspace, new)
        await uow.commit()
        return new

    return await in_transaction(ctx, work)
