"""The `kudos` command: a thin driver over the services and the reply model.

Each command group is one module here (`ledger.py`: balance, history, top, adjust, ledger
verify; `rewards.py`: catalog, redemptions; …), listed in `parser.GROUPS`. A module has
`register(commands)`, which adds its subcommands to argparse and sets `run` on each:

- `run=on_core(handler)` for work on the database: `async def handler(args, kudos) -> int`
  gets the `bot.core.Core` (settings, database, services) with `--workspace` already found;
  what chat can do too goes through `run.as_operator` (that is, `dispatch.handle`), the rest
  calls its service. It prints with `output.reply`/`output.emit` (`--json` is the result as
  `bot.services.codec` encodes it) and returns the exit status.
- `run=function` for a command that needs no database: `def function(args, settings) -> int`.

A refusal (`KudosError`) is one sentence on standard error with status 1; setup problems
(configuration, an unreachable database, a file) are one sentence with status 2.

Only `kudos serve` imports the chat SDKs, the web framework and the scheduler, and only for
the platforms that are on: everything else starts with the database and the services alone
(tests/e2e/test_cli_imports.py, benchmarks/startup.py).
"""

from __future__ import annotations

import logging
import os
import socket
import sys

from bot.cli.parser import build_parser
from bot.domain.errors import KudosError


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kudos` console script. A reader that stops reading (`| head -1`) is
    not an error: like other Unix tools, the command then stops quietly, with status 0."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, not at exit, so a closed pipe is noticed while we can act
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail
        return 0
    return status


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    # After parsing: `--help` and a mistyped argument answer without loading pydantic.
    from pydantic import ValidationError

    from bot.config import Settings, explain

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"kudos: configuration error: {explain(exc)}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command != "serve":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        status: int = args.run(args, settings)
        return status
    except KudosError as refusal:
        print(f"kudos: {refusal.message}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # a ConnectionError, but the reader left: main() handles it
    except (ConnectionError, TimeoutError, socket.gaierror) as exc:
        print(f"kudos: could not reach the database ({exc}). Check DATABASE_URL.", file=sys.stderr)
        return 2
    except OSError as exc:  # a file the command needed: --out, the SQLite file's directory, …
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"kudos: could not use {where}{exc.strerror or exc}.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        said = _database_said(exc)
        if said is None:
            raise
        print(
            f"kudos: the database did not answer as expected ({said}). "
            "Is it running, and has `kudos db upgrade` been run?",
            file=sys.stderr,
        )
        return 2


def _database_said(exc: Exception) -> str | None:
    """What the database driver said, when `exc` is its error as SQLAlchemy wraps it (looked
    up, not imported: only commands that used the database have SQLAlchemy loaded)."""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None or not isinstance(exc, errors.DBAPIError):
        return None
    return str(exc.orig).strip()
