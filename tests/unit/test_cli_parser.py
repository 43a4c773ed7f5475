"""The `kudos` parser loads only the module of the command being run, so its table of which
module registers which command must be exactly what the modules register."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

import pytest

from bot.cli.parser import COMMANDS, build_parser, command_in, modules


def registered(module: str) -> list[str]:
    """The top-level commands `bot/cli/<module>.py` adds."""
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    importlib.import_module(f"bot.cli.{module}").register(commands)
    return list(commands.choices)


def test_every_module_registers_exactly_the_commands_the_table_gives_it() -> None:
    for module in modules():
        assert sorted(registered(module)) == sorted(
            name for name, owner in COMMANDS.items() if owner == module
        ), module


def test_every_command_runs_something() -> None:
    for name in COMMANDS:
        subcommands: Any = build_parser([name])._subparsers
        assert subcommands is not None
        action = next(a for a in subcommands._group_actions if a.dest == "command")
        command = action.choices[name]
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        leaves = [command] if not nested else list(nested[0].choices.values())
        for leaf in leaves:  # set on the subcommand, or on its group for all of them
            run = leaf.get_default("run") or command.get_default("run")
            assert callable(run), leaf.prog


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["balance", "--workspace", "w", "--user", "u"], "balance"),
        (["--database-url", "sqlite:///x.db", "top", "--workspace", "w"], "top"),
        (["--database-url=sqlite:///x.db", "chat", "--as", "ana"], "chat"),
        (["--help"], None),
        (["-h", "balance"], None),
        (["--version"], None),
        (["balanse"], None),
        ([], None),
    ],
)
def test_the_command_is_found_before_anything_else_is_parsed(
    argv: list[str], command: str | None
) -> None:
    assert command_in(argv) == command


def test_help_lists_every_command_and_a_command_loads_only_its_own_module() -> None:
    listed = build_parser(["--help"]).format_help()
    assert all(name in listed for name in COMMANDS)
    for module in set(COMMANDS.values()):
        sys.modules.pop(f"bot.cli.{module}", None)
    args = build_parser(["balance"]).parse_args(["balance", "--workspace", "w", "--user", "u"])
    assert args.command == "balance" and callable(args.run)
    loaded = {m for m in set(COMMANDS.values()) if f"bot.cli.{m}" in sys.modules}
    assert loaded == {"ledger"}
