"""Two processes hammering one database: every give counts once and the ledger stays clean.

On SQLite this is real lock contention between processes: a writer may find the database
locked even at BEGIN and must retry rather than fail.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import traceback
from typing import Any

from bot.bootstrap import build
from bot.config import Settings
from bot.domain.model import MemberRef
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance
from tests.conftest import FakeClock
from tests.support import WS, configure, give

GIVES_PER_PROCESS = 300
PEOPLE = [f"p{i}" for i in range(20)]


def _giver_process(url: str, seed: int, start: Any, failures: Any) -> None:
    async def run() -> None:
        app = await build(Settings(DATABASE_URL=url), migrate=False)
        queue = iter(range(GIVES_PER_PROCESS))

        async def worker() -> None:
            for i in queue:
                giver = PEOPLE[(i + seed) % len(PEOPLE)]
                try:
                    await give(app, giver, "sink", amount=1, key=f"{seed}-{i}")
                except Exception as exc:
                    failures.put("".join(traceback.format_exception(exc))[-2000:])

        start.wait()
        await asyncio.gather(*[worker() for _ in range(8)])
        await app.close()

    asyncio.run(run())


async def test_two_processes_giving_at_once_count_everything_once(
    database_url: str, clock: FakeClock
) -> None:
    app = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
    try:
        await configure(app, allowance_amount=100000)
        for person in PEOPLE:
            await give(app, person, "sink", amount=1)
        context = multiprocessing.get_context("spawn")
        start, failures = context.Event(), context.Queue()
        processes = [
            context.Process(target=_giver_process, args=(database_url, seed, start, failures))
            for seed in (1, 2)
        ]
        for process in processes:
            process.start()
        await asyncio.sleep(1)
        start.set()
        for process in processes:
            await asyncio.to_thread(process.join, 120)
        errors = []
        while not failures.empty():
            errors.append(failures.get())
        assert errors == []
        assert [p.exitcode for p in processes] == [0, 0]
        sink = await show_balance(app.services, WS, MemberRef("sink"))
        assert sink.earned == len(PEOPLE) + 2 * GIVES_PER_PROCESS
        assert await verify_ledger(app.services) == []
    finally:
        await app.close()
