"""`kudos dashboard link`: a one-time sign-in link to the web dashboard."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli.args import scoped, user, workspace
from bot.cli.output import emit
from bot.cli.run import on_core
from bot.services.admins import cli_operator
from bot.services.signin import LINK_LIFETIME, create_sign_in_link, standing

if TYPE_CHECKING:
    from rich.console import Console

    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos dashboard link`."""
    dashboard = commands.add_parser("dashboard", help="the web dashboard at / of kudos serve")
    dashboard_commands = dashboard.add_subparsers(dest="dashboard_command", required=True)
    link = dashboard_commands.add_parser(
        "link", help="print a one-time sign-in URL for a member (works once, for 10 minutes)"
    )
    scoped(link, user=True).set_defaults(run=on_core(sign_in_link))


async def sign_in_link(args: argparse.Namespace, kudos: Core) -> int:
    """The operator's way into the dashboard, and a newcomer's without chat: a URL that signs
    `--user` in once, within 10 minutes."""
    ws, who = workspace(args), user(args.platform, args.user)
    token = await create_sign_in_link(kudos.services, ws, who, cli_operator())
    base = kudos.settings.public_url or f"http://localhost:{kudos.settings.port}"
    url = f"{base}/signin/link/{token}"
    admin = (await standing(kudos.services, ws, who)).admin
    minutes = int(LINK_LIFETIME.total_seconds() // 60)

    def show(console: Console) -> None:
        console.print(url, markup=False, soft_wrap=True)
        console.print(
            f"It signs {args.user} in once, within {minutes} minutes"
            + (
                "."
                if admin
                else f"; they are not an admin of {args.workspace}, so they see their own "
                f"pages (`kudos admins add --workspace {args.workspace} --user {args.user}` "
                "makes them one)."
            ),
            markup=False,
            soft_wrap=True,
            style="dim",
        )

    emit(args, {"url": url, "expires_in_minutes": minutes, "admin": admin}, show)
    return 0
