"""One entry point for every adapter: a parsed command in, a result out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain import errors
from bot.domain.commands import (
    AdminSchedule,
    Badges,
    Balance,
    Command,
    Give,
    Help,
    History,
    Mention,
    Til,
    Top,
    Undo,
)
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.badges import show_badges
from bot.services.context import ServiceContext
from bot.services.give import GiveKudos, give_kudos
from bot.services.learning import share_learning
from bot.services.queries import show_balance, show_help, show_history, show_leaderboard
from bot.services.results import Result, ScheduleChanged, SchedulesShown
from bot.services.schedules import add_schedule, remove_schedule, schedule_status
from bot.services.undo import undo_last_kudos

Resolver = Callable[[Mention], Awaitable[MemberRef]]


async def handle(
    ctx: ServiceContext,
    command: Command,
    *,
    workspace: WorkspaceRef,
    actor: MemberRef,
    resolve: Resolver,
    delivery_key: str,
    channel: str | None = None,
    message_ref: str | None = None,
) -> Result:
    """Run `command` for `actor`; `resolve` turns mentions into members (the adapter's job)."""
    match command:
        case Give():
            recipients = tuple([await resolve(mention) for mention in command.recipients])
            return await give_kudos(
                ctx,
                GiveKudos(
                    workspace=workspace,
                    giver=actor,
                    recipients=recipients,
                    amount=command.amount,
                    reason=command.reason,
                    tags=command.tags,
                    idempotency_key=delivery_key,
                    channel=channel,
                    message_ref=message_ref,
                ),
            )
        case Balance():
            return await show_balance(ctx, workspace, actor, newcomer_ok=True)
        case Top():
            return await show_leaderboard(ctx, workspace, command.period, command.tag)
        case History():
            return await show_history(ctx, workspace, actor)
        case Undo():
            return await undo_last_kudos(ctx, workspace, actor)
        case Til():
            return await share_learning(ctx, workspace, actor, command.text, command.topic, channel)
        case Help():
            return await show_help(ctx, workspace)
        case Badges():
            who = await resolve(command.who) if command.who else actor
            return await show_badges(ctx, workspace, who)
        case AdminSchedule():
            return await _admin_schedule(ctx, command, workspace, actor, channel)
    raise AssertionError(f"unhandled command {command!r}")


async def _admin_schedule(
    ctx: ServiceContext,
    command: AdminSchedule,
    workspace: WorkspaceRef,
    actor: MemberRef,
    channel: str | None,
) -> Result:
    """Scheduled posts from chat: admins only (the platform says who is one)."""
    if not actor.is_admin:
        raise errors.AdminOnly()
    if command.action == "list":
        return SchedulesShown(tuple(await schedule_status(ctx, workspace)))
    target = command.channel or channel
    if not target or command.kind is None:
        raise errors.InvalidSetting("Say which channel, e.g. `admin schedule add weekly #team`.")
    if command.action == "remove":
        if not await remove_schedule(ctx, workspace, command.kind, target):
            raise errors.InvalidSetting(f"No {command.kind.replace('_', ' ')} is scheduled there.")
        return ScheduleChanged(f"Removed the {command.kind.replace('_', ' ')} there.")
    added = await add_schedule(ctx, workspace, command.kind, target, command.when)
    return ScheduleChanged(f"Scheduled: {added.describe()}, in the workspace's time zone.")
