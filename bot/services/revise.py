"""Kudos that follow the chat message carrying them: reversed when the message is deleted (or
the reaction removed), read again when it is edited."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.give import GiveKudos, give_in
from bot.services.ports import DuplicateDelivery, UnitOfWork
from bot.services.results import KudosRevised
from bot.services.undo import reverse_in


async def revise_message_kudos(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    message_ref: str,
    replacement: GiveKudos | None,
    why: str,
) -> KudosRevised:
    """Reverse every kudos `message_ref` still carries and, in the same transaction, give
    `replacement` (the edited text's kudos) if there is one. All or nothing: a refused
    replacement leaves the original kudos standing. A replayed edit (its key already used)
    changes nothing and comes back with `duplicate` set."""

    async def work(uow: UnitOfWork) -> KudosRevised:
        now = ctx.clock.now()
        workspace = await (
            uow.workspaces.ensure(workspace_ref)
            if replacement
            else uow.workspaces.get(workspace_ref)
        )
        if workspace is None:
            return KudosRevised(undone=(), given=None, why=why)
        undone = tuple(
            [
                await reverse_in(uow, workspace, kudos, now, why)
                for kudos in await uow.kudos.active_for_message(workspace, message_ref)
            ]
        )
        given = await give_in(uow, replacement, now) if replacement else None
        if given is not None:  # told in chat only when an edit turned a message into kudos
            uow.publish(workspace_ref, replace(given, replaces=bool(undone)))
        await uow.commit()
        return KudosRevised(undone=undone, given=given, why=why)

    try:
        return await in_transaction(ctx, work)
    except DuplicateDelivery:
        return KudosRevised(undone=(), given=None, duplicate=True, why=why)
