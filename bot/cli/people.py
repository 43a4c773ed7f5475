"""`kudos people …`: a workspace's people. `forget` erases what identifies a person while the
ledger keeps their points under a pseudonym."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli.args import scoped, user, workspace
from bot.cli.output import emit
from bot.cli.run import on_core
from bot.services.admins import cli_operator
from bot.services.privacy import forget_member

if TYPE_CHECKING:
    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos people forget`."""
    people = commands.add_parser("people", help="the people of a workspace")
    people_commands = people.add_subparsers(dest="people_command", required=True)
    scoped(
        people_commands.add_parser(
            "forget",
            help="erase a person's personal data; the ledger keeps their points under a "
            "pseudonym (cannot be undone)",
        ),
        user=True,
    )
    people.set_defaults(run=on_core(people_command))


async def people_command(args: argparse.Namespace, kudos: Core) -> int:
    """`kudos people forget --workspace W --user U`: erase what identifies the person (the
    service says what), print the pseudonym and how much was erased (never what)."""
    ws = workspace(args)
    who = user(ws.platform, args.user).external_id
    done = await forget_member(kudos.services, ws, cli_operator(), who)
    erased = {name: getattr(done.erased, name) for name in done.erased.__dataclass_fields__}
    if done.already:
        said = f"{args.user} was forgotten already; nothing to do."
    else:
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in erased.items() if n)
        said = (
            f"Forgot {args.user}: their accounts are now {done.pseudonym!r}; the ledger and every "
            f"balance are unchanged. Erased: {counts or 'their name and ids (nothing else held)'}. "
            "Backups made before now still hold the old data."
        )
    data = {"already": done.already, "pseudonym": done.pseudonym or None, "erased": erased}
    emit(args, data, lambda c: c.print(said, markup=False, soft_wrap=True))
    return 0
