"""What a command prints: with `--json`, its result serialised the one way results are
(`bot.services.codec`, as the outbox stores them); otherwise what a person reads, in the
console renderer's words (`bot.adapters.console.render`, over the reply model)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.services.codec import encode
from bot.services.results import Result

if TYPE_CHECKING:
    from rich.console import Console

Show = Callable[["Console"], None]
"""Prints a value for a person on a rich Console."""


def as_json(value: Any) -> str:
    """`value` (a result, domain values, lists and dicts of them) as one line of JSON."""
    return json.dumps(encode(value), default=str)


def emit(args: argparse.Namespace, value: Any, show: Show) -> None:
    """`value` as JSON with `--json`, else `show` prints it for a person."""
    if getattr(args, "json", False):
        print(as_json(value))
    else:
        show(console())


def reply(args: argparse.Namespace, result: Result, value: Any = None) -> None:
    """A service's result: as JSON (`value` instead, where the command documents another
    shape), else as the reply the console chat would give."""

    def show(console: Console) -> None:
        from bot.adapters.console.render import describe

        console.print(describe(result), markup=False)

    emit(args, result if value is None else value, show)


def say(args: argparse.Namespace, text: str) -> None:
    """A sentence for a person; `{"text": text}` as JSON (as `AdminDone` is)."""
    emit(args, {"text": text}, lambda c: c.print(text, markup=False))


def console() -> Console:
    """A rich Console on standard output, except that a reader who stopped reading is
    `bot.cli.main`'s to handle (rich would exit 1)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError()

    return _Console()


def refuse(message: str) -> int:
    """One sentence on standard error; exit status 1."""
    print(f"kudos: {message}", file=sys.stderr)
    return 1
