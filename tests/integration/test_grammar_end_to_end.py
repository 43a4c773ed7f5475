"""What the grammar refuses writes nothing, and what it reads reaches the store as meant.
Through the console adapter and the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.adapters.console.chat import reply_to
from bot.bootstrap import App
from tests.support import snapshot

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
    assert "gave bob 5 points for the talk" in await reply_to(
        app.services, "local", "ana", "@bob five for the talk"
    )
    balance = await reply_to(app.services, "local", "bob", "balance")
    assert "15" in balance
