"""The migration that gave learnings every tag keeps the topic of older ones, up and down, on
SQLite and PostgreSQL (the grammar through the console is in
tests/unit/services/test_grammar_end_to_end.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot import migrations
from bot.adapters.console.chat import PLATFORM
from bot.domain.model import WorkspaceRef

LOCAL = WorkspaceRef(PLATFORM, "local")

REFUSED = {
    "@bob 5 @carol 10 for two amounts": "I see two amounts (5 and 10)",
    "@bob 1e9 for big": "1e9 isn't an amount I can give",
    "@bob -- for nothing": "-- isn't an amount I can give",
    "@bob 2.5 for half": "2.5 isn't an amount I can give",
    "@bob 99999999999999999999": "99999999999999999999 isn't a valid amount",
    "balanse": "did you mean `balance`?",
    "tpo week": "did you mean `top week`?",
    "🎉🎉": "type `help`",
}


def test_the_migration_keeps_the_topic_of_older_learnings_as_their_tag(database_url: str) -> None:
    migrations.downgrade(database_url, "0006")
    now = datetime(2026, 11, 18, tzinfo=UTC)

    async def seed() -> None:
        engine = create_async_engine(database_url)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO workspaces (id, platform, external_id, name, settings, "
                    "created_at) VALUES (1, 'console', 'local', 'local', '{}', :now)"
                ),
                {"now": now},
            )
            await conn.execute(
                text(
                    "INSERT INTO members (id, workspace_id, external_id, display_name, is_bot, "
                    "is_active, created_at) VALUES (1, 1, 'ana', 'Ana', false, true, :now)"
                ),
                {"now": now},
            )
            await conn.execute(
                text(
                    "INSERT INTO learnings (workspace_id, member_id, text, topic, created_at) "
                    "VALUES (1, 1, 'bisect', 'git', :now), (1, 1, 'no tag', NULL, :now)"
                ),
                {"now": now},
            )
        await engine.dispose()

    async def read(query: str) -> list[tuple[object, ...]]:
        engine = create_async_engine(database_url)
        async with engine.connect() as conn:
            rows = [tuple(r) for r in await conn.execute(text(query))]
        await engine.dispose()
        return rows

    asyncio.run(seed())
    migrations.upgrade(database_url)
    assert asyncio.run(read("SELECT text, tags FROM learnings ORDER BY id")) == [
        ("bisect", "git"),
        ("no tag", ""),
    ]
    migrations.downgrade(database_url, "0006")
    assert asyncio.run(read("SELECT text, topic FROM learnings ORDER BY id")) == [
        ("bisect", "git"),
        ("no tag", None),
    ]
    migrations.upgrade(database_url)
