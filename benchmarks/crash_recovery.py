"""Crash benchmark: a real `kudos serve` under steady signed Slack and Teams kudos, killed with
`kill -9` several times (some right after an ack, some at random moments) and restarted on the
same database; then it drains, and every acknowledged request is looked for in the ledger.

    .venv/bin/python -m benchmarks.crash_recovery                       # SQLite, then PostgreSQL
    .venv/bin/python -m benchmarks.crash_recovery --database postgres --rate 60 --seconds 90
    .venv/bin/python -m benchmarks.crash_recovery --quick               # a 20-second smoke run
    .venv/bin/python -m benchmarks.crash_recovery --kudos /work/wt/bench-old/.venv/bin/kudos

The traffic: `/kudos <@U…> N for …` slash commands (each with its own trigger_id), channel
messages `+N <@U…> for …`, and Teams `kudos <at>…</at> N for …` activities (each with its own
id, Teams in its unauthenticated Emulator mode, replies going to the fake connector). Every
request's reason carries a unique token, so a kudos row is traced back to its request whatever
key it was stored under. The allowance is raised first, so no give is refused.

It reports, per kind of request: sent, acknowledged (HTTP 2xx), acknowledged but lost (no kudos
row with its idempotency key after draining), counted twice (more than one kudos for a request,
an amount or recipient that differs from the request, or a balance that differs from the sum of
what was given), replies sent twice (the same message to the same place more than once, in the
fake Slack and the fake connector), replies missing, and `kudos ledger verify`; then the
tracebacks and ERROR lines of the server's logs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import tempfile
import time
from collections import Counter, defaultdict
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
    query,
    raise_allowance,
    send,
    server_env,
    slack_user,
    teams_user,
    unique_ts,
    verify_ledger,
)

SLACK_PEOPLE = 200
TEAMS_PEOPLE = 50
ALLOWANCE = 10_000_000
TOKEN = re.compile(r"ck\d{7}x")


@dataclass
class Sent:
    """A give as sent, and what became of its HTTP request."""

    request: Request
    token: str
    giver: str
    recipient: str
    amount: int
    status: int = -1
    latency: float = 0.0

    @property
    def acked(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Run:
    sent: list[Sent] = field(default_factory=list)
    kills: list[str] = field(default_factory=list)
    restarts: list[float] = field(default_factory=list)


class Traffic:
    """Gives at a steady rate, each with a unique token in its reason."""

    def __init__(self, requests: Requests, teams: bool, rng: random.Random) -> None:
        self.requests, self.teams, self.rng = requests, teams, rng
        self.n = 0

    def next(self) -> Sent:
        self.n += 1
        token = f"ck{self.n:07d}x"
        amount = self.rng.randint(1, 3)
        roll = self.rng.random()
        if self.teams and roll < 0.2:
            giver, recipient = (teams_user(n) for n in self.rng.sample(range(TEAMS_PEOPLE), 2))
            request = self.requests.teams_kudos(
                giver, recipient, f"{amount} for crash test {token}", f"crash-{token}"
            )
            return Sent(request, token, giver["id"], recipient["id"], amount)
        giver_id, recipient_id = (slack_user(n) for n in self.rng.sample(range(SLACK_PEOPLE), 2))
        if roll < 0.6:
            text = f"<@{recipient_id}> {amount} for crash test {token}"
            request = self.requests.command(giver_id, text, f"{self.n}.{time.time_ns()}.crash")
        else:
            text = f"+{amount} <@{recipient_id}> for crash test {token}"
            request = self.requests.message(giver_id, text, unique_ts())
        return Sent(request, token, giver_id, recipient_id, amount)


async def drive(
    server: Server,
    requests: Requests,
    traffic: Traffic,
    rate: float,
    seconds: float,
    kills: int,
    rng: random.Random,
) -> Run:
    """Send at `rate` for `seconds` while killing and restarting the server `kills` times."""
    run = Run()
    armed = asyncio.Event()
    killed = asyncio.Event()
    window = seconds * 0.8  # the last fifth runs undisturbed after the last restart
    moments = sorted(
        window * (k + rng.uniform(0.25, 0.75)) / kills for k in range(kills)
    )  # one kill in each slot of the window

    async def one(http: aiohttp.ClientSession, item: Sent) -> None:
        item.status, item.latency = await send(http, server.base, requests, item.request)
        if item.acked and armed.is_set():
            armed.clear()
            server.kill9()  # right after this ack reached us
            run.kills.append(f"after the ack of {item.request.kind} {item.token}")
            killed.set()

    async def killer(started: float) -> None:
        for k, moment in enumerate(moments):
            await asyncio.sleep(max(0.0, started + moment - time.perf_counter()))
            if k % 2 == 0:
                armed.set()
                await killed.wait()
                killed.clear()
            else:
                server.kill9()
                run.kills.append(f"at a random moment ({moment:.1f} s)")
            await server.wait()
            run.restarts.append(await server.start())

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=256), timeout=timeout
    ) as http:
        started = time.perf_counter()
        kill_task = asyncio.create_task(killer(started))
        tasks = []
        for i in range(int(rate * seconds)):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            item = traffic.next()
            run.sent.append(item)
            tasks.append(asyncio.create_task(one(http, item)))
        await asyncio.gather(*tasks)
        await kill_task
    return run


async def drain(url: str, fakes: Fakes, within: float) -> float:
    """Wait until the work is done: no pending inbox or outbox row and no new reply for 2 s
    (or, on a commit without those tables, no new kudos and no new reply for 10 s); returns
    the seconds waited."""
    started = time.perf_counter()
    durable = await has_table(url, "inbox")
    quiet_since, last = time.perf_counter(), (-1, -1)
    while time.perf_counter() - started < within:
        replies = len(fakes.slack.calls) + len(fakes.connector.sent)
        if durable:
            pending = (await query(url, PENDING))[0][0]
            now = (pending, replies)
            done = pending == 0 and now == last and time.perf_counter() - quiet_since > 2
        else:
            now = ((await query(url, "SELECT count(*) FROM kudos"))[0][0], replies)
            done = now == last and time.perf_counter() - quiet_since > 10
        if done:
            return time.perf_counter() - started
        if now != last:
            quiet_since, last = time.perf_counter(), now
        await asyncio.sleep(0.5)
    return time.perf_counter() - started


PENDING = (
    "SELECT (SELECT count(*) FROM inbox WHERE state = 'pending') + "
    "(SELECT count(*) FROM outbox WHERE state = 'pending')"
)


def _content(params: dict[str, Any]) -> str:
    return json.dumps({k: params.get(k) for k in ("text", "blocks")}, sort_keys=True)


def replies_twice(fakes: Fakes) -> tuple[int, list[str]]:
    """Messages that reached the same place with the same content more than once."""
    seen: Counter[str] = Counter()
    for call in fakes.slack.calls:
        if call.method in {"response_url", "chat.postMessage", "chat.postEphemeral"}:
            where = (
                call.params.get("_key")
                or f"{call.params.get('channel')}/{call.params.get('user')}"
                f"/{call.params.get('thread_ts')}"
            )
            seen[f"slack {call.method} {where} {_content(call.params)}"] += 1
    for reply in fakes.connector.sent:
        body = {k: reply.activity.get(k) for k in ("text", "attachments")}
        seen[f"teams {reply.conversation} {reply.reply_to} {json.dumps(body)}"] += 1
    twice = {k: n for k, n in seen.items() if n > 1}
    return sum(n - 1 for n in twice.values()), [k[:200] for k in list(twice)[:5]]


def replies_per_request(fakes: Fakes) -> dict[str, Counter[str]]:
    """Replies per request token (the token is in every public post and DM), plus the
    response_url answers and Teams replies by the key of the request they answer."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for call in fakes.slack.calls:
        if call.method == "response_url":
            found[f"response:{call.params.get('_key')}"]["response_url"] += 1
        for token in set(TOKEN.findall(_content(call.params))):
            target = "dm" if str(call.params.get("channel", "")).startswith("U") else "channel"
            found[token][f"{call.method} {target}"] += 1
    for reply in fakes.connector.sent:
        found[f"teams:{reply.reply_to}"]["teams reply"] += 1
    return found


async def check(url: str, kudos: str, run: Run, fakes: Fakes) -> dict[str, Any]:
    """Compare what was acknowledged with what the database holds after draining."""
    rows = await query(
        url,
        "SELECT k.idempotency_key, k.reason, k.amount_each, k.reversed_at, m.external_id "
        "FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id "
        "JOIN members m ON m.id = r.member_id",
    )
    by_key: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    by_token: Counter[str] = Counter()
    for row in rows:
        by_key[row[0]].append(row)
        for token in set(TOKEN.findall(row[1] or "")):
            by_token[token] += 1
    balances = {
        (member, kind): int(balance)
        for member, kind, balance in await query(
            url,
            "SELECT m.external_id, a.kind, a.balance FROM accounts a "
            "JOIN members m ON m.id = a.member_id WHERE a.kind IN ('earned', 'allowance')",
        )
    }
    replies = replies_per_request(fakes)
    earned: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    stats: dict[str, Counter[str]] = defaultdict(Counter)
    for item in run.sent:
        kind = item.request.kind
        s = stats[kind]
        s["sent"] += 1
        s["acked"] += item.acked
        s["connection errors"] += item.status == 0
        s["other answers"] += item.status not in (0,) and not item.acked
        found = by_key.get(item.request.key, [])
        if found:
            earned[item.recipient] += item.amount
            spent[item.giver] += item.amount
            if len(found) != 1 or found[0][2] != item.amount or found[0][4] != item.recipient:
                s["counted twice"] += 1
            if by_token[item.token] > 1:
                s["counted twice"] += 1
            if kind == "command":
                got = replies[f"response:{item.request.info['response_key']}"]["response_url"]
                s["replies missing"] += got < 2
            elif kind == "message":
                s["replies missing"] += replies[item.token]["chat.postMessage channel"] < 1
            else:
                s["replies missing"] += replies[f"teams:crash-{item.token}"]["teams reply"] < 2
            if kind != "teams":
                s["replies missing"] += replies[item.token]["chat.postMessage dm"] < 1
        elif item.acked:
            s["acked but lost"] += 1
        if found and not item.acked:
            s["not acked, done anyway"] += 1
    mismatched = sum(
        balances.get((member, "earned"), 0) != points for member, points in earned.items()
    ) + sum(
        balances.get((member, "allowance"), ALLOWANCE) != ALLOWANCE - points
        for member, points in spent.items()
    )
    sent_keys = {item.request.key for item in run.sent}
    twice, examples = replies_twice(fakes)
    states: dict[str, Any] = {}
    if await has_table(url, "inbox"):
        for table in ("inbox", "outbox"):
            states[table] = dict(
                await query(url, f"SELECT state, count(*) FROM {table} GROUP BY state")
            )
    return {
        "by kind": {kind: dict(s) for kind, s in sorted(stats.items())},
        "balances not matching": mismatched,
        "kudos not sent by us": sum(1 for key in by_key if key not in sent_keys),
        "replies sent twice": twice,
        "examples of replies sent twice": examples,
        "queues": states,
        "ledger verify": await verify_ledger(kudos, url),
    }


async def bench(
    backend: str, kudos: str, rate: float, seconds: float, kills: int, teams: bool, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    url = await empty_database(backend, "crash")
    log_dir = Path(tempfile.mkdtemp(prefix=f"kudos-crash-{backend}-"))
    async with Fakes(SLACK_PEOPLE) as fakes:
        for n in range(TEAMS_PEOPLE):
            fakes.connector.members.append(teams_user(n))
        server = Server(kudos, server_env(url, fakes), log_dir)
        try:
            await server.start()
            requests = Requests(fakes)
            await raise_allowance(kudos, url, server, requests, teams, ALLOWANCE)
            traffic = Traffic(requests, teams, rng)
            started = time.perf_counter()
            run = await drive(server, requests, traffic, rate, seconds, kills, rng)
            traffic_s = time.perf_counter() - started
            drained = await drain(url, fakes, within=600)
            result = await check(url, kudos, run, fakes)
            result.update(
                {
                    "database": backend,
                    "server": kudos,
                    "rate": rate,
                    "traffic s": round(traffic_s, 1),
                    "drain s": round(drained, 1),
                    "kills": run.kills,
                    "restart s": [round(s, 1) for s in run.restarts],
                    "server log problems": server.problems(),
                    "logs": str(log_dir),
                }
            )
            return result
        finally:
            await server.stop()
            await drop(url)


def report(result: dict[str, Any]) -> None:
    print(f"\n## {result['database']}: {result['server']}")
    print(
        f"{result['rate']:.0f} requests/s for {result['traffic s']} s, drained in "
        f"{result['drain s']} s; restarts took {result['restart s']} s"
    )
    for kill in result["kills"]:
        print(f"- kill -9 {kill}")
    columns = [
        "sent",
        "acked",
        "acked but lost",
        "counted twice",
        "replies missing",
        "not acked, done anyway",
        "connection errors",
        "other answers",
    ]
    print("\n| kind | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    total: Counter[str] = Counter()
    for kind, s in result["by kind"].items():
        total.update(s)
        print(f"| {kind} | " + " | ".join(str(s.get(c, 0)) for c in columns) + " |")
    print("| **all** | " + " | ".join(f"**{total.get(c, 0)}**" for c in columns) + " |")
    print(
        f"\nbalances not matching: {result['balances not matching']}; kudos not sent by us: "
        f"{result['kudos not sent by us']}; replies sent twice: {result['replies sent twice']}"
    )
    for example in result["examples of replies sent twice"]:
        print(f"  twice: {example}")
    if result["queues"]:
        print(f"queues after draining: {result['queues']}")
    print(f"kudos ledger verify: {result['ledger verify']}")
    problems = result["server log problems"]
    print(f"server logs ({result['logs']}): {sum(problems.values())} tracebacks/errors")
    for line, count in sorted(problems.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {count:5d} × {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--kudos", default=KUDOS, help="the kudos console script to run")
    parser.add_argument("--rate", type=float, default=100, help="requests per second")
    parser.add_argument("--seconds", type=float, default=75, help="seconds of traffic")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--no-teams", action="store_true", help="Slack requests only")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="20 s, 2 kills: a smoke run")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.kills = 20, 2
    print(f"# {machine()}")
    results = []
    for backend in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        result = asyncio.run(
            bench(
                backend,
                args.kudos,
                args.rate,
                args.seconds,
                args.kills,
                not args.no_teams,
                args.seed,
            )
        )
        report(result)
        results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
