"""Scheduled posts: managing schedules, and running what is due exactly once.

Every run first claims `(workspace, kind, channel, period)` with a unique key in the database,
so two servers on one database, or a restart during a run, never post twice. A run that fails
(Slack 429 or 5xx, a Teams connector error, an archived channel) is retried with back-off and
its outcome recorded; after the last attempt it stays `failed` for `kudos schedule status`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain import errors
from bot.domain.model import MemberRef, WorkspaceRef
from bot.domain.schedule import Schedule, ScheduleRun, due, next_slot, parse_when
from bot.services.admins import audit, require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork
from bot.services.posts import leaderboard_post, learning_post
from bot.services.results import ScheduledPost, ScheduleStatus

log = logging.getLogger("kudos.scheduler")

GRACE = timedelta(hours=6)
"""How late a missed run may still be posted (say, after the server was down)."""
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
"""Back-off between attempts; one attempt more than there are delays, then `failed`."""


async def add_schedule(
    ctx: ServiceContext,
    ref: WorkspaceRef,
    kind: str,
    channel: str,
    when: str | None = None,
    *,
    actor: MemberRef,
) -> Schedule:
    """Add (or move) a scheduled post in a channel, at `when` (`fri 16:00`; defaults by kind).
    Admins only; audited."""
    checked, weekday, hour, minute = parse_when(kind, when)
    if not channel.strip():
        raise errors.InvalidSetting("Say which channel the post goes to.")

    async def work(uow: UnitOfWork) -> Schedule:
        await require_admin(uow, await uow.workspaces.get(ref), actor, "manage scheduled posts")
        workspace = await uow.workspaces.ensure(ref)
        now = ctx.clock.now()
        schedule = await uow.schedules.add(
            workspace, checked, channel.strip(), (weekday, hour, minute), now
        )
        await audit(
            uow,
            workspace,
            actor,
            "schedule.add",
            f"{checked} in {channel.strip()}",
            {"when": schedule.describe()},
            now,
        )
        await uow.commit()
        return schedule

    return await in_transaction(ctx, work)


async def remove_schedule(
    ctx: ServiceContext, ref: WorkspaceRef, kind: str, channel: str, *, actor: MemberRef
) -> bool:
    """Stop a scheduled post; False if there was none. Admins only; audited."""

    async def work(uow: UnitOfWork) -> bool:
        workspace = await uow.workspaces.get(ref)
        await require_admin(uow, workspace, actor, "manage scheduled posts")
        if workspace is None:
            return False
        removed = await uow.schedules.remove(workspace, kind, channel)
        if removed:
            now = ctx.clock.now()
            await audit(uow, workspace, actor, "schedule.remove", f"{kind} in {channel}", {}, now)
            await uow.commit()
        return removed

    return await in_transaction(ctx, work)


async def schedule_status(ctx: ServiceContext, ref: WorkspaceRef) -> list[ScheduleStatus]:
    """Each schedule with its next run and its last run's outcome."""

    async def read(uow: UnitOfWork) -> list[ScheduleStatus]:
        workspace = await uow.workspaces.get(ref)
        if workspace is None:
            return []
        runs = await uow.schedules.runs(workspace, 500)
        now = ctx.clock.now()
        out = []
        for s in await uow.schedules.of(workspace):
            last = next((r for r in runs if r.kind == s.kind and r.channel == s.channel), None)
            out.append(ScheduleStatus(s, next_slot(s, workspace.settings.tz, now), last))
        return out

    return await in_transaction(ctx, read, write=False)


async def recent_runs(ctx: ServiceContext, ref: WorkspaceRef, limit: int = 20) -> list[ScheduleRun]:
    """The workspace's latest scheduled-post runs, newest first, whatever their outcome."""

    async def read(uow: UnitOfWork) -> list[ScheduleRun]:
        workspace = await uow.workspaces.get(ref)
        return await uow.schedules.runs(workspace, limit) if workspace else []

    return await in_transaction(ctx, read, write=False)


async def build_post(
    ctx: ServiceContext, ref: WorkspaceRef, kind: str, period: str | None
) -> ScheduledPost:
    """The content of a scheduled post for a period (the current one when None)."""
    if kind == "weekly_leaderboard":
        return await leaderboard_post(ctx, ref, "week", period)
    if kind == "monthly_leaderboard":
        return await leaderboard_post(ctx, ref, "month", period)
    return await learning_post(ctx, ref, period)


async def _attempt(
    ctx: ServiceContext,
    ref: WorkspaceRef,
    run_id: int,
    kind: str,
    channel: str,
    period: str,
    attempt: int,
) -> str:
    error: str | None = None
    retry_at: datetime | None = None
    try:
        post = await build_post(ctx, ref, kind, period)
        await ctx.notifier.scheduled_post(ref, channel, post)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        gave_up = attempt > len(RETRY_AFTER)
        status = "failed" if gave_up else "retry"
        retry_at = None if gave_up else ctx.clock.now() + RETRY_AFTER[attempt - 1]
        log.warning(
            "%s for %s in %s (%s), attempt %d: %s",
            kind,
            period,
            channel,
            ref.external_id,
            attempt,
            error,
        )
    else:
        status = "posted"

    async def record(uow: UnitOfWork) -> None:
        await uow.schedules.finish(run_id, status, ctx.clock.now(), error, retry_at)
        await uow.commit()

    await in_transaction(ctx, record)
    return status


async def run_due_posts(
    ctx: ServiceContext, grace: timedelta = GRACE
) -> list[tuple[str, str, str, str]]:
    """Post whatever is due now and not yet claimed, and retry failed posts whose time has
    come. Returns (workspace, kind, channel, outcome) for each attempt this call made."""
    now = ctx.clock.now()

    async def unclaimed(uow: UnitOfWork) -> list[tuple[WorkspaceRef, Schedule, str]]:
        """Schedules due now whose run nobody has claimed (read-only: most ticks end here)."""
        found = []
        for ref, schedule in await uow.schedules.everywhere():
            workspace = await uow.workspaces.get(ref)
            slot = due(schedule, workspace.settings.tz, now, grace) if workspace else None
            if (
                workspace
                and slot
                and not await uow.schedules.has_run(
                    workspace, schedule.kind, schedule.channel, slot[1]
                )
            ):
                found.append((ref, schedule, slot[1]))
        return found

    outcomes: list[tuple[str, str, str, str]] = []
    for ref, schedule, period in await in_transaction(ctx, unclaimed, write=False):

        async def claim(
            uow: UnitOfWork,
            ref: WorkspaceRef = ref,
            schedule: Schedule = schedule,
            period: str = period,
        ) -> int | None:
            workspace = await uow.workspaces.get(ref)
            assert workspace is not None
            run_id = await uow.schedules.claim(
                workspace, schedule.kind, schedule.channel, period, now
            )
            await uow.commit()
            return run_id

        run_id = await in_transaction(ctx, claim)
        if run_id is not None:  # None: another server claimed it first
            status = await _attempt(ctx, ref, run_id, schedule.kind, schedule.channel, period, 1)
            outcomes.append((ref.external_id, schedule.kind, schedule.channel, status))

    async def retries(uow: UnitOfWork) -> list[tuple[WorkspaceRef, ScheduleRun]]:
        return await uow.schedules.retries_due(now)

    for ref, run in await in_transaction(ctx, retries, write=False):

        async def reclaim(uow: UnitOfWork, run: ScheduleRun = run) -> bool:
            won = await uow.schedules.claim_retry(run.id, now)
            await uow.commit()
            return won

        if await in_transaction(ctx, reclaim):
            status = await _attempt(
                ctx, ref, run.id, run.kind, run.channel, run.period, run.attempts + 1
            )
            outcomes.append((ref.external_id, run.kind, run.channel, status))
    return outcomes
