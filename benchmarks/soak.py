"""Soak benchmark: a real `kudos serve` under minutes of mixed signed Slack traffic at a steady
rate, then a ramp to find the highest rate it sustains.

    .venv/bin/python -m benchmarks.soak                         # SQLite, then PostgreSQL (~14 min)
    .venv/bin/python -m benchmarks.soak --database postgres --rate 100 --seconds 240
    .venv/bin/python -m benchmarks.soak --database sqlite --seconds 0 --ramp 300,400,500
    .venv/bin/python -m benchmarks.soak --quick                 # a 20-second smoke run

The traffic, open loop (request i leaves at t0 + i/rate; its latency counts from that moment):
gives by slash command (25%) and by channel message (20%), `/kudos balance` (10%) and
`/kudos top` (10%), the kudos emoji (`clap`) on earlier messages (20%), edits (7%) and
deletions (5%) of earlier kudos messages (at least 5 s old), and chatter that is not kudos (3%).
300 people, the allowance raised so nothing is refused for it.

Throughout: `/healthz` is polled 5 times a second from a thread of its own (so the sender's
event loop does not delay it), the server's RSS and `/metrics` (the inbox and outbox backlog,
the age of the oldest unfinished request) are sampled every 5 s. At the end the server drains,
and every acknowledged request that should have been recorded is looked up in the inbox: it
must have ended `done` (or `failed`, with the person told). Dropped means: no 2xx answer, or
acknowledged but never recorded or never finished. Then `kudos ledger verify`.

The ramp sends the same mix in steps (30 s each by default), lets the server drain between
steps, and reports the highest rate with nothing dropped and the ack p99 under 100 ms, and
whether the work after the ack kept up (drained within 5 s of the step's end).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import multiprocessing
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.harness import (
    KUDOS,
    Fakes,
    Request,
    Requests,
    Server,
    drop,
    empty_database,
    has_table,
    machine,
    metrics,
    percentile,
    query,
    raise_allowance,
    send,
    server_env,
    slack_user,
    unique_ts,
    verify_ledger,
)

PEOPLE = 300
ALLOWANCE = 10_000_000
TARGET_MS = 100.0
MIX = (
    ("command", 0.25),
    ("message", 0.20),
    ("balance", 0.10),
    ("top", 0.10),
    ("reaction", 0.20),
    ("edit", 0.07),
    ("delete", 0.05),
    ("chatter", 0.03),
)


@dataclass
class Posted:
    """A kudos message in the channel, which later requests react to, edit or delete."""

    user: str
    ts: str
    text: str
    at: float


@dataclass
class Sent:
    request: Request
    planned: float
    status: int = -1
    latency: float = 0.0

    @property
    def acked(self) -> bool:
        return 200 <= self.status < 300


class Mix:
    """The mixed traffic, with the channel's messages remembered for reactions and edits."""

    def __init__(self, requests: Requests, rng: random.Random) -> None:
        self.requests, self.rng = requests, rng
        self.posted: list[Posted] = []
        self.n = 0

    def _people(self, k: int = 2) -> list[str]:
        return [slack_user(n) for n in self.rng.sample(range(PEOPLE), k)]

    def _old_message(self, now: float) -> Posted | None:
        """A kudos message at least 5 s old (its own request long done)."""
        old = [p for p in self.posted[-400:] if now - p.at > 5]
        return self.rng.choice(old) if old else None

    def next(self) -> Request:
        self.n += 1
        now = time.monotonic()
        kind = self.rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
        giver, recipient = self._people()
        amount = self.rng.randint(1, 3)
        trigger = f"{self.n}.{time.time_ns()}.soak"
        if kind in ("edit", "delete", "reaction"):
            target = self._old_message(now)
            if target is None:
                kind = "message"
            elif kind == "reaction":
                reactor = next(p for p in self._people(3) if p != target.user)
                return self.requests.reaction(reactor, target.user, target.ts)
            elif kind == "edit":
                new = f"+{amount} <@{recipient}> for soak {self.n}, edited"
                if recipient == target.user:
                    new = f"+{amount} <@{giver}> for soak {self.n}, edited"
                request = self.requests.edit(target.user, target.ts, target.text, new, unique_ts())
                target.text = new
                return request
            else:
                self.posted.remove(target)
                return self.requests.delete(target.user, target.ts, target.text)
        if kind == "command":
            text = f"<@{recipient}> {amount} for soak {self.n} #learning"
            return self.requests.command(giver, text, trigger)
        if kind in ("balance", "top"):
            return self.requests.command(giver, kind, trigger, kind)
        if kind == "chatter":
            return self.requests.message(giver, f"lunch at {self.n}?", unique_ts(), "chatter")
        text = f"+{amount} <@{recipient}> for soak {self.n}"
        ts = unique_ts()
        self.posted.append(Posted(giver, ts, text, now))
        return self.requests.message(giver, text, ts)


def _poll_health(port: int, interval: float, stop: Any, out: Any) -> None:
    """`/healthz` over one keep-alive connection every `interval` s until `stop` is set; the
    samples (monotonic start, seconds, ok) go back through `out`."""
    samples = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    next_at = time.monotonic()
    while not stop.is_set():
        started = time.monotonic()
        ok = False
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        samples.append((started, time.monotonic() - started, ok))
        next_at += interval
        stop.wait(max(0.0, next_at - time.monotonic()))
    conn.close()
    out.send(samples)


class Health:
    """Polls `/healthz` at a fixed rate from a process of its own, so that neither this
    process's event loop nor its GIL delays the answers."""

    def __init__(self, port: int, per_second: float = 5) -> None:
        context = multiprocessing.get_context("spawn")
        self.stopping = context.Event()
        self._receive, send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_poll_health, args=(port, 1 / per_second, self.stopping, send), daemon=True
        )
        self.samples: list[tuple[float, float, bool]] = []

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        """Stop polling and collect the samples."""
        if self.process.is_alive():
            self.stopping.set()
            if self._receive.poll(30):
                self.samples = self._receive.recv()
            self.process.join(5)

    def between(self, start: float, end: float) -> list[tuple[float, float, bool]]:
        return [s for s in self.samples if start <= s[0] < end]


@dataclass
class Sampled:
    """RSS and the queue gauges over time."""

    rows: list[dict[str, float]] = field(default_factory=list)

    async def sample(self, http: aiohttp.ClientSession, server: Server, t0: float) -> None:
        row = {"t": time.monotonic() - t0, "rss_mb": server.rss_mb()}
        try:
            values = await metrics(http, server.base)
        except (aiohttp.ClientError, TimeoutError):
            values = {}
        for name in (
            "kudos_inbox_backlog",
            "kudos_inbox_oldest_age_seconds",
            "kudos_outbox_backlog",
        ):
            found = [v for k, v in values.items() if k.split("{")[0] == name]
            row[name] = max(found) if found else -1
        self.rows.append(row)


async def traffic(
    http: aiohttp.ClientSession, server: Server, mix: Mix, rate: float, seconds: float
) -> tuple[list[Sent], float]:
    """Send the mix at `rate` for `seconds`, open loop; (what was sent, seconds it took)."""
    sent: list[Sent] = []

    async def one(item: Sent) -> None:
        status, _ = await send(http, server.base, mix.requests, item.request)
        item.status, item.latency = status, time.perf_counter() - item.planned

    tasks = []
    started = time.perf_counter()
    for i in range(int(rate * seconds)):
        planned = started + i / rate
        delay = planned - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        item = Sent(mix.next(), planned)
        sent.append(item)
        tasks.append(asyncio.create_task(one(item)))
    await asyncio.gather(*tasks)
    return sent, time.perf_counter() - started


PENDING = (
    "SELECT (SELECT count(*) FROM inbox WHERE state = 'pending') + "
    "(SELECT count(*) FROM outbox WHERE state = 'pending')"
)


async def drain(url: str, within: float) -> float:
    """Seconds until no inbox or outbox row is pending (at most `within`)."""
    started = time.perf_counter()
    while time.perf_counter() - started < within:
        if (await query(url, PENDING))[0][0] == 0:
            return time.perf_counter() - started
        await asyncio.sleep(0.25)
    return float("inf")


async def outcome(url: str, sent: list[Sent]) -> dict[str, int]:
    """What became of the requests: answered, and for those that should be recorded, their
    inbox row's final state."""
    states = dict(await query(url, "SELECT delivery_key, state FROM inbox"))
    counts: Counter[str] = Counter()
    for item in sent:
        counts["sent"] += 1
        if not item.acked:
            counts["not acked"] += 1
            continue
        counts["acked"] += 1
        if item.request.kind == "chatter":
            counts["acked (not kudos, no row)"] += 1
            continue
        state = states.get(item.request.key)
        counts[f"inbox {state}" if state else "acked, no inbox row"] += 1
    counts["dropped"] = (
        counts["not acked"] + counts["acked, no inbox row"] + counts["inbox pending"]
    )
    return dict(counts)


def latency_row(sent: list[Sent], seconds: float, window: tuple[float, float]) -> dict[str, Any]:
    acks = [s.latency * 1000 for s in sent if s.acked]
    return {
        "achieved rps": len(sent) / seconds if seconds else 0,
        "ack p50 ms": percentile(acks, 50),
        "ack p99 ms": percentile(acks, 99),
        "ack max ms": max(acks, default=0),
        "kinds": dict(Counter(s.request.kind for s in sent)),
        "window": window,
    }


def health_row(health: list[tuple[float, float, bool]]) -> dict[str, Any]:
    checks = [h[1] * 1000 for h in health]
    return {
        "healthz checks": len(checks),
        "healthz p50 ms": percentile(checks, 50),
        "healthz p99 ms": percentile(checks, 99),
        "healthz max ms": max(checks, default=0),
        "healthz failed": sum(1 for h in health if not h[2]),
    }


async def bench(
    backend: str, kudos: str, rate: float, seconds: float, ramp: list[int], step: float
) -> dict[str, Any]:
    url = await empty_database(backend, "soak")
    log_dir = Path(tempfile.mkdtemp(prefix=f"kudos-soak-{backend}-"))
    result: dict[str, Any] = {"database": backend, "server": kudos, "logs": str(log_dir)}
    async with Fakes(PEOPLE) as fakes:
        server = Server(kudos, server_env(url, fakes), log_dir)
        await server.start()
        health = Health(server.port)
        try:
            requests = Requests(fakes)
            await raise_allowance(kudos, url, server, requests, False, ALLOWANCE)
            if not await has_table(url, "inbox"):
                raise SystemExit("this server has no inbox table: the soak checks need one")
            mix = Mix(requests, random.Random(5))
            connector = aiohttp.TCPConnector(limit=1024)
            timeout = aiohttp.ClientTimeout(total=30)
            async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
                warm = [
                    requests.command(slack_user(n), "balance", f"warm{n}", "balance")
                    for n in range(PEOPLE)
                ]
                await asyncio.gather(*(send(http, server.base, requests, r) for r in warm))
                await drain(url, 120)
                health.start()
                sampled = Sampled()
                t0 = time.monotonic()
                stop_sampling = asyncio.Event()

                async def sampler() -> None:
                    while not stop_sampling.is_set():
                        await sampled.sample(http, server, t0)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop_sampling.wait(), 5)

                sampling = asyncio.create_task(sampler())
                if seconds:
                    start = time.monotonic()
                    sent, took = await traffic(http, server, mix, rate, seconds)
                    end = time.monotonic()
                    drained = await drain(url, 300)
                    await sampled.sample(http, server, t0)
                    result["soak"] = {
                        "rate": rate,
                        "seconds": seconds,
                        **latency_row(sent, took, (start, end)),
                        **await outcome(url, sent),
                        "drain s": drained,
                        "samples": list(sampled.rows),
                    }
                steps = []
                for step_rate in ramp:
                    start = time.monotonic()
                    sent, took = await traffic(http, server, mix, step_rate, step)
                    end = time.monotonic()
                    drained = await drain(url, 90)
                    row = {
                        "rate": step_rate,
                        **latency_row(sent, took, (start, end)),
                        **await outcome(url, sent),
                        "drain s": drained,
                    }
                    steps.append(row)
                    print(
                        f"  ramp {step_rate}/s: dropped {row['dropped']}, ack p99 "
                        f"{row['ack p99 ms']:.1f} ms, drained in {drained:.1f} s",
                        flush=True,
                    )
                    if row["ack p99 ms"] > 10 * TARGET_MS or drained == float("inf"):
                        break
                result["ramp"] = steps
                stop_sampling.set()
                await sampling
            result["inbox states"] = dict(
                await query(url, "SELECT state, count(*) FROM inbox GROUP BY state")
            )
            result["outbox states"] = dict(
                await query(url, "SELECT state, count(*) FROM outbox GROUP BY state")
            )
            result["ledger verify"] = await verify_ledger(kudos, url)
        finally:
            await asyncio.to_thread(health.stop)
            for row in [result.get("soak"), *result.get("ramp", [])]:
                if row:
                    row.update(health_row(health.between(*row.pop("window"))))
            await server.stop()
            result["server log problems"] = server.problems()
            await drop(url)
    return result


def _step_line(row: dict[str, Any]) -> str:
    return (
        f"achieved {row['achieved rps']:.0f}/s, acked {row.get('acked', 0)}/{row['sent']}, "
        f"dropped {row['dropped']}, ack p50/p99/max {row['ack p50 ms']:.1f}/"
        f"{row['ack p99 ms']:.1f}/{row['ack max ms']:.0f} ms, /healthz p99 "
        f"{row['healthz p99 ms']:.1f} ms (failed {row['healthz failed']}), drained in "
        f"{row['drain s']:.1f} s"
    )


def report(result: dict[str, Any]) -> None:
    print(f"\n## {result['database']}: {result['server']}")
    soak = result.get("soak")
    if soak:
        print(f"soak at {soak['rate']:.0f}/s for {soak['seconds']:.0f} s: {_step_line(soak)}")
        print(
            f"requests {soak['sent']}, 2xx {soak.get('acked', 0)}, kinds {soak['kinds']}; inbox: "
            + ", ".join(f"{k} {v}" for k, v in soak.items() if k.startswith(("inbox", "acked")))
        )
        rows = soak["samples"]
        if rows:
            rss = [r["rss_mb"] for r in rows]
            print(
                f"RSS MB start/middle/end/max: {rss[0]:.0f} / {rss[len(rss) // 2]:.0f} / "
                f"{rss[-1]:.0f} / {max(rss):.0f}"
            )
            print("\n| t s | RSS MB | inbox backlog | oldest s | outbox backlog |")
            print("| ---: | ---: | ---: | ---: | ---: |")
            every = max(1, len(rows) // 10)
            for r in rows[::every] + ([rows[-1]] if (len(rows) - 1) % every else []):
                print(
                    f"| {r['t']:.0f} | {r['rss_mb']:.0f} | {r['kudos_inbox_backlog']:.0f} "
                    f"| {r['kudos_inbox_oldest_age_seconds']:.1f} "
                    f"| {r['kudos_outbox_backlog']:.0f} |"
                )
            print(
                f"max inbox backlog {max(r['kudos_inbox_backlog'] for r in rows):.0f}, max oldest "
                f"age {max(r['kudos_inbox_oldest_age_seconds'] for r in rows):.1f} s"
            )
    ramp = result.get("ramp") or []
    if ramp:
        print(
            "\n| rate | achieved | acked | dropped | ack p50 ms | ack p99 ms | ack max ms "
            "| /healthz p99 ms | drained in s |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in ramp:
            print(
                f"| {r['rate']} | {r['achieved rps']:.0f} | {r.get('acked', 0)}/{r['sent']} "
                f"| {r['dropped']} | {r['ack p50 ms']:.1f} | {r['ack p99 ms']:.1f} "
                f"| {r['ack max ms']:.0f} | {r['healthz p99 ms']:.1f} | {r['drain s']:.1f} |"
            )
        ok = [r["rate"] for r in ramp if not r["dropped"] and r["ack p99 ms"] < TARGET_MS]
        kept = [
            r["rate"]
            for r in ramp
            if not r["dropped"] and r["ack p99 ms"] < TARGET_MS and r["drain s"] < 5
        ]
        print(
            f"\nhighest rate with nothing dropped and ack p99 < {TARGET_MS:.0f} ms: "
            f"{max(ok) if ok else 'none'}/s; with the work keeping up too: "
            f"{max(kept) if kept else 'none'}/s"
        )
    print(f"inbox {result.get('inbox states')}, outbox {result.get('outbox states')}")
    print(f"kudos ledger verify: {result.get('ledger verify')}")
    problems = result["server log problems"]
    print(f"server logs ({result['logs']}): {sum(problems.values())} tracebacks/errors")
    for line, count in sorted(problems.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {count:5d} × {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--kudos", default=KUDOS, help="the kudos console script to run")
    parser.add_argument("--rate", type=float, default=100, help="soak requests per second")
    parser.add_argument("--seconds", type=float, default=240, help="soak seconds; 0 to skip")
    parser.add_argument("--ramp", default="100,150,200,300,400,500", help="rates; '' skips")
    parser.add_argument("--step", type=float, default=30, help="seconds per ramp step")
    parser.add_argument("--quick", action="store_true", help="20 s at the rate, no ramp")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.ramp = 20, ""
    ramp = [int(r) for r in args.ramp.split(",") if r]
    print(f"# {machine()}")
    results = []
    for backend in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        result = asyncio.run(bench(backend, args.kudos, args.rate, args.seconds, ramp, args.step))
        report(result)
        results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
