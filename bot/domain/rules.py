"""The ledger rules. Pure functions that decide what a command may write; they never write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain import errors
from bot.domain.model import (
    EntryKind,
    GivePlan,
    Kudos,
    Member,
    TotalsDelta,
    Transfer,
    WorkspaceSettings,
    allowance_period_key,
    leaderboard_buckets,
)

LEARNING_MAX_LENGTH = 1000


def check_give(
    settings: WorkspaceSettings,
    giver: Member,
    recipients: Sequence[Member],
    amount: int | None,
    reason: str | None,
    tags: Sequence[str],
) -> int:
    """Refuse a kudos that breaks a rule; return the amount each recipient gets."""
    if not giver.is_active:
        raise errors.InactiveGiver()
    if not recipients:
        raise errors.NoRecipients()
    if len(recipients) > settings.max_recipients:
        raise errors.TooManyRecipients(settings.max_recipients)
    for member in recipients:
        if member.id == giver.id:
            raise errors.SelfKudos()
    for member in recipients:
        if member.is_bot:
            raise errors.BotRecipient(member.display_name)
        if not member.is_active:
            raise errors.InactiveRecipient(member.display_name)
    each = settings.default_amount if amount is None else amount
    if not settings.min_amount <= each <= settings.max_amount:
        raise errors.AmountOutOfBounds(each, settings.min_amount, settings.max_amount)
    if settings.reason_required and not (reason and reason.strip()):
        raise errors.ReasonRequired()
    if reason and len(reason) > settings.max_reason_length:
        raise errors.ReasonTooLong(settings.max_reason_length)
    if settings.value_required and not set(tags) & set(settings.values):
        raise errors.ValueRequired(settings.values)
    return each


def plan_give(
    settings: WorkspaceSettings,
    giver: Member,
    recipients: Sequence[Member],
    amount_each: int,
    tags: Sequence[str],
    kudos_id: int,
    at: datetime,
) -> GivePlan:
    """The transfers and leaderboard deltas of an accepted kudos."""
    plan = GivePlan(amount_each=amount_each)
    for member in recipients:
        plan.transfers.append(
            Transfer(
                giver.allowance_account_id,
                member.earned_account_id,
                amount_each,
                EntryKind.KUDOS,
                f"kudos:{kudos_id}",
            )
        )
    plan.totals = totals_deltas(
        settings, giver.id, [m.id for m in recipients], amount_each, tags, at, sign=1
    )
    return plan


def totals_deltas(
    settings: WorkspaceSettings,
    giver_id: int,
    recipient_ids: Sequence[int],
    amount_each: int,
    tags: Sequence[str],
    at: datetime,
    sign: int,
) -> list[TotalsDelta]:
    """Leaderboard aggregate changes for a kudos (sign=1) or its reversal (sign=-1)."""
    deltas: list[TotalsDelta] = []
    tag_keys = ["", *sorted(set(tags))]
    total = amount_each * len(recipient_ids)
    for bucket in leaderboard_buckets(settings, at).values():
        for tag in tag_keys:
            deltas.append(TotalsDelta(giver_id, bucket, tag, 0, sign * total))
            for member_id in recipient_ids:
                deltas.append(TotalsDelta(member_id, bucket, tag, sign * amount_each, 0))
    return deltas


def plan_allowance_refresh(
    settings: WorkspaceSettings, member: Member, mint_account_id: int, period: str
) -> list[Transfer]:
    """Expire what is left of the old period (unless rollover) and grant the new one.

    No idempotency key: claiming the period on the account row makes each refresh happen
    once, and a period key can legitimately come back (an admin switching month -> week ->
    month within one month)."""
    transfers: list[Transfer] = []
    if member.allowance_balance > 0 and not settings.allowance_rollover:
        transfers.append(
            Transfer(
                member.allowance_account_id,
                mint_account_id,
                member.allowance_balance,
                EntryKind.EXPIRE,
                f"expire:{member.allowance_period}",
            )
        )
    if settings.allowance_amount > 0:
        transfers.append(
            Transfer(
                mint_account_id,
                member.allowance_account_id,
                settings.allowance_amount,
                EntryKind.GRANT,
                f"grant:{period}",
            )
        )
    return transfers


def effective_allowance(settings: WorkspaceSettings, member: Member, at: datetime) -> int:
    """What the member may give now, counting a grant not yet made for this period."""
    if member.allowance_period == allowance_period_key(settings, at):
        return member.allowance_balance
    carried = member.allowance_balance if settings.allowance_rollover else 0
    return carried + settings.allowance_amount


def check_undo(settings: WorkspaceSettings, kudos: Kudos | None, at: datetime) -> Kudos:
    """Refuse an undo that is not allowed: nothing to undo, or too late."""
    if kudos is None:
        raise errors.NothingToUndo()
    if at - kudos.created_at > timedelta(minutes=settings.undo_window_minutes):
        raise errors.UndoWindowExpired(settings.undo_window_minutes)
    return kudos


def plan_reversal(
    settings: WorkspaceSettings,
    kudos: Kudos,
    giver: Member,
    earned_accounts: dict[int, int],
    mint_account_id: int,
    at: datetime,
) -> tuple[list[Transfer], list[TotalsDelta]]:
    """Compensating entries for a kudos: recipients' points go back to the giver's allowance,
    or back to the mint when the allowance period they came from has ended."""
    same_period = allowance_period_key(settings, kudos.created_at) == allowance_period_key(
        settings, at
    ) and giver.allowance_period == allowance_period_key(settings, at)
    destination = giver.allowance_account_id if same_period else mint_account_id
    transfers = [
        Transfer(
            earned_accounts[member_id],
            destination,
            kudos.amount_each,
            EntryKind.UNDO,
            f"kudos:{kudos.id}",
            f"undo:{kudos.id}:{member_id}",
        )
        for member_id in kudos.recipient_ids
    ]
    totals = totals_deltas(
        settings,
        kudos.giver_id,
        kudos.recipient_ids,
        kudos.amount_each,
        kudos.tags,
        kudos.created_at,
        sign=-1,
    )
    return transfers, totals


def check_learning(text: str) -> str:
    text = text.strip()
    if not text:
        raise errors.ParseError(
            "Tell me what you learned, e.g. `til how to bisect a flaky test #testing`."
        )
    if len(text) > LEARNING_MAX_LENGTH:
        raise errors.LearningTooLong(LEARNING_MAX_LENGTH)
    return text
