"""What a person asked for, independent of the chat platform that carried it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Mention:
    """A neutral mention: `user_id` when the platform resolved it, else the typed `name`."""

    user_id: str | None = None
    name: str | None = None

    @property
    def key(self) -> str:
        return self.user_id if self.user_id is not None else f"@{(self.name or '').casefold()}"


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
    `admin schedule remove weekly [#channel]`. No channel: the one the command was typed in."""

    action: Literal["list", "add", "remove"] = "list"
    kind: str | None = None
    channel: str | None = None
    when: str | None = None


@dataclass(frozen=True)
class Til:
    text: str
    topic: str | None


Command = Give | Balance | Top | History | Undo | Help | Til | Badges | AdminSchedule
