"""How a command runs: on nothing but its arguments, or on the database and the services
(`bot.core`), in the workspace `--workspace` names."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.services.workspaces import find_workspace

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core import Core

Run = Callable[[argparse.Namespace, "Settings"], int]
"""What a parsed command runs: `args.run(args, settings)` returns the exit status."""
Handler = Callable[[argparse.Namespace, "Core"], Awaitable[int]]
"""A command's work on the database and the services; returns the exit status."""


def on_core(handler: Handler, *, migrate: bool = False, find: bool = True) -> Run:
    """Run `handler` on the database and the services. With `find` (all but `kudos chat`,
    the one command that creates a workspace) `--workspace` must exist: it is looked up on
    `--platform`, or on the one platform that has that id, and `args.platform` is set.
    `migrate` upgrades the schema first."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        return asyncio.run(_on_core(args, settings, handler, migrate, find))

    return run


async def _on_core(
    args: argparse.Namespace, settings: Settings, handler: Handler, migrate: bool, find: bool
) -> int:
    # Imported here, not at the top: `kudos --help` and a mistyped argument answer without
    # loading the database layer.
    from bot.core import open_core

    kudos = await open_core(settings, migrate=migrate)
    try:
        if find and getattr(args, "workspace", None) is not None:
            found = await find_workspace(kudos.services, args.workspace, args.platform)
            args.platform = found.platform
        return await handler(args, kudos)
    finally:
        await kudos.close()
