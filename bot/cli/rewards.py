"""`kudos catalog …` and `kudos redemptions …`: the reward catalog and its redemptions."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.args import pairs, scoped, workspace
from bot.cli.operator import as_operator
from bot.cli.output import emit, reply
from bot.cli.run import on_core
from bot.domain.commands import AdminCatalog, AdminDecide
from bot.domain.errors import InvalidItem
from bot.services.admins import cli_operator
from bot.services.catalog import import_items
from bot.services.export import export_rows
from bot.services.results import CatalogShown

if TYPE_CHECKING:
    from rich.console import Console

    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos catalog …` and `kudos redemptions …`."""
    catalog = commands.add_parser("catalog", help="the reward catalog")
    catalog_commands = catalog.add_subparsers(dest="catalog_command", required=True)
    scoped(catalog_commands.add_parser("list", help="every item, inactive ones included"))
    add = scoped(
        catalog_commands.add_parser(
            "add", help='add an item: name="Book voucher" cost=200 stock=10'
        )
    )
    add.add_argument("fields", nargs="+", metavar="FIELD=VALUE")
    edit = scoped(catalog_commands.add_parser("edit", help="change an item: cost=150 active=no"))
    edit.add_argument("item", help="the item's name or number")
    edit.add_argument("fields", nargs="+", metavar="FIELD=VALUE")
    remove = scoped(catalog_commands.add_parser("remove", help="take an item out of the catalog"))
    remove.add_argument("item", help="the item's name or number")
    imported = scoped(
        catalog_commands.add_parser(
            "import",
            help="add or update items from a CSV (name,cost,description,stock,approval,active)",
        )
    )
    imported.add_argument("file", type=Path)
    catalog.set_defaults(run=on_core(catalog_command))

    redemptions = commands.add_parser("redemptions", help="redemptions and their approval")
    redemptions_commands = redemptions.add_subparsers(dest="redemptions_command", required=True)
    listing = scoped(redemptions_commands.add_parser("list", help="redemptions, newest first"))
    listing.add_argument("--pending", action="store_true", help="only those awaiting a decision")
    for name in ("approve", "reject"):
        decide = scoped(redemptions_commands.add_parser(name, help=f"{name} a pending redemption"))
        decide.add_argument("id", type=int)
        if name == "reject":
            decide.add_argument("--reason", required=True, help="the member reads it")
    redemptions.set_defaults(run=on_core(redemptions_command))


async def catalog_command(args: argparse.Namespace, kudos: Core) -> int:
    """List, add, edit, remove or import items (as JSON: the items, or what was done)."""
    if args.catalog_command == "import":
        rows = _csv_rows(args.file)
        done = await import_items(kudos.services, workspace(args), cli_operator(), rows)
        text = f"Imported {len(done.added)} new and {len(done.updated)} updated items."
        emit(args, done, lambda c: c.print(text, markup=False))
        return 0
    example = "cost=150" if args.catalog_command == "edit" else "cost=200"
    command = AdminCatalog(
        action=args.catalog_command,
        item=getattr(args, "item", None),
        fields=tuple(pairs(args.fields, example).items()) if "fields" in args else (),
    )
    result = await as_operator(kudos, args, command)
    reply(args, result, result.items if isinstance(result, CatalogShown) else None)
    return 0


def _csv_rows(path: Path) -> list[dict[str, str]]:
    """A catalog CSV's rows, its column names without case or surrounding spaces."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidItem(f"Could not read {path}: {exc}.") from None
    if not rows:
        raise InvalidItem(f"{path} has no rows under its header (name,cost,…).")
    return [{(k or "").strip().casefold(): v for k, v in row.items()} for row in rows]


async def redemptions_command(args: argparse.Namespace, kudos: Core) -> int:
    """List redemptions, newest first (as JSON, as `kudos export` writes them), or approve or
    reject a pending one."""
    if args.redemptions_command in {"approve", "reject"}:
        approve = args.redemptions_command == "approve"
        decide = AdminDecide(args.id, approve, None if approve else args.reason)
        reply(args, await as_operator(kudos, args, decide))
        return 0
    rows = await export_rows(kudos.services, workspace(args), "redemptions", None)
    if args.pending:
        rows = [row for row in rows if row["status"] == "pending"]
    rows.reverse()
    emit(args, rows, lambda c: _print_redemptions(c, rows))
    return 0


def _print_redemptions(console: Console, rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("No redemptions.")
    for row in rows:
        line = (
            f"#{row['id']:<5} {row['created_at'][:16]}  {row['member']}: {row['item']}, "
            f"{row['cost']} points — {row['status']}"
        )
        if row["reason"]:
            line += f" ({row['reason']})"
        console.print(line, markup=False, soft_wrap=True)
