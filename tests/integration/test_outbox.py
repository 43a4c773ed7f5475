"""What the bot says leaves through the outbox: events are written in the transaction that
caused them (never for a duplicate, a refusal or a rollback), expanded by their platform into
messages, and sent once each, with retries, in order within a request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from bot.bootstrap import App
from bot.domain import errors
from bot.domain.model import WorkspaceRef
from bot.services.context import run_as_one
from bot.services.delivery import Event, OutboxItem, Outgoing, SendFailed
from bot.services.learning import share_learning
from bot.services.queries import show_balance
from bot.services.results import KudosGiven
from bot.worker.outbox import OutboxDeliverer
from bot.worker.timing import QueueTiming
from tests.support import give, person

SLACK = WorkspaceRef("slack", "T1", "Acme")


async def outbox(app: App) -> list[dict[str, Any]]:
    async with app.database.engine.connect() as conn:
        rows = (
            await conn.exec_driver_sql(
                "SELECT kind, method, payload, state, attempts, error, group_key FROM outbox "
                "ORDER BY id"
            )
        ).all()
    return [
        {
            "kind": r[0],
            "method": r[1],
            "payload": json.loads(r[2]),
            "state": r[3],
            "attempts": r[4],
            "error": r[5],
            "group": r[6],
        }
        for r in rows
    ]


class RecordingSender:
    """A platform that keeps what it is asked to send; `fail` scripts failures per method."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.fail: dict[str, list[SendFailed]] = {}

    async def send(self, item: OutboxItem) -> None:
        failures = self.fail.get(item.method) or []
        if failures:
            raise failures.pop(0)
        self.sent.append((item.method, item.payload))

    async def expand(self, workspace: WorkspaceRef, event: Event) -> Sequence[Outgoing]:
        assert isinstance(event, KudosGiven)
        return [
            Outgoing("slack", workspace.external_id, "dm", {"to": r, "points": event.amount_each})
            for r in event.recipient_ids
        ]


def deliverer(app: App, sender: RecordingSender, **timing: Any) -> OutboxDeliverer:
    return OutboxDeliverer(app.services, {"slack": sender}, timing=QueueTiming(**timing))


async def test_each_kudos_is_published_once_in_its_own_transaction(app: App) -> None:
    first = await give(app, "ana", "raj", amount=3, key="delivery-1", workspace=SLACK)
    again = await give(app, "ana", "raj", amount=3, key="delivery-1", workspace=SLACK)
    assert again.duplicate
    with pytest.raises(errors.SelfKudos):
        await give(app, "ana", "ana", amount=3, workspace=SLACK)
    shared = await share_learning(app.services, SLACK, person("ana"), "pytest -x stops", ())
    rows = await outbox(app)
    assert [(r["kind"], r["method"]) for r in rows] == [
        ("event", "kudos_given"),
        ("event", "learning_shared"),
    ]
    assert rows[0]["payload"]["kudos_id"] == first.kudos_id
    assert rows[1]["payload"]["learning_id"] == shared.learning_id


async def test_the_console_has_no_one_to_tell(app: App) -> None:
    await give(app, "ana", "raj", amount=3)
    assert await outbox(app) == []


async def test_a_rolled_back_transaction_publishes_nothing(app: App) -> None:
    async def work(ctx: Any) -> KudosGiven:
        from bot.services.give import GiveKudos, give_kudos

        return await give_kudos(
            ctx,
            GiveKudos(SLACK, person("ana"), (person("raj"),), 4, "the demo", (), "k-rollback"),
        )

    async def finish(uow: Any, given: KudosGiven) -> None:
        raise RuntimeError("the process died before its commit")

    with pytest.raises(RuntimeError):
        await run_as_one(app.services, work, finish)
    assert await outbox(app) == []
    assert (await show_balance(app.services, SLACK, person("raj"), newcomer_ok=True)).earned == 0


async def test_events_become_messages_sent_once_each(app: App) -> None:
    await give(app, "ana", "raj", "bo", amount=2, workspace=SLACK)
    sender = RecordingSender()
    delivery = deliverer(app, sender)
    assert await delivery.deliver_once() == 1  # the event, expanded
    assert await delivery.deliver_once() == 2  # its two messages, sent
    assert await delivery.deliver_once() == 0
    assert sorted(p["to"] for _, p in sender.sent) == ["bo", "raj"]
    assert [r["state"] for r in await outbox(app)] == ["sent", "sent", "sent"]


async def test_a_failed_message_is_retried_later_and_given_up_after_its_attempts(
    app: App,
) -> None:
    await give(app, "ana", "raj", amount=2, workspace=SLACK)
    sender = RecordingSender()
    sender.fail["dm"] = [SendFailed("slack is down")] * 2
    delivery = deliverer(app, sender, outbox_attempts=2)
    await delivery.deliver_once()  # expand
    await delivery.deliver_once()  # first try fails: back off
    rows = await outbox(app)
    assert rows[1]["state"] == "pending" and rows[1]["error"] == "slack is down"
    assert await delivery.deliver_once() == 0  # not due yet
    async with app.database.engine.begin() as conn:
        await conn.exec_driver_sql("UPDATE outbox SET available_at = '2000-01-01'")
    await delivery.deliver_once()  # second try fails: that was its last
    assert [r["state"] for r in await outbox(app)] == ["sent", "failed"]
    assert sender.sent == []
    assert (await show_balance(app.services, SLACK, person("raj"))).earned == 2


async def test_a_permanent_failure_is_not_retried(app: App) -> None:
    await give(app, "ana", "raj", amount=2, workspace=SLACK)
    sender = RecordingSender()
    sender.fail["dm"] = [SendFailed("channel_not_found", permanent=True)]
    delivery = deliverer(app, sender)
    await delivery.deliver_once()
    await delivery.deliver_once()
    rows = await outbox(app)
    assert rows[1]["state"] == "failed" and rows[1]["attempts"] == 1


async def test_a_request_s_messages_keep_their_order_across_a_retry(app: App) -> None:
    async def work(ctx: Any) -> list[Outgoing]:
        return [
            Outgoing("slack", "T1", "first", {"n": 1}, group_key="request-1"),
            Outgoing("slack", "T1", "second", {"n": 2}, group_key="request-1"),
        ]

    async def finish(uow: Any, messages: list[Outgoing]) -> None:
        from bot.services.delivery import now

        await uow.outbox.add(messages, now())

    await run_as_one(app.services, work, finish)
    sender = RecordingSender()
    sender.fail["first"] = [SendFailed("rate limited", retry_after=0)]
    delivery = deliverer(app, sender)
    await delivery.deliver_once()  # the first fails; the second waits with it
    assert sender.sent == []
    await delivery.deliver_once()
    assert [m for m, _ in sender.sent] == ["first", "second"]
