"""The JSON API's request and response bodies, as its OpenAPI document describes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.domain.access import ApiToken
from bot.domain.browse import LearningRecord, MemberRecord, Person
from bot.domain.model import AuditEntry, LeaderboardRow, WorkspaceSettings
from bot.domain.rewards import Redemption, RewardItem
from bot.services.results import ScheduleStatus

MAX_ID = 10**12


def _plain_text(value: str) -> str:
    """Text the database can keep: no NUL character, nothing that is not Unicode."""
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    return value


Text = Annotated[str, AfterValidator(_plain_text)]


class ApiErrorBody(BaseModel):
    """Every error the API answers: one sentence a person can act on, and a code to test."""

    error: str = Field(examples=["That token was revoked: ask an admin for a new one."])
    code: str = Field(examples=["unauthorized"])


class PersonOut(BaseModel):
    id: str = Field(description="The platform's id: a Slack user id, a Teams AAD id, a name.")
    name: str

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        return cls(id=person.external_id, name=person.display_name)


class KudosOut(BaseModel):
    id: int
    created_at: datetime
    giver: PersonOut
    recipients: list[PersonOut]
    amount_each: int
    total: int
    reason: str | None
    values: list[str] = Field(description="The company values (hashtags) it carries.")
    channel: str | None
    reversed_at: datetime | None = Field(description="Set once undone or its message deleted.")
    reversal_reason: str | None


class KudosPage(BaseModel):
    items: list[KudosOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last.")


class MemberOut(BaseModel):
    id: str
    name: str
    is_bot: bool
    is_active: bool
    first_seen: datetime
    earned: int = Field(description="Points received and not yet spent on rewards.")
    allowance_left: int = Field(description="Points left to give this period.")
    public: bool = Field(
        description="False when the member left the public leaderboards and posts "
        "(`privacy leaderboard off`): show them nowhere everyone can see."
    )

    @classmethod
    def of(cls, m: MemberRecord) -> MemberOut:
        return cls(
            id=m.external_id,
            name=m.display_name,
            is_bot=m.is_bot,
            is_active=m.is_active,
            first_seen=m.first_seen,
            earned=m.earned,
            allowance_left=m.allowance_left,
            public=m.public,
        )


class MemberPage(BaseModel):
    items: list[MemberOut]
    next_cursor: str | None


class LeaderboardRowOut(BaseModel):
    rank: int
    member: PersonOut
    points: int

    @classmethod
    def of(cls, row: LeaderboardRow) -> LeaderboardRowOut:
        return cls(
            rank=row.rank,
            member=PersonOut(id=row.external_id, name=row.display_name),
            points=row.points,
        )


class LeaderboardOut(BaseModel):
    period: Literal["week", "month", "all"]
    value: str | None
    rows: list[LeaderboardRowOut]


class LearningOut(BaseModel):
    id: int
    created_at: datetime
    author: PersonOut
    text: str
    values: list[str]
    channel: str | None

    @classmethod
    def of(cls, r: LearningRecord) -> LearningOut:
        return cls(
            id=r.id,
            created_at=r.created_at,
            author=PersonOut.of(r.author),
            text=r.text,
            values=list(r.tags),
            channel=r.channel,
        )


class LearningPage(BaseModel):
    items: list[LearningOut]
    next_cursor: str | None


class ItemOut(BaseModel):
    id: int
    name: str
    description: str
    cost: int
    stock: int | None = Field(description="Units left; null: unlimited.")
    needs_approval: bool
    active: bool

    @classmethod
    def of(cls, item: RewardItem) -> ItemOut:
        return cls(**item.as_dict())


class CatalogOut(BaseModel):
    items: list[ItemOut]


Cost = Annotated[int, Field(ge=1, le=10**9)]
Stock = Annotated[int, Field(ge=0, le=10**9)]


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=80)]
    cost: Cost
    description: Annotated[Text, Field(max_length=500)] = ""
    stock: Stock | None = Field(None, description="Units available; null: unlimited.")
    needs_approval: bool = True
    active: bool = True


class ItemChange(BaseModel):
    """The fields to change; the others stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=80)] | None = None
    cost: Cost | None = None
    description: Annotated[Text, Field(max_length=500)] | None = None
    stock: Stock | None = Field(None, description="null: unlimited.")
    needs_approval: bool | None = None
    active: bool | None = None


class RedemptionOut(BaseModel):
    id: int
    item_id: int
    item: str
    member: PersonOut
    cost: int
    status: Literal["pending", "fulfilled", "rejected", "cancelled"]
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None = Field(description="Why it was rejected.")

    @classmethod
    def of(cls, r: Redemption) -> RedemptionOut:
        return cls(
            id=r.id,
            item_id=r.item_id,
            item=r.item_name,
            member=PersonOut(id=r.member_external_id, name=r.member_name),
            cost=r.cost,
            status=r.status,
            created_at=r.created_at,
            decided_at=r.decided_at,
            decided_by=r.decided_by,
            reason=r.reason,
        )


class RedemptionPage(BaseModel):
    items: list[RedemptionOut]
    next_cursor: str | None


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Text, Field(min_length=1, max_length=500)] = Field(
        description="The member reads it."
    )


class SettingsOut(BaseModel):
    allowance_amount: int
    allowance_period: Literal["week", "month"]
    allowance_rollover: bool
    min_amount: int
    max_amount: int
    default_amount: int
    reason_required: bool
    values: list[str]
    value_required: bool
    timezone: str
    max_recipients: int
    max_reason_length: int
    undo_window_minutes: int
    reaction_emoji: str
    learning_channel: str
    approvals_channel: str

    @classmethod
    def of(cls, settings: WorkspaceSettings) -> SettingsOut:
        return cls(**settings.to_dict())


Count = Annotated[int, Field(ge=0, le=999_999_999)]
Word = Annotated[Text, Field(max_length=128)]


class SettingsChange(BaseModel):
    """The settings to change; each is checked as `kudos settings set` checks it."""

    model_config = ConfigDict(extra="forbid")

    allowance_amount: Count | None = None
    allowance_period: Literal["week", "month"] | None = None
    allowance_rollover: bool | None = None
    min_amount: Count | None = None
    max_amount: Count | None = None
    default_amount: Count | None = None
    reason_required: bool | None = None
    values: Annotated[list[Annotated[Text, Field(max_length=64)]], Field(max_length=50)] | None = (
        None
    )
    value_required: bool | None = None
    timezone: Annotated[Text, Field(max_length=64)] | None = None
    max_recipients: Count | None = None
    max_reason_length: Count | None = None
    undo_window_minutes: Count | None = None
    reaction_emoji: Word | None = None
    learning_channel: Word | None = Field(None, description='A channel id; "" for none.')
    approvals_channel: Word | None = Field(None, description='A channel id; "" for none.')

    def as_text(self) -> dict[str, str]:
        """The changes as `kudos settings set` takes them."""
        out: dict[str, str] = {}
        for name, value in self.model_dump(exclude_unset=True).items():
            if value is None:
                continue
            if isinstance(value, bool):
                out[name] = "yes" if value else "no"
            elif isinstance(value, list):
                out[name] = ",".join(value)
            elif name in ("learning_channel", "approvals_channel") and value == "":
                out[name] = "none"
            else:
                out[name] = str(value)
        return out


ScheduleKindIn = Literal["weekly_leaderboard", "monthly_leaderboard", "learning_shoutouts"]


class ScheduleRunOut(BaseModel):
    period: str
    status: str
    attempts: int
    at: datetime
    error: str | None


class ScheduleOut(BaseModel):
    id: int
    kind: ScheduleKindIn
    channel: str
    when: str = Field(examples=["weekly leaderboard, Fri at 16:00"])
    next_run: datetime
    last_run: ScheduleRunOut | None

    @classmethod
    def of(cls, st: ScheduleStatus) -> ScheduleOut:
        last = st.last_run
        return cls(
            id=st.schedule.id,
            kind=st.schedule.kind,
            channel=st.schedule.channel,
            when=st.schedule.describe(),
            next_run=st.next_run,
            last_run=None
            if last is None
            else ScheduleRunOut(
                period=last.period,
                status=last.status,
                attempts=last.attempts,
                at=last.finished_at or last.claimed_at,
                error=last.error,
            ),
        )


class SchedulesOut(BaseModel):
    items: list[ScheduleOut]


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ScheduleKindIn
    channel: Annotated[Text, Field(min_length=1, max_length=128)] = Field(
        description="A Slack channel id or a Teams conversation id."
    )
    when: Annotated[Text, Field(max_length=40)] | None = Field(
        None, description="Day and time in the workspace's zone, e.g. `fri 16:00`."
    )


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_id: str
    actor: str
    action: str
    target: str
    details: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEntry) -> AuditOut:
        return cls(
            id=e.id,
            at=e.created_at,
            actor_id=e.actor_id,
            actor=e.actor_name,
            action=e.action,
            target=e.target,
            details=e.details,
        )


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_cursor: str | None


class TokenOut(BaseModel):
    prefix: str
    name: str
    scope: Literal["read", "admin"]
    expires_at: datetime

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            prefix=f"kudos_{token.prefix}",
            name=token.name,
            scope=token.scope,
            expires_at=token.expires_at,
        )


class WorkspaceOut(BaseModel):
    platform: str
    id: str
    name: str | None
    token: TokenOut
