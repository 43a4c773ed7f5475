"""`kudos balance`, `history`, `top` and `ledger verify`: points and the ledger.

The JSON of `balance`, `top` and `history` is documented (README.md) and kept stable."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli.args import PLATFORM_HELP, PLATFORMS, nonblank, scoped, user, workspace
from bot.cli.output import emit, reply
from bot.cli.run import on_core
from bot.domain.model import WorkspaceRef
from bot.services.ledger import verify_ledger
from bot.services.queries import show_balance, show_history, show_leaderboard
from bot.services.results import BalanceShown, LeaderboardShown

if TYPE_CHECKING:
    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos balance`, `history`, `top` and `ledger verify`."""
    balance = commands.add_parser("balance", help="a member's allowance left and points earned")
    scoped(balance, user=True).set_defaults(run=on_core(show_member_balance))
    history = commands.add_parser("history", help="a member's recent kudos")
    scoped(history, user=True).set_defaults(run=on_core(show_member_history))
    top = scoped(commands.add_parser("top", help="the leaderboard"))
    top.add_argument("--period", choices=["week", "month", "all"], default="week")
    top.add_argument("--tag")
    top.add_argument("--limit", type=int, default=10)
    top.set_defaults(run=on_core(show_top))

    ledger = commands.add_parser("ledger", help="ledger tools")
    ledger_commands = ledger.add_subparsers(dest="ledger_command", required=True)
    verify = ledger_commands.add_parser("verify", help="recompute every balance from the entries")
    verify.add_argument("--workspace", type=nonblank, help="only this one (default: all)")
    verify.add_argument("--platform", choices=PLATFORMS, help=PLATFORM_HELP)
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=on_core(check_ledger))


def balance_json(platform: str, workspace_id: str, result: BalanceShown) -> dict[str, Any]:
    """`kudos balance --json`, as documented."""
    return {
        "platform": platform,
        "workspace": workspace_id,
        "user": result.user,
        "allowance_left": result.allowance_left,
        "earned": result.earned,
    }


def leaderboard_json(result: LeaderboardShown) -> list[dict[str, Any]]:
    """`kudos top --json`, as documented."""
    return [
        {"rank": r.rank, "user": r.external_id, "display_name": r.display_name, "points": r.points}
        for r in result.rows
    ]


async def show_member_balance(args: argparse.Namespace, kudos: Core) -> int:
    """`kudos balance`: a member's allowance left and points earned."""
    shown = await show_balance(kudos.services, workspace(args), user(args.platform, args.user))
    reply(args, shown, balance_json(args.platform, args.workspace, shown))
    return 0


async def show_member_history(args: argparse.Namespace, kudos: Core) -> int:
    """`kudos history`: a member's recent kudos, given and received (as JSON, the items)."""
    shown = await show_history(kudos.services, workspace(args), user(args.platform, args.user))
    reply(args, shown, shown.items)
    return 0


async def show_top(args: argparse.Namespace, kudos: Core) -> int:
    """`kudos top`: the leaderboard, as a table."""
    from bot.adapters.console.render import print_leaderboard

    tag = args.tag.lstrip("#") if args.tag else None
    limit = max(1, args.limit)
    shown = await show_leaderboard(kudos.services, workspace(args), args.period, tag, limit)
    emit(args, leaderboard_json(shown), lambda c: print_leaderboard(c, shown))
    return 0


async def check_ledger(args: argparse.Namespace, kudos: Core) -> int:
    """`kudos ledger verify`: status 1 with a report when any balance drifted."""
    from bot.adapters.console.render import print_drifts

    where = WorkspaceRef(args.platform, args.workspace) if args.workspace else None
    drifts = await verify_ledger(kudos.services, where)
    emit(args, {"clean": not drifts, "drifts": drifts}, lambda c: print_drifts(c, drifts))
    return 1 if drifts else 0
