"""`kudos chat`: the console chat, the one command that creates a workspace."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.adapters.console.chat import run_chat
from bot.adapters.console.members import PLATFORM as CONSOLE
from bot.adapters.console.members import member_ref
from bot.cli.args import nonblank
from bot.cli.run import on_core
from bot.domain.model import WorkspaceRef
from bot.services.workspaces import open_workspace

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos chat`."""
    chat = commands.add_parser("chat", help="talk to the bot from a terminal")
    chat.add_argument("--as", dest="actor", required=True, help="who you are, e.g. ana")
    chat.add_argument(
        "--workspace",
        default="local",
        type=nonblank,
        help="the console workspace, created on first use (default: local)",
    )
    chat.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Refuse an empty name before anything is opened, then chat (upgrading the schema)."""
    member_ref(args.actor)
    return on_core(chat_session, migrate=True, find=False)(args, settings)


async def chat_session(args: argparse.Namespace, kudos: Core) -> int:
    """Open (or create) the console workspace and run the chat until its input ends."""
    ref = WorkspaceRef(CONSOLE, args.workspace, args.workspace)
    await open_workspace(kudos.services, ref)
    return await run_chat(kudos.services, args.workspace, args.actor)
