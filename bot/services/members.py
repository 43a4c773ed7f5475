"""Who is in a workspace, for the console chat's completion of `@names`."""

from __future__ import annotations

from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork

NAMES_LIMIT = 1000


async def member_names(ctx: ServiceContext, workspace_ref: WorkspaceRef) -> list[str]:
    """Display names of the workspace's active people (no bots), alphabetical; none for a
    workspace not seen yet."""

    async def read(uow: UnitOfWork) -> list[str]:
        workspace = await uow.workspaces.get(workspace_ref)
        return await uow.members.names(workspace, NAMES_LIMIT) if workspace else []

    return await in_transaction(ctx, read, write=False)
