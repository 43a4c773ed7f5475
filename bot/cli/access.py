"""`kudos api-token …` and `kudos webhooks …`: other systems' access to a workspace."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.cli.args import scoped, workspace
from bot.cli.output import emit, say
from bot.cli.run import on_core
from bot.domain.access import WEBHOOK_EVENTS, ApiToken, Webhook, WebhookDelivery, token_lifetime
from bot.services.admins import cli_operator
from bot.services.api_tokens import create_api_token, list_api_tokens, revoke_api_token
from bot.services.webhooks import add_webhook, list_webhooks, remove_webhook, webhook_deliveries

if TYPE_CHECKING:
    from rich.console import Console

    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos api-token …` and `kudos webhooks …`."""
    tokens = commands.add_parser("api-token", help="access tokens for the JSON API (/api/v1)")
    tokens_commands = tokens.add_subparsers(dest="token_command", required=True)
    create = scoped(tokens_commands.add_parser("create", help="make a token (shown once)"))
    create.add_argument("--scope", choices=["read", "admin"], default="read")
    create.add_argument("--expires", default="90d", help="lifetime, e.g. 90d, 12h, 2w")
    create.add_argument("--name", help="what it is for, e.g. 'HR dashboard'")
    scoped(tokens_commands.add_parser("list", help="the workspace's tokens"))
    revoke = scoped(tokens_commands.add_parser("revoke", help="refuse a token from now on"))
    revoke.add_argument("prefix", help="its prefix (kudos_abcd2345), as `list` shows it")
    tokens.set_defaults(run=on_core(api_token_command))

    hooks = commands.add_parser("webhooks", help="signed HTTP calls to other systems on events")
    hooks_commands = hooks.add_subparsers(dest="webhooks_command", required=True)
    add = scoped(
        hooks_commands.add_parser("add", help="send events to a URL (its secret is shown once)")
    )
    add.add_argument("url")
    add.add_argument("--events", required=True, help=f"comma-separated: {','.join(WEBHOOK_EVENTS)}")
    scoped(hooks_commands.add_parser("list", help="the workspace's webhooks"))
    remove = scoped(hooks_commands.add_parser("remove", help="stop sending to a webhook"))
    remove.add_argument("id", type=int, help="its number, as `list` shows it")
    deliveries = scoped(
        hooks_commands.add_parser("deliveries", help="what was sent, and how it went")
    )
    deliveries.add_argument(
        "--failed", action="store_true", help="only given up, or failing and retrying"
    )
    deliveries.add_argument("--limit", type=int, default=50)
    hooks.set_defaults(run=on_core(webhooks_command))


def token_json(token: ApiToken, now: datetime) -> dict[str, Any]:
    """A token as `list --json` shows it: its prefix as `revoke` takes it, and its state."""
    return {
        "prefix": f"kudos_{token.prefix}",
        "name": token.name,
        "scope": token.scope,
        "state": token.state(now),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "created_by": token.created_by,
    }


async def api_token_command(args: argparse.Namespace, kudos: Core) -> int:
    """Create a token (its text shown once), list them, or revoke one."""
    ws, now = workspace(args), datetime.now(UTC)
    if args.token_command == "create":
        lifetime = token_lifetime(args.expires)
        token, text = await create_api_token(
            kudos.services, ws, cli_operator(), args.scope, lifetime, args.name
        )
        emit(
            args,
            {**token_json(token, now), "token": text},
            lambda c: c.print(
                f"{text}\n\nThis is the only time the token is shown: keep it somewhere safe. "
                f"It has {token.scope} scope in {args.workspace} until "
                f"{token.expires_at:%Y-%m-%d %H:%M} UTC; send it as "
                "`Authorization: Bearer …` to /api/v1/.",
                markup=False,
                soft_wrap=True,
            ),
        )
        return 0
    if args.token_command == "revoke":
        revoked = await revoke_api_token(kudos.services, ws, cli_operator(), args.prefix)
        say(args, f"Revoked kudos_{revoked.prefix} ({revoked.name}).")
        return 0
    tokens = await list_api_tokens(kudos.services, ws)
    emit(args, [token_json(t, now) for t in tokens], lambda c: _print_tokens(c, tokens, now))
    return 0


def _print_tokens(console: Console, tokens: list[ApiToken], now: datetime) -> None:
    if not tokens:
        console.print("No API tokens. Make one with `kudos api-token create`.")
    for t in tokens:
        console.print(
            f"kudos_{t.prefix}  {t.scope:5}  {t.state(now):7}  until {t.expires_at:%Y-%m-%d}"
            f"  {t.name}",
            markup=False,
            soft_wrap=True,
        )


async def webhooks_command(args: argparse.Namespace, kudos: Core) -> int:
    """Add a webhook (its signing secret shown once), list or remove them, or show how their
    deliveries went."""
    ws = workspace(args)
    if args.webhooks_command == "add":
        hook, secret = await add_webhook(kudos.services, ws, cli_operator(), args.url, args.events)
        emit(
            args,
            {"id": hook.id, "url": hook.url, "events": hook.events, "secret": secret},
            lambda c: c.print(
                f"Added webhook #{hook.id}: {', '.join(hook.events)} to {hook.url}.\n"
                f"Signing secret: {secret}\nThis is the only time the secret is shown; "
                "docs/api.md shows how to check the Kudos-Signature header with it.",
                markup=False,
                soft_wrap=True,
            ),
        )
        return 0
    if args.webhooks_command == "remove":
        removed = await remove_webhook(kudos.services, ws, cli_operator(), args.id)
        say(args, f"Removed webhook #{removed.id} ({removed.url}).")
        return 0
    if args.webhooks_command == "list":
        hooks = await list_webhooks(kudos.services, ws)
        emit(args, hooks, lambda c: _print_webhooks(c, hooks))
        return 0
    log = await webhook_deliveries(
        kudos.services, ws, failed_only=args.failed, limit=max(1, args.limit)
    )
    emit(args, log, lambda c: _print_deliveries(c, log, args.failed))
    return 0


def _print_webhooks(console: Console, hooks: list[Webhook]) -> None:
    if not hooks:
        console.print("No webhooks. Add one with `kudos webhooks add URL --events …`.")
    for h in hooks:
        line = f"#{h.id:<4} {h.url}  {','.join(h.events)}"
        console.print(line, markup=False, soft_wrap=True)


def _print_deliveries(console: Console, log: list[WebhookDelivery], failed: bool) -> None:
    if not log:
        console.print("No deliveries" + (" have failed." if failed else " yet."))
    for d in log:
        line = (
            f"{d.created_at.isoformat()[:19]}  #{d.webhook_id} {d.event:20} {d.state:9} "
            f"{d.attempts} attempt(s)  {d.delivery_id}"
        )
        if d.last_error:
            line += f"  — {d.last_error}"
        console.print(line, markup=False, soft_wrap=True)
