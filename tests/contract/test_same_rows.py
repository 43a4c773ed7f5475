"""Whole stories through the services against both stores: every answer the same, and every
row of every table the same afterwards (ids, balances, timestamps, JSON, NULLs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.domain import errors
from bot.domain.browse import KudosFilter, Position
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import change_admins, read_audit, show_admins
from bot.services.approvals import approval_messages, remember_approval_message
from bot.services.badges import show_badges
from bot.services.browse import (
    list_audit,
    list_learnings,
    list_members,
    list_redemptions,
    show_member,
)
from bot.services.browse import list_kudos as browse_kudos
from bot.services.catalog import add_item, edit_item, import_items, remove_item, show_catalog
from bot.services.context import run_as_one
from bot.services.conversations import (
    forget_conversation,
    known_conversations,
    remember_conversation,
)
from bot.services.export import export_rows
from bot.services.give import GiveKudos, give_kudos
from bot.services.learning import share_learning
from bot.services.ledger import verify_ledger
from bot.services.members import member_names
from bot.services.posts import leaderboard_post, learning_post
from bot.services.queries import show_balance, show_history, show_leaderboard
from bot.services.revise import revise_message_kudos
from bot.services.rewards import (
    adjust_points,
    cancel_redemption,
    decide_redemption,
    redeem,
    show_redemptions,
    show_shop,
)
from bot.services.schedules import add_schedule, recent_runs, remove_schedule, schedule_status
from bot.services.settings import change_settings
from bot.services.undo import undo_last_kudos
from bot.services.webhooks import add_webhook, remove_webhook, webhook_deliveries
from bot.services.workspaces import find_workspace
from tests.contract.conftest import Backend, same_rows
from tests.support import OPERATOR, WS, person

ADMIN = MemberRef("boss", "Boss", is_admin=True)
SLACK = WorkspaceRef("slack", "T1", "Acme on Slack")
Story = Callable[[Backend], Awaitable[list[Any]]]


async def outcome(call: Awaitable[Any]) -> Any:
    """What a call returned, or the refusal it raised (by class and message)."""
    try:
        return await call
    except errors.KudosError as refusal:
        return (type(refusal).__name__, refusal.message)


def kudos(
    b: Backend,
    giver: str,
    *recipients: str,
    amount: int | None = 5,
    tags: tuple[str, ...] = (),
    key: str | None = None,
    workspace: WorkspaceRef = WS,
    channel: str | None = "C1",
    message: str | None = None,
    reason: str | None = "for the help",
) -> GiveKudos:
    return GiveKudos(
        workspace=workspace,
        giver=person(giver),
        recipients=tuple(person(r) for r in recipients),
        amount=amount,
        reason=reason,
        tags=tags,
        idempotency_key=key or b.key(),
        channel=channel,
        message_ref=message,
    )


async def giving(b: Backend) -> list[Any]:
    """Gives, refusals, duplicates, undo, edits and deletions of messages, periods, rollover,
    learnings and badges, leaderboards and history, across two workspaces."""
    s, seen = b.services, []
    seen.append(
        await outcome(give_kudos(s, kudos(b, "ana", "raj", "bo", amount=10, tags=("learning",))))
    )
    seen.append(await outcome(give_kudos(s, kudos(b, "ana", "raj", key="k-1"))))
    seen.append(await outcome(give_kudos(s, kudos(b, "ana", "raj", key="k-1"))))  # a duplicate
    seen.append(await outcome(give_kudos(s, kudos(b, "ana", "ana"))))
    seen.append(await outcome(give_kudos(s, kudos(b, "raj", "cy", amount=500))))
    seen.append(await outcome(give_kudos(s, kudos(b, "raj", "cy", "bo", amount=40))))
    seen.append(await outcome(give_kudos(s, kudos(b, "raj", "bo", amount=40))))  # too much now
    seen.append(await outcome(give_kudos(s, kudos(b, "cy", "bo", tags=("mentoring",)))))
    seen.append(await outcome(give_kudos(s, kudos(b, "dee", "bo", tags=("mentoring",)))))
    seen.append(await outcome(give_kudos(s, kudos(b, "ana", "bo", tags=("mentoring",)))))
    seen.append(await outcome(give_kudos(s, kudos(b, "ana", "raj", workspace=SLACK, amount=3))))
    b.clock.advance(minutes=3)
    seen.append(await outcome(undo_last_kudos(s, WS, person("ana"))))
    seen.append(await outcome(undo_last_kudos(s, WS, person("nobody"))))
    for n in range(5):
        seen.append(await outcome(give_kudos(s, kudos(b, "eve", "raj", amount=1, channel=f"C{n}"))))
    seen.append(await outcome(give_kudos(s, kudos(b, "eve", "raj", message="C1:1", key="m-1"))))
    seen.append(
        await outcome(
            revise_message_kudos(
                s, WS, "C1:1", kudos(b, "eve", "bo", amount=7, message="C1:1", key="m-1e"), "edited"
            )
        )
    )
    seen.append(await outcome(revise_message_kudos(s, WS, "C1:1", None, "message deleted")))
    seen.append(await outcome(revise_message_kudos(s, WS, "C9:9", None, "message deleted")))
    for n in range(5):
        seen.append(await outcome(share_learning(s, WS, person("cy"), f"lesson {n}", ("git",))))
    seen.append(await outcome(share_learning(s, WS, person("cy"), "  ", ())))
    await change_settings(s, WS, {"allowance_rollover": "yes", "max_amount": "60"}, OPERATOR)
    b.clock.advance(days=14)  # December: allowances are granted again, with rollover
    seen.append(await outcome(give_kudos(s, kudos(b, "ana", "raj", amount=60))))
    seen.append(await outcome(give_kudos(s, kudos(b, "bo", "raj", amount=2))))
    await change_settings(s, WS, {"allowance_period": "week", "allowance_rollover": "no"}, OPERATOR)
    b.clock.advance(days=8)
    seen.append(await outcome(give_kudos(s, kudos(b, "ana", "raj", "bo", amount=1))))
    for period in ("week", "month", "all"):
        seen.append(await show_leaderboard(s, WS, period))  # type: ignore[arg-type]
    seen.append(await show_leaderboard(s, WS, "all", "mentoring"))
    seen.append(await leaderboard_post(s, WS, "month"))
    seen.append(await learning_post(s, WS))
    for who in ("ana", "raj", "bo", "cy"):
        seen.append(await outcome(show_balance(s, WS, person(who))))
        seen.append(await outcome(show_history(s, WS, person(who))))
        seen.append(await outcome(show_badges(s, WS, person(who))))
    seen.append(await member_names(s, WS))
    seen.append(await verify_ledger(s))
    seen.append(await export_rows(s, WS, "kudos", None))
    seen.append(await export_rows(s, WS, "ledger", None))
    seen.append(await export_rows(s, WS, "learnings", None))
    return seen


async def rewards(b: Backend) -> list[Any]:
    """The catalog, adjustments, redemptions decided every way, admins and the audit log."""
    s, seen = b.services, []
    seen.append(
        await outcome(add_item(s, WS, OPERATOR, {"name": "Book", "cost": "30", "stock": "2"}))
    )
    seen.append(
        await outcome(add_item(s, WS, OPERATOR, {"name": "Sticker", "cost": "5", "approval": "no"}))
    )
    seen.append(await outcome(add_item(s, WS, OPERATOR, {"name": "BOOK", "cost": "1"})))
    seen.append(await outcome(add_item(s, WS, person("ana"), {"name": "Car", "cost": "1"})))
    seen.append(
        await outcome(edit_item(s, WS, OPERATOR, "book", {"cost": "25", "description": "A"}))
    )
    seen.append(await outcome(edit_item(s, WS, OPERATOR, "#2", {"name": "book"})))
    seen.append(
        await outcome(
            import_items(
                s,
                WS,
                OPERATOR,
                [{"name": "sticker", "cost": "6"}, {"name": "Mug", "cost": "12", "stock": "1"}],
            )
        )
    )
    seen.append(await outcome(import_items(s, WS, OPERATOR, [{"name": "Pen", "cost": "x"}])))
    for who, points in (("ana", 100), ("raj", 40), ("bo", 5)):
        seen.append(await outcome(adjust_points(s, WS, ADMIN, person(who), points, "seed", who)))
    seen.append(await outcome(adjust_points(s, WS, ADMIN, person("ana"), 100, "again", "ana")))
    seen.append(await outcome(adjust_points(s, WS, ADMIN, person("bo"), -9, "too much", "bo-2")))
    seen.append(await outcome(change_admins(s, WS, OPERATOR, True, person("zed"))))
    seen.append(await outcome(change_admins(s, WS, person("zed"), True, person("yan"))))
    seen.append(await outcome(change_admins(s, WS, person("zed"), False, person("nobody"))))
    book = await redeem(s, WS, person("ana"), "Book", "r-1")
    seen.append(book)
    seen.append(await outcome(redeem(s, WS, person("ana"), "Book", "r-1")))  # a second click
    seen.append(await outcome(redeem(s, WS, person("raj"), "book", "r-2")))
    seen.append(await outcome(redeem(s, WS, person("bo"), "Book", "r-3")))  # sold out
    seen.append(await outcome(redeem(s, WS, person("bo"), "Mug", "r-4")))  # too dear
    seen.append(await outcome(redeem(s, WS, person("bo"), "Sticker", "r-5")))  # at once
    seen.append(await outcome(redeem(s, WS, person("bo"), "Nothing", "r-6")))
    mug = await redeem(s, WS, person("ana"), "Mug", "r-7")
    for conversation, message in (("D1", "1.1"), ("D2", "2.2"), ("D1", "1.1")):
        await remember_approval_message(s, WS, book.redemption.id, conversation, message)
    seen.append(await approval_messages(s, WS, book.redemption.id))
    seen.append(await outcome(decide_redemption(s, WS, ADMIN, book.redemption.id, True)))
    seen.append(await outcome(decide_redemption(s, WS, ADMIN, book.redemption.id, False, "no")))
    seen.append(await outcome(decide_redemption(s, WS, person("zed"), 2, False, "  why  not ")))
    seen.append(await outcome(cancel_redemption(s, WS, person("raj"), mug.redemption.id)))
    seen.append(await outcome(cancel_redemption(s, WS, person("ana"), mug.redemption.id)))
    seen.append(await outcome(remove_item(s, WS, OPERATOR, "Mug")))
    seen.append(await outcome(redeem(s, WS, person("ana"), "Mug", "r-8")))
    seen.append(await outcome(add_item(s, WS, OPERATOR, {"name": "mug", "cost": "3"})))
    seen.append(await show_catalog(s, WS))
    seen.append(await show_shop(s, WS, person("ana")))
    seen.append(await show_redemptions(s, WS, person("ana")))
    seen.append(await show_redemptions(s, WS, ADMIN, own=False))
    seen.append(await outcome(change_admins(s, WS, person("zed"), False, person("zed"))))
    seen.append(await outcome(change_admins(s, WS, person("yan"), False, person("yan"))))
    seen.append(await show_admins(s, WS))
    seen.append(await read_audit(s, WS))
    seen.append(await verify_ledger(s))
    seen.append(await export_rows(s, WS, "redemptions", None))
    return seen


async def elsewhere(b: Backend) -> list[Any]:
    """Schedules, conversations, webhooks (and what a commit fans out to them), the JSON API's
    pages (the dashboard's feed too), shared transactions, and finding workspaces."""
    s, seen = b.services, []
    await change_settings(s, SLACK, {"max_amount": "20"}, OPERATOR)
    await change_settings(s, WorkspaceRef("console", "T1"), {"max_amount": "30"}, OPERATOR)
    seen.append(await outcome(find_workspace(s, "T1")))
    seen.append(await outcome(find_workspace(s, "T1", "slack")))
    seen.append(await outcome(find_workspace(s, "nope")))
    hook, _ = await add_webhook(
        s, SLACK, OPERATOR, "https://example.com/k", "kudos.given,badge.awarded"
    )
    other, _ = await add_webhook(s, SLACK, OPERATOR, "https://example.com/r", "kudos.reversed")
    seen.append((hook.url, hook.events, other.events))
    for n in range(4):
        seen.append(
            await give_kudos(
                s,
                kudos(
                    b,
                    "ana",
                    "raj",
                    workspace=SLACK,
                    amount=n + 1,
                    tags=("learning",) if n % 2 else (),
                ),
            )
        )
        b.clock.advance(minutes=1)
    seen.append(await undo_last_kudos(s, SLACK, person("ana")))
    await remove_webhook(s, SLACK, OPERATOR, hook.id)
    seen.append(await give_kudos(s, kudos(b, "raj", "ana", workspace=SLACK)))
    seen.append([(d.event, d.state, d.webhook_id) for d in await webhook_deliveries(s, SLACK)])
    await share_learning(s, SLACK, person("raj"), "pytest fixtures are lazy", ("python", "testing"))
    for kind, channel in (("weekly_leaderboard", "C1"), ("learning_shoutouts", "C2")):
        seen.append(await add_schedule(s, SLACK, kind, channel, "fri 16:00", actor=OPERATOR))
    seen.append(
        await add_schedule(s, SLACK, "weekly_leaderboard", "C1", "mon 9:30", actor=OPERATOR)
    )
    seen.append(
        await outcome(remove_schedule(s, SLACK, "learning_shoutouts", "C2", actor=OPERATOR))
    )
    seen.append(
        await outcome(remove_schedule(s, SLACK, "learning_shoutouts", "C2", actor=OPERATOR))
    )
    seen.append(await schedule_status(s, SLACK))
    seen.append(await recent_runs(s, SLACK))
    await remember_conversation(s, SLACK, "D1", "personal", {"id": "D1", "n": [1, 2]})
    await remember_conversation(s, SLACK, "C1", "channel", {"id": "C1"})
    await remember_conversation(s, SLACK, "D1", "personal", {"id": "D1", "n": [3]})
    seen.append(await forget_conversation(s, SLACK, "C1"))
    seen.append(await forget_conversation(s, SLACK, "C1"))
    seen.append(await known_conversations(s, SLACK))
    seen.append(await browse_kudos(s, SLACK, KudosFilter(), limit=2))
    seen.append(await browse_kudos(s, SLACK, KudosFilter(person="ana", include_reversed=False)))
    seen.append(await browse_kudos(s, SLACK, KudosFilter(recipient="raj", value="learning")))
    seen.append(await browse_kudos(s, SLACK, KudosFilter(), after=Position(3, b.clock.now())))
    members = await list_members(s, SLACK, limit=1)  # first seen: on the wall clock
    seen.append(([replace(m, first_seen=None) for m in members.items], members.next))
    seen.append(replace(await show_member(s, SLACK, "raj"), first_seen=None))
    seen.append(await list_learnings(s, SLACK, value="testing"))
    seen.append(await list_redemptions(s, SLACK, ()))
    seen.append(await list_audit(s, SLACK, limit=3))

    async def work(ctx: Any) -> Any:
        given = await give_kudos(ctx, kudos(b, "bo", "ana", workspace=SLACK, key="shared-1"))
        await outcome(
            give_kudos(ctx, kudos(b, "bo", "bo", workspace=SLACK))
        )  # refused: rolled back
        return given

    async def finish(uow: Any, result: Any) -> None:
        workspace = await uow.workspaces.get(SLACK)
        await uow.audit.record(
            workspace, OPERATOR, "test.finish", "shared", {"n": 1}, b.clock.now()
        )

    seen.append(await run_as_one(s, work, finish))
    seen.append(await verify_ledger(s))
    return seen


@pytest.mark.parametrize("story", [giving, rewards, elsewhere], ids=lambda f: f.__name__)
async def test_both_stores_answer_and_write_the_same(
    both: tuple[Backend, Backend], story: Story
) -> None:
    fake, sql = both
    assert await story(fake) == await story(sql)
    await same_rows(fake, sql)


async def test_the_undo_window_closes_at_the_same_instant_in_both(
    both: tuple[Backend, Backend],
) -> None:
    """Time-dependent reads (undo windows, expiries) at the same instants in both stores."""
    for b in both:
        await give_kudos(b.services, kudos(b, "ana", "raj"))
        b.clock.advance(minutes=11)
    answers = [await outcome(undo_last_kudos(b.services, WS, person("ana"))) for b in both]
    assert answers[0] == answers[1] == ("UndoWindowExpired", answers[0][1])
    await same_rows(*both)
