"""The schema. Only Alembic revisions create it; `tests/integration/test_migrations.py` checks
that these models and the revisions never drift apart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")
Points = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class WorkspaceRow(Base):
    """A Slack team, a Teams tenant or a console workspace. Every other row belongs to one."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_members_directory", "workspace_id", "directory_id"),
        # Public boards leave out the few who opted out: found without reading every member.
        Index(
            "ix_members_private",
            "workspace_id",
            sqlite_where=text("is_private = 1"),
            postgresql_where=text("is_private"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    directory_id: Mapped[str | None] = mapped_column(String(128))
    """The person's id in the platform's directory where it differs from `external_id` (Teams:
    the Entra ID object id), for the dashboard's directory sign-in. Not unique: a bot moved to
    a new app registration meets the same people under new chat ids."""
    is_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Left the public leaderboards and posts (`privacy leaderboard off`): still gives and
    receives, but nothing the bot posts for everyone names them."""
    forgotten_at: Mapped[datetime | None] = mapped_column(Timestamp)
    """When `kudos people forget` erased this person's data: the row is a pseudonym since
    (`external_id` no longer the platform's id, so a returning person starts a new row)."""


class ForgottenMemberRow(Base):
    """Someone `kudos people forget` erased: only a digest of their platform id, so forgetting
    them again is recognised (and answered "already forgotten") without keeping the id itself
    or linking it to the pseudonym their ledger history now carries."""

    __tablename__ = "forgotten_members"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)


class AccountRow(Base):
    """A ledger account with its cached balance; only the mint may go below zero."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "member_id", "kind"),
        CheckConstraint("kind = 'mint' OR balance >= 0", name="balance_not_negative"),
        Index("ix_accounts_member_id", "member_id"),
        # A workspace's own accounts (mint, escrow, rewards) have no member: one of each kind.
        Index(
            "uq_accounts_workspace_shared_kind",
            "workspace_id",
            "kind",
            unique=True,
            sqlite_where=text("member_id IS NULL"),
            postgresql_where=text("member_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))
    balance: Mapped[int] = mapped_column(Points, default=0)
    period: Mapped[str | None] = mapped_column(String(16))
    """For allowance accounts: the allowance period last granted ("2026-11", "2026-W47")."""
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class LedgerEntryRow(Base):
    """An immutable movement of points. Never updated, never deleted."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        # Only grants, expiries and undos carry a key; kudos entries are keyed by their kudos.
        Index(
            "uq_ledger_entries_workspace_id_idempotency_key",
            "workspace_id",
            "idempotency_key",
            unique=True,
            sqlite_where=text("idempotency_key IS NOT NULL"),
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="distinct_accounts"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[int] = mapped_column(Points)
    kind: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class KudosRow(Base):
    """One act of recognition; its points move in ledger entries referencing `kudos:<id>`."""

    __tablename__ = "kudos"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        CheckConstraint("amount_each > 0", name="amount_each_positive"),
        Index("ix_kudos_giver_created", "workspace_id", "giver_id", "created_at"),
        # Slack: a deleted or edited message reverses the kudos it carried.
        Index("ix_kudos_message", "workspace_id", "message_ref"),
        # Weekly learning shoutouts read one week's kudos.
        Index("ix_kudos_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    giver_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    amount_each: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(500), default="")
    channel: Mapped[str | None] = mapped_column(String(128))
    message_ref: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    reversed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    reversal_reason: Mapped[str | None] = mapped_column(String(64))


class KudosRecipientRow(Base):
    __tablename__ = "kudos_recipients"
    __table_args__ = (Index("ix_kudos_recipients_member_id", "member_id"),)

    kudos_id: Mapped[int] = mapped_column(ForeignKey("kudos.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)


class LeaderboardTotalRow(Base):
    """Points received and given per member, bucket ("week:2026-W47", "month:2026-11", "all")
    and tag ('' for any), kept in the same transaction as the entries so leaderboards never
    scan the ledger."""

    __tablename__ = "leaderboard_totals"
    # No index on `received`: a leaderboard reads one bucket's rows by the primary key and
    # sorts them (one row per member recognised in the period), while an index on it would be
    # rewritten by every kudos (no HOT updates on PostgreSQL).

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(24), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    received: Mapped[int] = mapped_column(Points, default=0)
    given: Mapped[int] = mapped_column(Points, default=0)


class LearningRow(Base):
    """Something a member learned and shared with `til`, for the weekly learning shoutouts."""

    __tablename__ = "learnings"
    __table_args__ = (Index("ix_learnings_workspace_created", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(64))
    """The first tag, as before `tags` existed (kept so a downgrade loses nothing it had)."""
    tags: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Every tag, space-separated, in the order typed."""
    channel: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class ConversationRow(Base):
    """Where the bot may post unprompted (Teams: a stored conversation reference), kept from
    install or first message until uninstall."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("workspace_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    conversation_id: Mapped[str] = mapped_column(String(512))
    kind: Mapped[str] = mapped_column(String(32))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class ScheduleRow(Base):
    """A scheduled post in one channel (weekly or monthly leaderboard, learning shoutouts)."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(512))
    weekday: Mapped[int] = mapped_column(Integer)
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class ScheduleRunRow(Base):
    """One run of a scheduled post. The unique key is the exactly-once claim: whichever server
    inserts it first posts; the others see the conflict and stay quiet."""

    __tablename__ = "schedule_runs"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "channel", "period"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(512))
    period: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(Timestamp)
    next_attempt_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    error: Mapped[str | None] = mapped_column(Text)


class BadgeRow(Base):
    """A milestone a member reached; the unique key makes each badge once per person."""

    __tablename__ = "badges"
    __table_args__ = (UniqueConstraint("member_id", "badge"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    badge: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(128))
    awarded_at: Mapped[datetime] = mapped_column(Timestamp)


class RewardItemRow(Base):
    """An item in a workspace's reward catalog. A removed item keeps its row (redemptions name
    it) but loses its `name_key`, so the name can be used again."""

    __tablename__ = "reward_items"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name_key"),
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str | None] = mapped_column(String(80))
    """The name case-folded, for finding and for uniqueness; NULL once removed."""
    description: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[int] = mapped_column(Points)
    stock: Mapped[int | None] = mapped_column(Integer)
    """Units left; NULL means unlimited."""
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    removed_at: Mapped[datetime | None] = mapped_column(Timestamp)


class RedemptionRow(Base):
    """A member's claim on a reward. Its points move in ledger entries referencing
    `redemption:<id>`: into escrow, then to the rewards account or back to the member."""

    __tablename__ = "redemptions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index("ix_redemptions_member", "workspace_id", "member_id", "created_at"),
        Index("ix_redemptions_status", "workspace_id", "status"),
        CheckConstraint("cost > 0", name="cost_positive"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("reward_items.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    cost: Mapped[int] = mapped_column(Points)
    status: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)


class ApprovalMessageRow(Base):
    """A copy of a redemption's approval request as posted to an admin or a channel (Slack:
    channel and message ts; Teams: conversation and activity id), so every copy can be
    updated once the redemption is decided."""

    __tablename__ = "approval_messages"
    __table_args__ = (UniqueConstraint("redemption_id", "conversation_id", "message_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    redemption_id: Mapped[int] = mapped_column(ForeignKey("redemptions.id"))
    conversation_id: Mapped[str] = mapped_column(String(512))
    message_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class AdminRow(Base):
    """Someone made a Kudos admin of a workspace (beyond what the platform says, e.g. Slack's
    workspace admins and owners)."""

    __tablename__ = "workspace_admins"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(Timestamp)


class AuditRow(Base):
    """One admin action: who, when, what, and what changed. Appended, never changed."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_workspace_created", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    actor_id: Mapped[str] = mapped_column(String(128))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class SignInLinkRow(Base):
    """A one-time dashboard sign-in link (`kudos dashboard link`): only the SHA-256 of its
    token is kept; used once (`used_at`), and never after `expires_at`."""

    __tablename__ = "sign_in_links"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    external_id: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class QueueColumns:
    """What the inbox and the outbox share: a row's state and its claim."""

    state: Mapped[str] = mapped_column(String(16))
    """pending; then done or sent, or failed (given up after its attempts, or refused for
    good)."""
    attempts: Mapped[int] = mapped_column(Integer)
    available_at: Mapped[datetime] = mapped_column(Timestamp)
    """A pending row may be claimed from then on: the end of a lease, or of a back-off."""
    lease_token: Mapped[str | None] = mapped_column(String(36))
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    error: Mapped[str | None] = mapped_column(Text)


class InboxRow(QueueColumns, Base):
    """A chat request that was verified and acknowledged: recorded before the ack, finished by a
    worker in the same transaction as its effect. `delivery_key` makes a redelivery a no-op."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("delivery_key"),
        Index(
            "ix_inbox_due",
            "available_at",
            "id",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        Index("ix_inbox_finished_at", "finished_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str | None] = mapped_column(String(128))
    """The platform's workspace id (a Slack team, a Teams tenant), when the request names it."""
    delivery_key: Mapped[str] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(Timestamp)
    outcome: Mapped[str | None] = mapped_column(String(32))


class OutboxRow(QueueColumns, Base):
    """Something the bot says, written in the transaction that decided it: a message ready to
    send, or an event (a kudos given, a redemption decided) for a platform to turn into
    messages. Sent by a deliverer with retries; nothing here lives only in memory."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_due",
            "available_at",
            "id",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        Index("ix_outbox_finished_at", "finished_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    """message (ready to send) or event (to be turned into messages by its platform)."""
    method: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    group_key: Mapped[str | None] = mapped_column(String(255))
    """Messages of one group (one request's replies) are sent in order."""
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class ApiTokenRow(Base):
    """An access token to the JSON API of one workspace. Only the SHA-256 of the token is kept;
    `prefix` finds the row and names the token in listings and the audit log."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("prefix"),
        Index("ix_api_tokens_workspace_id", "workspace_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


class WebhookRow(Base):
    """An endpoint that receives a workspace's events, signed with its own secret. A removed
    webhook keeps its row (its deliveries name it) and receives nothing more."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_workspace_id", "workspace_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[str] = mapped_column(String(200))
    """Event names, space-separated (kudos.given redemption.decided …)."""
    secret: Mapped[str] = mapped_column(String(100))
    """Signs each delivery; kept as is, since signing needs it (shown once at creation)."""
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    removed_at: Mapped[datetime | None] = mapped_column(Timestamp)


class WebhookDeliveryRow(Base):
    """One event for one webhook: written in the transaction that caused the event, sent
    through the outbox (its row carries `delivery_id`), and the log of how sending went. The
    body is fixed at creation, so every attempt sends the same bytes under the same id."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("delivery_id"),
        Index("ix_webhook_deliveries_workspace_id", "workspace_id", "id"),
        Index("ix_webhook_deliveries_webhook_id", "webhook_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(36))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    state: Mapped[str] = mapped_column(String(16))
    """pending, delivered, or failed (refused for good, or out of attempts)."""
    attempts: Mapped[int] = mapped_column(Integer)
    last_status: Mapped[int | None] = mapped_column(Integer)
    """The receiver's last HTTP status; NULL when it could not be reached."""
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(Timestamp)
    delivered_at: Mapped[datetime | None] = mapped_column(Timestamp)


# slack_sdk's OAuth stores read and write these tables (installations across workspaces, and the
# short-lived state of an install in progress). They are written out here as slack_sdk's
# `build_installations_table`, `build_bots_table` and `build_oauth_states_table` declare them,
# so that the schema (and every `kudos` command) does not import the SDK;
# tests/unit/test_slack_oauth_tables.py checks that they match the installed SDK's. Created by
# Alembic like every table.
SLACK_INSTALLATIONS = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)
SLACK_BOTS = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)
SLACK_OAUTH_STATES = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
