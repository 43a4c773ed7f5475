"""Dashboard benchmark: server time of the leaderboard and kudos-feed pages on a workspace of
realistic size, and the weight of the heaviest page, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.dashboard                       # both backends, ~2 minutes
    .venv/bin/python -m benchmarks.dashboard --backend sqlite --kudos 100000 --calls 50

A workspace of 2,000 members with a year of recognition (300,000 kudos, a third of them
#learning, in 20 channels) is generated in bulk SQL, with the leaderboard totals the service
keeps (`benchmarks.ledger.generate_entries`). Each page is then requested through the whole
`kudos serve` app in-process (httpx's ASGI transport: routing, session, admin check, services,
SQL, templates), signed in as an admin; p50 and p99 over `--calls` requests. Page weight: the
HTML of the heaviest page (the leaderboard, which loads the chart library) plus its CSS and
JavaScript, as gzip sends them.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import platform
import re
import statistics
import time

import httpx
from sqlalchemy import text

from benchmarks.ledger import (
    NOW,
    drop_database,
    fresh_database,
    generate_entries,
    open_app,
)
from bot.bootstrap import App
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import change_admins, cli_operator
from bot.services.signin import create_sign_in_link
from bot.web.dashboard.core import DashboardConfig
from bot.web.dashboard.sessions import SessionSettings
from bot.web.server import asgi_app

WS = WorkspaceRef("slack", "TBENCH", "Bench")
ADMIN = "U00000"
BASE = "http://kudos.bench"
PAGES = (
    ("leaderboard, this week", "/admin/leaderboards?period=week"),
    ("leaderboard, all time #learning", "/admin/leaderboards?period=all&value=learning"),
    ("feed, newest", "/admin/kudos"),
    ("feed, one person", "/admin/kudos?person=Member%201234"),
    ("feed, a name 11 people share", "/admin/kudos?person=Member%20123"),
    ("feed, a name 1,111 people share", "/admin/kudos?person=Member%201"),
    ("feed, #learning in one channel", "/admin/kudos?value=learning&channel=C07"),
    ("feed, a page 40 pages back", None),
    ("member page", "/me"),
)


async def generate_kudos(app: App, count: int, members: int) -> None:
    """`count` kudos over 52 weeks with their recipients (the feed reads these rows)."""
    pg = not app.database.is_sqlite
    series = (
        f"SELECT i FROM generate_series(0::bigint, {count - 1}) AS s(i)"
        if pg
        else f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s "
        f"WHERE i < {count - 1}) SELECT i FROM s"
    )
    created = (
        "TIMESTAMPTZ '2026-11-18 12:00:00+00' - (g.i * INTERVAL '104 seconds')"
        if pg
        else "strftime('%Y-%m-%d %H:%M:%f', '2026-11-18 12:00:00', "
        "'-' || (g.i * 104) || ' seconds')"
    )
    channel = "'C' || " + ("lpad((g.i % 20)::text, 2, '0')" if pg else "printf('%02d', g.i % 20)")
    async with app.database.engine.begin() as conn:
        ws_id = (
            await conn.execute(text("SELECT id FROM workspaces WHERE external_id = 'TBENCH'"))
        ).scalar_one()
        first = (
            await conn.execute(
                text("SELECT MIN(id) FROM members WHERE workspace_id = :ws"), {"ws": ws_id}
            )
        ).scalar_one()
        await conn.execute(
            text(f"""
            INSERT INTO kudos (workspace_id, giver_id, amount_each, reason, tags, channel,
                               message_ref, idempotency_key, created_at)
            SELECT {ws_id}, {first} + (g.i * 7919) % {members}, 1 + g.i % 5,
                   'for the help with ticket ' || g.i,
                   CASE WHEN g.i % 3 = 0 THEN 'learning' ELSE 'teamwork' END,
                   {channel}, NULL, 'bench:' || g.i, {created}
            FROM ({series}) AS g
        """)
        )
        await conn.execute(
            text(f"""
            INSERT INTO kudos_recipients (kudos_id, member_id)
            SELECT k.id, {first} + ((k.giver_id - {first}) + 1 + k.id % ({members} - 1))
                   % {members}
            FROM kudos k WHERE k.workspace_id = {ws_id}
        """)
        )
    if pg:  # committed: an ANALYZE rolled back is forgotten, and plans go by empty tables
        async with app.database.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))


async def signed_in_client(app: App) -> httpx.AsyncClient:
    config = DashboardConfig(
        sessions=SessionSettings("bench-secret-" + "x7" * 20, 3600, always_secure=False)
    )
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=asgi_app(app, config)),
        base_url=BASE,
        headers={"Origin": BASE},
    )
    token = await create_sign_in_link(app.services, WS, MemberRef(ADMIN), cli_operator())
    page = await client.get(f"/signin/link/{token}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    signed = await client.post("/signin/link", data={"token": token, "csrf": csrf.group(1)})
    assert signed.status_code == 303, signed.text
    return client


async def time_page(client: httpx.AsyncClient, path: str, calls: int) -> dict[str, float]:
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        page = await client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert page.status_code == 200, (path, page.status_code)
    timings.sort()
    return {
        "p50 ms": statistics.median(timings),
        "p99 ms": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
    }


async def page_weight(client: httpx.AsyncClient, path: str) -> dict[str, int]:
    """Bytes of the page and everything it loads, raw and gzip-compressed."""
    page = await client.get(path)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    raw = {"html": len(page.content)}
    for asset in assets:
        raw[asset.split("?")[0].rsplit("/", 1)[1]] = len((await client.get(asset)).content)
    compressed = {"html": len(gzip.compress(page.content, 6))}
    for asset in assets:
        body = (await client.get(asset)).content
        compressed[asset.split("?")[0].rsplit("/", 1)[1]] = len(gzip.compress(body, 6))
    return {
        "raw total": sum(raw.values()),
        "gzip total": sum(compressed.values()),
        **{f"gzip {k}": v for k, v in compressed.items()},
    }


async def bench(backend: str, kudos: int, members: int, calls: int) -> None:
    url = await fresh_database(backend, "dashboard")
    app = await open_app(url)
    try:
        started = time.perf_counter()
        await generate_entries(app, WS, kudos, members)
        await generate_kudos(app, kudos, members)
        await change_admins(app.services, WS, cli_operator(), True, MemberRef(ADMIN, "Admin"))
        print(
            f"{backend:8} generated {members:,} members, {kudos:,} kudos in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        client = await signed_in_client(app)
        try:
            older = ""
            for _ in range(40):
                page = await client.get(f"/admin/kudos{older}")
                found = re.search(r'href="/admin/kudos\?older=([^"&]+)"', page.text)
                assert found, "the feed ran out of pages"
                older = f"?older={found.group(1)}"
            for label, path in PAGES:
                await client.get(path or f"/admin/kudos{older}")  # warm
                result = await time_page(client, path or f"/admin/kudos{older}", calls)
                print(
                    f"{backend:8} {label:34} p50 {result['p50 ms']:7.1f} ms   "
                    f"p99 {result['p99 ms']:7.1f} ms",
                    flush=True,
                )
            if backend == "sqlite":
                weight = await page_weight(client, "/admin/leaderboards?period=all")
                parts = ", ".join(
                    f"{k[5:]} {v / 1024:.1f}"
                    for k, v in weight.items()
                    if k.startswith("gzip ") and k != "gzip total"
                )
                print(
                    f"heaviest page (leaderboard): {weight['gzip total'] / 1024:.1f} KB "
                    f"compressed ({parts}); {weight['raw total'] / 1024:.1f} KB raw",
                    flush=True,
                )
        finally:
            await client.aclose()
    finally:
        await app.close()
        await drop_database(backend, url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--kudos", type=int, default=300_000)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; clock {NOW.isoformat()}"
    )
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        await bench(backend, args.kudos, args.members, args.calls)


if __name__ == "__main__":
    asyncio.run(main())
