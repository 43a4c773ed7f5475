"""What every command shares at the command line: the workspace options, argument types, and
turning what was typed (`--user`, `--channel`, `NAME=VALUE`) into what the services take."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time

from bot.adapters.console.members import PLATFORM as CONSOLE
from bot.adapters.console.members import member_ref
from bot.domain.errors import InvalidSetting
from bot.domain.grammar import CHANNEL_NAME
from bot.domain.model import MemberRef, WorkspaceRef

PLATFORMS = [CONSOLE, "slack", "teams"]
WORKSPACE_HELP = "a Slack team id, a Teams tenant id or a console workspace's name"
PLATFORM_HELP = "where the workspace lives (default: the one platform that has it)"


def nonblank(text: str) -> str:
    """An argument that must say something (surrounding spaces dropped)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text.strip()


def port(text: str) -> int:
    """A TCP port, 1 to 65535."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port from 1 to 65535")
    return int(text)


def day(text: str) -> datetime:
    """A date (YYYY-MM-DD) as the start of that day, UTC."""
    try:
        return datetime.combine(date.fromisoformat(text), time(0), UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from None


def scoped(parser: argparse.ArgumentParser, *, user: bool = False) -> argparse.ArgumentParser:
    """Add the options of a command on one workspace: `--workspace`, `--platform`, `--json`,
    and `--user` when it is about one member."""
    parser.add_argument("--workspace", required=True, type=nonblank, help=WORKSPACE_HELP)
    parser.add_argument("--platform", choices=PLATFORMS, help=PLATFORM_HELP)
    if user:
        parser.add_argument("--user", required=True, type=nonblank)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def workspace(args: argparse.Namespace) -> WorkspaceRef:
    """The workspace `--workspace` names (its platform found by `bot.cli.run`)."""
    return WorkspaceRef(args.platform, args.workspace, args.workspace)


def user(platform: str, name: str) -> MemberRef:
    """A member named at the command line: a console member by name, a Slack or Teams one by
    their id."""
    return member_ref(name) if platform == CONSOLE else MemberRef(external_id=name)


def pairs(items: list[str], example: str) -> dict[str, str]:
    """`NAME=VALUE` arguments as a dict; anything else is refused with `example`."""
    split = [item.partition("=") for item in items]
    if any(not sep or not name for name, sep, _ in split):
        raise InvalidSetting(f"Write each change as NAME=VALUE, e.g. {example}.")
    return {name: value for name, _, value in split}


def channel(platform: str, value: str, what: str) -> str:
    """A channel given at the command line: a console channel by name (`#team` or `team`); a
    Slack or Teams one by id, since the server cannot look names up without the chat."""
    named = CHANNEL_NAME.fullmatch(value.strip())
    if named is None:
        return value.strip()
    if platform == CONSOLE:
        return named.group(1).casefold()
    raise InvalidSetting(
        f"{what} takes the channel's id, not its name: in Slack the C… id at the bottom of the "
        "channel's details, in Teams the conversation id (19:…@thread.tacv2)."
    )
