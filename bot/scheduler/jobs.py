"""APScheduler 3 (`AsyncIOScheduler`) inside `kudos serve`: one job wakes every minute and
posts what is due.

APScheduler 3 cannot share a job store between processes, so it decides nothing: each run is
claimed in the database first (`bot.services.schedules`), which is what makes a post happen
once across servers and restarts, and what catches up a run missed while the server was down.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services.context import ServiceContext
from bot.services.schedules import run_due_posts

log = logging.getLogger("kudos.scheduler")
TICK_SECONDS = 60


async def tick(ctx: ServiceContext) -> None:
    """Post what is due now; never let one bad run stop the next tick."""
    try:
        for workspace, kind, channel, outcome in await run_due_posts(ctx):
            log.info("%s in %s (%s): %s", kind, channel, workspace, outcome)
    except Exception:
        log.exception("scheduled posts: the tick failed; the next one tries again")


def start_scheduler(ctx: ServiceContext, every_seconds: int = TICK_SECONDS) -> AsyncIOScheduler:
    """Start ticking now and every `every_seconds` (call from inside the running loop)."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        tick,
        "interval",
        seconds=every_seconds,
        args=[ctx],
        id="scheduled-posts",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    return scheduler
