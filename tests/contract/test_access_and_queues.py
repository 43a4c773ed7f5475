"""Sign-in links, API tokens, webhooks and their deliveries; the inbox and the outbox."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.domain.model import WorkspaceRef
from bot.services.delivery import Incoming, Outgoing
from bot.services.ports import DuplicateDelivery
from bot.services.results import BadgeAwarded, LearningShared
from tests.contract.conftest import ACME, AT, OTHER, Backend, people

LATER = AT + timedelta(hours=1)


async def test_a_sign_in_link_is_used_once_and_never_after_it_expires(backend: Backend) -> None:
    workspace, _ = await people(backend)
    async with backend.uow(write=True) as uow:
        await uow.sign_in_links.add(workspace, "ana", "h-1", "ops", AT, LATER)
        await uow.sign_in_links.add(workspace, "raj", "h-2", "o" * 300, AT, AT)
        await uow.commit()
    async with backend.uow(write=True) as uow:
        assert await uow.sign_in_links.state("h-1", AT) == "valid"
        assert await uow.sign_in_links.state("h-2", AT) == "expired"
        assert await uow.sign_in_links.state("h-9", AT) == "unknown"
        assert await uow.sign_in_links.use("h-2", AT) is None
        assert await uow.sign_in_links.use("h-9", AT) is None
        assert await uow.sign_in_links.use("h-1", AT) == (WorkspaceRef("slack", "T1"), "ana")
        assert await uow.sign_in_links.use("h-1", AT) is None
        assert await uow.sign_in_links.state("h-1", AT) == "used"
        await uow.commit()
    assert [len(r["created_by"]) for r in await backend.rows("sign_in_links")] == [3, 200]


async def test_api_tokens_have_unique_prefixes_and_are_revoked_once(backend: Backend) -> None:
    workspace, _ = await people(backend)
    other, _ = await people(backend, ref=OTHER)
    async with backend.uow(write=True) as uow:
        read = await uow.api_tokens.add(workspace, "aaaa2222", "d1", "CI", "read", "ops", AT, LATER)
        admin = await uow.api_tokens.add(
            workspace, "bbbb3333", "d2", "Admin", "admin", "ops", AT - timedelta(1), LATER
        )
        await uow.commit()
    with pytest.raises(DuplicateDelivery):
        async with backend.uow(write=True) as uow:
            await uow.api_tokens.add(other, "aaaa2222", "d3", "x", "read", "ops", AT, LATER)
    async with backend.uow(write=True) as uow:
        assert await uow.api_tokens.by_prefix("aaaa2222") == (read, "d1", ACME)
        assert await uow.api_tokens.by_prefix("zzzz9999") is None
        assert await uow.api_tokens.all(workspace) == [admin, read]
        assert await uow.api_tokens.all(other) == []
        assert not await uow.api_tokens.revoke(other, "aaaa2222", AT)
        assert await uow.api_tokens.revoke(workspace, "aaaa2222", AT)
        assert not await uow.api_tokens.revoke(workspace, "aaaa2222", AT)
        found = await uow.api_tokens.by_prefix("aaaa2222")
        await uow.commit()
    assert found is not None and found[0].revoked_at == AT and found[0].state(AT) == "revoked"


async def test_webhooks_their_deliveries_and_each_attempt(backend: Backend) -> None:
    workspace, _ = await people(backend)
    other, _ = await people(backend, ref=OTHER)
    async with backend.uow(write=True) as uow:
        hook = await uow.webhooks.add(
            workspace, "https://a.example/k", ["kudos.given"], "s1", "ops", AT
        )
        gone = await uow.webhooks.add(
            workspace, "https://b.example/k", ["kudos.given", "badge.awarded"], "s2", "ops", AT
        )
        assert await uow.webhooks.remove(other, gone.id, AT) is None
        removed = await uow.webhooks.remove(workspace, gone.id, LATER)
        assert removed == gone
        assert await uow.webhooks.remove(workspace, gone.id, LATER) is None
        assert await uow.webhooks.all(workspace) == [hook]
        await uow.commit()
    assert hook.events == ("kudos.given",)
    # A delivery is made by a commit that publishes an event a webhook takes.
    async with backend.uow(write=True) as uow:
        await uow.webhooks.add(workspace, "https://c.example/k", ["badge.awarded"], "s3", "ops", AT)
        uow.publish(ACME, BadgeAwarded("ana", "Ana", "mentor", None, AT))
        uow.publish(ACME, LearningShared(1, "Ana", "til", ()))  # no webhook event
        await uow.commit()
    [delivery] = await backend.rows("webhook_deliveries")
    [outbox_row] = [r for r in await backend.rows("outbox") if r["platform"] == "webhook"]
    assert (delivery["event"], delivery["state"], delivery["attempts"]) == (
        "badge.awarded",
        "pending",
        0,
    )
    assert json.loads(outbox_row["payload"]) == {"delivery": delivery["delivery_id"]}
    async with backend.uow(write=True) as uow:
        outgoing = await uow.webhooks.outgoing(delivery["delivery_id"])
        assert await uow.webhooks.outgoing("nope") is None
        await uow.webhooks.attempted(delivery["delivery_id"], AT, "pending", 500, "E" * 3000)
        failing = await uow.webhooks.deliveries(workspace, True, 10)
        await uow.webhooks.attempted(delivery["delivery_id"], LATER, "delivered", 200, None)
        log = await uow.webhooks.deliveries(workspace, False, 10)
        failed = await uow.webhooks.deliveries(workspace, True, 10)
        await uow.commit()
    assert outgoing is not None
    assert (outgoing.url, outgoing.secret, outgoing.removed, outgoing.state) == (
        "https://c.example/k",
        "s3",
        False,
        "pending",
    )
    assert '"badge":"mentor"' in outgoing.body
    assert [(d.attempts, d.last_status, len(d.last_error or "")) for d in failing] == [
        (1, 500, 2000)
    ]
    assert [(d.state, d.attempts, d.last_error, d.delivered_at) for d in log] == [
        ("delivered", 2, None, LATER)
    ]
    assert failed == []


async def test_a_request_is_recorded_once_and_finished_only_under_its_lease(
    backend: Backend,
) -> None:
    def incoming(key: str, platform: str = "slack") -> Incoming:
        return Incoming(platform, "T1", key, {"text": key, "n": [1]})

    async with backend.uow(write=True) as uow:
        first = await uow.inbox.add(incoming("k-1"), AT, None, AT)
        assert await uow.inbox.add(incoming("k-1"), AT, None, AT) is None
        leased = await uow.inbox.add(incoming("k-2"), AT, "lease-1", LATER)
        await uow.inbox.add(incoming("k-3", "teams"), AT + timedelta(seconds=1), None, AT)
        assert await uow.inbox.backlog() == (3, AT)
        await uow.commit()
    assert first == 1 and leased == 2
    async with backend.uow(write=True) as uow:
        [item] = await uow.inbox.claim(["slack"], AT, AT + timedelta(seconds=30), 10)
        assert (item.id, item.attempts, item.payload) == (1, 1, {"text": "k-1", "n": [1]})
        assert await uow.inbox.claim(["slack"], AT, AT, 10) == []  # leased till later
        both = await uow.inbox.claim(["slack", "teams"], LATER, LATER, 1)
        assert [i.delivery_key for i in both] == ["k-3"]
        stale = type(item)(**{**item.__dict__, "lease_token": "someone else's"})
        assert not await uow.inbox.complete(stale, "given", AT)
        assert await uow.inbox.retry_later(item, AT + timedelta(minutes=1), "x" * 3000)
        assert not await uow.inbox.complete(item, "given", AT)  # the lease was given up
        [again] = await uow.inbox.claim(["slack"], AT + timedelta(minutes=1), LATER, 10)
        assert again.attempts == 2
        assert await uow.inbox.complete(again, "given", AT, failed=True, error="bad")
        assert await uow.inbox.backlog() == (2, AT)
        await uow.commit()
    rows = await backend.rows("inbox")
    assert [(r["state"], r["outcome"], r["error"], r["lease_token"] is None) for r in rows] == [
        ("failed", "given", "bad", True),
        ("pending", None, None, False),
        ("pending", None, None, False),
    ]
    async with backend.uow(write=True) as uow:
        assert await uow.inbox.purge(AT + timedelta(seconds=1), 10) == 0  # failed rows stay
        await uow.commit()


async def test_what_the_bot_says_is_claimed_sent_once_and_forgotten_later(
    backend: Backend,
) -> None:
    async with backend.uow(write=True) as uow:
        await uow.outbox.add([], AT)
        await uow.outbox.add(
            [
                Outgoing("slack", "T1", "chat.postMessage", {"text": "hi"}, group_key="g"),
                Outgoing("teams", "tenant", "reply", {"text": "yo"}, kind="event"),
                Outgoing("slack", "T1", "chat.postMessage", {"text": "two"}, group_key="g"),
            ],
            AT,
        )
        await uow.commit()
    async with backend.uow(write=True) as uow:
        claimed = await uow.outbox.claim(["slack"], AT, LATER, 10)
        assert [(o.id, o.payload, o.group_key, o.attempts) for o in claimed] == [
            (1, {"text": "hi"}, "g", 1),
            (3, {"text": "two"}, "g", 1),
        ]
        assert await uow.outbox.finish(claimed[0], AT)
        assert not await uow.outbox.finish(claimed[0], AT)
        assert await uow.outbox.finish(claimed[1], AT, failed=True, error="E" * 3000)
        assert await uow.outbox.backlog() == (1, AT)
        assert await uow.outbox.purge(LATER, 10) == 1  # sent ones go; failed ones stay
        assert await uow.outbox.purge(LATER, 10) == 0
        [teams] = await uow.outbox.claim(["teams"], AT, LATER, 10)
        assert await uow.outbox.retry_later(teams, LATER, "later")
        assert not await uow.outbox.retry_later(teams, LATER, "again")
        await uow.commit()
    rows = await backend.rows("outbox")
    assert [(r["id"], r["state"], len(r["error"] or "")) for r in rows] == [
        (2, "pending", 5),
        (3, "failed", 2000),
    ]
