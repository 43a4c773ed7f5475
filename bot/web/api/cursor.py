"""The API's page cursors (`bot.web.cursor`), refused with its own error: 422
`invalid_cursor`."""

from __future__ import annotations

from bot.domain.browse import Position
from bot.web import cursor as shared
from bot.web.api.errors import ApiError
from bot.web.cursor import InvalidCursor, encode

__all__ = ["decode", "encode"]


def decode(kind: str, cursor: str | None) -> Position | None:
    """The position a cursor of this list names; 422 for anything this list did not give out."""
    try:
        return shared.decode(kind, cursor)
    except InvalidCursor:
        raise ApiError(
            422,
            "invalid_cursor",
            "That cursor isn't one this list gave out: start again without it.",
        ) from None
