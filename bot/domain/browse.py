"""What the JSON API lists: records of one workspace, in pages that continue from a position.

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


@dataclass(frozen=True)
class KudosFilter:
    """Which kudos to list. People are external ids; `person` matches giver or recipient."""

    since: datetime | None = None
    until: datetime | None = None
    giver: str | None = None
    recipient: str | None = None
    person: str | None = None
    value: str | None = None
    channel: str | None = None
    include_reversed: bool = True


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
