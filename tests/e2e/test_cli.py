"""The `kudos` command as a user runs it: a real process, a real SQLite file or PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.bootstrap import build
from bot.config import Settings
from bot.domain.model import WorkspaceRef
from bot.services.workspaces import open_workspace
from tests.adapters.conftest import people
from tests.adapters.test_teams_manifest import schema_errors
from tests.fakes.bot_connector import FakeConnector
from tests.fakes.slack_api import FakeSlack, token_for
from tests.fakes.slack_sender import SIGNING_SECRET, SlackSender
from tests.fakes.teams_sender import RAJ, activity, mention

KUDOS = str(Path(sys.executable).parent / "kudos")


def kudos(
    *args: str,
    url: str,
    stdin: str = "",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [KUDOS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.fixture
def url(database_url: str) -> str:
    return database_url


def test_chat_from_a_pipe_then_balance_and_top_as_json(url: str) -> None:
    chat = kudos(
        "chat",
        "--as",
        "ana",
        url=url,
        stdin=(
            "@bob 5 for teaching me SQL #learning\n"
            "@bob @carol 10: pairing on the flaky test\n"
            "@ana 5\n"
            "@bob 500\n"
            "@bob -3\n"
            "@Bob ++\n"
        ),
    )
    assert chat.returncode == 0, chat.stderr
    lines = chat.stdout.splitlines()
    assert lines[:3] == ["🎉 ana gave bob 5 points", "“teaching me SQL”", "#learning"]
    assert "gave bob and carol 10 points each\n“pairing on the flaky test”" in chat.stdout
    assert "can't give them to yourself" in chat.stdout
    assert "500 isn't a valid amount" in chat.stdout
    assert "-3 isn't an amount I can give" in chat.stdout
    assert "ana gave bob 1 point" in chat.stdout

    balance = kudos("balance", "--workspace", "local", "--user", "ana", "--json", url=url)
    assert json.loads(balance.stdout) == {
        "platform": "console",
        "workspace": "local",
        "user": "ana",
        "allowance_left": 74,
        "earned": 0,
    }
    bob = json.loads(
        kudos("balance", "--workspace", "local", "--user", "bob", "--json", url=url).stdout
    )
    assert (bob["allowance_left"], bob["earned"]) == (100, 16)

    top = kudos("top", "--workspace", "local", "--period", "week", "--json", url=url)
    assert json.loads(top.stdout) == [
        {"rank": 1, "user": "bob", "display_name": "bob", "points": 16},
        {"rank": 2, "user": "carol", "display_name": "carol", "points": 10},
    ]
    learning = kudos("top", "--workspace", "local", "--tag", "#learning", "--json", url=url)
    assert [row["points"] for row in json.loads(learning.stdout)] == [5]

    people = kudos("top", "--workspace", "local", url=url)
    assert "bob" in people.stdout and "Rank" in people.stdout

    verify = kudos("ledger", "verify", url=url)
    assert verify.returncode == 0 and "clean" in verify.stdout


def workspaces(url: str) -> list[tuple[str, str]]:
    """(platform, id) of every workspace in the database."""

    async def read() -> list[tuple[str, str]]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT platform, external_id FROM workspaces"))
            found = sorted((row.platform, row.external_id) for row in rows)
        await engine.dispose()
        return found

    return asyncio.run(read())


def seed_workspace(url: str, platform: str, external_id: str) -> None:
    """A Slack or Teams workspace, as its first message makes it (no CLI command does)."""

    async def seed() -> None:
        app = await build(Settings(DATABASE_URL=url), migrate=False)
        await open_workspace(app.services, WorkspaceRef(platform, external_id))
        await app.close()

    asyncio.run(seed())


def test_unknown_workspace_and_user_are_friendly_errors(url: str) -> None:
    kudos("chat", "--as", "ana", url=url, stdin="@bob 1\n")
    missing = kudos("balance", "--workspace", "nowhere", "--user", "ana", "--json", url=url)
    assert missing.returncode == 1
    assert "don't know a workspace called 'nowhere'" in missing.stderr
    stranger = kudos("balance", "--workspace", "local", "--user", "zed", url=url)
    assert stranger.returncode == 1 and "zed" in stranger.stderr
    typo = kudos("admins", "add", "--workspace", "nosuch", "--user", "ana", url=url)
    assert typo.returncode == 1
    assert typo.stderr == "kudos: I don't know a workspace called 'nosuch' yet.\n"
    assert workspaces(url) == [("console", "local")]
    assert "Traceback" not in missing.stderr + stranger.stderr


def test_a_reader_that_stops_reading_is_not_an_error(sqlite_url: str) -> None:
    """`kudos … | head -1`: the command stops quietly with status 0, like other Unix tools."""
    url = sqlite_url
    kudos("chat", "--as", "ana", url=url, stdin="@bob 5 for the review\n")
    kudos("settings", "set", "--workspace", "local", "max_amount=20", url=url)
    env = {**os.environ, "DATABASE_URL": url, "NO_COLOR": "1"}

    def run(*args: str, stdin: str = "", first_line: bool = False) -> tuple[int, str, bytes]:
        proc = subprocess.Popen(
            [KUDOS, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdin and proc.stdout and proc.stderr
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
        line = proc.stdout.readline() if first_line else b""
        proc.stdout.close()  # the reader leaves: the next write meets a closed pipe
        err = proc.stderr.read().decode()
        return proc.wait(timeout=60), err, line

    for args in (
        ("audit", "--workspace", "local"),
        ("export", "--workspace", "local", "--what", "ledger"),
        ("export", "--workspace", "local", "--what", "kudos", "--format", "json"),
        ("top", "--workspace", "local"),
    ):
        assert run(*args)[:2] == (0, ""), args
    # More than a pipe holds, read up to the first line only: exactly `| head -1`.
    status, err, line = run("chat", "--as", "ana", stdin="help\n" * 3000, first_line=True)
    assert (status, err) == (0, "")
    assert line.startswith(b"How to use Kudos")


def test_ledger_verify_reports_drift_and_exits_non_zero(url: str) -> None:
    kudos("chat", "--as", "ana", url=url, stdin="@bob 5\n")

    async def tamper() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE accounts SET balance = balance + 7 WHERE kind = 'earned'"
                    " AND balance > 0"
                )
            )
        await engine.dispose()

    asyncio.run(tamper())
    report = kudos("ledger", "verify", "--json", url=url)
    assert report.returncode == 1
    data = json.loads(report.stdout)
    assert data["clean"] is False
    assert {"cached": 12, "computed": 5} in [
        {k: d[k] for k in ("cached", "computed")} for d in data["drifts"]
    ]


def test_chat_upgrades_a_brand_new_sqlite_file(tmp_path: Path) -> None:
    result = kudos("chat", "--as", "ana", url="sqlite:///kudos.db", stdin="balance\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ana: 100 points left to give" in result.stdout
    assert (tmp_path / "kudos.db").exists()


def test_bad_database_url_is_a_configuration_error(tmp_path: Path) -> None:
    result = kudos("balance", "--workspace", "w", "--user", "u", url="mysql://nope", cwd=tmp_path)
    assert result.returncode == 2
    assert "DATABASE_URL must be" in result.stderr


def test_mistakes_at_the_command_line_get_one_sentence_not_a_traceback(
    sqlite_url: str, tmp_path: Path
) -> None:
    url = sqlite_url
    kudos("chat", "--as", "ana", url=url, stdin="@bob 5\n")
    seed_workspace(url, "slack", "T0123")
    missing_dir = f"sqlite:///{tmp_path}/no/such/dir/k.db"
    for args, db, status, said in (
        (
            ("export", "--workspace", "local", "--what", "kudos", "--out", "/nonexistent/x.csv"),
            url,
            2,
            "kudos: could not use /nonexistent/x.csv: No such file or directory.",
        ),
        (
            ("post", "leaderboard", "--workspace", "local", "--channel", "C1"),
            url,
            1,
            "kudos: The console has no channels to post in: preview with --dry-run.",
        ),
        (
            ("post", "leaderboard", "--workspace", "T0123", "--channel", "C1"),
            url,
            1,
            "kudos: Slack isn't configured on this server, so I can't post there: set its "
            "credentials, or preview with --dry-run.",
        ),
        (
            ("db", "upgrade", "nonsense"),
            url,
            2,
            "kudos: Can't locate revision identified by 'nonsense'.",
        ),
        (
            ("chat", "--as", "ana"),
            missing_dir,
            2,
            f"kudos: could not use {tmp_path}/no/such/dir: the SQLite database's directory "
            "does not exist.",
        ),
        (("serve", "--port", "70000"), url, 2, "'70000' is not a port from 1 to 65535"),
    ):
        done = kudos(*args, url=db)
        assert done.returncode == status, (args, done.stderr)
        assert done.stderr.strip().splitlines()[-1].endswith(said), args


def test_production_needs_chat_credentials_and_slack_oauth_alone_will_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/k.db"
    bare = kudos("ledger", "verify", url=url, env={"KUDOS_ENV": "production"})
    assert bare.returncode == 2
    assert bare.stderr.startswith("kudos: configuration error: KUDOS_ENV=production needs chat")
    assert bare.stderr.count("\n") == 1 and "pydantic" not in bare.stderr
    oauth = {
        "KUDOS_ENV": "production",
        "KUDOS_SESSION_SECRET": "kP3v9QyX1bZr7LwT2nHc8fJd5sGm4aEu6Ro0",
        "SLACK_CLIENT_ID": "123.456",
        "SLACK_CLIENT_SECRET": "secret",
        "SLACK_SIGNING_SECRET": "signing",
    }
    assert kudos("db", "upgrade", url=url, env=oauth).returncode == 0
    started = kudos("ledger", "verify", url=url, env=oauth)
    assert started.returncode == 0, started.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_upgrades_and_answers_healthz(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PORT": str(port)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [KUDOS, "serve", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert body["status"] == "ok"
        assert (tmp_path / "kudos.db").exists(), "the default database is a SQLite file in cwd"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json") as r:
            assert "/healthz" in json.loads(r.read())["paths"]
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "Slack is off" in output
    assert "TEAMS ENDPOINT IS UNAUTHENTICATED" in output  # no MICROSOFT_APP_ID, development


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.mark.parametrize(
    ("env", "everywhere", "says"),
    [
        (
            {},
            False,
            "Kudos listening on http://127.0.0.1:{port} (database: sqlite+aiosqlite): this "
            "machine only, because POST /api/messages (Teams without MICROSOFT_APP_ID) is "
            "unauthenticated",
        ),
        (
            {"HOST": "0.0.0.0"},
            True,
            "WARNING kudos.web: Kudos listening on http://0.0.0.0:{port} (database: "
            "sqlite+aiosqlite): EXPOSED: POST /api/messages",
        ),
        (
            {"MICROSOFT_APP_ID": "kudos-app", "MICROSOFT_APP_PASSWORD": "secret"},
            True,
            "INFO kudos.web: Kudos listening on http://0.0.0.0:{port} "
            "(database: sqlite+aiosqlite)\n",
        ),
    ],
)
def test_serve_listens_beyond_this_machine_only_when_no_endpoint_is_open(
    tmp_path: Path, env: dict[str, str], everywhere: bool, says: str
) -> None:
    port = _free_port()
    environment = {**os.environ, "PORT": str(port), **env}
    for unset in ("DATABASE_URL", "HOST", "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD"):
        if unset not in env:
            environment.pop(unset, None)
    server = subprocess.Popen(
        [KUDOS, "serve"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not _reachable("127.0.0.1", port):
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.2)
        # all of 127.0.0.0/8 is this machine, but only a server on every interface answers at .2
        assert _reachable("127.0.0.2", port) is everywhere
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert says.format(port=port) in output


def test_two_processes_giving_at_once_lose_nothing(url: str) -> None:
    """Real cross-process contention: SQLite's write lock (busy timeout + retry) or PostgreSQL."""
    kudos("chat", "--as", "zoe", url=url, stdin="@ana 1\n@bob 1\n")  # create the schema and people
    lines = "".join(f"@zoe 1 for round {i}\n" for i in range(60))
    env = {**os.environ, "DATABASE_URL": url, "NO_COLOR": "1"}
    procs = [
        subprocess.Popen(
            [KUDOS, "chat", "--as", who],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for who in ("ana", "bob")
    ]
    outputs = [p.communicate(lines, timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.count("gave zoe 1 point") == 60, out + err
    zoe = json.loads(
        kudos("balance", "--workspace", "local", "--user", "zoe", "--json", url=url).stdout
    )
    assert zoe["earned"] == 120
    assert kudos("ledger", "verify", url=url).returncode == 0


def test_settings_show_and_set(url: str) -> None:
    assert kudos("chat", "--as", "ana", url=url).returncode == 0  # opens workspace `local`
    changed = kudos(
        "settings",
        "set",
        "--workspace",
        "local",
        "max_amount=5",
        "allowance_period=week",
        "approvals_channel=#Rewards",
        "--json",
        url=url,
    )
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["max_amount"] == 5
    shown = json.loads(kudos("settings", "show", "--workspace", "local", "--json", url=url).stdout)
    assert (shown["max_amount"], shown["allowance_period"]) == (5, "week")
    assert shown["approvals_channel"] == "rewards"  # a console channel is its name
    chat = kudos("chat", "--as", "ana", url=url, stdin="@bob 6\n")
    assert "between 1 and 5" in chat.stdout
    refused = kudos("settings", "set", "--workspace", "local", "max_amount=zero", url=url)
    assert refused.returncode == 1 and "whole number" in refused.stderr
    malformed = kudos("settings", "set", "--workspace", "local", "max_amount", url=url)
    assert malformed.returncode == 1 and "NAME=VALUE" in malformed.stderr


def test_a_database_without_the_schema_is_explained(tmp_path: Path) -> None:
    result = kudos("top", "--workspace", "w", url="sqlite:///empty.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "kudos db upgrade" in result.stderr and "Traceback" not in result.stderr
    unreachable = kudos(
        "ledger", "verify", url="postgresql://postgres@127.0.0.1:1/nowhere", cwd=tmp_path
    )
    assert unreachable.returncode == 2 and "Traceback" not in unreachable.stderr


async def test_serve_answers_slack_and_teams_and_exposes_metrics(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    people(fake)
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "SLACK_BOT_TOKEN": token_for("T1"),
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
    }
    env.pop("DATABASE_URL", None)
    server = await asyncio.create_subprocess_exec(
        KUDOS,
        "serve",
        "--host",
        "127.0.0.1",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(150):
                try:
                    if (await http.get(f"{base}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    assert server.returncode is None, "kudos serve exited"
                    await asyncio.sleep(0.2)
            sender = SlackSender(http, base, fake)
            assert (
                await sender.command("<@URAJ> 4 for the e2e run", user="UANA")
            ).status_code == 200
            public = (await fake.wait_for("response_url", 2))[0]
            assert "<@URAJ>" in str(public.params["blocks"])
            # the same server takes Teams activities (no app id: the Emulator's mode)
            connector = FakeConnector()
            await connector.start()
            try:
                text, _ = mention(RAJ)
                teams = await http.post(
                    f"{base}/api/messages",
                    json=activity(connector.url, f"kudos {text} 2 for the e2e run", mentions=[RAJ]),
                )
                assert teams.status_code == 201
                card = (await connector.wait_for(1))[0].card
                assert card is not None and "<at>Raj Patel</at>" in card["body"][0]["text"]
            finally:
                await connector.stop()
            metrics = (await http.get(f"{base}/metrics")).text
            assert 'kudos_given_total{platform="slack"} 1.0' in metrics
            assert 'kudos_given_total{platform="teams"} 1.0' in metrics
    finally:
        server.terminate()
        output = (await asyncio.wait_for(server.communicate(), 10))[0].decode()
        await fake.stop()
    assert "Slack is on: HTTP at POST /slack/events, one workspace" in output


def test_teams_package_writes_the_app_zip(tmp_path: Path) -> None:
    app_id = "11111111-2222-3333-4444-555555555555"
    out = tmp_path / "kudos-teams.zip"
    done = kudos(
        "teams",
        "package",
        "--app-id",
        app_id,
        "--domain",
        "https://kudos.example.com/",
        "--out",
        str(out),
        "--developer-name",
        "Acme",
        url=f"sqlite:///{tmp_path}/k.db",
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        sizes = {
            name: struct.unpack(">II", package.read(name)[16:24])
            for name in ("color.png", "outline.png")
        }
    assert manifest["id"] == app_id and manifest["bots"][0]["botId"] == app_id
    assert manifest["validDomains"] == ["kudos.example.com"]
    assert "{{" not in json.dumps(manifest)
    assert manifest["developer"]["name"] == "Acme"
    assert manifest["developer"]["privacyUrl"] == "https://kudos.example.com/privacy"
    assert schema_errors(manifest) == []
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}


def test_teams_package_without_an_app_id_says_what_is_missing(tmp_path: Path) -> None:
    done = kudos(
        "teams", "package", "--domain", "kudos.example.com", url=f"sqlite:///{tmp_path}/k.db"
    )
    assert done.returncode == 2
    assert "MICROSOFT_APP_ID" in done.stderr
    assert not (tmp_path / "kudos-teams.zip").exists()


def test_schedules_and_a_dry_run_post_from_the_command_line(url: str) -> None:
    kudos("chat", "--as", "ana", url=url, stdin="@bob 5 for teaching me SQL #learning\n")
    seed_workspace(url, "slack", "T0123")
    slack = ("--workspace", "T0123", "--platform", "slack")
    on_console = kudos(
        "schedule", "add", "weekly_leaderboard", "--workspace", "local", "--channel", "C1", url=url
    )
    assert on_console.returncode == 1 and "--platform slack" in on_console.stderr
    added = kudos(
        "schedule",
        "add",
        "weekly_leaderboard",
        *slack,
        "--channel",
        "C123",
        "--when",
        "fri 16:30",
        url=url,
    )
    assert added.returncode == 0, added.stderr
    assert "weekly leaderboard, Fri at 16:30 in C123" in added.stdout
    status = json.loads(kudos("schedule", "status", *slack, "--json", url=url).stdout)
    assert [(s["schedule"]["kind"], s["schedule"]["channel"], s["last_run"]) for s in status] == [
        ("weekly_leaderboard", "C123", None)
    ]
    assert status[0]["next_run"].endswith("16:30:00+00:00")
    preview = kudos("post", "leaderboard", "--workspace", "local", "--dry-run", url=url)
    assert preview.returncode == 0, preview.stderr
    assert "Most recognised" in preview.stdout and "bob — 5 points (new)" in preview.stdout
    bad = kudos(
        "schedule",
        "add",
        "weekly_leaderboard",
        *slack,
        "--channel",
        "C1",
        "--when",
        "someday",
        url=url,
    )
    assert bad.returncode == 1 and "try `fri 16:00`" in bad.stderr
    verified = kudos("ledger", "verify", "--workspace", "T0123", url=url)  # no --platform needed
    assert verified.returncode == 0, verified.stderr
    by_name = kudos("schedule", "add", "learning_shoutouts", *slack, "--channel", "#team", url=url)
    assert by_name.returncode == 1
    assert "--channel takes the channel's id, not its name" in by_name.stderr


def test_rewards_from_the_command_line(sqlite_url: str, tmp_path: Path) -> None:
    """Many processes in a row: on SQLite only (the services underneath are tested on both)."""
    url = sqlite_url
    assert kudos("chat", "--as", "bob", url=url, stdin="@ana 30 for the talk\n").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,cost\nPen,2\nCap,lots\n", encoding="utf-8")
    refused = kudos("catalog", "import", "--workspace", "local", str(bad), url=url)
    assert refused.returncode == 1 and "Row 3:" in refused.stderr
    assert (
        json.loads(kudos("catalog", "list", "--workspace", "local", "--json", url=url).stdout) == []
    )

    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "Name,Cost,Stock,Approval,Description\n"
        'Book voucher,20,5,yes,"Any book, up to 30 EUR"\n'
        "Sticker,5,,no,\n",
        encoding="utf-8",
    )
    imported = kudos("catalog", "import", "--workspace", "local", str(catalog), url=url)
    assert imported.returncode == 0, imported.stderr
    assert "Imported 2 new and 0 updated items" in imported.stdout
    items = json.loads(kudos("catalog", "list", "--workspace", "local", "--json", url=url).stdout)
    assert [(i["name"], i["stock"], i["needs_approval"]) for i in items] == [
        ("Sticker", None, False),
        ("Book voucher", 5, True),
    ]

    chat = kudos(
        "chat",
        "--as",
        "ana",
        url=url,
        stdin="shop\nredeem book voucher\nredeem sticker\nredemptions\nadmin settings\n",
    )
    assert "you have 30 points to spend" in chat.stdout
    assert "You redeemed Book voucher for 20 points" in chat.stdout
    assert "Sticker is yours" in chat.stdout
    assert "Only Kudos admins can see the settings" in chat.stdout

    pending = json.loads(
        kudos("redemptions", "list", "--workspace", "local", "--pending", "--json", url=url).stdout
    )
    assert [(r["member"], r["item"]) for r in pending] == [("ana", "Book voucher")]
    rejected = kudos(
        "redemptions",
        "reject",
        "--workspace",
        "local",
        str(pending[0]["id"]),
        "--reason",
        "out of budget",
        url=url,
    )
    assert rejected.returncode == 0 and "Rejected #" in rejected.stdout
    again = kudos("redemptions", "approve", "--workspace", "local", str(pending[0]["id"]), url=url)
    assert again.returncode == 1 and "already rejected" in again.stderr

    assert kudos("admins", "add", "--workspace", "local", "--user", "ana", url=url).returncode == 0
    chat = kudos("chat", "--as", "ana", url=url, stdin="admin settings max_amount=20\n")
    assert "max_amount: 20 (changed)" in chat.stdout
    adjusted = kudos(
        "adjust", "--workspace", "local", "--user", "ana", "5", "--reason", "prize", url=url
    )
    assert adjusted.returncode == 0 and "now have 30 to spend" in adjusted.stdout

    audit = json.loads(kudos("audit", "--workspace", "local", "--json", url=url).stdout)
    assert [a["action"] for a in reversed(audit)] == [
        "catalog.add",
        "catalog.add",
        "redemption.reject",
        "admins.add",
        "settings.change",
        "points.adjust",
    ]
    assert audit[1]["actor_name"] == "ana" and audit[1]["details"]["max_amount"]["to"] == 20
    human = kudos("audit", "--workspace", "local", url=url).stdout
    assert "redemption.reject" in human and "out of budget" in human

    ledger_csv = kudos(
        "export", "--workspace", "local", "--what", "ledger", "--format", "csv", url=url
    ).stdout
    header, *rows = ledger_csv.strip().splitlines()
    assert header.startswith("id,created_at,kind,amount,debit_account,debit,")
    assert sum(",redeem," in r for r in rows) == 2 and sum(",refund," in r for r in rows) == 1
    out = tmp_path / "redemptions.json"
    written = kudos(
        "export",
        "--workspace",
        "local",
        "--what",
        "redemptions",
        "--format",
        "json",
        "--since",
        "2000-01-01",
        "--out",
        str(out),
        url=url,
    )
    assert written.returncode == 0 and "Wrote 2 redemptions rows" in written.stderr
    assert {r["status"] for r in json.loads(out.read_text())} == {"rejected", "fulfilled"}
    future = kudos(
        "export",
        "--workspace",
        "local",
        "--what",
        "kudos",
        "--format",
        "json",
        "--since",
        "2999-01-01",
        url=url,
    )
    assert json.loads(future.stdout) == []
    bad_date = kudos("export", "--workspace", "local", "--what", "kudos", "--since", "May", url=url)
    assert bad_date.returncode == 2 and "not a date" in bad_date.stderr
    assert kudos("ledger", "verify", url=url).returncode == 0
