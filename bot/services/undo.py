"""Undo: the giver takes back their last kudos within the undo window, by compensating entries."""

from __future__ import annotations

from datetime import datetime

from bot.domain import errors, rules
from bot.domain.model import Kudos, MemberRef, Workspace, WorkspaceRef, allowance_period_key
from bot.services.context import ServiceContext, in_transaction
from bot.services.give import ensure_allowance
from bot.services.ports import InsufficientFunds, UnitOfWork
from bot.services.results import KudosReversed, KudosUndone


async def reverse_in(
    uow: UnitOfWork, workspace: Workspace, kudos: Kudos, now: datetime, why: str
) -> KudosUndone:
    """Reverse one kudos inside an open unit of work: points go back to the giver's allowance
    (to the mint once its period has ended), and the reversal is published (`why`: undo,
    message deleted, …). Raise PointsAlreadySpent if a recipient no longer has them,
    NothingToUndo if it was reversed already."""
    if not await uow.kudos.mark_reversed(kudos.id, now, why):
        raise errors.NothingToUndo()
    people = await uow.members.by_ids(workspace, [kudos.giver_id, *kudos.recipient_ids])
    giver = await ensure_allowance(
        uow,
        workspace,
        people[kudos.giver_id],
        allowance_period_key(workspace.settings, now),
        now,
    )
    transfers, totals = rules.plan_reversal(
        workspace.settings,
        kudos,
        giver,
        {m: people[m].earned_account_id for m in kudos.recipient_ids},
        workspace.mint_account_id,
        now,
    )
    try:
        balances = await uow.ledger.post(workspace, transfers, now, totals)
    except InsufficientFunds as exc:
        spender = next(
            p.display_name for p in people.values() if p.earned_account_id == exc.account_id
        )
        raise errors.PointsAlreadySpent(spender) from None
    uow.publish(
        WorkspaceRef(workspace.platform, workspace.external_id, workspace.name),
        KudosReversed(
            kudos_id=kudos.id,
            giver_id=giver.external_id,
            giver=giver.display_name,
            recipient_ids=tuple(people[m].external_id for m in kudos.recipient_ids),
            recipients=tuple(people[m].display_name for m in kudos.recipient_ids),
            amount_each=kudos.amount_each,
            why=why,
            reversed_at=now,
        ),
    )
    return KudosUndone(
        kudos_id=kudos.id,
        recipients=tuple(people[m].display_name for m in kudos.recipient_ids),
        amount_each=kudos.amount_each,
        allowance_left=balances.get(giver.allowance_account_id, giver.allowance_balance),
    )


async def undo_last_kudos(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, giver_ref: MemberRef
) -> KudosUndone:
    """Reverse the giver's most recent kudos if it is still inside the undo window."""

    async def work(uow: UnitOfWork) -> KudosUndone:
        now = ctx.clock.now()
        workspace = await uow.workspaces.get(workspace_ref)
        giver = await uow.members.get(workspace, giver_ref.external_id) if workspace else None
        if workspace is None or giver is None:
            raise errors.NothingToUndo()
        kudos = rules.check_undo(
            workspace.settings, await uow.kudos.last_given(workspace, giver.id), now
        )
        undone = await reverse_in(uow, workspace, kudos, now, "undo")
        await uow.commit()
        return undone

    return await in_transaction(ctx, work)
