"""What the grammar refuses writes nothing, and what it reads reaches the store as typed: every
`til` tag, and console names in the case people typed them. Through the console adapter and
the services, on the fake store."""

from __future__ import annotations

import pytest

from bot.adapters.console.chat import PLATFORM, reply_to
from bot.domain.model import WorkspaceRef
from bot.services.export import export_rows
from bot.services.posts import learning_post
from tests.fakes.unit_of_work import FakeApp
from tests.support import count, snapshot

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
    app: FakeApp, message: str
) -> None:
    assert (await reply_to(app.services, "local", "ana", "@bob 1 for warming up")).startswith("🎉")
    before = await snapshot(app)
    reply = await reply_to(app.services, "local", "ana", message)
    assert reply.startswith("✋ ")
    assert REFUSED[message] in reply
    assert await snapshot(app) == before


async def test_per_person_amounts_are_never_given_in_part(app: FakeApp) -> None:
    await reply_to(app.services, "local", "ana", "@bob @carol 1")
    before = await snapshot(app)
    await reply_to(app.services, "local", "ana", "@bob 5 @carol 10 for two amounts")
    assert await snapshot(app) == before
    reply = await reply_to(app.services, "local", "ana", "@bob @carol 10 for two amounts")
    assert reply.startswith("🎉 ana gave bob and carol 10 points each")


async def test_points_with_a_unit_or_in_words_give_that_many(app: FakeApp) -> None:
    assert "gave bob 10 points" in await reply_to(
        app.services, "local", "ana", "@bob 10pts for the help"
    )
    five = await reply_to(app.services, "local", "ana", "@bob five for the talk")
    assert five.startswith("🎉 ana gave bob 5 points\n“the talk”")
    balance = await reply_to(app.services, "local", "bob", "balance")
    assert "15" in balance


async def test_console_names_are_shown_as_first_typed_and_matched_without_case(
    app: FakeApp,
) -> None:
    first = await reply_to(app.services, "local", "ana", "@Zoë ++")
    assert first.startswith("🎉 ana gave Zoë 1 point")
    again = await reply_to(app.services, "local", "ana", "@zoë ++ for the review")
    assert again.startswith("🎉 ana gave Zoë 1 point")
    top = await reply_to(app.services, "local", "ana", "top")
    assert "Zoë — 2" in top
    assert count(app, "members", external_id="zoë") == 1


async def test_til_keeps_every_tag_in_the_store_the_reply_the_post_and_the_export(
    app: FakeApp,
) -> None:
    reply = await reply_to(
        app.services, "local", "ana", "til pytest fixtures are lazy #python #testing #learning"
    )
    assert reply.startswith("📚 ana learned:\npytest fixtures are lazy  #python #testing #learning")
    [learning] = app.store.rows("learnings")
    assert (learning["tags"], learning["topic"]) == ("python testing learning", "python")

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
