"""Give kudos: all-or-nothing across recipients, exactly once per delivery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain import errors, rules
from bot.domain.model import (
    Member,
    MemberRef,
    Workspace,
    WorkspaceRef,
    allowance_period_key,
    next_period_start,
)
from bot.services.badges import (
    FIRST_KUDOS,
    award_badges,
    giver_event,
    mentee_event,
    owns,
    remember_owned,
)
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import DuplicateDelivery, InsufficientFunds, UnitOfWork
from bot.services.results import BadgeAwarded, BadgeEarned, KudosGiven

NUDGE = "Tip: a few words on why make kudos mean more, e.g. `for the patient walkthrough`."


@dataclass(frozen=True)
class GiveKudos:
    """A kudos as an adapter understood it, with people already resolved to MemberRefs."""

    workspace: WorkspaceRef
    giver: MemberRef
    recipients: tuple[MemberRef, ...]
    amount: int | None
    reason: str | None
    tags: tuple[str, ...]
    idempotency_key: str
    channel: str | None = None
    message_ref: str | None = None


async def ensure_allowance(
    uow: UnitOfWork, workspace: Workspace, member: Member, at_period: str, now: datetime
) -> Member:
    """Grant the member's allowance for the current period, lazily and exactly once."""
    if member.allowance_period == at_period:
        return member
    balance = await uow.ledger.claim_period(member.allowance_account_id, at_period)
    if balance is None:
        return member  # another transaction granted it; the conditional debit stays the judge
    claimed = replace(member, allowance_balance=balance)
    transfers = rules.plan_allowance_refresh(
        workspace.settings, claimed, workspace.mint_account_id, at_period
    )
    balances = await uow.ledger.post(workspace, transfers, now)
    return replace(
        claimed,
        allowance_balance=balances.get(member.allowance_account_id, balance),
        allowance_period=at_period,
    )


def _resolve(members: dict[str, Member], refs: Sequence[MemberRef]) -> list[Member]:
    return [members[ref.external_id] for ref in refs]


async def give_in(
    uow: UnitOfWork, command: GiveKudos, now: datetime, first_badge: bool = False
) -> KudosGiven:
    """Give inside an open unit of work, without committing (the caller decides). With
    `first_badge`, the giver's 🌱 first-kudos badge is written in the same transaction (once
    per person ever; the caller asks only while it does not know the giver has it)."""
    workspace = await uow.workspaces.ensure(command.workspace)
    settings = workspace.settings
    unique_recipients = tuple({r.external_id: r for r in command.recipients}.values())
    members = await uow.members.ensure(workspace, (command.giver, *unique_recipients))
    giver = members[command.giver.external_id]
    recipients = _resolve(members, unique_recipients)
    amount_each = rules.check_give(
        settings, giver, recipients, command.amount, command.reason, command.tags
    )
    period = allowance_period_key(settings, now)
    giver = await ensure_allowance(uow, workspace, giver, period, now)
    kudos_id = await uow.kudos.add(
        workspace,
        giver,
        recipients,
        amount_each,
        command.reason,
        command.tags,
        command.channel,
        command.message_ref,
        command.idempotency_key,
        now,
    )
    plan = rules.plan_give(settings, giver, recipients, amount_each, command.tags, kudos_id, now)
    try:
        balances = await uow.ledger.post(workspace, plan.transfers, now, plan.totals)
    except InsufficientFunds:
        available = rules.effective_allowance(
            settings, (await uow.members.by_ids(workspace, [giver.id]))[giver.id], now
        )
        raise errors.InsufficientAllowance(
            amount_each * len(recipients),
            available,
            f"on {next_period_start(settings, now):%b %-d}",
        ) from None
    badges: tuple[BadgeEarned, ...] = ()
    if first_badge and await uow.badges.award(workspace, giver, FIRST_KUDOS, command.channel, now):
        badges = (BadgeEarned(giver.external_id, giver.display_name, FIRST_KUDOS),)
        uow.publish(
            command.workspace,
            BadgeAwarded(giver.external_id, giver.display_name, FIRST_KUDOS, command.channel, now),
        )
    return KudosGiven(
        badges=badges,
        kudos_id=kudos_id,
        giver=giver.display_name,
        recipients=tuple(m.display_name for m in recipients),
        recipient_ids=tuple(m.external_id for m in recipients),
        amount_each=amount_each,
        reason=command.reason,
        tags=command.tags,
        allowance_left=balances[giver.allowance_account_id],
        nudge=None if command.reason else NUDGE,
        giver_id=giver.external_id,
        channel=command.channel,
        private_ids=_private(giver, *recipients),
    )


def _private(*people: Member) -> tuple[str, ...]:
    """Who of these left the public boards and posts."""
    return tuple(m.external_id for m in people if m.is_private)


async def give_kudos(ctx: ServiceContext, command: GiveKudos) -> KudosGiven:
    """Give kudos from one member to one or more others, refusing anything a rule forbids."""

    first_badge = not owns(ctx, command.workspace, command.giver.external_id, FIRST_KUDOS)

    async def work(uow: UnitOfWork) -> KudosGiven:
        given = await give_in(uow, command, ctx.clock.now(), first_badge)
        uow.publish(command.workspace, given)
        await uow.commit()
        return given

    try:
        given = await in_transaction(ctx, work)
    except DuplicateDelivery:
        return await already_given(ctx, command)
    if first_badge:
        remember_owned(ctx, command.workspace, given.giver_id, FIRST_KUDOS)
    events = [giver_event(given.giver_id)]
    if "mentoring" in given.tags:
        events += [mentee_event(r) for r in given.recipient_ids]
    badges = await award_badges(ctx, command.workspace, events, command.channel)
    return replace(given, badges=given.badges + badges)


async def already_given(ctx: ServiceContext, command: GiveKudos) -> KudosGiven:
    """The result of the first delivery of this key, marked as a duplicate; nothing written."""

    async def read(uow: UnitOfWork) -> KudosGiven:
        workspace = await uow.workspaces.get(command.workspace)
        assert workspace is not None
        kudos = await uow.kudos.by_key(workspace, command.idempotency_key)
        assert kudos is not None, "a duplicate key always belongs to a stored kudos"
        people = await uow.members.by_ids(workspace, [kudos.giver_id, *kudos.recipient_ids])
        giver = people[kudos.giver_id]
        return KudosGiven(
            kudos_id=kudos.id,
            giver=giver.display_name,
            recipients=tuple(people[m].display_name for m in kudos.recipient_ids),
            recipient_ids=tuple(people[m].external_id for m in kudos.recipient_ids),
            amount_each=kudos.amount_each,
            reason=kudos.reason,
            tags=kudos.tags,
            allowance_left=rules.effective_allowance(workspace.settings, giver, ctx.clock.now()),
            duplicate=True,
            giver_id=giver.external_id,
            channel=kudos.channel,
            private_ids=_private(*people.values()),
        )

    return await in_transaction(ctx, read, write=False)
