"""`kudos schedule …` and `kudos post`: scheduled leaderboards and learning shoutouts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.adapters.console.members import PLATFORM as CONSOLE
from bot.cli.args import channel, scoped, workspace
from bot.cli.output import emit, refuse
from bot.cli.run import on_core
from bot.domain.errors import InvalidSetting
from bot.domain.schedule import KINDS
from bot.services.admins import cli_operator
from bot.services.results import ScheduleStatus
from bot.services.schedules import add_schedule, build_post, remove_schedule, schedule_status

if TYPE_CHECKING:
    from rich.console import Console

    from bot.core import Core


def register(commands: Any) -> None:
    """Add `kudos schedule …` and `kudos post`."""
    schedule = commands.add_parser("schedule", help="scheduled leaderboards and learning shoutouts")
    schedule_commands = schedule.add_subparsers(dest="schedule_command", required=True)
    for name, text in (
        ("list", "the workspace's scheduled posts"),
        ("status", "each scheduled post's next run and last outcome"),
    ):
        scoped(schedule_commands.add_parser(name, help=text))
    for name, text in (("add", "schedule a post in a channel"), ("remove", "stop one")):
        change = scoped(schedule_commands.add_parser(name, help=text))
        change.add_argument("kind", choices=list(KINDS))
        change.add_argument(
            "--channel", required=True, help="Slack channel id, or Teams conversation id"
        )
        if name == "add":
            change.add_argument(
                "--when", help="day and time in the workspace's zone, e.g. 'fri 16:00'"
            )
    schedule.set_defaults(run=on_core(schedule_command))

    post = scoped(
        commands.add_parser("post", help="post (or preview) a leaderboard or learning shoutouts")
    )
    post.add_argument("what", choices=["leaderboard", "learning"])
    post.add_argument("--period", choices=["week", "month"], default="week")
    post.add_argument("--channel", help="where to post (not needed with --dry-run)")
    post.add_argument("--dry-run", action="store_true", help="print it instead of posting")
    post.set_defaults(run=on_core(post_now))


async def schedule_command(args: argparse.Namespace, kudos: Core) -> int:
    """List the scheduled posts (with their last run for `status`), or add or remove one."""
    ws = workspace(args)
    if args.schedule_command == "list" or args.schedule_command == "status":
        statuses = await schedule_status(kudos.services, ws)
        emit(args, statuses, lambda c: _print_statuses(c, statuses, args.schedule_command))
        return 0
    where = channel(args.platform, args.channel, "--channel")
    if args.schedule_command == "remove":
        removed = await remove_schedule(kudos.services, ws, args.kind, where, actor=cli_operator())
        if not removed:
            return refuse(f"no {args.kind} is scheduled in {where}")
        print(f"Removed: {args.kind} in {where}.")
        return 0
    if args.platform == CONSOLE:
        raise InvalidSetting(
            "Scheduled posts go to Slack or Teams: pass --platform slack (workspace: the "
            "team id) or --platform teams (workspace: the tenant id)."
        )
    added = await add_schedule(
        kudos.services, ws, args.kind, where, args.when, actor=cli_operator()
    )
    print(f"Scheduled: {added.describe()} in {added.channel}.")
    return 0


def _print_statuses(console: Console, statuses: list[ScheduleStatus], command: str) -> None:
    if not statuses:
        console.print("Nothing scheduled. Add one with `kudos schedule add weekly_leaderboard …`.")
    for st in statuses:
        line = f"{st.schedule.kind:20} {st.schedule.channel:14} {st.schedule.describe()}; "
        line += f"next {st.next_run.isoformat()}"
        last = st.last_run
        if command == "status" and last:
            line += f"; last {last.period}: {last.status} ({last.attempts} attempts)"
            if last.error:
                line += f" — {last.error}"
        console.print(line, markup=False, soft_wrap=True)


async def post_now(args: argparse.Namespace, kudos: Core) -> int:
    """Preview a scheduled post (`--dry-run`), or post it in `--channel` now."""
    from bot.adapters.console.render import text
    from bot.replies.compose import scheduled

    ws = workspace(args)
    kind = "learning_shoutouts" if args.what == "learning" else f"{args.period}ly_leaderboard"
    content = await build_post(kudos.services, ws, kind, None)
    if args.dry_run:
        print(text(scheduled(content, args.channel or "")))
        return 0
    if not args.channel:
        raise InvalidSetting("Say where to post with --channel (or preview with --dry-run).")
    if args.platform == CONSOLE:
        raise InvalidSetting("The console has no channels to post in: preview with --dry-run.")
    where = channel(args.platform, args.channel, "--channel")
    # Posting needs the platform's own client: the one command here that builds the server's
    # wiring (and so imports the SDK of each platform that is on).
    from bot.bootstrap import build

    app = await build(kudos.settings, migrate=False)
    try:
        await app.services.notifier.scheduled_post(ws, where, content)
    except LookupError:
        raise InvalidSetting(
            f"{args.platform.title()} isn't configured on this server, so I can't post there: "
            "set its credentials, or preview with --dry-run."
        ) from None
    except Exception as exc:  # the platform's SDK refused: say what it said
        raise InvalidSetting(f"Could not post in {where}: {exc}".rstrip(".") + ".") from None
    finally:
        await app.close()
    print(f"Posted in {where}.")
    return 0
