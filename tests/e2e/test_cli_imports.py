"""Every `kudos` command but `serve` starts with the database and the services alone: no chat
SDK, no web framework, no scheduler, even when the platforms are configured. `serve` imports
the SDK of each platform that is on, and only those."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.e2e.test_cli import kudos

SERVER_ONLY = (
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "botframework",
    "apscheduler",
    "uvicorn",
    "fastapi",
)
PLATFORMS_ON = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
    "SLACK_SIGNING_SECRET": "signing-secret",
    "MICROSOFT_APP_ID": "11111111-2222-3333-4444-555555555555",
    "MICROSOFT_APP_PASSWORD": "password",
}
"""Slack and Teams both configured: the CLI still has no use for either SDK."""
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", re.M)


def imported(stderr: str) -> set[str]:
    """The top-level packages a process imported, from its `-X importtime` report."""
    return {name.split(".")[0] for name in IMPORT_LINE.findall(stderr)}


def profiled(*args: str, url: str, stdin: str = "") -> set[str]:
    """Run `kudos ARGS` with the platforms configured; what it imported (it must succeed)."""
    env = {**PLATFORMS_ON, "PYTHONPROFILEIMPORTTIME": "1"}
    done = kudos(*args, url=url, stdin=stdin, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    found = imported(done.stderr)
    assert "bot" in found and "argparse" in found  # the report is there to read
    return found


def test_balance_and_a_chat_line_import_no_sdk_web_framework_or_scheduler(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/k.db"
    assert kudos("chat", "--as", "ana", url=url, stdin="@bob 5 for the review\n").returncode == 0

    chat = profiled("chat", "--as", "ana", url=url, stdin="@bob 1 for the pairing\n")
    balance = profiled("balance", "--workspace", "local", "--user", "bob", "--json", url=url)
    helped = profiled("--help", url=url)

    for found in (chat, balance, helped):
        assert found.isdisjoint(SERVER_ONLY), sorted(found & set(SERVER_ONLY))
    # The schema is at the newest revision already: no migration, so no Alembic either.
    assert "alembic" not in chat | balance
    assert "sqlalchemy" in balance and "sqlalchemy" not in helped


def server_imports(env: dict[str, str], tmp_path: Path) -> set[str]:
    """The top-level packages `kudos serve`'s wiring imports with this environment (built, not
    served: `bootstrap.build` is where platforms are switched on)."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from bot.bootstrap import build

        async def main():
            app = await build(migrate=False)
            await app.close()

        asyncio.run(main())
        print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
        """
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**keep, "DATABASE_URL": f"sqlite:///{tmp_path}/k.db", **env},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.split())


def test_serve_imports_the_sdk_of_each_platform_that_is_on_and_no_other(tmp_path: Path) -> None:
    teams_only = server_imports({"KUDOS_ENV": "development"}, tmp_path)
    assert "botbuilder" in teams_only  # development: Teams for the Bot Framework Emulator
    assert teams_only.isdisjoint({"slack_bolt", "slack_sdk"})

    slack_only = server_imports(
        {
            "KUDOS_ENV": "production",
            "KUDOS_SESSION_SECRET": "kP3v9QyX1bZr7LwT2nHc8fJd5sGm4aEu6Ro0",
            "SLACK_BOT_TOKEN": PLATFORMS_ON["SLACK_BOT_TOKEN"],
            "SLACK_SIGNING_SECRET": PLATFORMS_ON["SLACK_SIGNING_SECRET"],
        },
        tmp_path,
    )
    assert {"slack_bolt", "slack_sdk"} <= slack_only
    assert slack_only.isdisjoint({"botbuilder", "botframework"})
