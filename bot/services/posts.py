"""What the scheduled posts say: the leaderboard of a week or month, and the weekly learning
shoutouts. Read-only; the scheduler decides when, the platform notifiers how it looks."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from bot.domain import errors
from bot.domain.model import LEARNING_VALUES, Workspace, WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork
from bot.services.results import (
    LeaderboardPost,
    LearningKudos,
    LearningPost,
    Standing,
)

TOP = 10
MENTORING = "mentoring"


def _week_start(period: str) -> date:
    year, week = period.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def _previous(kind: str, period: str) -> str:
    if kind == "week":
        year, week, _ = (_week_start(period) - timedelta(days=7)).isocalendar()
        return f"{year}-W{week:02d}"
    year, month = (int(p) for p in period.split("-"))
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year}-{month:02d}"


def _title(kind: str, period: str) -> str:
    if kind == "week":
        start = _week_start(period)
        return f"Week {start.isocalendar()[1]}, {start.isocalendar()[0]} (from {start:%b %-d})"
    year, month = (int(p) for p in period.split("-"))
    return f"{date(year, month, 1):%B %Y}"


def current_period(workspace: Workspace, kind: str, at: datetime) -> str:
    """The week (`2026-W47`) or month (`2026-11`) holding `at` in the workspace's zone."""
    local = at.astimezone(workspace.settings.tz)
    if kind == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-{local.month:02d}"


async def _workspace(uow: UnitOfWork, ref: WorkspaceRef) -> Workspace:
    workspace = await uow.workspaces.get(ref)
    if workspace is None:
        raise errors.UnknownWorkspace(ref.external_id)
    return workspace


async def leaderboard_post(
    ctx: ServiceContext, ref: WorkspaceRef, kind: str, period: str | None = None
) -> LeaderboardPost:
    """The leaderboard of a week (`kind="week"`, `period="2026-W47"`) or a month
    (`"month"`, `"2026-10"`); the current one when `period` is None."""

    async def read(uow: UnitOfWork) -> LeaderboardPost:
        workspace = await _workspace(uow, ref)
        key = period or current_period(workspace, kind, ctx.clock.now())
        bucket, before = f"{kind}:{key}", f"{kind}:{_previous(kind, key)}"
        now_rows = await uow.queries.leaderboard(workspace, bucket, "", TOP)
        last_rows = await uow.queries.leaderboard(workspace, before, "", 50)
        last_rank = {r.member_id: r.rank for r in last_rows}
        leaders = []
        for value in workspace.settings.values:
            top = await uow.queries.leaderboard(workspace, bucket, value, 1)
            if top:
                leaders.append((value, top[0]))
        return LeaderboardPost(
            period=kind,
            title=_title(kind, key),
            receivers=tuple(
                Standing(
                    r.rank, r.external_id, r.display_name, r.points, last_rank.get(r.member_id)
                )
                for r in now_rows
            ),
            givers=tuple(await uow.queries.top_givers(workspace, bucket, 5)),
            value_leaders=tuple(leaders),
            newcomers=tuple(await uow.queries.newcomers(workspace, bucket)),
        )

    return await in_transaction(ctx, read, write=False)


async def learning_post(
    ctx: ServiceContext, ref: WorkspaceRef, period: str | None = None
) -> LearningPost:
    """The learning shoutouts of a week (`2026-W47`; the current week when None)."""

    async def read(uow: UnitOfWork) -> LearningPost:
        workspace = await _workspace(uow, ref)
        key = period or current_period(workspace, "week", ctx.clock.now())
        tz = workspace.settings.tz
        start = datetime.combine(_week_start(key), time(), tz)
        end = datetime.combine(_week_start(key) + timedelta(days=7), time(), tz)
        learnings = await uow.queries.learnings_between(workspace, start, end)
        learning_values = LEARNING_VALUES | ({MENTORING} & set(workspace.settings.values))
        kudos, helped_by = [], defaultdict(set)
        for k, names in await uow.queries.kudos_between(workspace, start, end):
            if not set(k.tags) & learning_values:
                continue
            named = [m for m in k.recipient_ids if not names[m][2]]  # never a private member
            if MENTORING in k.tags:
                for m in named:
                    helped_by[names[m][:2]].add(k.giver_id)
            if named and not names[k.giver_id][2]:
                kudos.append(
                    LearningKudos(
                        giver=names[k.giver_id][1],
                        recipients=tuple(names[m][1] for m in named),
                        reason=k.reason,
                        tags=k.tags,
                    )
                )
        helpers = sorted(
            ((who[0], who[1], len(givers)) for who, givers in helped_by.items()),
            key=lambda h: (-h[2], h[1]),
        )
        return LearningPost(
            title=f"Learning shoutouts, {_title('week', key)}",
            learnings=tuple(learnings),
            kudos=tuple(kudos),
            helpers=tuple(helpers[:3]),
        )

    return await in_transaction(ctx, read, write=False)
