"""The one kudos feed the JSON API and the dashboard both list, on both databases: a search by
part of a name finds every kudos its people gave or received, once each, page after page,
whether the name fits one person (read from each person's indexes) or many (read newest
first)."""

from __future__ import annotations

import pytest

from bot.bootstrap import App
from bot.domain import errors
from bot.domain.browse import KudosFilter, KudosRecord, Position
from bot.domain.model import MemberRef
from bot.services.browse import list_kudos
from bot.services.workspaces import open_workspace
from bot.store.repositories import browse as repository
from bot.store.repositories.browse import FEW_PEOPLE, SOME_PEOPLE
from tests.conftest import FakeClock
from tests.dashboard.conftest import make_admin
from tests.support import WS, give

TEAM = [MemberRef(f"u{n}", f"Team Ana {n}") for n in range(FEW_PEOPLE + 2)]
assert FEW_PEOPLE < len(TEAM) <= SOME_PEOPLE
OTHERS = [MemberRef("bob", "Bob"), MemberRef("carol", "Carol 100%"), MemberRef("dan", "Dan")]


async def every_page(app: App, wanted: KudosFilter, size: int) -> list[KudosRecord]:
    """The whole feed for `wanted`, read `size` at a time by following each page's position."""
    found: list[KudosRecord] = []
    after: Position | None = None
    while True:
        page = await list_kudos(app.services, WS, wanted, after, size)
        found.extend(page.items)
        if page.next is None:
            return found
        after = page.next


def involving(kudos: list[KudosRecord], *names: str) -> list[int]:
    """Ids of the kudos any of `names` gave or received, in the order listed."""
    return [
        k.id
        for k in kudos
        if {k.giver.display_name, *(p.display_name for p in k.recipients)} & set(names)
    ]


@pytest.fixture
async def feed(app: App, clock: FakeClock) -> list[KudosRecord]:
    """Kudos among a team whose names share "Team Ana" and three others, some with two
    recipients of the team at once; the whole feed, newest first."""
    await open_workspace(app.services, WS)
    people = [*TEAM, *OTHERS]
    for n in range(40):
        clock.advance(minutes=1)
        giver = people[(n * 7) % len(people)]
        first = people[(n * 3 + 1) % len(people)]
        second = people[(n * 5 + 2) % len(people)]
        recipients = [r for r in dict.fromkeys((first, second)) if r != giver]
        await give(app, giver, *(recipients[: 1 + n % 2]), amount=1, reason=f"kudos {n}")
    return await every_page(app, KudosFilter(), 200)


@pytest.mark.parametrize(("size", "gathered"), [(3, True), (50, True), (3, False)])
async def test_a_name_that_fits_many_people_finds_each_of_their_kudos_once(
    app: App, feed: list[KudosRecord], size: int, gathered: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not gathered:  # as for a name that fits more people than the tests make
        monkeypatch.setattr(repository, "SOME_PEOPLE", 0)
    found = await every_page(app, KudosFilter(named="team ANA"), size)
    expected = involving(feed, *(m.display_name or "" for m in TEAM))
    assert [k.id for k in found] == expected
    assert len(expected) > 3 * 3, "pages of 3 run over several pages"
    team = {m.display_name for m in TEAM}
    assert any(len(team & {p.display_name for p in k.recipients}) == 2 for k in found)


@pytest.mark.parametrize("size", [2])
async def test_a_name_that_fits_one_person_finds_what_they_gave_and_received(
    app: App, feed: list[KudosRecord], size: int
) -> None:
    found = await every_page(app, KudosFilter(named="  Ana   1 "), size)
    expected = involving(feed, "Team Ana 1")
    assert [k.id for k in found] == expected and expected
    by_id = await every_page(app, KudosFilter(named="u1"), size)
    assert [k.id for k in by_id] == expected, "an exact user id finds the same person"


async def test_a_name_is_a_plain_fragment_and_may_find_nobody(
    app: App, feed: list[KudosRecord]
) -> None:
    percent = await every_page(app, KudosFilter(named="100%"), 50)
    assert [k.id for k in percent] == involving(feed, "Carol 100%")
    assert await every_page(app, KudosFilter(named="%1"), 50) == []
    assert await every_page(app, KudosFilter(named="nobody at all"), 50) == []


@pytest.mark.parametrize("gathered", [True, False])
async def test_a_name_narrows_other_filters_and_they_narrow_it(
    app: App, feed: list[KudosRecord], gathered: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not gathered:
        monkeypatch.setattr(repository, "SOME_PEOPLE", 0)
    with_bob = await every_page(app, KudosFilter(named="team ana", person="bob"), 2)
    team = {m.display_name or "" for m in TEAM}
    expected = [
        k.id for k in feed if k.id in involving(feed, "Bob") and k.id in involving(feed, *team)
    ]
    assert [k.id for k in with_bob] == expected and expected
    given = await every_page(app, KudosFilter(named="ana 1", giver="bob"), 2)
    assert all(k.giver.external_id == "bob" for k in given)
    assert [k.id for k in given] == [k for k in expected if k in involving(feed, "Team Ana 1")]


async def test_the_dashboard_asks_as_an_admin_and_a_member_is_refused(
    app: App, feed: list[KudosRecord]
) -> None:
    await make_admin(app, "ana")
    page = await list_kudos(
        app.services, WS, KudosFilter(named="dan"), limit=50, admin=MemberRef("ana", "Ana")
    )
    assert [k.id for k in page.items] == involving(feed, "Dan")
    with pytest.raises(errors.AdminOnly):
        await list_kudos(app.services, WS, KudosFilter(), admin=MemberRef("bob", "Bob"))


def test_a_filter_reads_what_people_type() -> None:
    typed = KudosFilter(named="  ana\t smith ", value=" #Learning ", channel="  ")
    assert (typed.named, typed.value, typed.channel) == ("ana smith", "learning", None)
    assert KudosFilter(named=" ", value="#").selects_everything
    assert not KudosFilter(include_reversed=False).selects_everything
