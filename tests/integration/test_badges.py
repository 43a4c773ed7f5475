"""Badges under concurrency, on real SQLite and PostgreSQL: racing first kudos award the badge
once (the milestones themselves are in tests/unit/services/test_badges.py)."""

from __future__ import annotations

import asyncio
import uuid

from bot.bootstrap import App
from bot.domain.model import MemberRef
from bot.services.badges import show_badges
from bot.services.give import GiveKudos, give_kudos
from bot.services.results import KudosGiven
from tests.support import WS, give, person


async def badges_of(app: App, who: str) -> tuple[str, ...]:
    return (await show_badges(app.services, WS, MemberRef(who))).badges


async def give_in_channel(
    app: App, giver: str, recipient: str, channel: str, tags: tuple[str, ...] = ()
) -> KudosGiven:
    return await give_kudos(
        app.services,
        GiveKudos(
            WS, person(giver), (person(recipient),), 1, "thanks", tags, str(uuid.uuid4()), channel
        ),
    )


async def test_concurrent_first_kudos_award_the_badge_once(app: App) -> None:
    results = await asyncio.gather(*(give(app, "ana", f"p{n}") for n in range(8)))
    announced = [b for r in results for b in r.badges]
    assert [(b.external_id, b.badge) for b in announced] == [("ana", "first-kudos")]
    assert await badges_of(app, "ana") == ("first-kudos",)
