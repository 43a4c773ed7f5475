"""One entry point for every adapter: a parsed command in, a result out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain import errors
from bot.domain.commands import (
    AdminAdjust,
    AdminAdmins,
    AdminCatalog,
    AdminDecide,
    AdminQueue,
    AdminSchedule,
    AdminSettings,
    Badges,
    Balance,
    CancelRedemption,
    Command,
    Give,
    Help,
    History,
    Mention,
    Privacy,
    Redeem,
    Redemptions,
    Shop,
    Til,
    Top,
    Undo,
)
from bot.domain.grammar import CHANNEL_NAME
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import change_admins, check_admin, show_admins
from bot.services.badges import show_badges
from bot.services.catalog import add_item, edit_item, remove_item, show_catalog
from bot.services.context import ServiceContext
from bot.services.give import GiveKudos, give_kudos
from bot.services.learning import share_learning
from bot.services.privacy import set_public, show_privacy
from bot.services.queries import show_balance, show_help, show_history, show_leaderboard
from bot.services.results import (
    KudosRevised,
    Result,
    ScheduleChanged,
    SchedulesShown,
    SettingsShown,
)
from bot.services.revise import revise_message_kudos
from bot.services.rewards import (
    adjust_points,
    cancel_redemption,
    decide_redemption,
    redeem,
    show_redemptions,
    show_shop,
)
from bot.services.schedules import add_schedule, remove_schedule, schedule_status
from bot.services.settings import change_settings, show_settings
from bot.services.undo import undo_last_kudos

Resolver = Callable[[Mention], Awaitable[MemberRef]]
ChannelResolver = Callable[[str], Awaitable[str]]
"""A channel typed as a plain `#name` -> the platform's id for it (raises a KudosError with the
fix when there is none). Adapters whose platform cannot look channels up by name pass none."""
_CHANNEL_SETTINGS = ("learning_channel", "approvals_channel")


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
    channels: ChannelResolver | None = None,
) -> Result:
    """Run `command` for `actor`; `resolve` turns mentions into members and `channels` plain
    `#channel` names into ids (the adapter's job)."""
    match command:
        case Give():
            return await give_kudos(
                ctx,
                await _give(command, workspace, actor, resolve, delivery_key, channel, message_ref),
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
            return await share_learning(ctx, workspace, actor, command.text, command.tags, channel)
        case Help():
            return await show_help(ctx, workspace)
        case Privacy(public=None):
            return await show_privacy(ctx, workspace, actor)
        case Privacy(public=bool(public)):
            return await set_public(ctx, workspace, actor, public)
        case Badges():
            who = await resolve(command.who) if command.who else actor
            return await show_badges(ctx, workspace, who, asked_by=actor.external_id)
        case AdminSchedule():
            return await _admin_schedule(ctx, command, workspace, actor, channel, channels)
        case Shop():
            return await show_shop(ctx, workspace, actor, command.page)
        case Redeem():
            return await redeem(ctx, workspace, actor, command.item, delivery_key)
        case Redemptions():
            return await show_redemptions(ctx, workspace, actor)
        case CancelRedemption():
            return await cancel_redemption(ctx, workspace, actor, command.redemption_id)
        case AdminQueue():
            return await show_redemptions(ctx, workspace, actor, own=False)
        case AdminDecide():
            return await decide_redemption(
                ctx, workspace, actor, command.redemption_id, command.approve, command.reason
            )
        case AdminCatalog():
            return await _admin_catalog(ctx, command, workspace, actor)
        case AdminSettings():
            return await _admin_settings(ctx, command, workspace, actor, channels)
        case AdminAdmins():
            if command.action == "list" or command.who is None:
                return await show_admins(ctx, workspace)
            who = await resolve(command.who)
            return await change_admins(ctx, workspace, actor, command.action == "add", who)
        case AdminAdjust():
            who = await resolve(command.who)
            return await adjust_points(
                ctx, workspace, actor, who, command.amount, command.reason, delivery_key
            )
    raise AssertionError(f"unhandled command {command!r}")


async def revise(
    ctx: ServiceContext,
    workspace: WorkspaceRef,
    message_ref: str,
    why: str,
    *,
    command: Give | None = None,
    actor: MemberRef | None = None,
    resolve: Resolver | None = None,
    delivery_key: str = "",
    channel: str | None = None,
) -> KudosRevised:
    """A chat message's kudos read again: reversed when the message is deleted (or the
    reaction removed; no `command`), replaced by `command` (the edited text's kudos, given by
    `actor`) in the same transaction when it was edited."""
    replacement = None
    if command is not None:
        assert actor is not None and resolve is not None
        replacement = await _give(
            command, workspace, actor, resolve, delivery_key, channel, message_ref
        )
    return await revise_message_kudos(ctx, workspace, message_ref, replacement, why)


async def _give(
    command: Give,
    workspace: WorkspaceRef,
    actor: MemberRef,
    resolve: Resolver,
    delivery_key: str,
    channel: str | None,
    message_ref: str | None,
) -> GiveKudos:
    return GiveKudos(
        workspace=workspace,
        giver=actor,
        recipients=tuple([await resolve(mention) for mention in command.recipients]),
        amount=command.amount,
        reason=command.reason,
        tags=command.tags,
        idempotency_key=delivery_key,
        channel=channel,
        message_ref=message_ref,
    )


async def _channel_id(channels: ChannelResolver | None, name: str, fix: str) -> str:
    """The id of a channel typed as `#name`; without a resolver, `fix` says what to do instead."""
    if channels is None:
        raise errors.UnknownChannel(f"I can't look up #{name} by name here: {fix}")
    return await channels(name)


async def _admin_schedule(
    ctx: ServiceContext,
    command: AdminSchedule,
    workspace: WorkspaceRef,
    actor: MemberRef,
    channel: str | None,
    channels: ChannelResolver | None,
) -> Result:
    """Scheduled posts from chat: admins only."""
    await check_admin(ctx, workspace, actor, "manage scheduled posts")
    if command.action == "list":
        return SchedulesShown(tuple(await schedule_status(ctx, workspace)))
    named = None
    if command.channel_name:
        fix = (
            "type the command in that channel without naming one, e.g. "
            "`admin schedule add weekly fri 16:00`."
        )
        named = await _channel_id(channels, command.channel_name, fix)
    target = command.channel or named or channel
    if not target or command.kind is None:
        raise errors.InvalidSetting("Say which channel, e.g. `admin schedule add weekly #team`.")
    if command.action == "remove":
        if not await remove_schedule(ctx, workspace, command.kind, target, actor=actor):
            raise errors.InvalidSetting(f"No {command.kind.replace('_', ' ')} is scheduled there.")
        return ScheduleChanged(f"Removed the {command.kind.replace('_', ' ')} there.")
    added = await add_schedule(ctx, workspace, command.kind, target, command.when, actor=actor)
    return ScheduleChanged(f"Scheduled: {added.describe()}, in the workspace's time zone.")


async def _admin_catalog(
    ctx: ServiceContext, command: AdminCatalog, workspace: WorkspaceRef, actor: MemberRef
) -> Result:
    fields = dict(command.fields)
    if command.action == "add":
        return await add_item(ctx, workspace, actor, fields)
    if command.action == "edit" and command.item:
        return await edit_item(ctx, workspace, actor, command.item, fields)
    if command.action == "remove" and command.item:
        return await remove_item(ctx, workspace, actor, command.item)
    await check_admin(ctx, workspace, actor, "manage the catalog")
    return await show_catalog(ctx, workspace)


async def _admin_settings(
    ctx: ServiceContext,
    command: AdminSettings,
    workspace: WorkspaceRef,
    actor: MemberRef,
    channels: ChannelResolver | None,
) -> SettingsShown:
    if not command.changes:
        await check_admin(ctx, workspace, actor, "see the settings")
        return SettingsShown(await show_settings(ctx, workspace))
    changes = dict(command.changes)
    for key in _CHANNEL_SETTINGS:
        named = CHANNEL_NAME.fullmatch(changes.get(key, "").strip())
        if named:
            await check_admin(ctx, workspace, actor, "change the settings")
            fix = f"set {key} to the channel's id instead."
            changes[key] = await _channel_id(channels, named.group(1), fix)
    return SettingsShown(await change_settings(ctx, workspace, changes, actor), tuple(changes))
