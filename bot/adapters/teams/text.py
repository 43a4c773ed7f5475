"""Teams message text to the grammar's neutral form, and user text made safe for cards.

Teams marks a mention as `<at>Name</at>` in the text, with a `mention` entity that carries the
person's id. The bot's own mention is dropped; every other becomes `<@ID>`, which the grammar
reads as a resolved mention, whatever characters the name has.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from bot.replies.compose import MAX_ECHO, cap

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_AT = re.compile(r"</?at>", re.IGNORECASE)
_AT_SPAN = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
MAX_UNTAGGED_MENTIONS = 50
"""Teams always marks a mention `<at>…</at>`; mention entities whose text is not so marked are
looked up one by one (a scan of the text each), so only this many are."""


@dataclass(frozen=True)
class TeamsMention:
    id: str
    name: str
    text: str  # as it appears in the message, e.g. "<at>Raj Patel</at>"


def mentions_of(entities: Iterable[object] | None) -> list[TeamsMention]:
    """The mention entities of an activity (objects or plain dicts)."""
    found = []
    for entity in entities or ():
        data = entity if isinstance(entity, dict) else getattr(entity, "__dict__", {})
        data = {**data, **getattr(entity, "additional_properties", {})}
        if data.get("type") != "mention":
            continue
        mentioned = data.get("mentioned") or {}
        if not isinstance(mentioned, dict):
            mentioned = {
                "id": getattr(mentioned, "id", None),
                "name": getattr(mentioned, "name", ""),
            }
        if mentioned.get("id") and data.get("text"):
            found.append(
                TeamsMention(
                    str(mentioned["id"]), str(mentioned.get("name") or ""), str(data["text"])
                )
            )
    return found


def to_grammar(text: str, mentions: Iterable[TeamsMention], bot_id: str | None) -> str:
    """The message as the grammar reads it: the bot's mention removed, people as `<@ID>`,
    HTML entities and leftover tags gone. Each mention entity takes the next occurrence of its
    text, in one pass over the text however many entities there are."""
    tagged: dict[str, deque[str]] = {}
    untagged: list[tuple[str, str]] = []
    for mention in mentions:
        token = "" if bot_id and mention.id == bot_id else f"<@{mention.id}>"
        if _AT_SPAN.fullmatch(mention.text):
            tagged.setdefault(mention.text, deque()).append(token)
        elif mention.text:
            untagged.append((mention.text, token))

    def resolve(span: re.Match[str]) -> str:
        waiting = tagged.get(span.group())
        return f" {waiting.popleft()} " if waiting else span.group()

    if tagged:
        text = _AT_SPAN.sub(resolve, text)
    for raw, token in untagged[:MAX_UNTAGGED_MENTIONS]:
        text = text.replace(raw, f" {token} ", 1)
    text = _TAG.sub(lambda m: m.group() if m.group().startswith("<@") else " ", text)
    return html.unescape(text).strip()


def is_bot_id(user_id: str) -> bool:
    """Teams ids of bots start with `28:`; people are `29:` (or an AAD object id)."""
    return user_id.startswith("28:")


def safe(text: str, limit: int = MAX_ECHO) -> str:
    """User text for a card: no mention tags, capped in length."""
    return cap(_AT.sub("", text), limit)
