"""A reply as every platform can show it: who sees it (its audience) and what it says, in a
few neutral parts. Renderers turn parts into Block Kit, Adaptive Cards or terminal text;
adapters turn audiences into messages (a `response_url` answer, an ephemeral, a DM, a post).

Text is made of spans: plain strings, `Strong` words, `Mention`s of people and `ChannelRef`s,
so that each renderer can make a real mention where its platform has one and write the name
elsewhere. Whatever a person typed stays a plain string: renderers never read it as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Mention:
    """A person: a real mention where the platform can make one, else their name. `alert`:
    the mention is meant to tell them (recipients); a name in a list is not."""

    user_id: str
    name: str
    alert: bool = True


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class ChannelRef:
    """A channel: a link where the platform knows channels by this id, else `label`."""

    channel_id: str
    label: str


Span = str | Strong | Mention | ChannelRef
Spans = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    """The title of a reply or of a section of it."""

    spans: Spans


@dataclass(frozen=True)
class Text:
    spans: Spans


@dataclass(frozen=True)
class Facts:
    """Labelled values (settings, a balance)."""

    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Confirm:
    """Asked before a button does what it says, where the platform can ask."""

    title: str
    text: str
    yes: str
    no: str


@dataclass(frozen=True)
class Action:
    """A button: `action_id` names what it does, `value` what it does it to."""

    label: str
    action_id: str
    value: str
    style: Literal["primary", "danger"] | None = None
    confirm: Confirm | None = None


@dataclass(frozen=True)
class Entry:
    """One line of a list, with an optional second line (`detail`) and its own button."""

    spans: Spans
    detail: str = ""
    action: Action | None = None


@dataclass(frozen=True)
class Items:
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Context:
    """Small print: tags, hints, a decision's outcome."""

    spans: Spans


@dataclass(frozen=True)
class Actions:
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Divider:
    pass


Part = Heading | Text | Facts | Items | Context | Actions | Divider


@dataclass(frozen=True)
class Conversation:
    """Everyone in the conversation the request came from (in its thread, where it has one)."""

    thread: bool = False


@dataclass(frozen=True)
class Actor:
    """Only the person who asked (an ephemeral where the platform has them)."""


@dataclass(frozen=True)
class DirectMessage:
    user_id: str


@dataclass(frozen=True)
class Channel:
    channel_id: str


@dataclass(frozen=True)
class Admins:
    """Whoever decides `redemption`: the approvals channel when there is one, else each listed
    admin (the sender may know more admins on its platform). Each copy sent is remembered."""

    redemption: int
    channel: str | None
    listed: tuple[str, ...]


@dataclass(frozen=True)
class ApprovalCopies:
    """Every posted copy of `redemption`'s approval request, replaced."""

    redemption: int


Audience = Conversation | Actor | DirectMessage | Channel | Admins | ApprovalCopies


@dataclass(frozen=True)
class Reply:
    """`text`: what a notification or a client without rich messages shows (plain text)."""

    audience: Audience
    parts: tuple[Part, ...]
    text: str

    @property
    def one_line(self) -> Text | None:
        """The reply's only part when it is a single text: platforms send it as a message of
        text alone."""
        only = self.parts[0] if len(self.parts) == 1 else None
        return only if isinstance(only, Text) else None


def words(spans: Spans) -> str:
    """Spans as plain words: names for mentions, labels for channels."""
    return "".join(
        s
        if isinstance(s, str)
        else s.text
        if isinstance(s, Strong)
        else s.name
        if isinstance(s, Mention)
        else s.label
        for s in spans
    )
