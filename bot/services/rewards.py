"""Spending earned points: the shop, redeeming, admins' decisions, and manual adjustments.

Redeeming moves the cost from the member's earned account into the workspace's escrow and
reserves one unit of stock, in one transaction. Approving moves it on to the rewards account;
rejecting refunds it and returns the unit. Each redemption is decided once: a conditional
status change picks the first decision, whoever clicks second is told it was taken.
Locks are taken in one order everywhere (redemption, item, accounts), so nothing deadlocks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain import errors
from bot.domain.model import (
    AccountKind,
    EntryKind,
    MemberRef,
    Transfer,
    Workspace,
    WorkspaceRef,
)
from bot.domain.rewards import (
    CANCELLED,
    FULFILLED,
    MAX_REJECT_REASON,
    PENDING,
    REJECTED,
    Redemption,
    RedemptionStatus,
    reject_reason,
)
from bot.services.admins import audit, is_admin, require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import DuplicateDelivery, InsufficientFunds, UnitOfWork
from bot.services.results import (
    AdminDone,
    Redeemed,
    RedemptionDecided,
    RedemptionsShown,
    ShopShown,
)

OWN_LIMIT = 20
QUEUE_LIMIT = 50
MAX_ADJUSTMENT = 10**9


async def show_shop(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, page: int = 1
) -> ShopShown:
    """The active items, cheapest first, and the points the person has to spend; `page` is
    the page asked for (the adapters split the items into pages that fit their platform)."""

    async def read(uow: UnitOfWork) -> ShopShown:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            return ShopShown((), 0, page)
        member = await uow.members.get(workspace, actor.external_id)
        items = await uow.catalog.all(workspace, active_only=True)
        return ShopShown(tuple(items), member.earned_balance if member else 0, page)

    return await in_transaction(ctx, read, write=False)


async def redeem(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, item_ref: str, key: str
) -> Redeemed:
    """Redeem an item for `actor` (once per delivery `key`). Items that need no approval are
    fulfilled at once; the others wait in escrow and the admins are asked."""

    async def work(uow: UnitOfWork) -> Redeemed:
        now = ctx.clock.now()
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is not None and await uow.redemptions.by_key(workspace, key) is not None:
            raise DuplicateDelivery()  # a repeated click, before any rule could refuse it
        item = await uow.catalog.find(workspace, item_ref) if workspace else None
        if workspace is None or item is None:
            raise errors.UnknownItem(item_ref)
        if not item.active:
            raise errors.ItemUnavailable(item.name)
        member = (await uow.members.ensure(workspace, [actor]))[actor.external_id]
        status = PENDING if item.needs_approval else FULFILLED
        # The key first: a repeated click waits here for the first one and is then recognised,
        # whatever the first one left of the balance or the stock.
        redemption_id = await uow.redemptions.add(workspace, item, member, status, key, now)
        if member.earned_balance < item.cost:
            raise errors.NotEnoughPoints(item.name, item.cost, member.earned_balance)
        if not await uow.catalog.take_one(workspace, item.id):
            raise errors.OutOfStock(item.name)
        reference = f"redemption:{redemption_id}"
        escrow = await uow.ledger.shared_account(workspace, AccountKind.ESCROW)
        transfers = [
            Transfer(member.earned_account_id, escrow, item.cost, EntryKind.REDEEM, reference)
        ]
        if status == FULFILLED:
            rewards = await uow.ledger.shared_account(workspace, AccountKind.REWARDS)
            transfers.append(
                Transfer(escrow, rewards, item.cost, EntryKind.FULFIL, reference, f"{reference}:f")
            )
        try:
            balances = await uow.ledger.post(workspace, transfers, now)
        except InsufficientFunds:
            current = await uow.members.by_ids(workspace, [member.id])
            raise errors.NotEnoughPoints(
                item.name, item.cost, current[member.id].earned_balance
            ) from None
        redemption = Redemption(
            id=redemption_id,
            item_id=item.id,
            item_name=item.name,
            member_external_id=member.external_id,
            member_name=member.display_name,
            cost=item.cost,
            status=status,
            created_at=now,
            decided_at=None if status == PENDING else now,
        )
        admins = await uow.admins.all(workspace) if status == PENDING else []
        taken = replace(item, stock=None if item.stock is None else item.stock - 1)
        redeemed = Redeemed(
            redemption,
            taken,
            balances[member.earned_account_id],
            tuple(external_id for external_id, _ in admins),
            approvals_channel=workspace.settings.approvals_channel,
        )
        uow.publish(workspace_ref, redeemed)  # a pending one: the admins are asked to decide
        await uow.commit()
        return redeemed

    try:
        return await in_transaction(ctx, work)
    except DuplicateDelivery:
        return await _already_redeemed(ctx, workspace_ref, actor, key)


async def _already_redeemed(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, key: str
) -> Redeemed:
    async def read(uow: UnitOfWork) -> Redeemed:
        workspace = await uow.workspaces.get(workspace_ref)
        assert workspace is not None
        redemption = await uow.redemptions.by_key(workspace, key)
        member = await uow.members.get(workspace, actor.external_id)
        assert redemption is not None and member is not None
        item = await uow.catalog.find(workspace, f"#{redemption.item_id}")
        if item is None:  # removed since: still say what it was
            raise errors.ItemUnavailable(redemption.item_name)
        return Redeemed(redemption, item, member.earned_balance, duplicate=True)

    return await in_transaction(ctx, read, write=False)


async def decide_redemption(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    actor: MemberRef,
    redemption_id: int,
    approve: bool,
    reason: str | None = None,
) -> RedemptionDecided:
    """Approve (fulfil) or reject (refund, and return the unit to stock) a pending redemption.
    Admins only, and not their own; a rejection needs a reason (the member reads it). Recorded
    once however many admins click at once."""

    async def work(uow: UnitOfWork) -> RedemptionDecided:
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "approve or reject redemptions")
        why = None if approve else reject_reason(reason)
        found = await _pending(uow, workspace, redemption_id)
        if approve and found.member_external_id == actor.external_id:
            raise errors.InvalidSetting("You can't approve your own redemption: ask another admin.")
        assert workspace is not None
        now = ctx.clock.now()
        decided = await _settle(
            uow, workspace, found, FULFILLED if approve else REJECTED, actor, why, now
        )
        await audit(
            uow,
            workspace,
            actor,
            "redemption.approve" if approve else "redemption.reject",
            f"redemption {redemption_id}",
            {"item": found.item_name, "member": found.member_external_id, "cost": found.cost}
            | ({"reason": why} if why else {}),
            now,
        )
        uow.publish(workspace_ref, decided)  # the member hears how it went
        await uow.commit()
        return decided

    return await in_transaction(ctx, work)


async def cancel_redemption(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, redemption_id: int
) -> RedemptionDecided:
    """Withdraw one's own redemption while it is pending: refunded exactly, the unit back in
    stock. Someone else's redemption is "unknown" (ids say nothing about other people)."""

    async def work(uow: UnitOfWork) -> RedemptionDecided:
        workspace = await uow.workspaces.get(workspace_ref)
        found = await uow.redemptions.get(workspace, redemption_id) if workspace else None
        if workspace is None or found is None or found.member_external_id != actor.external_id:
            raise errors.UnknownRedemption(redemption_id)
        if found.status != PENDING:
            raise errors.AlreadyDecided(redemption_id, found.status, found.decided_by)
        decided = await _settle(uow, workspace, found, CANCELLED, actor, None, ctx.clock.now())
        uow.publish(workspace_ref, decided)
        await uow.commit()
        return decided

    return await in_transaction(ctx, work)


async def _pending(uow: UnitOfWork, workspace: Workspace | None, redemption_id: int) -> Redemption:
    found = await uow.redemptions.get(workspace, redemption_id) if workspace else None
    if found is None:
        raise errors.UnknownRedemption(redemption_id)
    if found.status != PENDING:
        raise errors.AlreadyDecided(redemption_id, found.status, found.decided_by)
    return found


async def _settle(
    uow: UnitOfWork,
    workspace: Workspace,
    found: Redemption,
    status: RedemptionStatus,
    actor: MemberRef,
    reason: str | None,
    now: datetime,
) -> RedemptionDecided:
    """Take a pending redemption to `status` once (a conditional status change), then move its
    points: on to the rewards account when fulfilled, back to the member otherwise (with the
    unit back in stock). Locks: the redemption, then the item, then the accounts."""
    by = actor.display_name or actor.external_id
    if not await uow.redemptions.decide(workspace, found.id, status, by, reason, now):
        latest = await uow.redemptions.get(workspace, found.id)
        assert latest is not None
        raise errors.AlreadyDecided(found.id, latest.status, latest.decided_by)
    member = await uow.members.get(workspace, found.member_external_id)
    assert member is not None
    reference = f"redemption:{found.id}"
    escrow = await uow.ledger.shared_account(workspace, AccountKind.ESCROW)
    if status == FULFILLED:
        rewards = await uow.ledger.shared_account(workspace, AccountKind.REWARDS)
        transfer = Transfer(
            escrow, rewards, found.cost, EntryKind.FULFIL, reference, f"{reference}:f"
        )
    else:
        await uow.catalog.give_back(workspace, found.item_id)
        transfer = Transfer(
            escrow,
            member.earned_account_id,
            found.cost,
            EntryKind.REFUND,
            reference,
            f"{reference}:r",
        )
    balances = await uow.ledger.post(workspace, [transfer], now)
    return RedemptionDecided(
        replace(found, status=status, decided_at=now, decided_by=by, reason=reason),
        balances.get(member.earned_account_id, member.earned_balance),
    )


async def show_redemptions(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, *, own: bool = True
) -> RedemptionsShown:
    """The person's own redemptions, newest first; for admins also the queue, oldest first.
    With `own=False` only the queue (admins only)."""

    async def read(uow: UnitOfWork) -> RedemptionsShown:
        workspace = await uow.workspaces.get(workspace_ref)
        admin = await is_admin(uow, workspace, actor)
        if not own and not admin:
            raise errors.AdminOnly("see the redemptions queue")
        if workspace is None:
            return RedemptionsShown((), () if admin else None)
        mine: tuple[Redemption, ...] = ()
        if own:
            member = await uow.members.get(workspace, actor.external_id)
            if member is not None:
                mine = tuple(await uow.redemptions.of_member(workspace, member.id, OWN_LIMIT))
        queue = tuple(await uow.redemptions.pending(workspace, QUEUE_LIMIT)) if admin else None
        return RedemptionsShown(mine, queue)

    return await in_transaction(ctx, read, write=False)


async def adjust_points(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    actor: MemberRef,
    who: MemberRef,
    amount: int,
    reason: str,
    key: str,
) -> AdminDone:
    """Add to (or take from) someone's earned points, from (or back to) the mint: for a
    correction or a prize. Admins only, never for themselves, with a reason, audited, once per
    `key`."""
    why = " ".join(reason.split())

    async def work(uow: UnitOfWork) -> AdminDone:
        now = ctx.clock.now()
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "adjust points")
        if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
            raise errors.NotAnAdjustment(
                f"{amount} isn't an adjustment I can make: use a whole number of points other "
                f"than 0, up to {MAX_ADJUSTMENT:,} either way."
            )
        if not why:
            raise errors.NotAnAdjustment(
                "An adjustment needs a reason, for the audit log: say why, "
                "e.g. “the conference talk”."
            )
        if len(why) > MAX_REJECT_REASON:
            raise errors.NotAnAdjustment(f"Keep the reason under {MAX_REJECT_REASON} characters.")
        if who.external_id == actor.external_id:
            raise errors.NotAnAdjustment("You can't adjust your own points: ask another admin.")
        if who.is_bot:
            raise errors.BotRecipient(who.display_name or who.external_id)
        workspace = workspace or await uow.workspaces.ensure(workspace_ref)
        member = (await uow.members.ensure(workspace, [who]))[who.external_id]
        reference = f"adjust:{key}"[:64]
        mint, earned = workspace.mint_account_id, member.earned_account_id
        debit, credit = (mint, earned) if amount > 0 else (earned, mint)
        try:
            balances = await uow.ledger.post(
                workspace,
                [Transfer(debit, credit, abs(amount), EntryKind.ADJUST, reference, key)],
                now,
            )
        except InsufficientFunds:
            raise errors.NotAnAdjustment(
                f"{member.display_name} has only {member.earned_balance} points to take back."
            ) from None
        await audit(
            uow,
            workspace,
            actor,
            "points.adjust",
            member.external_id,
            {"amount": amount, "reason": why, "earned_after": balances[earned]},
            now,
        )
        await uow.commit()
        sign = "+" if amount > 0 else "−"
        return AdminDone(
            f"Adjusted {member.display_name}'s points by {sign}{abs(amount)} ({why}); "
            f"they now have {balances[earned]} to spend."
        )

    try:
        return await in_transaction(ctx, work)
    except DuplicateDelivery:
        return AdminDone("That adjustment was made already.")
