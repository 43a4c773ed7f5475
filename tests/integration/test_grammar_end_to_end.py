"""What the grammar refuses writes nothing, and what it reads reaches the store as typed: every
`til` tag, and console names in the case people typed them. Through the console adapter and
the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot import migrations
from bot.adapters.console.chat import PLATFORM, reply_to
from bot.bootstrap import App
from bot.domain.model import WorkspaceRef
from bot.services.export import export_rows
from bot.services.posts import learning_post
from tests.support import scalar, snapshot

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


@pytest.mark.parametrize("message", REFUSED)
async def test_grammar_refusals_answer_in_one_sentence_and_write_nothing(
    app: App, message: str
) -> None:
    assert (await reply_to(app.services, "local", "ana", "@bob 1 for warming up")).startswith("🎉")
    before = await snapshot(app)
    reply = await reply_to(app.services, "local", "ana", message)
    assert reply.startswith("✋ ")
    assert REFUSED[message] in reply
    assert await snapshot(app) == before


async def test_per_person_amounts_are_never_given_in_part(app: App) -> None:
    await reply_to(app.services, "local", "ana", "@bob @carol 1")
    before = await snapshot(app)
    await reply_to(app.services, "local", "ana", "@bob 5 @carol 10 for two amounts")
    assert await snapshot(app) == before
    reply = await reply_to(app.services, "local", "ana", "@bob @carol 10 for two amounts")
    assert reply.startswith("🎉 ana gave bob and carol 10 points each")


async def test_points_with_a_unit_or_in_words_give_that_many(app: App) -> None:
    assert "gave bob 10 points" in await reply_to(
        app.services, "local", "ana", "@bob 10pts for the help"
    )
    five = await reply_to(app.services, "local", "ana", "@bob five for the talk")
    assert five.startswith("🎉 ana gave bob 5 points\n“the talk”")
    balance = await reply_to(app.services, "local", "bob", "balance")
    assert "15" in balance


async def test_console_names_are_shown_as_first_typed_and_matched_without_case(app: App) -> None:
    first = await reply_to(app.services, "local", "ana", "@Zoë ++")
    assert first.startswith("🎉 ana gave Zoë 1 point")
    again = await reply_to(app.services, "local", "ana", "@zoë ++ for the review")
    assert again.startswith("🎉 ana gave Zoë 1 point")
    top = await reply_to(app.services, "local", "ana", "top")
    assert "Zoë — 2" in top
    assert await scalar(app, "SELECT count(*) FROM members WHERE external_id = 'zoë'") == 1


async def test_til_keeps_every_tag_in_the_store_the_reply_the_post_and_the_export(
    app: App,
) -> None:
    reply = await reply_to(
        app.services, "local", "ana", "til pytest fixtures are lazy #python #testing #learning"
    )
    assert reply.startswith("📚 ana learned:\npytest fixtures are lazy  #python #testing #learning")
    assert await scalar(app, "SELECT tags FROM learnings") == "python testing learning"
    assert await scalar(app, "SELECT topic FROM learnings") == "python"

    post = await learning_post(app.services, LOCAL)
    assert post.learnings == (
        ("ana", "pytest fixtures are lazy", ("python", "testing", "learning")),
    )

    [row] = await export_rows(app.services, LOCAL, "learnings", None)
    assert (row["member"], row["text"], row["tags"]) == (
        "ana",
        "pytest fixtures are lazy",
        "#python #testing #learning",
    )


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
