"""The `kudos` argument parser: the global options, then each command group's own module."""

from __future__ import annotations

import argparse

from bot import __version__
from bot.cli import (
    access,
    admins,
    chat,
    dashboard,
    db,
    export,
    ledger,
    rewards,
    schedule,
    serve,
    settings,
    teams,
)

GROUPS = (
    serve,
    chat,
    db,
    ledger,
    settings,
    schedule,
    teams,
    rewards,
    admins,
    export,
    dashboard,
    access,
)
"""The command groups, in the order `kudos --help` lists them. Each module has
`register(commands)`, which adds its subcommands and sets `run` on each (see bot/cli/__init__)."""


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(prog="kudos", description="Kudos recognition bot")
    parser.add_argument("--version", action="version", version=f"kudos {__version__}")
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(commands)
    return parser
