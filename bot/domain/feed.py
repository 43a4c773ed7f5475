"""The kudos feed admins search: which kudos a filter selects, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FEED_PAGE = 25
MAX_FILTER = 200


@dataclass(frozen=True)
class KudosFilter:
    """What to look for; empty fields select everything. `person` is part of a display name
    (any case) or an exact user id, as giver or recipient; `value` a company value without
    `#`; `channel` a channel id; `since`/`until` bound `created_at` as [since, until)."""

    person: str = ""
    value: str = ""
    channel: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "person", " ".join(self.person.split())[:MAX_FILTER])
        object.__setattr__(self, "value", self.value.strip().lstrip("#").casefold()[:64])
        object.__setattr__(self, "channel", self.channel.strip().lstrip("#")[:128])

    @property
    def empty(self) -> bool:
        return not (self.person or self.value or self.channel or self.since or self.until)


@dataclass(frozen=True)
class FeedItem:
    """One kudos as the feed shows it, with names resolved."""

    kudos_id: int
    giver: str
    giver_id: str
    recipients: tuple[str, ...]
    amount_each: int
    reason: str | None
    tags: tuple[str, ...]
    channel: str | None
    created_at: datetime
    reversed: bool

    @property
    def total(self) -> int:
        return self.amount_each * len(self.recipients)


@dataclass(frozen=True)
class FeedPage:
    """A page of the feed, newest first; `older` is the cursor of the next page (None: the
    last page)."""

    items: tuple[FeedItem, ...]
    older: int | None
