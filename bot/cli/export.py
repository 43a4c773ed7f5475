"""`kudos export`: a workspace's kudos, ledger entries, redemptions or learnings as CSV or
JSON."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.args import PLATFORM_HELP, PLATFORMS, WORKSPACE_HELP, day, nonblank, workspace
from bot.cli.run import on_core
from bot.services.export import EXPORTS, export_rows

if TYPE_CHECKING:
    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos export`."""
    export = commands.add_parser(
        "export", help="kudos, ledger entries, redemptions or learnings as CSV or JSON"
    )
    export.add_argument("--workspace", required=True, type=nonblank, help=WORKSPACE_HELP)
    export.add_argument("--platform", choices=PLATFORMS, help=PLATFORM_HELP)
    export.add_argument("--what", choices=list(EXPORTS), required=True)
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--since", type=day, help="YYYY-MM-DD (UTC)")
    export.add_argument("--out", type=Path, help="a file to write (default: standard output)")
    export.set_defaults(run=on_core(export_table))


async def export_table(args: argparse.Namespace, kudos: Core) -> int:
    """Write the rows to `--out` or standard output (the count to standard error)."""
    rows = await export_rows(kudos.services, workspace(args), args.what, args.since)
    out = args.out.open("w", newline="", encoding="utf-8") if args.out else sys.stdout
    try:
        _write(rows, args.format, out)
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"Wrote {len(rows)} {args.what} rows to {args.out}.", file=sys.stderr)
    return 0


def _write(rows: list[dict[str, Any]], form: str, out: Any) -> None:
    if form == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1, default=str)
        out.write("\n")
    elif rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
