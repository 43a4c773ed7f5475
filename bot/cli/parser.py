"""The `kudos` argument parser: the global options, then each command group's own module.

Only the module of the command being run is imported (every one for `kudos --help`), so a
command loads what it needs and no more."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from bot import __version__

COMMANDS: dict[str, str] = {
    "serve": "serve",
    "chat": "chat",
    "db": "db",
    "balance": "ledger",
    "history": "ledger",
    "top": "ledger",
    "ledger": "ledger",
    "settings": "settings",
    "schedule": "schedule",
    "post": "schedule",
    "catalog": "rewards",
    "redemptions": "rewards",
    "admins": "admins",
    "adjust": "admins",
    "audit": "admins",
    "export": "export",
    "dashboard": "dashboard",
    "api-token": "access",
    "webhooks": "access",
    "people": "people",
    "teams": "teams",
}
"""Each top-level command and its module, `bot/cli/<module>.py`, in the order `kudos --help`
lists them. A module's `register(commands)` adds exactly its commands here
(tests/unit/test_cli_parser.py checks it)."""


def modules(names: Sequence[str] | None = None) -> list[str]:
    """The modules that register `names` (all commands: every module), each once, in order."""
    wanted = COMMANDS if names is None else {n: COMMANDS[n] for n in names if n in COMMANDS}
    return list(dict.fromkeys(wanted.values()))


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line for `argv`: with only its command's module when it names a known
    command first, else (`--help`, `--version`, a typo) with every command."""
    parser = argparse.ArgumentParser(prog="kudos", description="Kudos recognition bot")
    parser.add_argument("--version", action="version", version=f"kudos {__version__}")
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    commands = parser.add_subparsers(dest="command", required=True)
    named = command_in(argv)
    for module in modules(None if named is None else [named]):
        importlib.import_module(f"bot.cli.{module}").register(commands)
    return parser


def command_in(argv: Sequence[str] | None) -> str | None:
    """The command `argv` runs, when it is a known one and no option before it asks for more
    than that command (`--help`, `--version`)."""
    words = iter(argv or ())
    for word in words:
        if word == "--database-url":
            next(words, None)
        elif not word.startswith("--database-url="):
            return word if word in COMMANDS else None
    return None
