"""Pieces shared by the benchmarks that drive a real `kudos serve` process: a database nothing
has touched yet, the server process (started, killed, restarted, its log read back), the fake
Slack Web API and Bot Framework connector of the tests, signed Slack requests and Teams
activities built by the tests' own senders, and a few statistics.

The server may be another checkout's (`--kudos /other/tree/.venv/bin/kudos`): the database is
created empty and `kudos serve` upgrades it with its own migrations, so an older commit can be
measured with the same traffic and the same checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import asyncpg
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from benchmarks.ledger import PG_ADMIN
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.slack_api import Call, FakeSlack, token_for
from tests.fakes.slack_sender import SIGNING_SECRET, SlackSender
from tests.fakes.teams_sender import TENANT, activity, mention

KUDOS = str(Path(sys.executable).parent / "kudos")
TEAM = "T1"
CHANNEL = "C1"
TEAMS_CONVERSATION = "19:general-channel@thread.tacv2;messageid=1700000000000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# ---------------------------------------------------------------------- databases
async def empty_database(backend: str, tag: str) -> str:
    """A database URL with no schema yet: `kudos serve` upgrades it with its own migrations."""
    if backend == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="kudos-bench-")) / f"{tag}.db"
        return f"sqlite+aiosqlite:///{path}"
    name = f"kudos_bench_{tag}_{os.getpid()}"  # other checkouts may be benchmarking too
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


async def drop(url: str) -> None:
    """Drop a PostgreSQL database made by `empty_database` (SQLite files stay in /tmp)."""
    if url.startswith("postgresql"):
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        finally:
            await conn.close()


async def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one read-only query, straight from the database (not through the app)."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]

        def read() -> list[tuple[Any, ...]]:
            with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
                return [tuple(row) for row in conn.execute(sql).fetchall()]

        return await asyncio.to_thread(read)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return [tuple(row) for row in await conn.fetch(sql)]
    finally:
        await conn.close()


async def has_table(url: str, table: str) -> bool:
    if url.startswith("sqlite"):
        sql = f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
    else:
        sql = f"SELECT count(*) FROM information_schema.tables WHERE table_name = '{table}'"
    return bool((await query(url, sql))[0][0])


# ---------------------------------------------------------------------- the server
@dataclass
class Server:
    """`kudos serve` on loopback, its output in one log file per start."""

    kudos: str
    env: dict[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    starts: int = 0
    process: asyncio.subprocess.Process | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, within: float = 90) -> float:
        """Start it and wait for `/healthz`; returns the seconds that took."""
        self.starts += 1
        log = (self.log_dir / f"serve-{self.starts}.log").open("wb")
        started = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            self.kudos,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        async with aiohttp.ClientSession() as http:
            while time.perf_counter() - started < within:
                if self.process.returncode is not None:
                    raise RuntimeError(f"kudos serve exited: see {self.log_dir}")
                try:
                    async with http.get(f"{self.base}/healthz") as r:
                        if r.status == 200:
                            return time.perf_counter() - started
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"kudos serve did not answer /healthz: see {self.log_dir}")

    def kill9(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def wait(self) -> None:
        if self.process is not None:
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.kill9()
                await self.process.wait()

    def rss_mb(self) -> float:
        """The process's resident memory, from /proc."""
        if self.process is None:
            return 0.0
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def problems(self) -> dict[str, int]:
        """Tracebacks and ERROR lines in every log of this server, by their last line."""
        found: dict[str, int] = {}
        for path in sorted(self.log_dir.glob("serve-*.log")):
            lines = path.read_text(errors="replace").splitlines()
            for n, line in enumerate(lines):
                if line.startswith("Traceback"):
                    end = n + 1
                    while end < len(lines) and (
                        lines[end].startswith((" ", "\t")) or not lines[end].strip()
                    ):
                        end += 1
                    last = lines[end] if end < len(lines) else "?"
                    key = f"traceback: {last[:160]}"
                    found[key] = found.get(key, 0) + 1
                elif " ERROR " in line or line.startswith("ERROR"):
                    key = "error: " + re.sub(r"\d+", "N", line.split("ERROR", 1)[1].strip())[:160]
                    found[key] = found.get(key, 0) + 1
        return found


def server_env(url: str, fakes: Fakes, *, log_level: str = "WARNING") -> dict[str, str]:
    """The environment of a `kudos serve` talking to the fakes: Slack over HTTP, Teams in the
    Emulator's unauthenticated mode (development, no MICROSOFT_APP_ID)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MICROSOFT_", "KUDOS_", "TEAMS_", "DATABASE_"))
    }
    return {
        **env,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": token_for(TEAM),
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fakes.slack.url,
        "KUDOS_ENV": "development",
        "LOG_LEVEL": log_level,
    }


async def cli(kudos: str, url: str, *args: str) -> tuple[int, str]:
    """Run a `kudos` command against the database; (exit code, output)."""
    process = await asyncio.create_subprocess_exec(
        kudos,
        "--database-url",
        url,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode(errors="replace")


async def raise_allowance(
    kudos: str, url: str, server: Server, requests: Requests, teams: bool, allowance: int
) -> None:
    """Give everyone `allowance` points a week in the benchmark's workspaces. The CLI never
    creates a workspace, so one request per platform makes each exist first (a learning
    shared with `til`, which moves no points), then `settings set` is retried until the worker has
    recorded it."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        first = [requests.command(slack_user(0), "til benchmarks need a workspace", "setup", "til")]
        if teams:
            first.append(
                requests.teams_text(teams_user(0), "til benchmarks need a tenant", "setup")
            )
        for request in first:
            await send(http, server.base, requests, request)
    workspaces = [(TEAM, "slack")] + ([(TENANT, "teams")] if teams else [])
    for workspace, kind in workspaces:
        deadline = time.monotonic() + 30
        while True:
            code, out = await cli(
                kudos, url, "settings", "set", "--workspace", workspace,
                "--platform", kind, f"allowance_amount={allowance}",
            )  # fmt: skip
            if code == 0:
                break
            if time.monotonic() > deadline:
                raise AssertionError(out)
            await asyncio.sleep(0.2)


async def verify_ledger(kudos: str, url: str) -> str:
    """`kudos ledger verify`'s verdict: its exit code and its last line."""
    code, out = await cli(kudos, url, "ledger", "verify")
    lines = [line for line in out.strip().splitlines() if line.strip()]
    return f"exit {code}: {lines[-1] if lines else ''}"


async def metrics(http: aiohttp.ClientSession, base: str) -> dict[str, float]:
    """`/metrics` as {'name{labels}': value}."""
    async with http.get(f"{base}/metrics") as r:
        text = await r.text()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            with contextlib.suppress(ValueError):
                values[name] = float(value)
    return values


# ---------------------------------------------------------------------- the fakes
class KeyedFakeSlack(FakeSlack):
    """The tests' fake Slack, which also notes which `response_url` each answer went to (as
    `_key` among the call's parameters)."""

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        params["_key"] = request.match_info["id"]
        await self._record(Call("response_url", params, None))
        return web.json_response({"ok": True})


class Fakes:
    """The fake Slack Web API (one workspace, its people) and the fake Teams connector."""

    def __init__(self, people: int) -> None:
        self.slack = KeyedFakeSlack()
        self.connector = FakeConnector()
        self.people = people

    async def __aenter__(self) -> Fakes:
        await self.slack.start()
        await self.connector.start()
        self.slack.team(TEAM, "Acme")
        for n in range(self.people):
            self.slack.user(TEAM, slack_user(n), f"Person {n}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.slack.stop()
        await self.connector.stop()


def slack_user(n: int) -> str:
    return f"U{n:04d}"


def teams_user(n: int) -> dict[str, str]:
    return {"id": f"29:1p{n:04d}-AAD", "name": f"Teams Person {n}", "aadObjectId": f"aad-{n}"}


# ---------------------------------------------------------------------- requests
_stamps = itertools.count(1)


def unique_ts() -> str:
    """A Slack message timestamp no other message of this run has."""
    return f"{int(time.time())}.{next(_stamps):06d}"


@dataclass
class Request:
    """One request as sent: where, what, and the key its effect is recorded under."""

    path: str
    body: bytes
    content_type: str
    key: str = ""
    kind: str = ""
    info: dict[str, Any] = field(default_factory=dict)


class Requests:
    """Signed Slack requests and Teams activities, built by the tests' own senders."""

    def __init__(self, fakes: Fakes) -> None:
        self.fakes = fakes
        self.slack = SlackSender(None, "", fakes.slack)  # type: ignore[arg-type]  # bodies only
        self.signer = SignatureVerifier(SIGNING_SECRET)

    def headers(self, request: Request) -> dict[str, str]:
        headers = {"Content-Type": request.content_type}
        if request.path == "/slack/events":
            ts = str(int(time.time()))
            headers["X-Slack-Request-Timestamp"] = ts
            headers["X-Slack-Signature"] = self.signer.generate_signature(
                timestamp=ts, body=request.body
            )
        return headers

    def command(self, user: str, text: str, trigger_id: str, kind: str = "command") -> Request:
        body = self.slack.command_body(text, user=user, team=TEAM, trigger_id=trigger_id)
        response_url = parse_qs(body)["response_url"][0]
        return Request(
            "/slack/events",
            body.encode(),
            "application/x-www-form-urlencoded",
            key=f"slack:{TEAM}:cmd:{trigger_id}",
            kind=kind,
            info={"response_key": response_url.rsplit("/", 1)[1]},
        )

    def event(self, event: dict[str, Any], key: str, kind: str) -> Request:
        body = self.slack.event_body(event, team=TEAM)
        return Request("/slack/events", body.encode(), "application/json", key=key, kind=kind)

    def message(self, user: str, text: str, ts: str, kind: str = "message") -> Request:
        event = {
            "type": "message",
            "channel": CHANNEL,
            "user": user,
            "text": text,
            "ts": ts,
            "team": TEAM,
            "channel_type": "channel",
            "client_msg_id": f"c{ts}",
        }
        return self.event(event, f"slack:{TEAM}:msg:{CHANNEL}:{ts}", kind)

    def edit(self, user: str, ts: str, old: str, new: str, edited_ts: str) -> Request:
        event = {
            "type": "message",
            "subtype": "message_changed",
            "channel": CHANNEL,
            "hidden": True,
            "ts": edited_ts,
            "message": {
                "type": "message",
                "user": user,
                "text": new,
                "ts": ts,
                "edited": {"user": user, "ts": edited_ts},
            },
            "previous_message": {"type": "message", "user": user, "text": old, "ts": ts},
        }
        return self.event(event, f"slack:{TEAM}:msg:{CHANNEL}:{ts}:edit:{edited_ts}", "edit")

    def delete(self, user: str, ts: str, old: str) -> Request:
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "channel": CHANNEL,
            "hidden": True,
            "deleted_ts": ts,
            "ts": unique_ts(),
            "previous_message": {"type": "message", "user": user, "text": old, "ts": ts},
        }
        return self.event(event, f"slack:{TEAM}:msg:{CHANNEL}:{ts}:deleted", "delete")

    def reaction(self, reactor: str, author: str, ts: str, emoji: str = "clap") -> Request:
        reaction_ts = unique_ts()
        event = {
            "type": "reaction_added",
            "user": reactor,
            "reaction": emoji,
            "item_user": author,
            "item": {"type": "message", "channel": CHANNEL, "ts": ts},
            "event_ts": reaction_ts,
        }
        ref = f"{CHANNEL}:{ts}:reaction:{reactor}:{emoji}"
        return self.event(event, f"slack:{TEAM}:{ref}:{reaction_ts}", "reaction")

    def teams_text(self, sender: dict[str, str], text: str, activity_id: str) -> Request:
        body = activity(self.fakes.connector.url, text, sender=sender, activity_id=activity_id)
        return Request(
            "/api/messages",
            json.dumps(body).encode(),
            "application/json",
            key=f"teams:{TENANT}:{TEAMS_CONVERSATION}:{activity_id}",
            kind="teams",
        )

    def teams_kudos(
        self, sender: dict[str, str], recipient: dict[str, str], text: str, activity_id: str
    ) -> Request:
        body = activity(
            self.fakes.connector.url,
            f"kudos {mention(recipient)[0]} {text}",
            sender=sender,
            mentions=[recipient],
            activity_id=activity_id,
        )
        return Request(
            "/api/messages",
            json.dumps(body).encode(),
            "application/json",
            key=f"teams:{TENANT}:{TEAMS_CONVERSATION}:{activity_id}",
            kind="teams",
        )


async def send(
    http: aiohttp.ClientSession, base: str, requests: Requests, request: Request
) -> tuple[int, float]:
    """Post one request; (HTTP status or 0 for a connection error, seconds to the answer)."""
    started = time.perf_counter()
    try:
        async with http.post(
            base + request.path, data=request.body, headers=requests.headers(request)
        ) as r:
            await r.read()
            return r.status, time.perf_counter() - started
    except (aiohttp.ClientError, OSError, TimeoutError):
        return 0, time.perf_counter() - started


def machine() -> str:
    """The machine, as benchmarks/README.md records it."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (line.split(":", 1)[1].strip() for line in out.splitlines() if "Model name" in line),
            model,
        )
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    psql = shutil.which("psql") or "psql"
    postgres = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        postgres = subprocess.run(
            [psql, PG_ADMIN, "-tAc", "SHOW server_version"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    return (
        f"{model}, {os.cpu_count()} cores, {ram:.0f} GiB RAM, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL {postgres}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}"
    )
