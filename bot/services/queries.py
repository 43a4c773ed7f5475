"""Read-only handlers: balance, leaderboard, history. They never write."""

from __future__ import annotations

from datetime import datetime

from bot.domain import errors, rules
from bot.domain.model import (
    LeaderboardPeriod,
    MemberRef,
    WorkspaceRef,
    WorkspaceSettings,
    leaderboard_bucket,
    next_period_start,
)
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork
from bot.services.results import BalanceShown, HelpShown, HistoryShown, LeaderboardShown

DEFAULT_TOP = 10
HISTORY_LIMIT = 10


async def show_balance(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    member_ref: MemberRef,
    *,
    newcomer_ok: bool = False,
) -> BalanceShown:
    """Allowance left to give this period (counting a grant not yet made) and points earned.

    With `newcomer_ok` (a person asking about themselves) someone the bot has not seen yet
    gets what a newcomer has; otherwise an unknown workspace or member is refused.
    """

    async def read(uow: UnitOfWork) -> BalanceShown:
        now = ctx.clock.now()
        workspace = await uow.workspaces.get(workspace_ref)
        member = await uow.members.get(workspace, member_ref.external_id) if workspace else None
        if member is None and newcomer_ok:
            settings = workspace.settings if workspace else WorkspaceSettings()
            return BalanceShown(
                user=member_ref.external_id,
                display_name=member_ref.display_name or member_ref.external_id,
                allowance_left=settings.allowance_amount,
                earned=0,
                renews_at=next_period_start(settings, now),
            )
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        if member is None:
            raise errors.UnknownMember(member_ref.display_name or member_ref.external_id)
        owned = (await uow.badges.of(workspace, [member.id]))[member.id]
        return BalanceShown(
            user=member.external_id,
            display_name=member.display_name,
            allowance_left=rules.effective_allowance(workspace.settings, member, now),
            earned=member.earned_balance,
            renews_at=next_period_start(workspace.settings, now),
            badges=tuple(badge for badge, _ in owned),
        )

    return await in_transaction(ctx, read, write=False)


async def show_leaderboard(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    period: LeaderboardPeriod = "week",
    tag: str | None = None,
    limit: int = DEFAULT_TOP,
    at: datetime | None = None,
    *,
    public: bool = True,
) -> LeaderboardShown:
    """Top receivers of the current week, month or all time (or of the week or month holding
    `at`), optionally for one tag. A board anyone may read (`public`, the default) leaves out
    the members who left the public boards; an admin's shows them, marked `private`."""

    async def read(uow: UnitOfWork) -> LeaderboardShown:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        bucket = leaderboard_bucket(workspace.settings, period, at or ctx.clock.now())
        rows = await uow.queries.leaderboard(
            workspace, bucket, (tag or "").casefold(), limit, public=public
        )
        return LeaderboardShown(period=period, tag=tag, rows=tuple(rows))

    return await in_transaction(ctx, read, write=False)


async def show_history(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, member_ref: MemberRef
) -> HistoryShown:
    """The member's most recent kudos, given and received."""

    async def read(uow: UnitOfWork) -> HistoryShown:
        workspace = await uow.workspaces.get(workspace_ref)
        member = await uow.members.get(workspace, member_ref.external_id) if workspace else None
        if workspace is None or member is None:
            return HistoryShown(items=())
        return HistoryShown(
            items=tuple(await uow.queries.history(workspace, member, HISTORY_LIMIT))
        )

    return await in_transaction(ctx, read, write=False)


async def show_help(ctx: ServiceContext, workspace_ref: WorkspaceRef) -> HelpShown:
    """How to use the bot: the reply composer writes it, with this workspace's values."""

    async def read(uow: UnitOfWork) -> HelpShown:
        workspace = await uow.workspaces.get(workspace_ref)
        settings = workspace.settings if workspace else WorkspaceSettings()
        return HelpShown(settings.values)

    return await in_transaction(ctx, read, write=False)
