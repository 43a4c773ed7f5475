"""Forgetting a person on both databases: what identifies them is erased, the ledger is left
exactly as it was. The rest of privacy (the public boards, the posts, the audit, forgetting
twice, unknown ids) runs on the fake store in tests/unit/services/test_privacy.py."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from bot.adapters.console import render
from bot.bootstrap import App
from bot.domain.model import MemberRef
from bot.replies.compose import compose
from bot.services.admins import change_admins
from bot.services.learning import share_learning
from bot.services.ledger import verify_ledger
from bot.services.privacy import forget_member, set_public
from bot.services.queries import show_leaderboard
from bot.services.signin import create_sign_in_link
from bot.store.models import MemberRow
from tests.support import OPERATOR, WS, give, person, scalar

pytestmark = pytest.mark.usefixtures("app")


async def leave(app: App, who: str) -> None:
    await set_public(app.services, WS, person(who), False)


async def names_on_board(app: App, **kw: Any) -> list[tuple[int, str, bool]]:
    board = await show_leaderboard(app.services, WS, "week", **kw)
    return [(r.rank, r.external_id, r.private) for r in board.rows]


def words(result: Any) -> str:
    return "\n".join(render.text(reply) for reply in compose(result))


# ------------------------------------------------------------------ the setting, in chat


# ------------------------------------------------------------------ giving goes on


# ------------------------------------------------------------------ leaderboards


def _ids(post: Any) -> set[str]:
    return (
        {s.external_id for s in post.receivers}
        | {g.external_id for g in post.givers}
        | {r.external_id for _, r in post.value_leaders}
        | {n.casefold() for n in post.newcomers}
    )


# ------------------------------------------------------------------ posts in chat


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
