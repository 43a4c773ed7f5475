"""One entry point for every adapter: a parsed command in, a result out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.commands import (
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
from bot.services.results import Result
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
    raise AssertionError(f"unhandled command {command!r}")
