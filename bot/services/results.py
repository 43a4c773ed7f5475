"""What handlers return; adapters render these for people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import HistoryItem, LeaderboardRow


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
class KudosRevised:
    """What an edited or deleted message did to the kudos it carried."""

    undone: tuple[KudosUndone, ...]
    given: KudosGiven | None
    duplicate: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.undone or self.given)


@dataclass(frozen=True)
class LearningShared:
    learning_id: int
    author: str
    text: str
    topic: str | None


@dataclass(frozen=True)
class HelpShown:
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
)
