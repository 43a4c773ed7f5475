"""`kudos serve`: the HTTP server, with the chat platforms that are switched on."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli.args import port

if TYPE_CHECKING:
    from bot.config import Settings


def register(commands: Any) -> None:
    """Add `kudos serve`."""
    serve = commands.add_parser("serve", help="run the HTTP server (upgrades the database first)")
    serve.add_argument(
        "--host",
        help="default: $HOST, else 0.0.0.0, or 127.0.0.1 while an endpoint is unauthenticated",
    )
    serve.add_argument("--port", type=port, help="default: $PORT or 3000")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted. The only command that loads the web framework, the scheduler
    and (when they are on) the chat SDKs."""
    from bot.web.server import serve

    return serve(settings, args.host, args.port or settings.port)
