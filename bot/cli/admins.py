"""`kudos admins …`, `kudos adjust` and `kudos audit`: who runs a workspace, their
corrections to someone's points, and what they did."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from bot.cli.args import day, scoped, workspace
from bot.cli.operator import as_operator
from bot.cli.output import emit, reply
from bot.cli.run import on_core
from bot.domain.commands import AdminAdjust, AdminAdmins, Mention
from bot.domain.model import AuditEntry
from bot.services.admins import read_audit

if TYPE_CHECKING:
    from rich.console import Console

    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos admins …`, `kudos adjust` and `kudos audit`."""
    admins = commands.add_parser("admins", help="the workspace's admin list")
    admins_commands = admins.add_subparsers(dest="admins_command", required=True)
    scoped(admins_commands.add_parser("list", help="who is on the admin list"))
    for name in ("add", "remove"):
        help_text = f"{name} an admin (Slack or Teams user id)"
        scoped(admins_commands.add_parser(name, help=help_text), user=True)
    admins.set_defaults(run=on_core(admins_command))

    adjust = commands.add_parser("adjust", help="add to (or take from) someone's earned points")
    scoped(adjust, user=True)
    adjust.add_argument("amount", type=int, help="e.g. 10 or -10")
    adjust.add_argument("--reason", required=True)
    adjust.set_defaults(run=on_core(adjust_points))

    audit = scoped(commands.add_parser("audit", help="admin actions: who did what, and when"))
    audit.add_argument("--since", type=day, help="YYYY-MM-DD")
    audit.add_argument("--limit", type=int, default=100)
    audit.set_defaults(run=on_core(audit_log))


async def admins_command(args: argparse.Namespace, kudos: Core) -> int:
    """List the admins, or add or remove one (`--user`)."""
    who = Mention(user_id=args.user) if args.admins_command != "list" else None
    reply(args, await as_operator(kudos, args, AdminAdmins(args.admins_command, who)))
    return 0


async def adjust_points(args: argparse.Namespace, kudos: Core) -> int:
    """`kudos adjust`: add to (or take from) a member's earned points, audited."""
    who = Mention(user_id=args.user)
    command = AdminAdjust(who=who, amount=args.amount, reason=args.reason)
    reply(args, await as_operator(kudos, args, command))
    return 0


async def audit_log(args: argparse.Namespace, kudos: Core) -> int:
    """`kudos audit`: admin actions, newest first."""
    entries = await read_audit(kudos.services, workspace(args), args.since, max(1, args.limit))
    emit(args, entries, lambda c: _print_audit(c, entries))
    return 0


def _print_audit(console: Console, entries: list[AuditEntry]) -> None:
    if not entries:
        console.print("No admin actions recorded.")
    for e in entries:
        details = json.dumps(e.details, ensure_ascii=False, default=str)
        console.print(
            f"{e.created_at.isoformat()[:19]}  {e.actor_name}  {e.action}  {e.target}  {details}",
            markup=False,
            soft_wrap=True,
        )
