"""Ledger audit: recompute every balance from the entries."""

from __future__ import annotations

from bot.domain import errors
from bot.domain.model import Drift, WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork


async def verify_ledger(
    ctx: ServiceContext, workspace_ref: WorkspaceRef | None = None
) -> list[Drift]:
    """Every account whose cached balance disagrees with its entries, every workspace whose
    balances do not sum to zero, and every leaderboard total that disagrees with the kudos.
    An empty list means the ledger is clean."""

    async def read(uow: UnitOfWork) -> list[Drift]:
        workspace_id = None
        if workspace_ref is not None:
            workspace = await uow.workspaces.get(workspace_ref)
            if workspace is None:
                raise errors.UnknownWorkspace(workspace_ref.external_id)
            workspace_id = workspace.id
        return await uow.ledger.verify(workspace_id)

    return await in_transaction(ctx, read, write=False)
