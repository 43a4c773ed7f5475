"""Where the bot may post unprompted: conversations remembered on install or first message,
forgotten on uninstall (Teams conversation references; the scheduler posts through them)."""

from __future__ import annotations

from typing import Any

from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork


async def remember_conversation(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    conversation_id: str,
    kind: str,
    reference: dict[str, Any],
) -> None:
    """Store (or refresh) how to reach a conversation later."""

    async def work(uow: UnitOfWork) -> None:
        workspace = await uow.workspaces.ensure(workspace_ref)
        await uow.conversations.remember(
            workspace, conversation_id, kind, reference, ctx.clock.now()
        )
        await uow.commit()

    await in_transaction(ctx, work)


async def forget_conversation(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, conversation_id: str
) -> bool:
    """The bot was removed from a conversation: stop posting there."""

    async def work(uow: UnitOfWork) -> bool:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            return False
        forgotten = await uow.conversations.forget(workspace, conversation_id)
        await uow.commit()
        return forgotten

    return await in_transaction(ctx, work)


async def known_conversations(
    ctx: ServiceContext, workspace_ref: WorkspaceRef
) -> list[tuple[str, str, dict[str, Any]]]:
    """(conversation id, kind, reference) of every remembered conversation."""

    async def read(uow: UnitOfWork) -> list[tuple[str, str, dict[str, Any]]]:
        workspace = await uow.workspaces.get(workspace_ref)
        return await uow.conversations.all(workspace) if workspace else []

    return await in_transaction(ctx, read, write=False)
