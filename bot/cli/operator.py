"""Chat commands from the command line: through the one door every adapter uses, as the
person at the server's terminal."""

from __future__ import annotations

import argparse
import uuid
from typing import TYPE_CHECKING

from bot.cli.args import channel, user, workspace
from bot.domain.commands import Command, Mention
from bot.domain.model import MemberRef
from bot.services.admins import cli_operator
from bot.services.dispatch import handle
from bot.services.results import Result

if TYPE_CHECKING:
    from bot.core import Core


async def as_operator(kudos: Core, args: argparse.Namespace, command: Command) -> Result:
    """Run a chat command (`bot.domain.commands`) through the one door every adapter uses,
    `dispatch.handle`, as the person at the server's terminal: an admin of every workspace,
    audited by their OS user. A mention is `--user`'s member; a `#channel` is a console
    channel's name, and refused for Slack and Teams, whose channels go by id here."""

    async def resolve(mention: Mention) -> MemberRef:
        return user(args.platform, mention.user_id or mention.name or "")

    async def channels(name: str) -> str:
        return channel(args.platform, f"#{name}", "A channel setting")

    return await handle(
        kudos.services,
        command,
        workspace=workspace(args),
        actor=cli_operator(),
        resolve=resolve,
        delivery_key=f"cli:{uuid.uuid4().hex}",
        channels=channels,
    )
