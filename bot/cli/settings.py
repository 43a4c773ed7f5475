"""`kudos settings show|set`: a workspace's rules."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli.args import pairs, scoped
from bot.cli.operator import as_operator
from bot.cli.output import reply
from bot.cli.run import on_core
from bot.domain.commands import AdminSettings
from bot.services.results import SettingsShown

if TYPE_CHECKING:
    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos settings …`."""
    settings = commands.add_parser("settings", help="show or change a workspace's settings")
    settings_commands = settings.add_subparsers(dest="settings_command", required=True)
    scoped(settings_commands.add_parser("show", help="print the settings"))
    change = scoped(settings_commands.add_parser("set", help="change settings, e.g. max_amount=20"))
    change.add_argument("changes", nargs="+", metavar="NAME=VALUE")
    settings.set_defaults(run=on_core(settings_command))


async def settings_command(args: argparse.Namespace, kudos: Core) -> int:
    """Show the settings, or change some and show them all (as JSON, the settings)."""
    changes = pairs(args.changes, "max_amount=20") if args.settings_command == "set" else {}
    shown = await as_operator(kudos, args, AdminSettings(changes=tuple(changes.items())))
    assert isinstance(shown, SettingsShown)
    reply(args, shown, shown.settings)
    return 0
