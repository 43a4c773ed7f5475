"""The console chat: one message per line, the same grammar as Slack and Teams.

`@name` is a console member, created on first mention. Interactive on a terminal; reads
standard input line by line otherwise, so it works in scripts.
"""

from __future__ import annotations

import asyncio
import sys
import unicodedata
import uuid
from collections.abc import AsyncIterator
from typing import TextIO

from bot.adapters.console.render import describe
from bot.domain.commands import Mention
from bot.domain.errors import KudosError, NameRequired
from bot.domain.grammar import parse_command
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.context import ServiceContext
from bot.services.dispatch import handle
from bot.services.results import Result

PLATFORM = "console"


def _key(name: str) -> str:
    """Who a console name is: `Zoë`, `zoë` and `ZOË` are one person."""
    return unicodedata.normalize("NFC", name).casefold()


def member_ref(name: str) -> MemberRef:
    """The speaker (`--as`): identified by the case-folded name, shown as they typed it.
    An empty name is refused."""
    name = name.strip().lstrip("@").strip()
    if not name:
        raise NameRequired()
    return MemberRef(external_id=_key(name), display_name=name)


async def resolve(mention: Mention) -> MemberRef:
    """A mentioned console member, created with the name as first typed; a mention never
    renames anyone (only `--as` does)."""
    name = (mention.name or mention.user_id or "").lstrip("@")
    return MemberRef(external_id=_key(name), name_if_new=name)


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
    except KudosError as refusal:
        return f"✋ {refusal.message}"
    return describe(result)


async def _lines(stream: TextIO, prompt: str | None) -> AsyncIterator[str]:
    while True:
        if prompt is not None:
            print(prompt, end="", flush=True)
        line = await asyncio.to_thread(stream.readline)
        if not line:
            return
        yield line.rstrip("\n")


async def run_chat(
    ctx: ServiceContext, workspace: str, actor: str, stream: TextIO = sys.stdin
) -> int:
    """The REPL. Returns the process exit status."""
    member_ref(actor)
    interactive = stream.isatty()
    if interactive:
        print(f"Kudos chat as {actor} in workspace {workspace!r}. Type `help`, Ctrl-D to leave.")
    async for line in _lines(stream, f"{actor}> " if interactive else None):
        if not line.strip():
            continue
        if line.strip() in {"quit", "exit", "/quit"}:
            break
        print(await reply_to(ctx, workspace, actor, line), flush=True)
    return 0
