"""Finding a workspace by the id a person typed (the CLI's `--workspace`), and opening the
console chat's."""

from __future__ import annotations

from bot.domain import errors
from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork


async def find_workspace(
    ctx: ServiceContext, external_id: str, platform: str | None = None
) -> WorkspaceRef:
    """The existing workspace called `external_id`, on `platform` when given, else on whichever
    platform has it. Refuses an unknown id (nothing here creates a workspace) and, without a
    platform, an id that several platforms use, naming them."""

    async def read(uow: UnitOfWork) -> list[WorkspaceRef]:
        return await uow.workspaces.called(external_id)

    found = await in_transaction(ctx, read, write=False)
    matches = [ref for ref in found if platform is None or ref.platform == platform]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise errors.UnknownWorkspace(external_id, platform, tuple(ref.platform for ref in found))
    raise errors.AmbiguousWorkspace(external_id, tuple(ref.platform for ref in matches))


async def open_workspace(ctx: ServiceContext, ref: WorkspaceRef) -> WorkspaceRef:
    """Make sure the workspace exists (the console chat's, on start) and return it."""

    async def work(uow: UnitOfWork) -> WorkspaceRef:
        workspace = await uow.workspaces.ensure(ref)
        await uow.commit()
        return WorkspaceRef(workspace.platform, workspace.external_id, workspace.name)

    return await in_transaction(ctx, work)
