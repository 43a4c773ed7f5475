"""Tables in memory, shaped by the real schema: the same table and column names as
`bot/store/models.py`, the same primary keys, unique keys, foreign keys and checks, and ids
handed out as SQLite hands them out (the largest id plus one).

The schema is read from `Base.metadata`, so a table or column an Alembic revision adds appears
here by itself. Checks are SQL text there, so they are written again in Python in `CHECKS`
(tests/contract/test_schema_rules.py fails when a check of the real schema has no twin here).

A `Tables` is one transaction's view: each table is copied the first time the transaction uses
it, so a transaction that is not committed leaves nothing behind, and a savepoint is a copy of
the tables used so far.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlalchemy import Table as SqlTable

from bot.store.models import Base

Row = dict[str, Any]


class IntegrityViolation(Exception):
    """What the database would refuse: a unique key, a foreign key or a check."""


class UniqueViolation(IntegrityViolation):
    """A row with the same unique key exists (SQL: a unique violation)."""


CHECKS: dict[str, dict[str, Callable[[Row], bool]]] = {
    "accounts": {"balance_not_negative": lambda r: r["kind"] == "mint" or r["balance"] >= 0},
    "ledger_entries": {
        "amount_positive": lambda r: r["amount"] > 0,
        "distinct_accounts": lambda r: r["debit_account_id"] != r["credit_account_id"],
    },
    "kudos": {"amount_each_positive": lambda r: r["amount_each"] > 0},
    "reward_items": {
        "cost_positive": lambda r: r["cost"] > 0,
        "stock_not_negative": lambda r: r["stock"] is None or r["stock"] >= 0,
    },
    "redemptions": {"cost_positive": lambda r: r["cost"] > 0},
}
"""The CHECK constraints of the schema, by table and by the name models.py gives them."""


@dataclass(frozen=True)
class Unique:
    """A unique key; `partial` is the partial index's condition (`member_id IS NULL`)."""

    columns: tuple[str, ...]
    partial: Callable[[Row], bool] | None = None

    def key(self, row: Row) -> tuple[Any, ...] | None:
        """The row's value of the key, or None when the key does not apply (SQL: a NULL in it,
        or a row outside a partial index)."""
        if self.partial is not None and not self.partial(row):
            return None
        values = tuple(row[c] for c in self.columns)
        return None if any(v is None for v in values) else values


def _partial(condition: str) -> Callable[[Row], bool]:
    """`column IS NULL` or `column IS NOT NULL`: the partial indexes the schema uses."""
    words = condition.split()
    if len(words) == 3 and words[1:] == ["IS", "NULL"]:
        return lambda row: row[words[0]] is None
    if len(words) == 4 and words[1:] == ["IS", "NOT", "NULL"]:
        return lambda row: row[words[0]] is not None
    if len(words) == 3 and words[1] == "=" and words[2].startswith("'"):
        value = words[2].strip("'")
        return lambda row: row[words[0]] == value
    raise NotImplementedError(f"teach tests/fakes/tables.py the partial index {condition!r}")


@dataclass(frozen=True)
class Schema:
    """One table's shape, read from the SQLAlchemy table."""

    name: str
    columns: tuple[str, ...]
    defaults: dict[str, Any]
    json_columns: frozenset[str]
    not_null: tuple[str, ...]
    key: tuple[str, ...]
    uniques: tuple[Unique, ...]
    foreign_keys: tuple[tuple[str, str], ...]
    """(column, referenced table); every reference is to an `id`."""
    checks: dict[str, Callable[[Row], bool]]

    @property
    def autoincrement(self) -> bool:
        return self.key == ("id",)

    @staticmethod
    def of(table: SqlTable) -> Schema:
        defaults: dict[str, Any] = {}
        for column in table.columns:
            default = column.default
            if default is not None and default.is_scalar:
                defaults[column.name] = default.arg
            elif default is not None and default.is_callable:
                defaults[column.name] = default.arg(None)
            elif column.server_default is not None:
                defaults[column.name] = column.server_default.arg.text.strip("'")
        uniques = [
            Unique(tuple(c.name for c in constraint.columns))
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        ]
        for index in table.indexes:
            if isinstance(index, Index) and index.unique:
                where = index.dialect_options["sqlite"]["where"]
                uniques.append(
                    Unique(
                        tuple(c.name for c in index.columns),
                        _partial(str(where)) if where is not None else None,
                    )
                )
        return Schema(
            name=table.name,
            columns=tuple(c.name for c in table.columns),
            defaults=defaults,
            json_columns=frozenset(c.name for c in table.columns if isinstance(c.type, JSON)),
            not_null=tuple(
                c.name
                for c in table.columns
                if not c.nullable and not (c.primary_key and len(table.primary_key.columns) == 1)
            ),
            key=tuple(c.name for c in table.primary_key.columns),
            uniques=tuple(uniques),
            foreign_keys=tuple((fk.parent.name, fk.column.table.name) for fk in table.foreign_keys),
            checks=CHECKS.get(table.name, {}),
        )


def _json(value: Any) -> Any:
    """What a JSON column gives back: a fresh copy, tuples turned into lists."""
    return None if value is None else json.loads(json.dumps(value))


class Table:
    """The rows of one table by primary key, in insertion order (so in id order)."""

    def __init__(self, schema: Schema, rows: dict[Any, Row] | None = None) -> None:
        self.schema = schema
        self.rows: dict[Any, Row] = rows if rows is not None else {}
        self.dirty = False

    def copy(self) -> Table:
        return Table(self.schema, {key: dict(row) for key, row in self.rows.items()})

    def __iter__(self) -> Iterator[Row]:
        return iter(list(self.rows.values()))

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, key: Any) -> Row | None:
        return self.rows.get(key)

    def where(self, **equals: Any) -> list[Row]:
        """Rows whose columns equal these values, in id order."""
        return [r for r in self.rows.values() if all(r[c] == v for c, v in equals.items())]

    def first(self, **equals: Any) -> Row | None:
        found = self.where(**equals)
        return found[0] if found else None

    def _key_of(self, row: Row) -> Any:
        if len(self.schema.key) == 1:
            return row[self.schema.key[0]]
        return tuple(row[c] for c in self.schema.key)

    def _next_id(self) -> int:
        return next(reversed(self.rows), 0) + 1

    def conflicting(self, row: Row, ignore: Any = None) -> Unique | None:
        """The unique key `row` shares with another row (the row at key `ignore` aside)."""
        if self._key_of(row) in self.rows and self._key_of(row) != ignore:
            return Unique(self.schema.key)
        for unique in self.schema.uniques:
            value = unique.key(row)
            if value is None:
                continue
            for key, other in self.rows.items():
                if key != ignore and unique.key(other) == value:
                    return unique
        return None

    def _check(self, row: Row) -> None:
        for column in self.schema.not_null:
            if row[column] is None:
                raise IntegrityViolation(f"NOT NULL constraint failed: {self.schema.name}.{column}")
        for name, holds in self.schema.checks.items():
            if not holds(row):
                raise IntegrityViolation(f"CHECK {self.schema.name}.{name} failed for {row}")

    def insert(self, values: Row, *, on_conflict: tuple[str, ...] | bool = ()) -> Row | None:
        """Add a row (unknown columns refused, missing ones at their default or NULL) and
        return it. `on_conflict`: the unique key (or True: any key) whose conflict makes this
        insert do nothing and return None, like `ON CONFLICT DO NOTHING`; any other conflict
        raises UniqueViolation."""
        unknown = set(values) - set(self.schema.columns)
        if unknown:
            raise KeyError(f"{self.schema.name} has no column {sorted(unknown)}")
        row = {
            c: values.get(c, copy.copy(self.schema.defaults.get(c))) for c in self.schema.columns
        }
        for column in self.schema.json_columns:
            row[column] = _json(row[column])
        if self.schema.autoincrement and row["id"] is None:
            row["id"] = self._next_id()
        clash = self.conflicting(row)
        if clash is not None:
            if on_conflict is True or clash.columns == on_conflict:
                return None
            raise UniqueViolation(f"{self.schema.name} {clash.columns}")
        self._check(row)
        self.rows[self._key_of(row)] = row
        self.dirty = True
        return row

    def update(self, row: Row, **changes: Any) -> Row:
        """Change a row of this table in place, refused (and unchanged) if a key or a check
        says no."""
        key = self._key_of(row)
        changed = row | changes
        for column in self.schema.json_columns & set(changes):
            changed[column] = _json(changed[column])
        if self.conflicting(changed, ignore=key) is not None:
            raise UniqueViolation(f"{self.schema.name} {changes}")
        self._check(changed)
        row.update(changed)
        self.dirty = True
        return row

    def delete(self, row: Row) -> None:
        del self.rows[self._key_of(row)]
        self.dirty = True


SCHEMAS: dict[str, Schema] = {t.name: Schema.of(t) for t in Base.metadata.sorted_tables}


def empty_tables() -> dict[str, Table]:
    """Every table of the schema, empty."""
    return {name: Table(schema) for name, schema in SCHEMAS.items()}


class Tables:
    """One transaction's view of the committed tables: each copied on first use."""

    def __init__(self, committed: dict[str, Table]) -> None:
        self._committed = committed
        self._working: dict[str, Table] = {}

    def reset(self, committed: dict[str, Table]) -> None:
        """Start afresh on the committed tables (a new transaction)."""
        self._committed = committed
        self._working = {}

    def __getitem__(self, name: str) -> Table:
        table = self._working.get(name)
        if table is None:
            table = self._working[name] = self._committed[name].copy()
        return table

    def insert(
        self, name: str, values: Row, *, on_conflict: tuple[str, ...] | bool = ()
    ) -> Row | None:
        """Insert into table `name` (see `Table.insert`), refusing a reference to a row that
        does not exist (SQLite runs with foreign keys on)."""
        for column, target in self[name].schema.foreign_keys:
            value = values.get(column)
            if value is not None and self[target].get(value) is None:
                raise IntegrityViolation(f"{name}.{column} = {value}: no such {target} row")
        return self[name].insert(values, on_conflict=on_conflict)

    def savepoint(self) -> dict[str, Table]:
        saved = {}
        for name, table in self._working.items():
            saved[name] = table.copy()
            saved[name].dirty = table.dirty
        return saved

    def roll_back_to(self, saved: dict[str, Table]) -> None:
        self._working = saved

    def changed(self) -> dict[str, Table]:
        """The tables this transaction wrote to."""
        return {name: table for name, table in self._working.items() if table.dirty}
