"""`kudos teams package`: the Teams app zip to upload."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings


def register(commands: Any) -> None:
    """Add `kudos teams …`."""
    teams = commands.add_parser("teams", help="Microsoft Teams tools")
    teams_commands = teams.add_subparsers(dest="teams_command", required=True)
    package = teams_commands.add_parser("package", help="write the app zip to upload to Teams")
    package.add_argument("--app-id", help="the bot's Microsoft app id (default: MICROSOFT_APP_ID)")
    package.add_argument("--domain", required=True, help="where kudos serve is reachable")
    package.add_argument("--out", default="kudos-teams.zip", help="the zip to write")
    package.add_argument(
        "--developer-name", help="your organisation, as Teams shows it (default: the domain)"
    )
    package.add_argument("--website", help="default: https://DOMAIN/")
    package.add_argument("--privacy-url", help="default: https://DOMAIN/privacy (kudos serve's)")
    package.add_argument("--terms-url", help="default: https://DOMAIN/terms (kudos serve's)")
    package.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Write the zip (manifest and icons); what is missing is one sentence."""
    from bot.adapters.teams.package import PackageError, build_package

    try:
        out = build_package(
            args.app_id or settings.microsoft_app_id,
            args.domain,
            Path(args.out),
            developer_name=args.developer_name,
            website_url=args.website,
            privacy_url=args.privacy_url,
            terms_url=args.terms_url,
        )
    except PackageError as exc:
        print(f"kudos: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {out}: upload it in Teams (Apps → Manage your apps → Upload an app).")
    return 0
