"""Lists of what happened: kudos with filters (the JSON API's and the dashboard's feed),
members, learnings, redemptions, the audit log, a page at a time. Pages continue from where the
last one ended (a position, not an offset)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Literal, TypeVar

from bot.domain import errors, rules
from bot.domain.browse import (
    MAX_PAGE,
    KudosFilter,
    KudosRecord,
    LearningRecord,
    MemberRecord,
    Page,
    Position,
)
from bot.domain.model import (
    AuditEntry,
    Member,
    MemberRef,
    Workspace,
    WorkspaceRef,
    WorkspaceSettings,
)
from bot.domain.rewards import Redemption
from bot.services.admins import require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork

T = TypeVar("T")
CurrentPeriod = Literal["week", "month"]


def period_start(settings: WorkspaceSettings, period: CurrentPeriod, at: datetime) -> datetime:
    """When the week (from Monday) or month holding `at` began, in the workspace's zone."""
    local = at.astimezone(settings.tz).date()
    first = local - timedelta(days=local.weekday()) if period == "week" else local.replace(day=1)
    return datetime.combine(first, time(0), settings.tz)


def _page(rows: Sequence[T], limit: int, position: Callable[[T], Position]) -> Page[T]:
    """`rows` read with one more than `limit`: the page, and where the next one starts."""
    items = tuple(rows[:limit])
    more = len(rows) > limit
    return Page(items, position(items[-1]) if more and items else None)


async def _read(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    work: Callable[[UnitOfWork, Workspace], Awaitable[T]],
) -> T:
    async def read(uow: UnitOfWork) -> T:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        return await work(uow, workspace)

    return await in_transaction(ctx, read, write=False)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


async def list_kudos(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    where: KudosFilter,
    after: Position | None = None,
    limit: int = 50,
    period: CurrentPeriod | None = None,
    *,
    admin: MemberRef | None = None,
) -> Page[KudosRecord]:
    """Kudos newest first, filtered; `period` (this week or month, in the workspace's zone)
    narrows `where.since`. `admin` is the person asking where no API token was checked (the
    dashboard): they must be an admin, since the feed shows everyone's kudos."""
    size = _limit(limit)

    async def work(uow: UnitOfWork, workspace: Workspace) -> Page[KudosRecord]:
        if admin is not None:
            await require_admin(uow, workspace, admin, "browse everyone's kudos")
        chosen = where
        if period is not None:
            start = period_start(workspace.settings, period, ctx.clock.now())
            chosen = replace(where, since=max(start, where.since) if where.since else start)
        rows = await uow.browse.kudos(workspace, chosen, after, size + 1)
        return _page(rows, size, lambda k: Position(k.id, k.created_at))

    return await _read(ctx, workspace_ref, work)


def _record(
    settings: WorkspaceSettings, member: Member, since: datetime, at: datetime
) -> MemberRecord:
    return MemberRecord(
        external_id=member.external_id,
        display_name=member.display_name,
        is_bot=member.is_bot,
        is_active=member.is_active,
        first_seen=since,
        earned=member.earned_balance,
        allowance_left=rules.effective_allowance(settings, member, at),
        public=not member.is_private,
    )


async def list_members(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    active: bool | None = None,
    after: Position | None = None,
    limit: int = 50,
) -> Page[MemberRecord]:
    """Members in the order the bot first saw them, with their points."""
    size = _limit(limit)

    async def work(uow: UnitOfWork, workspace: Workspace) -> Page[MemberRecord]:
        rows = await uow.browse.members(workspace, active, after, size + 1)
        page = _page(rows, size, lambda row: Position(row[0].id))
        at = ctx.clock.now()
        return Page(
            tuple(_record(workspace.settings, m, since, at) for m, since in page.items), page.next
        )

    return await _read(ctx, workspace_ref, work)


async def show_member(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, external_id: str
) -> MemberRecord:
    """One member by their platform id."""

    async def work(uow: UnitOfWork, workspace: Workspace) -> MemberRecord:
        member = await uow.members.get(workspace, external_id)
        since = await uow.browse.member_since(workspace, external_id) if member else None
        if member is None or since is None:
            raise errors.UnknownMember(external_id)
        return _record(workspace.settings, member, since, ctx.clock.now())

    return await _read(ctx, workspace_ref, work)


async def list_learnings(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    person: str | None = None,
    value: str | None = None,
    after: Position | None = None,
    limit: int = 50,
) -> Page[LearningRecord]:
    """Learnings shared with `til`, newest first."""
    size = _limit(limit)
    tag = value.casefold() if value else None

    async def work(uow: UnitOfWork, workspace: Workspace) -> Page[LearningRecord]:
        rows = await uow.browse.learnings(workspace, since, until, person, tag, after, size + 1)
        return _page(rows, size, lambda r: Position(r.id, r.created_at))

    return await _read(ctx, workspace_ref, work)


async def list_redemptions(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    statuses: Sequence[str] = (),
    after: Position | None = None,
    limit: int = 50,
) -> Page[Redemption]:
    """Redemptions newest first, of the given statuses (all when none)."""
    size = _limit(limit)

    async def work(uow: UnitOfWork, workspace: Workspace) -> Page[Redemption]:
        rows = await uow.browse.redemptions(workspace, statuses, after, size + 1)
        return _page(rows, size, lambda r: Position(r.id))

    return await _read(ctx, workspace_ref, work)


async def list_audit(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    since: datetime | None = None,
    action: str | None = None,
    after: Position | None = None,
    limit: int = 50,
) -> Page[AuditEntry]:
    """Admin actions, newest first."""
    size = _limit(limit)

    async def work(uow: UnitOfWork, workspace: Workspace) -> Page[AuditEntry]:
        rows = await uow.browse.audit(workspace, since, action, after, size + 1)
        return _page(rows, size, lambda e: Position(e.id, e.created_at))

    return await _read(ctx, workspace_ref, work)
