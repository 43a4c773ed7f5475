"""Ledger benchmark: gives per second through the service layer, and leaderboard latency over
millions of ledger entries, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.ledger                      # everything (about 10 minutes)
    .venv/bin/python -m benchmarks.ledger --backend sqlite --entries 1000000
    .venv/bin/python -m benchmarks.ledger --gives 0 --entries 0      # redemptions only

Gives go through `give_kudos` exactly as chat does (parse aside): one writer awaiting each give,
then 16 concurrent writers. Redemptions likewise, all of one item (the contended case).
Leaderboard data is generated in bulk SQL (10M gives through the
service would take hours): N kudos entries spread over 52 weeks among 5,000 members, plus the
leaderboard totals the service keeps for them, then `show_leaderboard` is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text

from bot import migrations
from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain.model import MemberRef, WorkspaceRef, WorkspaceSettings, leaderboard_buckets
from bot.services.admins import cli_operator
from bot.services.catalog import add_item
from bot.services.give import GiveKudos, give_kudos
from bot.services.queries import show_leaderboard
from bot.services.rewards import adjust_points, redeem
from bot.services.settings import change_settings

PG_ADMIN = os.environ.get(
    "KUDOS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def fresh_database(backend: str, tag: str) -> str:
    if backend == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="kudos-bench-")) / f"{tag}.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        name = f"kudos_bench_{tag}"
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        url = (
            PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            + "/"
            + name
        )
    await asyncio.to_thread(migrations.upgrade, url)
    return url


async def drop_database(backend: str, url: str) -> None:
    if backend == "postgres":
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        await conn.close()


async def open_app(url: str) -> App:
    return await build(Settings(DATABASE_URL=url), clock=FixedClock(), migrate=False)


async def workspace_with_members(app: App, workspace: WorkspaceRef, count: int) -> list[MemberRef]:
    people = [MemberRef(f"U{i:05d}", f"Member {i}") for i in range(count)]
    async with app.services.uow(write=True) as uow:
        ws = await uow.workspaces.ensure(workspace)
        for start in range(0, count, 500):
            await uow.members.ensure(ws, people[start : start + 500])
        await uow.commit()
    await change_settings(
        app.services, workspace, {"allowance_amount": "100000000"}, cli_operator()
    )
    return people


def one_give(workspace: WorkspaceRef, people: list[MemberRef], rng: random.Random) -> GiveKudos:
    giver, recipient = rng.sample(people, 2)
    return GiveKudos(
        workspace=workspace,
        giver=giver,
        recipients=(recipient,),
        amount=rng.randint(1, 5),
        reason="benchmark",
        tags=("learning",) if rng.random() < 0.3 else (),
        idempotency_key=str(uuid.uuid4()),
    )


GIVES_WORKSPACE = WorkspaceRef("bench", "gives")


async def give_concurrently(app: App, commands: list[GiveKudos], concurrency: int) -> None:
    queue = iter(commands)

    async def worker() -> None:
        for command in queue:
            await give_kudos(app.services, command)

    await asyncio.gather(*[worker() for _ in range(concurrency)])


def _process_worker(url: str, seed: int, gives: int, concurrency: int, start: Any) -> None:
    """One more `kudos serve`-like process giving against the same database."""

    async def run() -> None:
        app = await open_app(url)
        rng = random.Random(seed)
        people = [MemberRef(f"U{i:05d}", f"Member {i}") for i in range(1000)]
        commands = [one_give(GIVES_WORKSPACE, people, rng) for _ in range(gives)]
        start.wait()
        await give_concurrently(app, commands, concurrency)
        await app.close()

    asyncio.run(run())


async def bench_gives(backend: str, gives: int, rounds: int) -> dict[str, float]:
    """Median gives/s over `rounds` rounds, for one writer, 16 concurrent, and 16 concurrent
    split over two processes."""
    url = await fresh_database(backend, "gives")
    app = await open_app(url)
    rates: dict[str, list[float]] = {"one writer": [], "16 concurrent": [], "16 over 2 procs": []}
    try:
        people = await workspace_with_members(app, GIVES_WORKSPACE, 1000)
        rng = random.Random(7)
        for person in people:  # grant every allowance before timing
            command = replace(one_give(GIVES_WORKSPACE, people, rng), giver=person)
            await give_kudos(app.services, command)
        for round_number in range(rounds):
            commands = [one_give(GIVES_WORKSPACE, people, rng) for _ in range(gives)]
            started = time.perf_counter()
            for command in commands:
                await give_kudos(app.services, command)
            rates["one writer"].append(gives / (time.perf_counter() - started))

            commands = [one_give(GIVES_WORKSPACE, people, rng) for _ in range(gives)]
            started = time.perf_counter()
            await give_concurrently(app, commands, 16)
            rates["16 concurrent"].append(gives / (time.perf_counter() - started))

            context = multiprocessing.get_context("spawn")
            start = context.Event()
            workers = [
                context.Process(
                    target=_process_worker,
                    args=(url, 100 * round_number + seed, gives // 2, 8, start),
                )
                for seed in (1, 2)
            ]
            for worker in workers:
                worker.start()
            await asyncio.sleep(3)  # let both processes import, connect and build their commands
            started = time.perf_counter()
            start.set()
            for worker in workers:
                await asyncio.to_thread(worker.join)
            rates["16 over 2 procs"].append(gives / (time.perf_counter() - started))
    finally:
        await app.close()
        await drop_database(backend, url)
    return {label: statistics.median(values) for label, values in rates.items()}


async def generate_entries(app: App, workspace: WorkspaceRef, entries: int, members: int) -> None:
    """Bulk-generate kudos entries over 52 weeks and the leaderboard totals the service keeps."""
    await workspace_with_members(app, workspace, members)
    settings = WorkspaceSettings()
    weeks = [
        (w, *leaderboard_buckets(settings, NOW - timedelta(weeks=w)).values()) for w in range(52)
    ]
    pg = not app.database.is_sqlite
    async with app.database.engine.begin() as conn:
        ws_id = (
            await conn.execute(
                text("SELECT id FROM workspaces WHERE external_id = :e"),
                {"e": workspace.external_id},
            )
        ).scalar_one()
        await conn.execute(
            text(
                "CREATE TEMP TABLE bench_members AS SELECT "
                "row_number() OVER (ORDER BY m.id) - 1 AS idx, m.id AS member_id, "
                "a.id AS allowance_id, e.id AS earned_id FROM members m "
                "JOIN accounts a ON a.member_id = m.id AND a.kind = 'allowance' "
                "JOIN accounts e ON e.member_id = m.id AND e.kind = 'earned' "
                "WHERE m.workspace_id = :ws"
            ),
            {"ws": ws_id},
        )
        await conn.execute(text("CREATE INDEX bench_members_idx ON bench_members (idx)"))
        await conn.execute(
            text(
                "CREATE TEMP TABLE bench_weeks (w INTEGER PRIMARY KEY, "
                "week TEXT, month TEXT, alltime TEXT)"
            )
        )
        await conn.execute(
            text("INSERT INTO bench_weeks VALUES (:w, :week, :month, :all)"),
            [{"w": w, "week": wk, "month": mo, "all": al} for w, wk, mo, al in weeks],
        )
    chunk = 1_000_000
    for start in range(0, entries, chunk):
        count = min(chunk, entries - start)
        if pg:
            series = f"SELECT i FROM generate_series({start}::bigint, {start + count - 1}) AS s(i)"
            created = (
                "TIMESTAMPTZ '2026-11-18 12:00:00+00' - (g.i % 52) * INTERVAL '7 days' "
                "- (g.i % 3600) * INTERVAL '1 second'"
            )
        else:
            series = (
                f"WITH RECURSIVE s(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM s "
                f"WHERE i < {start + count - 1}) SELECT i FROM s"
            )
            created = (
                "strftime('%Y-%m-%d %H:%M:%f', '2026-11-18 12:00:00', "
                "'-' || ((g.i % 52) * 7) || ' days', '-' || (g.i % 3600) || ' seconds')"
            )
        async with app.database.engine.begin() as conn:
            await conn.execute(
                text(f"""
                INSERT INTO ledger_entries (workspace_id, debit_account_id, credit_account_id,
                                            amount, kind, reference, created_at)
                SELECT {ws_id}, gm.allowance_id, rm.earned_id, 1 + g.i % 5, 'kudos',
                       'kudos:bench', {created}
                FROM ({series}) AS g
                JOIN bench_members gm ON gm.idx = (g.i * 7919) % {members}
                JOIN bench_members rm ON rm.idx = ((g.i * 7919) % {members} + 1
                                                   + (g.i * 31) % ({members} - 1)) % {members}
            """)
            )
    generator = (
        f"SELECT i FROM generate_series(0::bigint, {entries - 1}) AS s(i)"
        if pg
        else f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s "
        f"WHERE i < {entries - 1}) SELECT i FROM s"
    )
    async with app.database.engine.begin() as conn:
        await conn.execute(
            text(f"""
            CREATE TEMP TABLE bench_flat AS
            SELECT rm.member_id AS recipient, gm.member_id AS giver, 1 + g.i % 5 AS amount,
                   g.i % 52 AS w, CASE WHEN g.i % 3 = 0 THEN 'learning' ELSE '' END AS tag
            FROM ({generator}) AS g
            JOIN bench_members gm ON gm.idx = (g.i * 7919) % {members}
            JOIN bench_members rm ON rm.idx = ((g.i * 7919) % {members} + 1
                                               + (g.i * 31) % ({members} - 1)) % {members}
        """)
        )
        for column in ("week", "month", "alltime"):
            for tag_filter in ("", "learning"):
                where = "WHERE f.tag = 'learning'" if tag_filter else ""
                await conn.execute(
                    text(f"""
                    INSERT INTO leaderboard_totals (workspace_id, bucket, tag, member_id,
                                                    received, given)
                    SELECT {ws_id}, b.{column}, '{tag_filter}', f.recipient, SUM(f.amount), 0
                    FROM bench_flat f JOIN bench_weeks b ON b.w = f.w {where}
                    GROUP BY b.{column}, f.recipient
                """)
                )
        await conn.execute(text("DROP TABLE bench_flat"))
        if pg:
            await conn.execute(text("ANALYZE"))
    if not pg:
        async with app.database.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))


async def bench_leaderboard(backend: str, entries: int, calls: int = 200) -> dict[str, float]:
    url = await fresh_database(backend, f"top{entries}")
    app = await open_app(url)
    workspace = WorkspaceRef("bench", f"top{entries}")
    results: dict[str, float] = {}
    try:
        started = time.perf_counter()
        await generate_entries(app, workspace, entries, 5000)
        results["generate s"] = time.perf_counter() - started
        for label, period, tag in (
            ("week", "week", None),
            ("week #learning", "week", "learning"),
            ("all time", "all", None),
        ):
            board = await show_leaderboard(app.services, workspace, period, tag)  # type: ignore[arg-type]
            assert board.rows, f"{label}: generated data must fill the leaderboard"
            timings = []
            for _ in range(calls):
                t0 = time.perf_counter()
                await show_leaderboard(app.services, workspace, period, tag)  # type: ignore[arg-type]
                timings.append((time.perf_counter() - t0) * 1000)
            timings.sort()
            results[f"{label} p50 ms"] = statistics.median(timings)
            results[f"{label} p99 ms"] = timings[int(len(timings) * 0.99) - 1]
    finally:
        await app.close()
        await drop_database(backend, url)
    return results


REWARDS_WORKSPACE = WorkspaceRef("bench", "rewards")


async def bench_redeems(backend: str, redeems: int, rounds: int) -> dict[str, float]:
    """Median redemptions/s over `rounds`: one writer, then 16 concurrent. Every redemption
    takes a unit of the same item (stock 1,000,000, approval needed) and puts its points into
    the one escrow account, so the concurrent case measures contention on those two rows."""
    url = await fresh_database(backend, "redeems")
    app = await open_app(url)
    operator = cli_operator()
    rates: dict[str, list[float]] = {"one writer": [], "16 concurrent": []}
    try:
        people = [MemberRef(f"U{i:05d}", f"Member {i}") for i in range(200)]
        for person in people:
            await adjust_points(
                app.services, REWARDS_WORKSPACE, operator, person, 10**8, "bench", uuid.uuid4().hex
            )
        await add_item(
            app.services,
            REWARDS_WORKSPACE,
            operator,
            {"name": "Book", "cost": "3", "stock": "1000000", "approval": "yes"},
        )
        rng = random.Random(11)

        async def one(person: MemberRef) -> None:
            await redeem(app.services, REWARDS_WORKSPACE, person, "Book", uuid.uuid4().hex)

        for _ in range(rounds):
            buyers = [rng.choice(people) for _ in range(redeems)]
            started = time.perf_counter()
            for person in buyers:
                await one(person)
            rates["one writer"].append(redeems / (time.perf_counter() - started))

            queue = iter([rng.choice(people) for _ in range(redeems)])

            async def worker(buyers: Any) -> None:
                for person in buyers:
                    await one(person)

            started = time.perf_counter()
            await asyncio.gather(*[worker(queue) for _ in range(16)])
            rates["16 concurrent"].append(redeems / (time.perf_counter() - started))
    finally:
        await app.close()
        await drop_database(backend, url)
    return {label: statistics.median(values) for label, values in rates.items()}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--gives", type=int, default=4000, help="gives per round; 0 to skip")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument(
        "--redeems", type=int, default=2000, help="redemptions per round; 0 to skip"
    )
    parser.add_argument(
        "--entries",
        default="1000000,10000000",
        help="comma-separated ledger sizes for the leaderboard; 0 to skip",
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    for backend in backends:
        if args.gives:
            for label, rate in (await bench_gives(backend, args.gives, args.rounds)).items():
                print(f"{backend:8} gives/s {label:16} {rate:8.0f}", flush=True)
        if args.redeems:
            for label, rate in (await bench_redeems(backend, args.redeems, args.rounds)).items():
                print(f"{backend:8} redeems/s {label:14} {rate:8.0f}", flush=True)
        for size in (int(s) for s in args.entries.split(",") if int(s)):
            for label, value in (await bench_leaderboard(backend, size)).items():
                print(
                    f"{backend:8} leaderboard over {size:>10,} entries  {label:20} {value:8.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    asyncio.run(main())
