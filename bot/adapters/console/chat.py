"""The console chat: one message per line, the same grammar as Slack and Teams.

`@name` is a console member, created on first mention. On a terminal it is a REPL
(prompt_toolkit: line editing, history kept across sessions, Tab completion of commands and
names); otherwise it reads standard input line by line, so it works in scripts.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO

from bot.adapters.console import render
from bot.adapters.console.members import PLATFORM, member_ref, name_key
from bot.domain.commands import Mention
from bot.domain.errors import KudosError
from bot.domain.grammar import parse_command
from bot.domain.model import MemberRef, WorkspaceRef
from bot.replies.compose import refusal
from bot.services.context import ServiceContext
from bot.services.dispatch import handle
from bot.services.members import member_names
from bot.services.results import Result

QUIT = frozenset({"quit", "exit", "/quit"})
COMMAND_WORDS = (
    "balance",
    "top",
    "week",
    "month",
    "all",
    "history",
    "undo",
    "til",
    "badges",
    "shop",
    "redeem",
    "redemptions",
    "cancel",
    "help",
    "privacy",
    "leaderboard",
    "admin",
    "settings",
    "catalog",
    "add",
    "edit",
    "remove",
    "list",
    "approve",
    "reject",
    "admins",
    "adjust",
    "schedule",
    "weekly",
    "monthly",
    "learning",
    "quit",
)
"""What Tab completes besides `@names`: the grammar's command words."""


async def resolve(mention: Mention) -> MemberRef:
    """A mentioned console member, created with the name as first typed; a mention never
    renames anyone (only `--as` does)."""
    name = (mention.name or mention.user_id or "").lstrip("@")
    return MemberRef(external_id=name_key(name), name_if_new=name)


async def channel(name: str) -> str:
    """A console channel is its name (`#team` is `team`), in any case."""
    return name.casefold()


async def run_line(ctx: ServiceContext, workspace: str, actor: str, text: str) -> Result:
    """Run one console message and return its result; a refusal raises its KudosError."""
    return await handle(
        ctx,
        parse_command(text),
        workspace=WorkspaceRef(PLATFORM, workspace, workspace),
        actor=member_ref(actor),
        resolve=resolve,
        delivery_key=f"console:{uuid.uuid4()}",
        channel="console",
        channels=channel,
    )


async def reply_to(ctx: ServiceContext, workspace: str, actor: str, text: str) -> str:
    """Run one console message and return the reply a person reads (refusals included)."""
    try:
        result = await run_line(ctx, workspace, actor, text)
    except KudosError as refused:
        return render.text(refusal(refused.message))
    return render.describe(result)


async def _lines(stream: TextIO, prompt: str | None) -> AsyncIterator[str]:
    while True:
        if prompt is not None:
            print(prompt, end="", flush=True)
        line = await asyncio.to_thread(stream.readline)
        if not line:
            return
        yield line.rstrip("\n")


def history_path() -> Path:
    """Where the chat's history is kept: `$XDG_STATE_HOME/kudos/history`, by default
    `~/.local/state/kudos/history` (on Windows under `%LOCALAPPDATA%`)."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "kudos" / "history"
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "kudos" / "history"


def _private_file(path: Path) -> Path:
    """Make sure `path` exists and only its owner can read it (what people typed, reasons
    included): the directory 0700 when created, the file 0600, never through a symlink."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    os.close(os.open(path, flags, 0o600))
    return path


async def run_chat(
    ctx: ServiceContext, workspace: str, actor: str, stream: TextIO = sys.stdin
) -> int:
    """The REPL. Returns the process exit status."""
    member_ref(actor)
    if stream is sys.stdin and stream.isatty() and sys.stdout.isatty():
        return await _terminal_chat(ctx, workspace, actor)
    interactive = stream.isatty()
    if interactive:
        print(f"Kudos chat as {actor} in workspace {workspace!r}. Type `help`, Ctrl-D to leave.")
    async for line in _lines(stream, f"{actor}> " if interactive else None):
        if not line.strip():
            continue
        if line.strip() in QUIT:
            break
        print(await reply_to(ctx, workspace, actor, line), flush=True)
    return 0


async def _terminal_chat(ctx: ServiceContext, workspace: str, actor: str) -> int:
    """The chat on a terminal: line editing, ↑/↓ through this and earlier sessions, Tab
    completion; Ctrl-C drops the line being typed (twice on an empty line leaves), Ctrl-D
    leaves."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory

    ref = WorkspaceRef(PLATFORM, workspace, workspace)
    names: list[str] = []

    def words() -> list[str]:
        return [*COMMAND_WORDS, *(f"@{name}" for name in names)]

    history: History
    notice = ""
    try:
        history = FileHistory(str(_private_file(history_path())))
    except OSError as exc:
        history = InMemoryHistory()
        notice = f" (history is not kept: {exc.strerror or exc})"
    session: Any = PromptSession(
        history=history,
        completer=WordCompleter(words, ignore_case=True, WORD=True),
        complete_while_typing=False,
    )
    print(
        f"Kudos chat as {actor} in workspace {workspace!r}. Type `help`; Tab completes, "
        f"↑ recalls; Ctrl-D leaves.{notice}"
    )
    names[:] = await member_names(ctx, ref)
    interrupted = False
    while True:
        try:
            line = await session.prompt_async(f"{actor}> ")
        except KeyboardInterrupt:
            if session.default_buffer.text:  # a half-typed line: dropped
                interrupted = False
                continue
            if interrupted:
                return 0
            interrupted = True
            print("(Ctrl-C again or Ctrl-D to leave)")
            continue
        except EOFError:
            return 0
        interrupted = False
        if not line.strip():
            continue
        if line.strip() in QUIT:
            return 0
        print(await reply_to(ctx, workspace, actor, line), flush=True)
        names[:] = await member_names(ctx, ref)
