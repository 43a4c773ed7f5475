"""Members, accounts, kudos, ledger transfers and workspace settings."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

DEFAULT_VALUES: tuple[str, ...] = (
    "learning",
    "mentoring",
    "knowledge-sharing",
    "curiosity",
    "feedback",
    "teamwork",
)
LEARNING_VALUES: frozenset[str] = frozenset(
    {"learning", "mentoring", "knowledge-sharing", "curiosity", "feedback"}
)

AllowancePeriod = Literal["week", "month"]
LeaderboardPeriod = Literal["week", "month", "all"]


class AccountKind(enum.StrEnum):
    MINT = "mint"
    """The workspace's source of points; the only account allowed below zero."""
    ALLOWANCE = "allowance"
    """What a member may give this period; never redeemable, never given to oneself."""
    EARNED = "earned"
    """What others gave a member; spendable only on rewards."""
    ESCROW = "escrow"
    """The workspace's points held for redemptions awaiting an admin's decision."""
    REWARDS = "rewards"
    """Where the points of fulfilled redemptions end: spent for good."""


class EntryKind(enum.StrEnum):
    GRANT = "grant"
    EXPIRE = "expire"
    KUDOS = "kudos"
    UNDO = "undo"
    REDEEM = "redeem"
    """Earned points into escrow, when a member redeems a reward."""
    FULFIL = "fulfil"
    """Escrow into the rewards account, when the redemption is fulfilled."""
    REFUND = "refund"
    """Escrow back to the member, when the redemption is rejected."""
    ADJUST = "adjust"
    """An admin's manual correction of someone's earned points (from or to the mint)."""


@dataclass(frozen=True)
class WorkspaceSettings:
    """Per-workspace rules; every field has a sensible default."""

    allowance_amount: int = 100
    allowance_period: AllowancePeriod = "month"
    allowance_rollover: bool = False
    min_amount: int = 1
    max_amount: int = 50
    default_amount: int = 1
    reason_required: bool = False
    values: tuple[str, ...] = DEFAULT_VALUES
    value_required: bool = False
    timezone: str = "UTC"
    max_recipients: int = 20
    max_reason_length: int = 500
    undo_window_minutes: int = 10
    reaction_emoji: str = "clap"
    """The emoji (name without colons) whose reaction on a message gives its author 1 point."""
    learning_channel: str = ""
    """Where `til` learnings are posted (a channel id); empty: not posted anywhere."""
    approvals_channel: str = ""
    """Where redemptions awaiting approval are announced; empty: each admin is told directly."""

    def to_dict(self) -> dict[str, Any]:
        data = self.__dict__.copy()
        data["values"] = list(self.values)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> WorkspaceSettings:
        """Build settings from stored JSON, ignoring unknown keys and keeping defaults."""
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "values" in known:
            known["values"] = tuple(known["values"])
        return replace(cls(), **known)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class WorkspaceRef:
    """A workspace as a chat platform names it (Slack team id, Teams tenant id, console name)."""

    platform: str
    external_id: str
    name: str | None = None


@dataclass(frozen=True)
class Workspace:
    id: int
    platform: str
    external_id: str
    name: str
    settings: WorkspaceSettings
    mint_account_id: int


@dataclass(frozen=True)
class MemberRef:
    """A person as an adapter knows them. `None` fields mean "unknown, keep what is stored"."""

    external_id: str
    display_name: str | None = None
    is_bot: bool | None = None
    is_active: bool | None = None
    is_admin: bool | None = None
    """Known from the platform at the time of a request (Slack workspace admins and owners);
    not stored."""
    name_if_new: str | None = None
    """The name to show when this reference creates the member (a console `@Zoë` as first
    typed); unlike `display_name` it never renames anyone."""
    directory_id: str | None = None
    """The person's id in the platform's directory where it differs from the chat id (Teams:
    the Entra ID object id, `aadObjectId`), so a directory sign-in finds the member."""


@dataclass(frozen=True)
class Member:
    id: int
    workspace_id: int
    external_id: str
    display_name: str
    is_bot: bool
    is_active: bool
    allowance_account_id: int
    earned_account_id: int
    allowance_balance: int
    earned_balance: int
    allowance_period: str | None
    directory_id: str | None = None
    is_private: bool = False
    """Out of the public leaderboards and posts (`privacy leaderboard off`)."""


@dataclass(frozen=True)
class Transfer:
    """One immutable ledger movement: `amount` leaves `debit_account_id` for `credit_account_id`."""

    debit_account_id: int
    credit_account_id: int
    amount: int
    kind: EntryKind
    reference: str
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("a ledger entry moves a positive amount")
        if self.debit_account_id == self.credit_account_id:
            raise ValueError("a ledger entry moves points between two different accounts")


@dataclass(frozen=True)
class TotalsDelta:
    """A change to the leaderboard aggregates for one member, bucket and tag ('' = any tag)."""

    member_id: int
    bucket: str
    tag: str
    received: int
    given: int


@dataclass(frozen=True)
class Kudos:
    id: int
    workspace_id: int
    giver_id: int
    amount_each: int
    recipient_ids: tuple[int, ...]
    reason: str | None
    tags: tuple[str, ...]
    channel: str | None
    message_ref: str | None
    created_at: datetime
    reversed_at: datetime | None = None

    @property
    def total(self) -> int:
        return self.amount_each * len(self.recipient_ids)


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    member_id: int
    external_id: str
    display_name: str
    points: int
    private: bool = False
    """Only on an admin's board: the person left the public ones (`privacy leaderboard off`)."""


@dataclass(frozen=True)
class HistoryItem:
    kudos_id: int
    direction: Literal["given", "received"]
    giver: str
    recipients: tuple[str, ...]
    amount_each: int
    reason: str | None
    tags: tuple[str, ...]
    created_at: datetime
    reversed: bool


@dataclass(frozen=True)
class Drift:
    """An account whose cached balance disagrees with the entries, or a workspace out of balance."""

    workspace_id: int
    account_id: int | None
    cached: int
    computed: int
    detail: str


@dataclass(frozen=True)
class AuditEntry:
    """One admin action, as the audit log keeps it."""

    id: int
    actor_id: str
    actor_name: str
    action: str
    target: str
    details: dict[str, Any]
    created_at: datetime


@dataclass
class GivePlan:
    """Everything one accepted kudos writes: the transfers and the leaderboard deltas."""

    amount_each: int
    transfers: list[Transfer] = field(default_factory=list)
    totals: list[TotalsDelta] = field(default_factory=list)


# ---------------------------------------------------------------------------- periods


def allowance_period_key(settings: WorkspaceSettings, at: datetime) -> str:
    """The allowance period holding `at`, in the workspace time zone ("2026-11", "2026-W47")."""
    local = at.astimezone(settings.tz)
    if settings.allowance_period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-{local.month:02d}"


def next_period_start(settings: WorkspaceSettings, at: datetime) -> datetime:
    """When the allowance containing `at` renews, as an aware datetime in the workspace zone."""
    local = at.astimezone(settings.tz)
    if settings.allowance_period == "week":
        start = local.date() + timedelta(days=7 - local.weekday())
    else:
        start = date(local.year + (local.month == 12), local.month % 12 + 1, 1)
    return datetime(start.year, start.month, start.day, tzinfo=settings.tz)


def leaderboard_buckets(settings: WorkspaceSettings, at: datetime) -> dict[str, str]:
    """The aggregate buckets a kudos given at `at` counts towards."""
    local = at.astimezone(settings.tz)
    year, week, _ = local.isocalendar()
    return {
        "week": f"week:{year}-W{week:02d}",
        "month": f"month:{local.year}-{local.month:02d}",
        "all": "all",
    }


def leaderboard_bucket(settings: WorkspaceSettings, period: LeaderboardPeriod, at: datetime) -> str:
    return leaderboard_buckets(settings, at)[period]


def rank_rows(
    rows: list[tuple[int, str, str, int]], private: frozenset[int] = frozenset()
) -> list[LeaderboardRow]:
    """Rank rows already sorted by points descending; ties share a rank (1, 2, 2, 4). Members
    in `private` (by id) are marked so."""
    ranked: list[LeaderboardRow] = []
    previous_points: int | None = None
    rank = 0
    for position, (member_id, external_id, name, points) in enumerate(rows, start=1):
        if points != previous_points:
            rank, previous_points = position, points
        ranked.append(
            LeaderboardRow(rank, member_id, external_id, name, points, member_id in private)
        )
    return ranked
