"""`kudos chat` and `kudos serve` upgrade the schema when they start: Alembic runs when the
database is behind the newest revision (or new), and not at all when it is at it."""

from __future__ import annotations

import asyncio

from bot import migrations
from bot.config import Settings
from bot.core import open_core
from bot.migrations import head_revision


async def test_a_schema_behind_the_newest_revision_is_upgraded_on_start(
    database_url: str,
) -> None:
    await asyncio.to_thread(migrations.downgrade, database_url, "-1")
    core = await open_core(Settings(DATABASE_URL=database_url), migrate=False)
    try:
        behind = await core.database.schema_revision()
    finally:
        await core.close()
    assert behind is not None and behind != head_revision()

    core = await open_core(Settings(DATABASE_URL=database_url), migrate=True)
    try:
        assert await core.database.schema_revision() == head_revision()
    finally:
        await core.close()


async def test_a_database_without_the_schema_has_no_revision(database_url: str) -> None:
    await asyncio.to_thread(migrations.downgrade, database_url, "base")
    core = await open_core(Settings(DATABASE_URL=database_url), migrate=False)
    try:
        assert await core.database.schema_revision() is None
    finally:
        await core.close()
