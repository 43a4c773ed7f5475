"""What every fake repository shares: the transaction's tables, and SQLite's text matching."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from bot.services.ports import DuplicateDelivery
from tests.fakes.tables import Row, Tables, UniqueViolation

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """SQLite's `lower()`: ASCII letters only."""
    return text.translate(_ASCII_LOWER)


def like_contains(haystack: str | None, needle: str) -> bool:
    """SQLite's `haystack LIKE '%needle%'` with the needle escaped: case-insensitive for ASCII
    letters only."""
    return haystack is not None and ascii_lower(needle) in ascii_lower(haystack)


def has_word(words: str | None, word: str) -> bool:
    """`(' ' || words || ' ') LIKE '% word %'` on SQLite (see `_word` in the store)."""
    return like_contains(f" {words or ''} ", f" {word} ")


def newest_first(rows: list[Row], column: str = "created_at") -> list[Row]:
    """ORDER BY column DESC, id DESC."""
    return sorted(rows, key=lambda r: (r[column], r["id"]), reverse=True)


def oldest_first(rows: list[Row], column: str = "created_at") -> list[Row]:
    """ORDER BY column, id."""
    return sorted(rows, key=lambda r: (r[column], r["id"]))


def at_or_after(value: datetime, since: datetime | None) -> bool:
    return since is None or value >= since


def before(value: datetime, until: datetime | None) -> bool:
    return until is None or value < until


class FakeRepository:
    """A repository over one transaction's tables (see tests/fakes/unit_of_work.py)."""

    def __init__(self, tables: Tables, store: Any) -> None:
        self.tables = tables
        self.store = store

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One statement's all-or-nothing: on an exception the tables are as they were."""
        saved = self.tables.savepoint()
        try:
            yield
        except BaseException:
            self.tables.roll_back_to(saved)
            raise

    def insert_unique(self, table: str, values: Row) -> Row:
        """Insert a row whose unique key says "seen before": that becomes DuplicateDelivery."""
        try:
            row = self.tables.insert(table, values)
        except UniqueViolation:
            raise DuplicateDelivery() from None
        assert row is not None
        return row
