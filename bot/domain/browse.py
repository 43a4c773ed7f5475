"""What the JSON API and the dashboard list: records of one workspace, in pages that continue
from a position. The kudos feed, its filter and its pages are the same for both.

A page is read from a position (the last row the previous page showed), never from an offset,
so rows written meanwhile neither repeat nor go missing between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")
MAX_PAGE = 200
"""The most rows one page holds, whatever a caller asks for."""
MAX_NAMED = 200
"""The longest name fragment a search looks for."""


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last row's id, and its time for lists ordered by time."""

    id: int
    at: datetime | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next: Position | None
    """Where the next page starts; None on the last page."""


@dataclass(frozen=True)
class Person:
    external_id: str
    display_name: str


@dataclass(frozen=True)
class KudosRecord:
    id: int
    created_at: datetime
    giver: Person
    recipients: tuple[Person, ...]
    amount_each: int
    reason: str | None
    tags: tuple[str, ...]
    channel: str | None
    reversed_at: datetime | None
    reversal_reason: str | None

    @property
    def total(self) -> int:
        return self.amount_each * len(self.recipients)


def _blank_to_none(text: str | None) -> str | None:
    return text if text else None


@dataclass(frozen=True)
class KudosFilter:
    """Which kudos to list; fields left None select everything. `giver`, `recipient` and
    `person` (giver or recipient) are exact member ids; `named` is what a person types to find
    someone: part of a display name (any case) or an exact member id, giving or receiving.
    `value` is a company value (a leading `#` and case do not matter); `since`/`until` bound
    `created_at` as [since, until)."""

    since: datetime | None = None
    until: datetime | None = None
    giver: str | None = None
    recipient: str | None = None
    person: str | None = None
    named: str | None = None
    value: str | None = None
    channel: str | None = None
    include_reversed: bool = True

    def __post_init__(self) -> None:
        named = " ".join((self.named or "").split())[:MAX_NAMED]
        value = (self.value or "").strip().lstrip("#").casefold()
        channel = (self.channel or "").strip()
        object.__setattr__(self, "named", _blank_to_none(named))
        object.__setattr__(self, "value", _blank_to_none(value))
        object.__setattr__(self, "channel", _blank_to_none(channel))

    @property
    def selects_everything(self) -> bool:
        """No filter at all: every kudos of the workspace (reversed ones too)."""
        return self == KudosFilter()


@dataclass(frozen=True)
class MemberRecord:
    external_id: str
    display_name: str
    is_bot: bool
    is_active: bool
    first_seen: datetime
    earned: int
    allowance_left: int
    public: bool = True
    """False when the member left the public leaderboards and posts."""


@dataclass(frozen=True)
class LearningRecord:
    id: int
    created_at: datetime
    author: Person
    text: str
    tags: tuple[str, ...]
    channel: str | None
