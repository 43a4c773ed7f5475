"""`kudos db upgrade|downgrade`: the schema, by Alembic."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings


def register(commands: Any) -> None:
    """Add `kudos db …`."""
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    up = db_commands.add_parser("upgrade", help="apply migrations (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(run=run)
    down = db_commands.add_parser("downgrade", help="revert migrations to a revision")
    down.add_argument("revision")
    down.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Upgrade or downgrade to `args.revision`; an unknown revision is one sentence."""
    from alembic.util import CommandError

    from bot import migrations

    try:
        if args.db_command == "upgrade":
            migrations.upgrade(settings.database_url, args.revision)
        else:
            migrations.downgrade(settings.database_url, args.revision)
    except CommandError as exc:  # an unknown revision, say
        print(f"kudos: {str(exc).rstrip('.')}.", file=sys.stderr)
        return 2
    return 0
