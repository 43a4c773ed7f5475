"""Opaque page cursors: where the last page ended, encoded so callers pass it back unread.
The JSON API's `cursor` and the dashboard's "Older" links are both these."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from bot.domain.browse import Position

MAX_ID = 2**62


class InvalidCursor(ValueError):
    """A cursor this list did not give out (edited, truncated, or another list's)."""


def encode(kind: str, position: Position | None) -> str | None:
    """The cursor of `position` in the list called `kind` (None for no next page)."""
    if position is None:
        return None
    raw = [kind, position.id, position.at.isoformat() if position.at else None]
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode()


def decode(kind: str, cursor: str | None) -> Position | None:
    """The position a cursor of this list names; InvalidCursor for anything it did not give
    out."""
    if cursor is None:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
        name, row_id, at = raw
        if name != kind or type(row_id) is not int or not 0 < row_id < MAX_ID:
            raise ValueError("another list's cursor")
        when = None if at is None else datetime.fromisoformat(at)
        if when is not None and when.tzinfo is None:
            raise ValueError("a cursor's time has a zone")
    except (ValueError, TypeError, binascii.Error, UnicodeError, OverflowError):
        raise InvalidCursor(cursor) from None
    return Position(row_id, when)
