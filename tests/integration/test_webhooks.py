"""Outgoing webhooks, received by a local HTTP server: each event is signed as docs/api.md
says, sent to every webhook that takes it and to no other, retried when the receiver fails,
and delivered once per delivery id, a server restart included."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.catalog import add_item
from bot.services.give import GiveKudos, give_kudos
from bot.services.revise import revise_message_kudos
from bot.services.rewards import adjust_points, decide_redemption, redeem
from bot.services.undo import undo_last_kudos
from bot.services.webhooks import add_webhook, remove_webhook, webhook_deliveries
from bot.services.workspaces import open_workspace
from bot.worker.timing import QueueTiming
from tests.conftest import FakeClock
from tests.fakes.webhook_receiver import Call, WebhookReceiver
from tests.support import OPERATOR, WS, give, person, quiet, scalar

ALL = "kudos.given,kudos.reversed,redemption.requested,redemption.decided,badge.awarded"
FAST = QueueTiming(poll=0.02, lease=2.0, run_timeout=1.0)


async def start(url: str, clock: FakeClock, backoff: tuple[float, ...] = (0.05,) * 7) -> App:
    app = await build(
        Settings(DATABASE_URL=url), clock=clock, migrate=False, timing=FAST, webhook_backoff=backoff
    )
    app.start()
    return app


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    fake = WebhookReceiver()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def served(database_url: str, clock: FakeClock) -> AsyncIterator[App]:
    app = await start(database_url, clock)
    await open_workspace(app.services, WS)
    yield app
    await app.close()


def _documented_verify() -> Callable[..., bool]:
    """The verification snippet of docs/api.md, run as a receiver would copy it."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    [snippet] = re.findall(r"```python\n(.*?)```", text, re.S)
    scope: dict[str, Any] = {}
    exec(snippet, scope)
    check: Callable[..., bool] = scope["verify"]
    return check


DOCUMENTED_VERIFY = _documented_verify()


def verify(call: Call, secret: str) -> bool:
    return DOCUMENTED_VERIFY(secret, call.headers["Kudos-Signature"], call.body)


async def test_every_event_arrives_signed_with_its_data(
    served: App, receiver: WebhookReceiver
) -> None:
    hook, secret = await add_webhook(served.services, WS, OPERATOR, f"{receiver.url}/k", ALL)
    given = await give(served, "ana", "raj", amount=3, reason="the demo", tags=("learning",))
    await undo_last_kudos(served.services, WS, person("ana"))
    await add_item(served.services, WS, OPERATOR, {"name": "Book", "cost": "5"})
    await adjust_points(served.services, WS, OPERATOR, person("bo"), 10, "prize", "adj")
    redeemed = await redeem(served.services, WS, MemberRef("bo", "Bo"), "Book", "r-1")
    await decide_redemption(served.services, WS, OPERATOR, redeemed.redemption.id, True)
    calls = await receiver.wait_for(5)
    await quiet(served)
    assert len(receiver.calls) == 5
    assert all(verify(call, secret) for call in calls)
    assert not verify(calls[0], secret + "x")
    events = {call.headers["Kudos-Event"]: call.json for call in calls}
    assert sorted(events) == sorted(ALL.split(","))
    for call in calls:
        assert call.headers["Kudos-Delivery"] == call.json["id"]
        assert call.headers["Content-Type"] == "application/json"
        assert call.json["workspace"] == {"platform": "console", "id": "acme"}
    assert events["kudos.given"]["data"] == {
        "kudos_id": given.kudos_id,
        "giver": {"id": "ana", "name": "Ana"},
        "recipients": [{"id": "raj", "name": "Raj"}],
        "amount_each": 3,
        "total": 3,
        "reason": "the demo",
        "values": ["learning"],
        "channel": None,
    }
    assert events["kudos.reversed"]["data"]["why"] == "undo"
    assert events["badge.awarded"]["data"]["badge"] == "first-kudos"
    assert events["redemption.requested"]["data"]["redemption"]["status"] == "pending"
    assert events["redemption.decided"]["data"]["redemption"]["status"] == "fulfilled"
    log = await webhook_deliveries(served.services, WS)
    assert {(d.state, d.attempts, d.last_status, d.webhook_id) for d in log} == {
        ("delivered", 1, 200, hook.id)
    }


async def test_an_edited_message_reverses_its_kudos_and_gives_the_new_one(
    served: App, receiver: WebhookReceiver
) -> None:
    slack = WorkspaceRef("slack", "T1", "Acme")
    await open_workspace(served.services, slack)
    await add_webhook(served.services, slack, OPERATOR, receiver.url, "kudos.given,kudos.reversed")

    def kudos(amount: int, key: str) -> GiveKudos:
        return GiveKudos(
            slack, person("ana"), (person("raj"),), amount, "the demo", (), key, "C1", "C1:1"
        )

    first = await give_kudos(served.services, kudos(2, "k-1"))
    revised = await revise_message_kudos(
        served.services, slack, "C1:1", kudos(5, "k-1-edit"), "message edited"
    )
    assert revised.given is not None
    await receiver.wait_for(3)
    bodies = {(c.json["event"], c.json["data"]["kudos_id"]): c.json for c in receiver.calls}
    assert sorted((e, k, b["data"]["amount_each"]) for (e, k), b in bodies.items()) == [
        ("kudos.given", first.kudos_id, 2),
        ("kudos.given", revised.given.kudos_id, 5),
        ("kudos.reversed", first.kudos_id, 2),
    ]
    assert bodies["kudos.reversed", first.kudos_id]["data"]["why"] == "message edited"
    chat_events = await scalar(
        served, "SELECT COUNT(*) FROM outbox WHERE platform = 'slack' AND kind = 'event'"
    )
    assert (
        chat_events == 1
    )  # the recipient heard of the first kudos; the edit's reply says the rest


async def test_each_webhook_gets_only_the_events_it_takes(
    served: App, receiver: WebhookReceiver
) -> None:
    await add_webhook(served.services, WS, OPERATOR, f"{receiver.url}/given", "kudos.given")
    await add_webhook(
        served.services, WS, OPERATOR, f"{receiver.url}/rewards", ["redemption.requested"]
    )
    await give(served, "ana", "raj", amount=2)
    await give(served, "raj", "ana", amount=2)
    await receiver.wait_for(2)
    await quiet(served)
    assert sorted(c.headers["Kudos-Event"] for c in receiver.calls) == ["kudos.given"] * 2
    assert len({c.headers["Kudos-Delivery"] for c in receiver.calls}) == 2


async def test_a_workspace_without_webhooks_sends_nothing(
    served: App, receiver: WebhookReceiver
) -> None:
    elsewhere = WorkspaceRef("console", "globex")
    await open_workspace(served.services, elsewhere)
    await add_webhook(served.services, elsewhere, OPERATOR, receiver.url, ALL)
    await give(served, "ana", "raj", amount=2)
    await quiet(served)
    assert await scalar(served, "SELECT COUNT(*) FROM outbox") == 0
    assert await scalar(served, "SELECT COUNT(*) FROM webhook_deliveries") == 0


async def test_a_failing_receiver_gets_retries_of_the_same_delivery(
    served: App, receiver: WebhookReceiver
) -> None:
    _, secret = await add_webhook(served.services, WS, OPERATOR, receiver.url, "kudos.given")
    receiver.answers = [500, 429, 503]
    await give(served, "ana", "raj", amount=2)
    await receiver.wait_for(1)
    await quiet(served)
    assert [c.status for c in receiver.calls] == [500, 429, 503, 200]
    assert len({c.headers["Kudos-Delivery"] for c in receiver.calls}) == 1
    assert len({c.body for c in receiver.calls}) == 1
    assert all(verify(c, secret) for c in receiver.calls)
    [logged] = await webhook_deliveries(served.services, WS)
    assert (logged.state, logged.attempts, logged.last_status) == ("delivered", 4, 200)
    assert await webhook_deliveries(served.services, WS, failed_only=True) == []


async def test_410_stops_at_once_and_exhausted_attempts_give_up(
    served: App, receiver: WebhookReceiver
) -> None:
    await add_webhook(served.services, WS, OPERATOR, f"{receiver.url}/gone", "kudos.given")
    receiver.answers = [410] + [500] * 8
    await give(served, "ana", "raj", amount=2)
    await give(served, "raj", "ana", amount=2)
    deadline = asyncio.get_running_loop().time() + 10
    while await scalar(served, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"):
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
    failed = await webhook_deliveries(served.services, WS, failed_only=True)
    assert sorted((d.state, d.attempts, d.last_status) for d in failed) == [
        ("failed", 1, 410),
        ("failed", 8, 500),
    ]
    assert len(receiver.calls) == 9


async def test_a_removed_webhook_gets_nothing_more(
    served: App, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    hook, _ = await add_webhook(served.services, WS, OPERATOR, receiver.url, "kudos.given")
    receiver.answers = [500]
    served.webhooks.backoff = (0.5,) * 7  # type: ignore[union-attr]
    await give(served, "ana", "raj", amount=2)
    await receiver.wait_for_calls(1)
    await remove_webhook(served.services, WS, OPERATOR, hook.id)
    await give(served, "raj", "ana", amount=2)
    await quiet(served)
    assert [c.status for c in receiver.calls] == [500]
    [logged] = await webhook_deliveries(served.services, WS)
    assert (logged.state, logged.last_error) == ("failed", "the webhook was removed")


async def test_each_event_is_delivered_once_per_id_across_a_restart(
    database_url: str, clock: FakeClock, receiver: WebhookReceiver
) -> None:
    first = await start(database_url, clock, backoff=(1.0,) * 7)
    await open_workspace(first.services, WS)
    await add_webhook(first.services, WS, OPERATOR, receiver.url, "kudos.given,badge.awarded")
    receiver.answers = [503]
    await give(first, "ana", "raj", amount=2)  # kudos.given and ana's first-kudos badge
    await receiver.wait_for_calls(2)
    await first.close()  # one delivery waits for its retry, or both are done
    second = await start(database_url, clock)
    try:
        await give(second, "raj", "ana", amount=1)  # two more: kudos.given and raj's badge
        await receiver.wait_for(4)
        await quiet(second)
    finally:
        await second.close()
    acknowledged = [c.headers["Kudos-Delivery"] for c in receiver.delivered()]
    assert len(acknowledged) == len(set(acknowledged)) == 4
    ids = await scalar(second, "SELECT COUNT(DISTINCT delivery_id) FROM webhook_deliveries")
    assert ids == 4
    assert sorted(c.headers["Kudos-Event"] for c in receiver.delivered()) == [
        "badge.awarded",
        "badge.awarded",
        "kudos.given",
        "kudos.given",
    ]


async def test_a_delivery_pending_when_the_server_stopped_is_sent_by_the_next(
    database_url: str, clock: FakeClock, receiver: WebhookReceiver
) -> None:
    stopped = await build(Settings(DATABASE_URL=database_url), clock=clock, migrate=False)
    await open_workspace(stopped.services, WS)
    await add_webhook(stopped.services, WS, OPERATOR, receiver.url, "kudos.given")
    given = await give(stopped, "ana", "raj", amount=2)  # committed; nothing sends it here
    await stopped.close()
    assert receiver.calls == []
    restarted = await start(database_url, clock)
    try:
        [call] = await receiver.wait_for(1)
        await quiet(restarted)
    finally:
        await restarted.close()
    assert call.json["data"]["kudos_id"] == given.kudos_id
    assert len(receiver.calls) == 1
