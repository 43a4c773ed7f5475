"""Where the approval requests of a redemption were posted: the notifiers remember each copy
they post (a Slack message, a Teams activity) and, once the redemption is decided, update
every copy so no admin is left with live Approve / Reject buttons."""

from __future__ import annotations

from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork


async def remember_approval_message(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    redemption_id: int,
    conversation_id: str,
    message_id: str,
) -> None:
    """Keep one posted copy of a redemption's approval request (once, however often told)."""

    async def work(uow: UnitOfWork) -> None:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            return
        if await uow.approval_messages.remember(
            workspace, redemption_id, conversation_id, message_id, ctx.clock.now()
        ):
            await uow.commit()

    await in_transaction(ctx, work)


async def approval_messages(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, redemption_id: int
) -> list[tuple[str, str]]:
    """(conversation id, message id) of every posted copy of a redemption's approval request,
    oldest first."""

    async def read(uow: UnitOfWork) -> list[tuple[str, str]]:
        workspace = await uow.workspaces.get(workspace_ref)
        return await uow.approval_messages.of(workspace, redemption_id) if workspace else []

    return await in_transaction(ctx, read, write=False)
