"""What handlers return; adapters render these for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.model import HistoryItem, LeaderboardRow, WorkspaceSettings
from bot.domain.privacy import Erased
from bot.domain.rewards import Redemption, RewardItem
from bot.domain.schedule import Schedule, ScheduleRun


@dataclass(frozen=True)
class BadgeEarned:
    """A badge awarded just now, to announce where it was earned."""

    external_id: str
    display_name: str
    badge: str


@dataclass(frozen=True)
class BadgesShown:
    external_id: str
    display_name: str
    badges: tuple[str, ...]
    private: bool = False
    """Asked by someone else about a member who left the public boards: none are shown."""


@dataclass(frozen=True)
class KudosGiven:
    kudos_id: int
    giver: str
    recipients: tuple[str, ...]
    recipient_ids: tuple[str, ...]
    amount_each: int
    reason: str | None
    tags: tuple[str, ...]
    allowance_left: int
    duplicate: bool = False
    nudge: str | None = None
    giver_id: str = ""
    channel: str | None = None
    badges: tuple[BadgeEarned, ...] = ()
    replaces: bool = False
    """Given by editing a message whose kudos it replaces: the edit's reply says so, and only
    webhooks hear of it as an event."""
    private_ids: tuple[str, ...] = ()
    """The giver and recipients (external ids) who left the public boards and posts: a post
    for everyone never names them."""

    @property
    def total(self) -> int:
        return self.amount_each * len(self.recipients)


@dataclass(frozen=True)
class BalanceShown:
    user: str
    display_name: str
    allowance_left: int
    earned: int
    renews_at: datetime
    badges: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeaderboardShown:
    period: str
    tag: str | None
    rows: tuple[LeaderboardRow, ...]


@dataclass(frozen=True)
class HistoryShown:
    items: tuple[HistoryItem, ...]


@dataclass(frozen=True)
class KudosUndone:
    kudos_id: int
    recipients: tuple[str, ...]
    amount_each: int
    allowance_left: int


@dataclass(frozen=True)
class KudosReversed:
    """A kudos taken back: undone by its giver, or its chat message deleted or edited, or its
    reaction removed (`why`). Published for webhooks; the chat reply is `KudosUndone`."""

    kudos_id: int
    giver_id: str
    giver: str
    recipient_ids: tuple[str, ...]
    recipients: tuple[str, ...]
    amount_each: int
    why: str
    reversed_at: datetime


@dataclass(frozen=True)
class BadgeAwarded:
    """A badge awarded to a member (published for webhooks; chat announces `BadgeEarned`)."""

    external_id: str
    display_name: str
    badge: str
    channel: str | None
    awarded_at: datetime


@dataclass(frozen=True)
class KudosRevised:
    """What an edited or deleted message did to the kudos it carried."""

    undone: tuple[KudosUndone, ...]
    given: KudosGiven | None
    duplicate: bool = False
    why: str = ""
    """What happened to the message ("message edited", "message deleted", …)."""

    @property
    def changed(self) -> bool:
        return bool(self.undone or self.given)


@dataclass(frozen=True)
class LearningShared:
    learning_id: int
    author: str
    text: str
    tags: tuple[str, ...]
    badges: tuple[BadgeEarned, ...] = ()
    learning_channel: str = ""
    """Where the workspace posts learnings (empty: in the conversation it was shared in)."""
    private: bool = False
    """The author left the public posts: the learning is kept, and posted nowhere."""


@dataclass(frozen=True)
class Standing:
    """A place on a posted leaderboard, with the place the person had last period."""

    rank: int
    external_id: str
    display_name: str
    points: int
    previous_rank: int | None  # None: not on last period's board


@dataclass(frozen=True)
class LeaderboardPost:
    """The scheduled leaderboard: who received and who gave most, each value's leader, how
    places moved since last period, and who was recognised for the first time."""

    period: str  # "week" or "month"
    title: str  # "Week 47, 2026" or "October 2026"
    receivers: tuple[Standing, ...]
    givers: tuple[LeaderboardRow, ...]
    value_leaders: tuple[tuple[str, LeaderboardRow], ...]
    newcomers: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.receivers


@dataclass(frozen=True)
class LearningKudos:
    giver: str
    recipients: tuple[str, ...]
    reason: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class LearningPost:
    """The weekly learning shoutouts: what people shared with `til`, kudos for learning
    values, and who helped others learn most (mentoring kudos from the most people)."""

    title: str
    learnings: tuple[tuple[str, str, tuple[str, ...]], ...]  # (author, text, tags)
    kudos: tuple[LearningKudos, ...]
    helpers: tuple[tuple[str, str, int], ...]  # (external id, name, how many people thanked them)

    @property
    def empty(self) -> bool:
        return not (self.learnings or self.kudos)


ScheduledPost = LeaderboardPost | LearningPost


@dataclass(frozen=True)
class ScheduleStatus:
    """A scheduled post, when it runs next, and how its last run went."""

    schedule: Schedule
    next_run: datetime
    last_run: ScheduleRun | None


@dataclass(frozen=True)
class SchedulesShown:
    items: tuple[ScheduleStatus, ...]


@dataclass(frozen=True)
class ScheduleChanged:
    text: str


@dataclass(frozen=True)
class HelpShown:
    """How to use the bot; `values` are the workspace's company values."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class ShopShown:
    """The active rewards, and what the person has to spend."""

    items: tuple[RewardItem, ...]
    earned: int
    page: int = 1
    """The page asked for, from 1; a renderer shows its last page when there are fewer."""


@dataclass(frozen=True)
class Redeemed:
    """A redemption just made (or, for a repeated delivery, the one made before)."""

    redemption: Redemption
    item: RewardItem
    earned_left: int
    admins: tuple[str, ...] = ()
    """External ids of the listed admins, who are asked to decide."""
    duplicate: bool = False
    approvals_channel: str = ""
    """Where the workspace asks for decisions (empty: each admin directly)."""


@dataclass(frozen=True)
class RedemptionDecided:
    """An admin approved (fulfilled) or rejected (refunded) a redemption."""

    redemption: Redemption
    earned_after: int
    """The member's points to spend after the decision (a rejection refunds the cost)."""


@dataclass(frozen=True)
class RedemptionsShown:
    """A member's own redemptions; for admins also the queue awaiting a decision."""

    own: tuple[Redemption, ...]
    queue: tuple[Redemption, ...] | None = None


@dataclass(frozen=True)
class CatalogShown:
    """Every item an admin manages, inactive ones included."""

    items: tuple[RewardItem, ...]


@dataclass(frozen=True)
class SettingsShown:
    settings: WorkspaceSettings
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdminsShown:
    """The listed admins, as (external id, display name)."""

    admins: tuple[tuple[str, str], ...]
    platform: str


@dataclass(frozen=True)
class PrivacyShown:
    """Whether the person appears on the public leaderboards and posts; `changed` when this
    request changed it."""

    public: bool
    changed: bool = False


@dataclass(frozen=True)
class MemberForgotten:
    """`kudos people forget`: the pseudonym the person's accounts now carry, and how much was
    erased (counts only). `already`: they had been forgotten; nothing was written."""

    pseudonym: str
    erased: Erased = field(default_factory=Erased)
    already: bool = False


@dataclass(frozen=True)
class AdminDone:
    """An admin change that needs only a sentence back (catalog edits, admins, adjustments)."""

    text: str


Result = (
    KudosGiven
    | BalanceShown
    | LeaderboardShown
    | HistoryShown
    | KudosUndone
    | KudosRevised
    | LearningShared
    | HelpShown
    | BadgesShown
    | SchedulesShown
    | ScheduleChanged
    | ShopShown
    | Redeemed
    | RedemptionDecided
    | RedemptionsShown
    | CatalogShown
    | SettingsShown
    | AdminsShown
    | AdminDone
    | PrivacyShown
)
