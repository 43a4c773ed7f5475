"""JSON API benchmark: `GET /api/v1/kudos` latency at a fixed rate against a running
`kudos serve`, on SQLite and PostgreSQL, over a year of a 2,000-person company's kudos.

    .venv/bin/python -m benchmarks.api                            # both backends, ~3 minutes
    .venv/bin/python -m benchmarks.api --backend sqlite --kudos 50000 --seconds 10

`kudos serve` runs as its own process; this one sends requests open-loop at `--rate` per second
(request i leaves at t0 + i/rate, and its latency counts from that planned moment). The data
(members, kudos and their recipients over 52 weeks, 30% tagged #learning) is written in bulk
SQL, then one admin token is made through the service. The requests mix what a dashboard or an
HR sync asks: the first page, a page deep in history (by cursor), one person's kudos, one
value's, and this week's, 50 rows each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import time
from collections import defaultdict
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import text

from benchmarks.ledger import drop_database, fresh_database, open_app, workspace_with_members
from benchmarks.slack_load import KUDOS, _free_port
from bot.domain.model import WorkspaceRef
from bot.services.admins import cli_operator
from bot.services.api_tokens import create_api_token

WORKSPACE = WorkspaceRef("slack", "TBENCH", "Bench")
MEMBERS = 2000


async def generate(url: str, kudos: int) -> str:
    """Members, `kudos` kudos with one recipient each over 52 weeks, and an admin token."""
    app = await open_app(url)
    try:
        await workspace_with_members(app, WORKSPACE, MEMBERS)
        pg = not app.database.is_sqlite
        async with app.database.engine.begin() as conn:
            ws = (
                await conn.execute(
                    text("SELECT id FROM workspaces WHERE external_id = :e"),
                    {"e": WORKSPACE.external_id},
                )
            ).scalar_one()
            first = (
                await conn.execute(
                    text("SELECT MIN(id) FROM members WHERE workspace_id = :ws"), {"ws": ws}
                )
            ).scalar_one()
            if pg:
                series = f"SELECT i FROM generate_series(0::bigint, {kudos - 1}) AS s(i)"
                created = (
                    "TIMESTAMPTZ '2026-11-18 12:00:00+00' - (g.i * INTERVAL '1 second' * "
                    f"{52 * 7 * 86400 // kudos})"
                )
            else:
                series = (
                    f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s "
                    f"WHERE i < {kudos - 1}) SELECT i FROM s"
                )
                created = (
                    "strftime('%Y-%m-%d %H:%M:%f', '2026-11-18 12:00:00', '-' || "
                    f"(g.i * {52 * 7 * 86400 // kudos}) || ' seconds')"
                )
            await conn.execute(
                text(f"""
                INSERT INTO kudos (workspace_id, giver_id, amount_each, reason, tags, channel,
                                   idempotency_key, created_at)
                SELECT {ws}, {first} + (g.i * 7919) % {MEMBERS}, 1 + g.i % 5,
                       'for the thorough review of the release notes',
                       CASE WHEN g.i % 10 < 3 THEN 'learning' ELSE '' END,
                       'C' || (g.i % 20), 'bench-' || g.i, {created}
                FROM ({series}) AS g
            """)
            )
            await conn.execute(
                text(f"""
                INSERT INTO kudos_recipients (kudos_id, member_id)
                SELECT k.id, {first} + ((k.giver_id - {first}) + 1 + k.id % ({MEMBERS} - 1))
                       % {MEMBERS}
                FROM kudos k WHERE k.workspace_id = {ws}
            """)
            )
        async with app.database.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
        _, token = await create_api_token(
            app.services, WORKSPACE, cli_operator(), "admin", timedelta(days=3650), "bench"
        )
        return token
    finally:
        await app.close()


async def one(
    http: aiohttp.ClientSession, base: str, query: dict[str, str], planned: float
) -> tuple[float, int]:
    async with http.get(f"{base}/api/v1/kudos", params=query) as r:
        await r.read()
        status = r.status
    return time.perf_counter() - planned, status


async def deep_cursors(http: aiohttp.ClientSession, base: str, pages: int) -> list[str]:
    """Cursors into the history, by walking `pages` pages of 50."""
    cursors: list[str] = []
    query: dict[str, str] = {"limit": "50"}
    for _ in range(pages):
        async with http.get(f"{base}/api/v1/kudos", params=query) as r:
            page = await r.json()
        if not page["next_cursor"]:
            break
        cursors.append(page["next_cursor"])
        query = {"limit": "50", "cursor": page["next_cursor"]}
    return cursors


def shapes(cursors: list[str], rng: random.Random) -> list[tuple[str, dict[str, str]]]:
    return [
        ("first page", {"limit": "50"}),
        ("by cursor", {"limit": "50", "cursor": rng.choice(cursors)}),
        ("one person", {"limit": "50", "person": f"U{rng.randrange(MEMBERS):05d}"}),
        ("#learning", {"limit": "50", "value": "learning"}),
        ("this week", {"limit": "50", "period": "week"}),
    ]


async def at_rate(
    http: aiohttp.ClientSession, base: str, cursors: list[str], rate: float, seconds: float
) -> dict[str, Any]:
    rng = random.Random(5)
    count = int(rate * seconds)
    start = time.perf_counter()
    tasks, kinds = [], []
    for i in range(count):
        planned = start + i / rate
        delay = planned - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        kind, query = shapes(cursors, rng)[i % 5]
        kinds.append(kind)
        tasks.append(asyncio.create_task(one(http, base, query, planned)))
    results = await asyncio.gather(*tasks)
    sent_in = time.perf_counter() - start
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, (seconds_taken, _) in zip(kinds, results, strict=True):
        by_kind[kind].append(seconds_taken * 1000)
    latencies = sorted(ms * 1000 for ms, _ in results)

    def p99(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[max(0, int(len(ordered) * 0.99) - 1)]

    return {
        "requests": count,
        "achieved": count / sent_in,
        "ok": sum(1 for _, status in results if status == 200),
        "p50": statistics.median(latencies),
        "p99": p99(latencies),
        "max": latencies[-1],
        "p99 by shape": {kind: p99(values) for kind, values in by_kind.items()},
    }


async def bench(backend: str, kudos: int, rate: float, seconds: float) -> dict[str, Any]:
    url = await fresh_database(backend, "api")
    started = time.perf_counter()
    token = await generate(url, kudos)
    generated = time.perf_counter() - started
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "KUDOS_API_RATE_LIMIT": "100000",
        "KUDOS_API_BURST": "100000",
    }
    server = await asyncio.create_subprocess_exec(KUDOS, "serve", "--host", "127.0.0.1", env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        headers = {"Authorization": f"Bearer {token}"}
        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(connector=connector, headers=headers) as http:
            for _ in range(300):
                try:
                    async with http.get(f"{base}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            cursors = await deep_cursors(http, base, 40)
            await at_rate(http, base, cursors, rate, 3)  # warm-up
            result = await at_rate(http, base, cursors, rate, seconds)
    finally:
        server.terminate()
        await server.wait()
        await drop_database(backend, url)
    return {"generate s": generated, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--kudos", type=int, default=200_000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    machine = platform.processor() or platform.machine()
    print(f"# {machine}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"# {args.kudos:,} kudos among {MEMBERS:,} members; GET /api/v1/kudos at "
        f"{args.rate:.0f}/s for {args.seconds:.0f} s"
    )
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        r = asyncio.run(bench(backend, args.kudos, args.rate, args.seconds))
        shapes_p99 = ", ".join(f"{k} {v:.1f}" for k, v in r["p99 by shape"].items())
        print(
            f"{backend:8} ok {r['ok']}/{r['requests']} at {r['achieved']:.0f}/s: "
            f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms "
            f"(p99 by shape, ms: {shapes_p99}; data generated in {r['generate s']:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
