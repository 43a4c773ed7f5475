"""The `kudos` command."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import socket
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import DBAPIError

from bot import __version__
from bot.adapters.console import render
from bot.adapters.console.chat import PLATFORM as CONSOLE
from bot.adapters.console.chat import member_ref, run_chat
from bot.bootstrap import App, build
from bot.config import Settings, explain
from bot.domain.access import WEBHOOK_EVENTS, ApiToken, token_lifetime
from bot.domain.errors import InvalidItem, InvalidSetting, KudosError
from bot.domain.grammar import CHANNEL_NAME
from bot.domain.model import MemberRef, WorkspaceRef
from bot.domain.schedule import KINDS
from bot.replies.compose import scheduled
from bot.services.admins import change_admins, cli_operator, read_audit, show_admins
from bot.services.api_tokens import create_api_token, list_api_tokens, revoke_api_token
from bot.services.catalog import add_item, edit_item, import_items, remove_item, show_catalog
from bot.services.export import EXPORTS, export_rows
from bot.services.ledger import verify_ledger
from bot.services.privacy import forget_member
from bot.services.queries import show_balance, show_history, show_leaderboard
from bot.services.results import SettingsShown
from bot.services.rewards import adjust_points, decide_redemption
from bot.services.schedules import add_schedule, build_post, remove_schedule, schedule_status
from bot.services.settings import change_settings, show_settings
from bot.services.signin import LINK_LIFETIME, create_sign_in_link, standing
from bot.services.webhooks import add_webhook, list_webhooks, remove_webhook, webhook_deliveries
from bot.services.workspaces import find_workspace, open_workspace


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kudos", description="Kudos recognition bot")
    parser.add_argument("--version", action="version", version=f"kudos {__version__}")
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server (upgrades the database first)")
    serve.add_argument(
        "--host",
        help="default: $HOST, else 0.0.0.0, or 127.0.0.1 while an endpoint is unauthenticated",
    )
    serve.add_argument("--port", type=_port, help="default: $PORT or 3000")

    chat = sub.add_parser("chat", help="talk to the bot from a terminal")
    chat.add_argument("--as", dest="actor", required=True, help="who you are, e.g. ana")
    chat.add_argument(
        "--workspace",
        default="local",
        type=_nonblank,
        help="the console workspace, created on first use (default: local)",
    )

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply migrations (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_sub.add_parser("downgrade", help="revert migrations to a revision")
    down.add_argument("revision")

    def scoped(p: argparse.ArgumentParser, user: bool) -> None:
        p.add_argument("--workspace", required=True, type=_nonblank, help=WORKSPACE_HELP)
        p.add_argument("--platform", choices=PLATFORMS, help=PLATFORM_HELP)
        if user:
            p.add_argument("--user", required=True, type=_nonblank)
        p.add_argument("--json", action="store_true", help="machine-readable output")

    scoped(sub.add_parser("balance", help="a member's allowance left and points earned"), True)
    scoped(sub.add_parser("history", help="a member's recent kudos"), True)
    top = sub.add_parser("top", help="the leaderboard")
    scoped(top, False)
    top.add_argument("--period", choices=["week", "month", "all"], default="week")
    top.add_argument("--tag")
    top.add_argument("--limit", type=int, default=10)

    settings = sub.add_parser("settings", help="show or change a workspace's settings")
    settings_sub = settings.add_subparsers(dest="settings_command", required=True)
    show = settings_sub.add_parser("show", help="print the settings")
    scoped(show, False)
    change = settings_sub.add_parser("set", help="change settings, e.g. max_amount=20")
    scoped(change, False)
    change.add_argument("changes", nargs="+", metavar="NAME=VALUE")

    schedule = sub.add_parser("schedule", help="scheduled leaderboards and learning shoutouts")
    schedule_sub = schedule.add_subparsers(dest="schedule_command", required=True)
    for name, text in (
        ("list", "the workspace's scheduled posts"),
        ("status", "each scheduled post's next run and last outcome"),
    ):
        scoped(schedule_sub.add_parser(name, help=text), False)
    for name, text in (("add", "schedule a post in a channel"), ("remove", "stop one")):
        p = schedule_sub.add_parser(name, help=text)
        scoped(p, False)
        p.add_argument("kind", choices=list(KINDS))
        p.add_argument(
            "--channel", required=True, help="Slack channel id, or Teams conversation id"
        )
        if name == "add":
            p.add_argument("--when", help="day and time in the workspace's zone, e.g. 'fri 16:00'")

    post = sub.add_parser("post", help="post (or preview) a leaderboard or learning shoutouts")
    scoped(post, False)
    post.add_argument("what", choices=["leaderboard", "learning"])
    post.add_argument("--period", choices=["week", "month"], default="week")
    post.add_argument("--channel", help="where to post (not needed with --dry-run)")
    post.add_argument("--dry-run", action="store_true", help="print it instead of posting")

    teams = sub.add_parser("teams", help="Microsoft Teams tools")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    package = teams_sub.add_parser("package", help="write the app zip to upload to Teams")
    package.add_argument("--app-id", help="the bot's Microsoft app id (default: MICROSOFT_APP_ID)")
    package.add_argument("--domain", required=True, help="where kudos serve is reachable")
    package.add_argument("--out", default="kudos-teams.zip", help="the zip to write")
    package.add_argument(
        "--developer-name", help="your organisation, as Teams shows it (default: the domain)"
    )
    package.add_argument("--website", help="default: https://DOMAIN/")
    package.add_argument("--privacy-url", help="default: https://DOMAIN/privacy (kudos serve's)")
    package.add_argument("--terms-url", help="default: https://DOMAIN/terms (kudos serve's)")

    catalog = sub.add_parser("catalog", help="the reward catalog")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    scoped(catalog_sub.add_parser("list", help="every item, inactive ones included"), False)
    add = catalog_sub.add_parser("add", help='add an item: name="Book voucher" cost=200 stock=10')
    scoped(add, False)
    add.add_argument("fields", nargs="+", metavar="FIELD=VALUE")
    edit = catalog_sub.add_parser("edit", help="change an item: cost=150 active=no")
    scoped(edit, False)
    edit.add_argument("item", help="the item's name or number")
    edit.add_argument("fields", nargs="+", metavar="FIELD=VALUE")
    remove = catalog_sub.add_parser("remove", help="take an item out of the catalog")
    scoped(remove, False)
    remove.add_argument("item", help="the item's name or number")
    imported = catalog_sub.add_parser(
        "import",
        help="add or update items from a CSV (name,cost,description,stock,approval,active)",
    )
    scoped(imported, False)
    imported.add_argument("file", type=Path)

    redemptions = sub.add_parser("redemptions", help="redemptions and their approval")
    redemptions_sub = redemptions.add_subparsers(dest="redemptions_command", required=True)
    listing = redemptions_sub.add_parser("list", help="redemptions, newest first")
    scoped(listing, False)
    listing.add_argument("--pending", action="store_true", help="only those awaiting a decision")
    for name in ("approve", "reject"):
        p = redemptions_sub.add_parser(name, help=f"{name} a pending redemption")
        scoped(p, False)
        p.add_argument("id", type=int)
        if name == "reject":
            p.add_argument("--reason", required=True, help="the member reads it")

    admins = sub.add_parser("admins", help="the workspace's admin list")
    admins_sub = admins.add_subparsers(dest="admins_command", required=True)
    scoped(admins_sub.add_parser("list", help="who is on the admin list"), False)
    for name in ("add", "remove"):
        p = admins_sub.add_parser(name, help=f"{name} an admin (Slack or Teams user id)")
        scoped(p, True)

    audit = sub.add_parser("audit", help="admin actions: who did what, and when")
    scoped(audit, False)
    audit.add_argument("--since", type=_date, help="YYYY-MM-DD")
    audit.add_argument("--limit", type=int, default=100)

    adjust = sub.add_parser("adjust", help="add to (or take from) someone's earned points")
    scoped(adjust, True)
    adjust.add_argument("amount", type=int, help="e.g. 10 or -10")
    adjust.add_argument("--reason", required=True)

    export = sub.add_parser(
        "export", help="kudos, ledger entries, redemptions or learnings as CSV or JSON"
    )
    export.add_argument("--workspace", required=True, type=_nonblank, help=WORKSPACE_HELP)
    export.add_argument("--platform", choices=PLATFORMS, help=PLATFORM_HELP)
    export.add_argument("--what", choices=list(EXPORTS), required=True)
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--since", type=_date, help="YYYY-MM-DD (UTC)")
    export.add_argument("--out", type=Path, help="a file to write (default: standard output)")

    dashboard = sub.add_parser("dashboard", help="the web dashboard at / of kudos serve")
    dashboard_sub = dashboard.add_subparsers(dest="dashboard_command", required=True)
    scoped(
        dashboard_sub.add_parser(
            "link", help="print a one-time sign-in URL for a member (works once, for 10 minutes)"
        ),
        True,
    )
    _access_parsers(sub, scoped)
    _people_parsers(sub, scoped)

    ledger = sub.add_parser("ledger", help="ledger tools")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    verify = ledger_sub.add_parser("verify", help="recompute every balance from the entries")
    verify.add_argument("--workspace", type=_nonblank, help="only this one (default: all)")
    verify.add_argument("--platform", choices=PLATFORMS, help=PLATFORM_HELP)
    verify.add_argument("--json", action="store_true")
    return parser


def _access_parsers(sub: Any, scoped: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    """`kudos api-token …` and `kudos webhooks …`."""
    tokens = sub.add_parser("api-token", help="access tokens for the JSON API (/api/v1)")
    tokens_sub = tokens.add_subparsers(dest="token_command", required=True)
    create = tokens_sub.add_parser("create", help="make a token (shown once)")
    scoped(create, False)
    create.add_argument("--scope", choices=["read", "admin"], default="read")
    create.add_argument("--expires", default="90d", help="lifetime, e.g. 90d, 12h, 2w")
    create.add_argument("--name", help="what it is for, e.g. 'HR dashboard'")
    scoped(tokens_sub.add_parser("list", help="the workspace's tokens"), False)
    revoke = tokens_sub.add_parser("revoke", help="refuse a token from now on")
    scoped(revoke, False)
    revoke.add_argument("prefix", help="its prefix (kudos_abcd2345), as `list` shows it")

    hooks = sub.add_parser("webhooks", help="signed HTTP calls to other systems on events")
    hooks_sub = hooks.add_subparsers(dest="webhooks_command", required=True)
    add = hooks_sub.add_parser("add", help="send events to a URL (its secret is shown once)")
    scoped(add, False)
    add.add_argument("url")
    add.add_argument("--events", required=True, help=f"comma-separated: {','.join(WEBHOOK_EVENTS)}")
    scoped(hooks_sub.add_parser("list", help="the workspace's webhooks"), False)
    remove = hooks_sub.add_parser("remove", help="stop sending to a webhook")
    scoped(remove, False)
    remove.add_argument("id", type=int, help="its number, as `list` shows it")
    deliveries = hooks_sub.add_parser("deliveries", help="what was sent, and how it went")
    scoped(deliveries, False)
    deliveries.add_argument(
        "--failed", action="store_true", help="only given up, or failing and retrying"
    )
    deliveries.add_argument("--limit", type=int, default=50)


def _people_parsers(sub: Any, scoped: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    """`kudos people forget`."""
    people = sub.add_parser("people", help="the people of a workspace")
    people_sub = people.add_subparsers(dest="people_command", required=True)
    scoped(
        people_sub.add_parser(
            "forget",
            help="erase a person's personal data; the ledger keeps their points under a "
            "pseudonym (cannot be undone)",
        ),
        True,
    )


async def _people(args: argparse.Namespace, app: App) -> int:
    """`kudos people forget --workspace W --user U`: erase what identifies the person (the
    service says what), print the pseudonym and how much was erased (never what)."""
    ws = WorkspaceRef(args.platform, args.workspace)
    who = _user(args.platform, args.user).external_id
    done = await forget_member(app.services, ws, cli_operator(), who)
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
    _emit(args, data, lambda c: c.print(said, markup=False, soft_wrap=True))
    return 0


PLATFORMS = [CONSOLE, "slack", "teams"]
WORKSPACE_HELP = "a Slack team id, a Teams tenant id or a console workspace's name"
PLATFORM_HELP = "where the workspace lives (default: the one platform that has it)"


def _nonblank(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text.strip()


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port from 1 to 65535")
    return int(text)


def _date(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), time(0), UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from None


def _pairs(items: list[str], example: str) -> dict[str, str]:
    pairs = [item.partition("=") for item in items]
    if any(not sep or not name for name, sep, _ in pairs):
        raise InvalidSetting(f"Write each change as NAME=VALUE, e.g. {example}.")
    return {name: value for name, _, value in pairs}


def _channel(platform: str, value: str, what: str) -> str:
    """A channel given at the command line: a console channel by name (`#team` or `team`); a
    Slack or Teams one by id, since the server cannot look names up without the chat."""
    named = CHANNEL_NAME.fullmatch(value.strip())
    if named is None:
        return value.strip()
    if platform == CONSOLE:
        return named.group(1).casefold()
    raise InvalidSetting(
        f"{what} takes the channel's id, not its name: in Slack the C… id at the bottom of the "
        "channel's details, in Teams the conversation id (19:…@thread.tacv2)."
    )


def _user(platform: str, user: str) -> MemberRef:
    return member_ref(user) if platform == CONSOLE else MemberRef(external_id=user)


async def _with_app(
    settings: Settings, migrate: bool, work: Callable[[App], Awaitable[int]]
) -> int:
    app = await build(settings, migrate=migrate)
    try:
        return await work(app)
    finally:
        await app.close()


async def _in_workspace(
    args: argparse.Namespace,
    app: App,
    handler: Callable[[argparse.Namespace, App], Awaitable[int]],
) -> int:
    """Run a command on an existing workspace only (`kudos chat` is the one that creates one):
    `--workspace` is found on `--platform`, or on the one platform that has that id."""
    if args.workspace is not None:
        found = await find_workspace(app.services, args.workspace, args.platform)
        args.platform = found.platform
    return await handler(args, app)


class _Console(Console):
    """rich's Console, except that a reader who left is main()'s to handle (rich exits 1)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError()


def _emit(args: argparse.Namespace, data: Any, human: Callable[[Console], None]) -> None:
    if args.json:
        print(json.dumps(data, default=str))
    else:
        human(_Console())


async def _chat(args: argparse.Namespace, app: App) -> int:
    """The console chat: the one command that creates a workspace (a console one)."""
    await open_workspace(app.services, WorkspaceRef(CONSOLE, args.workspace, args.workspace))
    return await run_chat(app.services, args.workspace, args.actor)


async def _balance(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace)
    result = await show_balance(app.services, ws, _user(args.platform, args.user))
    _emit(
        args,
        render.balance_json(args.platform, args.workspace, result),
        lambda c: c.print(render.describe(result), markup=False),
    )
    return 0


async def _history(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace)
    result = await show_history(app.services, ws, _user(args.platform, args.user))
    data = [
        {
            "kudos_id": i.kudos_id,
            "direction": i.direction,
            "giver": i.giver,
            "recipients": list(i.recipients),
            "amount_each": i.amount_each,
            "reason": i.reason,
            "tags": list(i.tags),
            "created_at": i.created_at.isoformat(),
            "reversed": i.reversed,
        }
        for i in result.items
    ]
    _emit(args, data, lambda c: c.print(render.describe(result), markup=False))
    return 0


async def _top(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace)
    tag = args.tag.lstrip("#") if args.tag else None
    result = await show_leaderboard(app.services, ws, args.period, tag, max(1, args.limit))
    _emit(args, render.leaderboard_json(result), lambda c: render.print_leaderboard(c, result))
    return 0


async def _settings(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace, args.workspace)
    changed: tuple[str, ...] = ()
    if args.settings_command == "set":
        changes = _pairs(args.changes, "max_amount=20")
        changed = tuple(changes)
        for key in ("learning_channel", "approvals_channel"):
            if key in changes:
                changes[key] = _channel(args.platform, changes[key], key)
        result = await change_settings(app.services, ws, changes, cli_operator())
    else:
        result = await show_settings(app.services, ws)
    data = result.to_dict()
    shown = SettingsShown(result, changed)
    _emit(args, data, lambda c: c.print(render.describe(shown), markup=False))
    return 0


async def _schedule(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace, args.workspace)
    if args.schedule_command in {"add", "remove"}:
        args.channel = _channel(args.platform, args.channel, "--channel")
    if args.schedule_command == "add":
        if args.platform == CONSOLE:
            raise InvalidSetting(
                "Scheduled posts go to Slack or Teams: pass --platform slack (workspace: the "
                "team id) or --platform teams (workspace: the tenant id)."
            )
        added = await add_schedule(
            app.services, ws, args.kind, args.channel, args.when, actor=cli_operator()
        )
        print(f"Scheduled: {added.describe()} in {added.channel}.")
        return 0
    if args.schedule_command == "remove":
        if not await remove_schedule(
            app.services, ws, args.kind, args.channel, actor=cli_operator()
        ):
            print(f"kudos: no {args.kind} is scheduled in {args.channel}", file=sys.stderr)
            return 1
        print(f"Removed: {args.kind} in {args.channel}.")
        return 0
    statuses = await schedule_status(app.services, ws)
    data: list[dict[str, Any]] = [
        {
            "kind": st.schedule.kind,
            "channel": st.schedule.channel,
            "when": st.schedule.describe(),
            "next_run": st.next_run.isoformat(),
            "last_run": None
            if st.last_run is None
            else {
                "period": st.last_run.period,
                "status": st.last_run.status,
                "attempts": st.last_run.attempts,
                "at": (st.last_run.finished_at or st.last_run.claimed_at).isoformat(),
                "error": st.last_run.error,
            },
        }
        for st in statuses
    ]

    def show(console: Console) -> None:
        if not data:
            console.print(
                "Nothing scheduled. Add one with `kudos schedule add weekly_leaderboard …`."
            )
        for row in data:
            line = f"{row['kind']:20} {row['channel']:14} {row['when']}; next {row['next_run']}"
            last = row["last_run"]
            if args.schedule_command == "status" and last:
                line += f"; last {last['period']}: {last['status']} ({last['attempts']} attempts)"
                if last["error"]:
                    line += f" — {last['error']}"
            console.print(line, markup=False, soft_wrap=True)

    _emit(args, data, show)
    return 0


async def _post(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace, args.workspace)
    kind = "learning_shoutouts" if args.what == "learning" else f"{args.period}ly_leaderboard"
    content = await build_post(app.services, ws, kind, None)
    if args.dry_run:
        print(render.text(scheduled(content, args.channel or "")))
        return 0
    if not args.channel:
        raise InvalidSetting("Say where to post with --channel (or preview with --dry-run).")
    if args.platform == CONSOLE:
        raise InvalidSetting("The console has no channels to post in: preview with --dry-run.")
    args.channel = _channel(args.platform, args.channel, "--channel")
    try:
        await app.services.notifier.scheduled_post(ws, args.channel, content)
    except LookupError:
        raise InvalidSetting(
            f"{args.platform.title()} isn't configured on this server, so I can't post there: "
            "set its credentials, or preview with --dry-run."
        ) from None
    except Exception as exc:  # the platform's SDK refused: say what it said
        raise InvalidSetting(f"Could not post in {args.channel}: {exc}".rstrip(".") + ".") from None
    print(f"Posted in {args.channel}.")
    return 0


async def _catalog(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace, args.workspace)
    operator = cli_operator()
    if args.catalog_command == "list":
        shown = await show_catalog(app.services, ws)
        _emit(
            args,
            [item.as_dict() for item in shown.items],
            lambda c: c.print(render.describe(shown), markup=False),
        )
        return 0
    if args.catalog_command == "import":
        try:
            with args.file.open(newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise InvalidItem(f"Could not read {args.file}: {exc}.") from None
        if not rows:
            raise InvalidItem(f"{args.file} has no rows under its header (name,cost,…).")
        rows = [{(k or "").strip().casefold(): v for k, v in row.items()} for row in rows]
        done = await import_items(app.services, ws, operator, rows)
        _emit(
            args,
            {"added": list(done.added), "updated": list(done.updated)},
            lambda c: c.print(
                f"Imported {len(done.added)} new and {len(done.updated)} updated items.",
                markup=False,
            ),
        )
        return 0
    if args.catalog_command == "add":
        result = await add_item(app.services, ws, operator, _pairs(args.fields, "cost=200"))
    elif args.catalog_command == "edit":
        fields = _pairs(args.fields, "cost=150")
        result = await edit_item(app.services, ws, operator, args.item, fields)
    else:
        result = await remove_item(app.services, ws, operator, args.item)
    _emit(args, {"done": result.text}, lambda c: c.print(result.text, markup=False))
    return 0


async def _redemptions(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace, args.workspace)
    operator = cli_operator()
    if args.redemptions_command in {"approve", "reject"}:
        approve = args.redemptions_command == "approve"
        reason = None if approve else args.reason
        decided = await decide_redemption(app.services, ws, operator, args.id, approve, reason)
        _emit(
            args,
            {"id": decided.redemption.id, "status": decided.redemption.status},
            lambda c: c.print(render.describe(decided), markup=False),
        )
        return 0
    rows = await export_rows(app.services, ws, "redemptions", None)
    if args.pending:
        rows = [row for row in rows if row["status"] == "pending"]
    rows.reverse()

    def show(console: Console) -> None:
        if not rows:
            console.print("No redemptions.")
        for row in rows:
            line = (
                f"#{row['id']:<5} {row['created_at'][:16]}  {row['member']}: {row['item']}, "
                f"{row['cost']} points — {row['status']}"
            )
            if row["reason"]:
                line += f" ({row['reason']})"
            console.print(line, markup=False, soft_wrap=True)

    _emit(args, rows, show)
    return 0


async def _admins(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace, args.workspace)
    if args.admins_command == "list":
        shown = await show_admins(app.services, ws)
        _emit(
            args,
            [{"user": uid, "name": name} for uid, name in shown.admins],
            lambda c: c.print(render.describe(shown), markup=False),
        )
        return 0
    who = _user(args.platform, args.user)
    done = await change_admins(app.services, ws, cli_operator(), args.admins_command == "add", who)
    _emit(args, {"done": done.text}, lambda c: c.print(done.text, markup=False))
    return 0


async def _audit(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace)
    entries = await read_audit(app.services, ws, args.since, max(1, args.limit))
    data: list[dict[str, Any]] = [
        {
            "at": e.created_at.isoformat(),
            "actor_id": e.actor_id,
            "actor": e.actor_name,
            "action": e.action,
            "target": e.target,
            "details": e.details,
        }
        for e in entries
    ]

    def show(console: Console) -> None:
        if not data:
            console.print("No admin actions recorded.")
        for row in data:
            details = json.dumps(row["details"], ensure_ascii=False, default=str)
            console.print(
                f"{row['at'][:19]}  {row['actor']}  {row['action']}  {row['target']}  {details}",
                markup=False,
                soft_wrap=True,
            )

    _emit(args, data, show)
    return 0


async def _adjust(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace, args.workspace)
    key = f"cli:adjust:{uuid.uuid4().hex}"
    done = await adjust_points(
        app.services,
        ws,
        cli_operator(),
        _user(args.platform, args.user),
        args.amount,
        args.reason,
        key,
    )
    _emit(args, {"done": done.text}, lambda c: c.print(done.text, markup=False))
    return 0


async def _export(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace)
    rows = await export_rows(app.services, ws, args.what, args.since)
    out = args.out.open("w", newline="", encoding="utf-8") if args.out else sys.stdout
    try:
        if args.format == "json":
            json.dump(rows, out, ensure_ascii=False, indent=1, default=str)
            out.write("\n")
        elif rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"Wrote {len(rows)} {args.what} rows to {args.out}.", file=sys.stderr)
    return 0


async def _dashboard(args: argparse.Namespace, app: App) -> int:
    """A one-time sign-in link: the operator's way in, and a newcomer's without chat."""
    ws = WorkspaceRef(args.platform, args.workspace)
    who = _user(args.platform, args.user)
    token = await create_sign_in_link(app.services, ws, who, cli_operator())
    base = app.settings.public_url or f"http://localhost:{app.settings.port}"
    url = f"{base}/signin/link/{token}"
    admin = (await standing(app.services, ws, who)).admin
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

    _emit(args, {"url": url, "expires_in_minutes": minutes, "admin": admin}, show)
    return 0


async def _api_token(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace)
    now = datetime.now(UTC)

    def row(t: ApiToken) -> dict[str, Any]:
        return {
            "prefix": f"kudos_{t.prefix}",
            "name": t.name,
            "scope": t.scope,
            "state": t.state(now),
            "created_at": t.created_at.isoformat(),
            "expires_at": t.expires_at.isoformat(),
            "created_by": t.created_by,
        }

    if args.token_command == "create":
        lifetime = token_lifetime(args.expires)
        token, text = await create_api_token(
            app.services, ws, cli_operator(), args.scope, lifetime, args.name
        )
        _emit(
            args,
            {**row(token), "token": text},
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
        revoked = await revoke_api_token(app.services, ws, cli_operator(), args.prefix)
        done = f"Revoked kudos_{revoked.prefix} ({revoked.name})."
        _emit(args, {"done": done}, lambda c: c.print(done, markup=False))
        return 0
    data = [row(t) for t in await list_api_tokens(app.services, ws)]

    def show(console: Console) -> None:
        if not data:
            console.print("No API tokens. Make one with `kudos api-token create`.")
        for r in data:
            console.print(
                f"{r['prefix']}  {r['scope']:5}  {r['state']:7}  until {r['expires_at'][:10]}"
                f"  {r['name']}",
                markup=False,
                soft_wrap=True,
            )

    _emit(args, data, show)
    return 0


async def _webhooks(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace)
    if args.webhooks_command == "add":
        hook, secret = await add_webhook(app.services, ws, cli_operator(), args.url, args.events)
        _emit(
            args,
            {"id": hook.id, "url": hook.url, "events": list(hook.events), "secret": secret},
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
        removed = await remove_webhook(app.services, ws, cli_operator(), args.id)
        done = f"Removed webhook #{removed.id} ({removed.url})."
        _emit(args, {"done": done}, lambda c: c.print(done, markup=False))
        return 0
    if args.webhooks_command == "list":
        hooks: list[dict[str, Any]] = [
            {"id": h.id, "url": h.url, "events": list(h.events), "created_at": h.created_at}
            for h in await list_webhooks(app.services, ws)
        ]

        def listed(console: Console) -> None:
            if not hooks:
                console.print("No webhooks. Add one with `kudos webhooks add URL --events …`.")
            for h in hooks:
                line = f"#{h['id']:<4} {h['url']}  {','.join(h['events'])}"
                console.print(line, markup=False, soft_wrap=True)

        _emit(args, hooks, listed)
        return 0
    log = await webhook_deliveries(
        app.services, ws, failed_only=args.failed, limit=max(1, args.limit)
    )
    data: list[dict[str, Any]] = [
        {
            "delivery": d.delivery_id,
            "webhook": d.webhook_id,
            "url": d.url,
            "event": d.event,
            "state": d.state,
            "attempts": d.attempts,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "created_at": d.created_at.isoformat(),
            "last_attempt_at": d.last_attempt_at.isoformat() if d.last_attempt_at else None,
        }
        for d in log
    ]

    def show(console: Console) -> None:
        if not data:
            console.print("No deliveries" + (" have failed." if args.failed else " yet."))
        for d in data:
            line = (
                f"{d['created_at'][:19]}  #{d['webhook']} {d['event']:20} {d['state']:9} "
                f"{d['attempts']} attempt(s)  {d['delivery']}"
            )
            if d["last_error"]:
                line += f"  — {d['last_error']}"
            console.print(line, markup=False, soft_wrap=True)

    _emit(args, data, show)
    return 0


async def _verify(args: argparse.Namespace, app: App) -> int:
    ws = WorkspaceRef(args.platform, args.workspace) if args.workspace else None
    drifts = await verify_ledger(app.services, ws)
    _emit(
        args,
        {"clean": not drifts, "drifts": [d.__dict__ for d in drifts]},
        lambda c: render.print_drifts(c, drifts),
    )
    return 1 if drifts else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kudos` console script. A reader that stops reading (`| head -1`) is
    not an error: like other Unix tools, the command then stops quietly, with status 0."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, not at exit, so a closed pipe is noticed while we can act
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail
        return 0
    return status


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"kudos: configuration error: {explain(exc)}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command != "serve":
        logging.getLogger("alembic").setLevel(logging.WARNING)

    try:
        if args.command == "serve":
            from bot.web.server import serve

            return serve(settings, args.host, args.port or settings.port)
        if args.command == "db":
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
        if args.command == "teams":
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
        if args.command == "chat":
            member_ref(args.actor)  # an empty name is refused before anything is opened
            return asyncio.run(_with_app(settings, True, lambda app: _chat(args, app)))
        handlers = {
            "balance": _balance,
            "history": _history,
            "top": _top,
            "settings": _settings,
            "schedule": _schedule,
            "post": _post,
            "catalog": _catalog,
            "redemptions": _redemptions,
            "admins": _admins,
            "audit": _audit,
            "adjust": _adjust,
            "export": _export,
            "dashboard": _dashboard,
            "api-token": _api_token,
            "webhooks": _webhooks,
            "people": _people,
        }
        if args.command in handlers or args.command == "ledger":
            handler = handlers.get(args.command, _verify)
            return asyncio.run(
                _with_app(settings, False, lambda app: _in_workspace(args, app, handler))
            )
    except KudosError as refusal:
        print(f"kudos: {refusal.message}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # a ConnectionError, but the reader left: main() handles it
    except DBAPIError as exc:
        print(
            f"kudos: the database did not answer as expected ({str(exc.orig).strip()}). "
            "Is it running, and has `kudos db upgrade` been run?",
            file=sys.stderr,
        )
        return 2
    except (ConnectionError, TimeoutError, socket.gaierror) as exc:
        print(f"kudos: could not reach the database ({exc}). Check DATABASE_URL.", file=sys.stderr)
        return 2
    except OSError as exc:  # a file the command needed: --out, the SQLite file's directory, …
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"kudos: could not use {where}{exc.strerror or exc}.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
