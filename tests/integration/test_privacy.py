"""Privacy on both databases: a member who left the public boards still gives and receives
but is named in no public output (chat and scheduled leaderboards, learning shoutouts, kudos
posts), while admins' views still show them; forgetting a person erases what identifies
them, leaves the ledger exactly as it was, is audited, is idempotent, and refuses an unknown
id writing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from bot.adapters.console import render
from bot.adapters.console.chat import reply_to, run_line
from bot.bootstrap import App
from bot.domain import errors
from bot.domain.model import MemberRef
from bot.replies.compose import CONSOLE, compose, event_replies
from bot.replies.model import Actor, Conversation, Mention
from bot.services.admins import change_admins, read_audit
from bot.services.delivery import tells_chat
from bot.services.export import export_rows
from bot.services.learning import share_learning
from bot.services.ledger import verify_ledger
from bot.services.posts import leaderboard_post, learning_post
from bot.services.privacy import FORGET, forget_member, set_public, show_privacy
from bot.services.queries import show_balance, show_history, show_leaderboard
from bot.services.results import PrivacyShown
from bot.services.signin import create_sign_in_link
from bot.store.models import MemberRow
from tests.support import OPERATOR, WS, configure, give, person, scalar, snapshot

pytestmark = pytest.mark.usefixtures("app")


async def leave(app: App, who: str) -> None:
    await set_public(app.services, WS, person(who), False)


async def names_on_board(app: App, **kw: Any) -> list[tuple[int, str, bool]]:
    board = await show_leaderboard(app.services, WS, "week", **kw)
    return [(r.rank, r.external_id, r.private) for r in board.rows]


def words(result: Any) -> str:
    return "\n".join(render.text(reply) for reply in compose(result))


# ------------------------------------------------------------------ the setting, in chat


async def test_privacy_in_chat_shows_leaves_and_comes_back(app: App) -> None:
    said = await reply_to(app.services, "acme", "ana", "privacy")
    assert said.startswith("👀 You appear on the public leaderboards and posts.")
    said = await reply_to(app.services, "acme", "ana", "privacy leaderboard off")
    assert said.startswith("🙈 Done: you're off the public leaderboards and posts.")
    assert await run_line(app.services, "acme", "ana", "privacy") == PrivacyShown(public=False)
    again = await run_line(app.services, "acme", "ana", "privacy leaderboard off")
    assert again == PrivacyShown(public=False, changed=False)
    back = await run_line(app.services, "acme", "ana", "privacy leaderboard on")
    assert back == PrivacyShown(public=True, changed=True)
    assert await show_privacy(app.services, WS, person("ana")) == PrivacyShown(public=True)


async def test_a_mistyped_privacy_command_is_explained_and_writes_nothing(app: App) -> None:
    await give(app, "ana", "raj")
    before = await snapshot(app)
    said = await reply_to(app.services, "acme", "ana", "privacy leaderboard maybe")
    assert said.startswith("✋ Try `privacy`")
    assert await snapshot(app) == before


async def test_someone_not_seen_yet_appears_publicly(app: App) -> None:
    assert await show_privacy(app.services, WS, person("newbie")) == PrivacyShown(public=True)


# ------------------------------------------------------------------ giving goes on


async def test_a_member_off_the_boards_still_gives_and_receives(app: App) -> None:
    await leave(app, "raj")
    given = await give(app, "ana", "raj", amount=5)
    back = await give(app, "raj", "ana", amount=3)
    assert given.private_ids == ("raj",) and back.private_ids == ("raj",)
    raj = await show_balance(app.services, WS, person("raj"))
    assert (raj.earned, raj.allowance_left) == (5, 97)
    assert [h.direction for h in (await show_history(app.services, WS, person("raj"))).items] == [
        "given",
        "received",
    ]
    assert await verify_ledger(app.services, WS) == []


# ------------------------------------------------------------------ leaderboards


async def test_the_public_board_leaves_them_out_and_ranks_the_rest(app: App) -> None:
    await give(app, "ana", "raj", amount=9)
    await give(app, "ana", "bo", amount=5)
    await give(app, "bo", "cy", amount=5)
    await leave(app, "raj")
    assert await names_on_board(app) == [(1, "bo", False), (1, "cy", False)]
    admins_see = await names_on_board(app, public=False)
    assert admins_see == [(1, "raj", True), (2, "bo", False), (2, "cy", False)]
    top = await reply_to(app.services, "acme", "ana", "top week")
    assert "Raj" not in top and "Bo" in top


async def test_the_board_fills_its_places_from_below_them(app: App) -> None:
    for n, who in enumerate(["p1", "p2", "p3", "p4"], start=1):
        await give(app, "ana", who, amount=10 - n)
    await leave(app, "p1")
    board = await show_leaderboard(app.services, WS, "week", limit=3)
    assert [r.external_id for r in board.rows] == ["p2", "p3", "p4"]


async def test_the_scheduled_leaderboard_names_them_nowhere(app: App) -> None:
    await configure(app, values=("learning", "teamwork"))
    await give(app, "raj", "ana", amount=9, tags=("learning",))  # raj: top giver
    await give(app, "ana", "raj", amount=8, tags=("teamwork",))  # raj: a newcomer, a leader
    await give(app, "bo", "cy", amount=2, tags=("teamwork",))
    public = await leaderboard_post(app.services, WS, "week")
    await leave(app, "raj")
    post = await leaderboard_post(app.services, WS, "week")
    assert "raj" in _ids(public) and "raj" not in _ids(post)
    assert [s.external_id for s in post.receivers] == ["ana", "cy"]
    assert [g.external_id for g in post.givers] == ["ana", "bo"]
    assert [(v, r.external_id) for v, r in post.value_leaders] == [
        ("learning", "ana"),
        ("teamwork", "cy"),
    ]
    assert "Raj" not in post.newcomers and "Cy" in post.newcomers


def _ids(post: Any) -> set[str]:
    return (
        {s.external_id for s in post.receivers}
        | {g.external_id for g in post.givers}
        | {r.external_id for _, r in post.value_leaders}
        | {n.casefold() for n in post.newcomers}
    )


async def test_learning_shoutouts_leave_out_their_learnings_and_kudos(app: App) -> None:
    await leave(app, "raj")
    await share_learning(app.services, WS, person("raj"), "bisecting flaky tests", ("git",))
    await share_learning(app.services, WS, person("ana"), "property tests", ("testing",))
    await give(app, "ana", "raj", tags=("mentoring",), reason="to raj alone")
    await give(app, "raj", "ana", tags=("mentoring",), reason="from raj")
    await give(app, "bo", "raj", "ana", tags=("mentoring",), reason="to both")
    post = await learning_post(app.services, WS)
    assert [who for who, _, _ in post.learnings] == ["Ana"]
    assert [(k.giver, k.recipients, k.reason) for k in post.kudos] == [("Bo", ("Ana",), "to both")]
    assert post.helpers == (("ana", "Ana", 2),)  # raj's mentoring of ana counts, unnamed


# ------------------------------------------------------------------ posts in chat


async def test_a_kudos_to_them_is_not_announced_and_they_are_told_directly(app: App) -> None:
    await leave(app, "raj")
    given = await give(app, "ana", "raj", amount=5)
    replies = compose(given)
    assert [r.audience for r in replies] == [Actor()]
    said = render.text(replies[0])
    assert said.startswith("🤫 Given quietly: the person you thanked keeps out of public posts")
    assert "Raj" not in said and "You have 95 points left to give." in said
    [dm] = event_replies(given, CONSOLE)
    assert "Ana gave you 5 points" in render.text(dm)


async def test_a_kudos_to_two_names_only_the_one_who_is_public(app: App) -> None:
    await leave(app, "raj")
    post, _ = compose(await give(app, "ana", "raj", "bo", amount=2))
    assert post.audience == Conversation(thread=True)
    mentioned = [s.user_id for s in post.parts[0].spans if isinstance(s, Mention)]  # type: ignore[union-attr]
    assert mentioned == ["ana", "bo"]
    assert render.text(post).startswith("🎉 Ana gave Bo 2 points\n")


async def test_a_kudos_from_them_is_not_announced(app: App) -> None:
    await leave(app, "ana")
    replies = compose(await give(app, "ana", "bo"))
    assert [r.audience for r in replies] == [Actor()]
    assert "you keep out of public posts" in render.text(replies[0])


async def test_their_learning_is_kept_and_posted_nowhere(app: App) -> None:
    await configure(app, learning_channel="CLEARN")
    await leave(app, "raj")
    shared = await share_learning(app.services, WS, person("raj"), "flaky tests", ("git",))
    assert shared.private and not tells_chat(shared)
    assert [r.audience for r in compose(shared)] == [Actor()]
    assert "stays out of the learning channel" in words(shared)
    outbox = await scalar(app, "SELECT COUNT(*) FROM outbox WHERE method = 'learning_shared'")
    assert outbox == 0


# ------------------------------------------------------------------ forgetting


async def populated(app: App) -> None:
    """Raj gives, receives, shares, is an admin, added another admin, and has a sign-in link."""
    await give(app, "raj", "ana", amount=7, reason="raj's own words about ana")
    await give(app, "ana", "raj", amount=4, reason="ana thanks raj")
    await give(app, "bo", "raj", "ana", amount=2, reason="both")
    await share_learning(app.services, WS, person("raj"), "raj learned something", ("git",))
    await change_admins(app.services, WS, OPERATOR, True, person("raj"))
    await change_admins(app.services, WS, MemberRef("raj", "Raj"), True, person("bo"))
    await create_sign_in_link(app.services, WS, person("raj"), OPERATOR)


async def member_row(app: App, member_id: int) -> Any:
    async with app.database.engine.connect() as conn:
        return (await conn.execute(select(MemberRow).where(MemberRow.id == member_id))).one()


async def balances(app: App) -> list[tuple[Any, ...]]:
    async with app.database.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, kind, balance FROM accounts ORDER BY id"))
        return [tuple(r) for r in rows]


async def test_forgetting_erases_the_person_and_leaves_the_ledger_as_it_was(app: App) -> None:
    await populated(app)
    before = await balances(app)
    entries = await scalar(app, "SELECT COUNT(*) FROM ledger_entries")
    raj_id = await scalar(app, "SELECT id FROM members WHERE external_id = 'raj'")

    done = await forget_member(app.services, WS, OPERATOR, "raj")

    assert not done.already and done.pseudonym.startswith("former member ")
    assert (done.erased.reasons, done.erased.learnings) == (1, 1)
    assert (done.erased.admin_rows, done.erased.sign_in_links) == (1, 1)
    assert await balances(app) == before
    assert await scalar(app, "SELECT COUNT(*) FROM ledger_entries") == entries
    assert await verify_ledger(app.services, WS) == []

    row = await member_row(app, raj_id)
    assert row.display_name == done.pseudonym and row.forgotten_at is not None
    assert row.is_private and not row.is_active
    cleared = [
        c.name for c in MemberRow.__table__.columns if c.nullable and c.name != "forgotten_at"
    ]
    assert cleared and all(getattr(row, name) is None for name in cleared)
    assert await scalar(app, "SELECT COUNT(*) FROM members WHERE external_id = 'raj'") == 0
    reasons = await _column(app, f"SELECT reason FROM kudos WHERE giver_id = {raj_id}")
    assert reasons == [None]
    kept = await _column(app, "SELECT reason FROM kudos ORDER BY id")
    assert kept == [None, "ana thanks raj", "both"]  # what others wrote to them stays
    learnings = await _column(app, f"SELECT text || tags FROM learnings WHERE member_id = {raj_id}")
    assert learnings == [""]
    assert await scalar(app, "SELECT COUNT(*) FROM workspace_admins WHERE external_id = 'raj'") == 0
    assert await _column(app, "SELECT added_by FROM workspace_admins") == [done.pseudonym]
    assert await scalar(app, "SELECT COUNT(*) FROM sign_in_links") == 0


async def _column(app: App, sql: str) -> list[Any]:
    async with app.database.engine.connect() as conn:
        return [r[0] for r in await conn.execute(text(sql))]


async def test_forgetting_is_audited_who_and_when_not_what(app: App) -> None:
    await populated(app)
    done = await forget_member(app.services, WS, OPERATOR, "raj")
    entries = await read_audit(app.services, WS, None, 50)
    newest = entries[0]
    assert (newest.actor_id, newest.action, newest.target, newest.details) == (
        OPERATOR.external_id,
        FORGET,
        done.pseudonym,
        {},
    )
    assert newest.created_at is not None
    everything = repr([(e.actor_id, e.actor_name, e.target, e.details) for e in entries])
    assert "'raj'" not in everything and "Raj" not in everything
    by_raj = [e for e in entries if e.action == "admins.add" and e.target == "bo"]
    assert [(e.actor_name, e.actor_id.startswith("forgotten:")) for e in by_raj] == [
        (done.pseudonym, True)
    ]


async def test_exports_show_the_pseudonym(app: App) -> None:
    await populated(app)
    done = await forget_member(app.services, WS, OPERATOR, "raj")
    for what in ("kudos", "ledger", "learnings", "redemptions"):
        rows = await export_rows(app.services, WS, what, None)  # type: ignore[arg-type]
        flat = repr(rows)
        assert "'raj'" not in flat and "Raj" not in flat and "raj learned" not in flat, what
    kudos = await export_rows(app.services, WS, "kudos", None)
    assert (kudos[0]["giver"], kudos[0]["giver_id"][:10]) == (done.pseudonym, "forgotten:")


async def test_forgetting_again_is_a_no_op_that_says_so(app: App) -> None:
    await populated(app)
    first = await forget_member(app.services, WS, OPERATOR, "raj")
    before = await snapshot(app)
    again = await forget_member(app.services, WS, OPERATOR, "raj")
    assert again.already and not first.already
    assert await snapshot(app) == before


async def test_an_unknown_id_is_refused_and_nothing_is_written(app: App) -> None:
    await populated(app)
    before = await snapshot(app)
    with pytest.raises(errors.UnknownPerson, match="Nobody with the id 'nobody'"):
        await forget_member(app.services, WS, OPERATOR, "nobody")
    with pytest.raises(errors.AdminOnly):
        await forget_member(app.services, WS, person("cy"), "raj")
    assert await snapshot(app) == before


async def test_a_forgotten_person_who_comes_back_is_someone_new(app: App) -> None:
    await populated(app)
    done = await forget_member(app.services, WS, OPERATOR, "raj")
    earned_before = await _column(
        app,
        "SELECT a.balance FROM accounts a JOIN members m ON m.id = a.member_id "
        f"WHERE m.display_name = '{done.pseudonym}' AND a.kind = 'earned'",
    )
    await give(app, MemberRef("raj", "Raj Again"), "ana", amount=1)
    again = await show_balance(app.services, WS, person("raj"))
    assert (again.display_name, again.earned, again.allowance_left) == ("Raj Again", 0, 99)
    assert len((await show_history(app.services, WS, person("raj"))).items) == 1
    assert earned_before == [6]
    assert await verify_ledger(app.services, WS) == []
    # forgetting them again forgets the new data too
    second = await forget_member(app.services, WS, OPERATOR, "raj")
    assert not second.already and second.pseudonym != done.pseudonym


async def test_their_badges_are_theirs_to_see(app: App) -> None:
    await give(app, "raj", "ana")  # raj: first kudos
    await leave(app, "raj")
    own = await reply_to(app.services, "acme", "raj", "badges")
    other = await reply_to(app.services, "acme", "ana", "badges @raj")
    assert "First kudos" in own
    assert other == "Raj keeps their badges to themselves."
