"""slack_sdk's OAuth stores use tables that our schema declares without importing the SDK (so
no `kudos` command but `serve` loads it): they must stay exactly what the installed SDK builds."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table
from sqlalchemy.sql.elements import ClauseElement

from bot.store.models import (
    NAMING_CONVENTION,
    SLACK_BOTS,
    SLACK_INSTALLATIONS,
    SLACK_OAUTH_STATES,
)


def _default(default: Any) -> str | None:
    """A column default as text (`now()` for SQL functions, the value for scalars)."""
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    return str(arg) if isinstance(arg, ClauseElement) else repr(arg)


def shape(table: Table) -> dict[str, Any]:
    """What the database and the SDK's queries see of a table."""
    columns = [
        (
            c.name,
            repr(c.type),
            c.nullable,
            c.primary_key,
            c.autoincrement,
            _default(c.default),
            c.server_default,
        )
        for c in table.columns
    ]
    indexes = sorted((i.name, tuple(c.name for c in i.columns), i.unique) for i in table.indexes)
    constraints = sorted(
        (type(c).__name__, tuple(col.name for col in getattr(c, "columns", ())))
        for c in table.constraints
    )
    return {"name": table.name, "columns": columns, "indexes": indexes, "constraints": constraints}


@pytest.mark.parametrize(
    ("ours", "build"),
    [
        (SLACK_INSTALLATIONS, SQLAlchemyInstallationStore.build_installations_table),
        (SLACK_BOTS, SQLAlchemyInstallationStore.build_bots_table),
        (SLACK_OAUTH_STATES, SQLAlchemyOAuthStateStore.build_oauth_states_table),
    ],
    ids=["installations", "bots", "oauth_states"],
)
def test_our_slack_oauth_tables_are_the_ones_slack_sdk_builds(ours: Table, build: Any) -> None:
    theirs = build(MetaData(naming_convention=NAMING_CONVENTION), ours.name)
    assert shape(ours) == shape(theirs)
