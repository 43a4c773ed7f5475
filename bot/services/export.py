"""Exports of one workspace's kudos, ledger entries, redemptions or learnings, as plain rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from bot.domain import errors
from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork

ExportKind = Literal["kudos", "ledger", "redemptions", "learnings"]
EXPORTS: tuple[ExportKind, ...] = ("kudos", "ledger", "redemptions", "learnings")


async def export_rows(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, what: ExportKind, since: datetime | None
) -> list[dict[str, Any]]:
    """Every row of `what` created at or after `since`, oldest first, with flat values (ready for
    CSV or JSON). Read in one transaction, so the rows agree with each other."""

    async def read(uow: UnitOfWork) -> list[dict[str, Any]]:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        if what == "kudos":
            return await uow.exports.kudos(workspace, since)
        if what == "ledger":
            return await uow.exports.ledger(workspace, since)
        if what == "learnings":
            return await uow.exports.learnings(workspace, since)
        return [
            {
                "id": r.id,
                "created_at": r.created_at.isoformat(),
                "member_id": r.member_external_id,
                "member": r.member_name,
                "item_id": r.item_id,
                "item": r.item_name,
                "cost": r.cost,
                "status": r.status,
                "decided_at": r.decided_at.isoformat() if r.decided_at else "",
                "decided_by": r.decided_by or "",
                "reason": r.reason or "",
            }
            for r in await uow.redemptions.since(workspace, since)
        ]

    return await in_transaction(ctx, read, write=False)
