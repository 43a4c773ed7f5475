"""Badges: learning milestones, awarded automatically and once each (on the fake store)."""

from __future__ import annotations

import uuid

from bot.adapters.console.chat import reply_to
from bot.domain.model import MemberRef
from bot.services.badges import show_badges
from bot.services.give import GiveKudos, give_kudos
from bot.services.learning import share_learning
from bot.services.queries import show_balance
from bot.services.results import KudosGiven
from tests.fakes.unit_of_work import FakeApp
from tests.support import WS, give, person


async def badges_of(app: FakeApp, who: str) -> tuple[str, ...]:
    return (await show_badges(app.services, WS, MemberRef(who))).badges


async def give_in_channel(
    app: FakeApp, giver: str, recipient: str, channel: str, tags: tuple[str, ...] = ()
) -> KudosGiven:
    return await give_kudos(
        app.services,
        GiveKudos(
            WS, person(giver), (person(recipient),), 1, "thanks", tags, str(uuid.uuid4()), channel
        ),
    )


async def test_the_first_kudos_badge_comes_with_the_first_kudos_once(app: FakeApp) -> None:
    first = await give(app, "ana", "bob")
    second = await give(app, "ana", "cy")
    assert [(b.external_id, b.badge) for b in first.badges] == [("ana", "first-kudos")]
    assert second.badges == ()
    assert await badges_of(app, "ana") == ("first-kudos",)
    assert await badges_of(app, "bob") == ()


async def test_mentor_needs_mentoring_kudos_from_three_different_people(app: FakeApp) -> None:
    await give(app, "ana", "bob", tags=("mentoring",))
    await give(app, "ana", "bob", tags=("mentoring",))  # the same person again
    await give(app, "cy", "bob", tags=("learning",))  # not mentoring
    assert "mentor" not in await badges_of(app, "bob")
    await give(app, "cy", "bob", tags=("mentoring",))
    third = await give(app, "dee", "bob", tags=("mentoring",))
    assert ("bob", "mentor") in [(b.external_id, b.badge) for b in third.badges]
    assert "mentor" in await badges_of(app, "bob")


async def test_connector_counts_channels_and_curious_mind_counts_learnings(app: FakeApp) -> None:
    for n in range(4):
        await give_in_channel(app, "ana", "bob", f"C{n}")
    assert "connector" not in await badges_of(app, "ana")
    await give_in_channel(app, "ana", "bob", "C0")  # a channel already counted
    assert "connector" not in await badges_of(app, "ana")
    await give_in_channel(app, "ana", "bob", "C4")
    assert "connector" in await badges_of(app, "ana")

    shared = [
        await share_learning(app.services, WS, person("cy"), f"lesson {n}", ()) for n in range(5)
    ]
    assert [b.badge for b in shared[0].badges] == ["first-learning"]
    assert [b.badge for b in shared[4].badges] == ["curious-mind"]
    assert all(not s.badges for s in shared[1:4])
    balance = await show_balance(app.services, WS, person("cy"))
    assert balance.badges == ("first-learning", "curious-mind")


async def test_badges_are_shown_on_request_and_announced_in_the_reply(app: FakeApp) -> None:
    reply = await reply_to(app.services, "acme", "ana", "@bob 5 for the help")
    assert "🏅 ana earned 🌱 First kudos: gave their first kudos" in reply
    assert await reply_to(app.services, "acme", "ana", "badges") == (
        "ana's badges\n🌱 First kudos: gave their first kudos"
    )
    assert "has no badges yet" in await reply_to(app.services, "acme", "ana", "badges @bob")
    assert "`badges @someone`" in await reply_to(app.services, "acme", "ana", "badges @bob @cy")
