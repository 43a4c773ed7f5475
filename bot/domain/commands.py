"""What a person asked for, independent of the chat platform that carried it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Mention:
    """A neutral mention: `user_id` when the platform resolved it, else the typed `name`."""

    user_id: str | None = None
    name: str | None = None

    @property
    def key(self) -> str:
        """One key per person: a resolved id, or the name without case (`@Zoë` is `@zoë`)."""
        if self.user_id is not None:
            return self.user_id
        return "@" + unicodedata.normalize("NFC", self.name or "").casefold()


@dataclass(frozen=True)
class Give:
    recipients: tuple[Mention, ...]
    amount: int | None
    reason: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Balance:
    pass


@dataclass(frozen=True)
class Top:
    period: Literal["week", "month", "all"] = "week"
    tag: str | None = None


@dataclass(frozen=True)
class History:
    pass


@dataclass(frozen=True)
class Undo:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Badges:
    """`badges` (your own) or `badges @who`."""

    who: Mention | None = None


@dataclass(frozen=True)
class AdminSchedule:
    """`admin schedule [list]`, `admin schedule add weekly [#channel] [fri 16:00]`,
    `admin schedule remove weekly [#channel]`. No channel: the one the command was typed in.
    `channel` is a platform link's id (`<#C123|team>`); `channel_name` a plain `#team`, for
    the adapter to look up."""

    action: Literal["list", "add", "remove"] = "list"
    kind: str | None = None
    channel: str | None = None
    when: str | None = None
    channel_name: str | None = None


@dataclass(frozen=True)
class Til:
    """`til <what I learned> #tag …`: every hashtag, in order, each once."""

    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shop:
    """`shop` or `shop 2`: the active rewards, marking what the person can afford; long
    catalogs are shown a page at a time (each platform decides how much fits on one)."""

    page: int = 1


@dataclass(frozen=True)
class Redeem:
    """`redeem <item>`: an item by name or number."""

    item: str


@dataclass(frozen=True)
class Redemptions:
    """`redemptions`: your own; admins also see the queue awaiting a decision."""


@dataclass(frozen=True)
class CancelRedemption:
    """`cancel 12`: withdraw one's own redemption while it awaits a decision."""

    redemption_id: int


@dataclass(frozen=True)
class Privacy:
    """`privacy` shows whether one appears on the public leaderboards and posts;
    `privacy leaderboard off` leaves them (still giving and receiving), `… on` comes back."""

    public: bool | None = None


Fields = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AdminCatalog:
    """`admin catalog [list]`, `admin catalog add <name> cost=200 [stock=10] [approval=no]
    [description="…"]`, `admin catalog edit <item> cost=150 active=no`,
    `admin catalog remove <item>`."""

    action: Literal["list", "add", "edit", "remove"] = "list"
    item: str | None = None
    fields: Fields = ()


@dataclass(frozen=True)
class AdminSettings:
    """`admin settings` shows them; `admin settings max_amount=20 values=learning,teamwork`
    changes them."""

    changes: Fields = ()


@dataclass(frozen=True)
class AdminAdmins:
    """`admin admins [list]`, `admin admins add @who`, `admin admins remove @who`."""

    action: Literal["list", "add", "remove"] = "list"
    who: Mention | None = None


@dataclass(frozen=True)
class AdminDecide:
    """`admin approve 12`, `admin reject 12 <reason>`."""

    redemption_id: int
    approve: bool
    reason: str | None = None


@dataclass(frozen=True)
class AdminAdjust:
    """`admin adjust @who +10 <reason>` (or -10): correct someone's earned points."""

    who: Mention
    amount: int
    reason: str


@dataclass(frozen=True)
class AdminQueue:
    """`admin redemptions`: the redemptions awaiting a decision."""


Command = (
    Give
    | Balance
    | Top
    | History
    | Undo
    | Help
    | Til
    | Badges
    | AdminSchedule
    | Shop
    | Redeem
    | Redemptions
    | CancelRedemption
    | AdminCatalog
    | AdminSettings
    | AdminAdmins
    | AdminDecide
    | AdminAdjust
    | AdminQueue
    | Privacy
)
