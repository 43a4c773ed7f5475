"""`privacy leaderboard off` through the real Slack and Teams endpoints: the person is told
where they stand; afterwards a kudos to them is not announced in the channel (they still get
it, and hear of it directly), and `top` leaves them out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text as sql_text

from bot.bootstrap import App
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.conversations import known_conversations
from bot.services.privacy import forget_member
from bot.services.queries import show_balance
from bot.services.webhooks import add_webhook
from bot.services.workspaces import open_workspace
from tests.adapters.conftest import SlackHarness, TeamsHarness
from tests.adapters.slack_helpers import earned, everything
from tests.fakes.teams_sender import BO, RAJ, TENANT, activity, mention
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.support import OPERATOR, quiet, scalar


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    fake = WebhookReceiver()
    await fake.start()
    yield fake
    await fake.stop()


async def test_slack_privacy_off_keeps_a_kudos_out_of_the_channel(slack: SlackHarness) -> None:
    await slack.slack.command("privacy leaderboard off", user="URAJ")
    [told] = await slack.fake.wait_for("response_url", 1)
    assert told.params["response_type"] == "ephemeral"
    assert "off the public leaderboards and posts" in everything(told)

    await slack.slack.command("<@URAJ> 5 for the review", user="UANA")
    await slack.slack.command("<@UBO> 2 for the demo", user="UANA")
    replies = (await slack.fake.wait_for("response_url", 4))[1:]
    public = [everything(r) for r in replies if r.params["response_type"] == "in_channel"]
    private = [everything(r) for r in replies if r.params["response_type"] == "ephemeral"]
    assert len(public) == 1 and "<@UBO>" in public[0] and "URAJ" not in public[0]
    assert sum("Given quietly" in p for p in private) == 1
    assert not any("URAJ" in p for p in private)
    dms = await slack.fake.wait_for("chat.postMessage", 2)
    assert {c.params["channel"] for c in dms} == {"URAJ", "UBO"}
    assert await earned(slack.app, "URAJ") == 5

    await slack.slack.command("top week", user="UANA")
    top = (await slack.fake.wait_for("response_url", 5))[-1]
    assert "UBO" in everything(top) and "URAJ" not in everything(top)
    await slack.slack.command("privacy", user="URAJ")
    shown = (await slack.fake.wait_for("response_url", 6))[-1]
    assert "You're off the public leaderboards" in everything(shown)


def say(h: TeamsHarness, text: str, *people: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return activity(
        h.connector.url, text.format(*(mention(p)[0] for p in people)), mentions=list(people), **kw
    )


async def test_teams_privacy_off_keeps_a_kudos_out_of_the_channel(teams: TeamsHarness) -> None:
    await teams.send(say(teams, "privacy leaderboard off", sender=RAJ, channel=False))
    [told] = await teams.connector.wait_for(1)
    assert "off the public leaderboards and posts" in str(told.activity)

    await teams.send(say(teams, "kudos {} 5 for the review", RAJ))
    quiet_reply = (await teams.connector.wait_for(2))[-1]
    assert "Given quietly" in str(quiet_reply.activity)
    assert "Raj" not in str(quiet_reply.activity)
    await teams.send(say(teams, "kudos {} 2 for the demo", BO))
    card = (await teams.connector.wait_for(4))[-2].card
    assert card is not None and "<at>Bo Chen</at>" in card["body"][0]["text"]
    raj = await show_balance(
        teams.app.services, WorkspaceRef("teams", TENANT), MemberRef(RAJ["id"])
    )
    assert raj.earned == 5

    await teams.send(activity(teams.connector.url, "top week"))
    board = (await teams.connector.wait_for(5))[-1]
    assert "Bo Chen" in str(board.card) and "Raj Patel" not in str(board.card)


async def test_forgetting_a_slack_user_erases_their_requests_and_webhook_bodies(
    slack: SlackHarness, receiver: WebhookReceiver
) -> None:
    ws = WorkspaceRef("slack", "T1")
    await open_workspace(slack.app.services, ws)
    await add_webhook(slack.app.services, ws, OPERATOR, f"{receiver.url}/k", "kudos.given")
    await slack.slack.command("<@URAJ> 5 for the review", user="UANA")
    await slack.slack.command("<@UANA> 3 for the help", user="URAJ")
    await slack.fake.wait_for("response_url", 4)
    await receiver.wait_for(2)
    await quiet(slack.app)
    rows = await scalar(slack.app, "SELECT COUNT(*) FROM inbox")
    assert await _carrying(slack.app, "URAJ") > 0

    done = await forget_member(slack.app.services, ws, OPERATOR, "URAJ")

    assert done.erased.request_log > 0 and done.erased.webhook_deliveries == 2
    assert await _carrying(slack.app, "URAJ") == 0
    assert await scalar(slack.app, "SELECT COUNT(*) FROM inbox") == rows  # redeliveries stay no-ops
    await slack.slack.command("<@UBO> 1 for the coffee", user="URAJ")  # back: someone new
    await slack.fake.wait_for("response_url", 6)
    again = await show_balance(slack.app.services, ws, MemberRef("URAJ"))
    assert (again.display_name, again.earned, again.allowance_left) == ("Raj Patel", 0, 99)


async def _carrying(app: App, text: str) -> int:
    found = 0
    for sql in (
        "SELECT payload FROM inbox",
        "SELECT payload FROM outbox",
        "SELECT body FROM webhook_deliveries",
    ):
        async with app.database.engine.connect() as conn:
            found += sum(text in row[0] for row in await conn.execute(sql_text(sql)))
    return found


async def test_forgetting_a_teams_user_forgets_their_personal_chat(teams: TeamsHarness) -> None:
    tenant = WorkspaceRef("teams", TENANT)
    await teams.send(say(teams, "privacy", sender=RAJ, channel=False))
    await teams.send(say(teams, "kudos {} 2 for the demo", BO, sender=RAJ))
    await teams.connector.wait_for(3)
    before = await known_conversations(teams.app.services, tenant)
    assert {kind for _, kind, _ in before} == {"personal", "channel"}

    await forget_member(teams.app.services, tenant, OPERATOR, RAJ["id"])

    after = await known_conversations(teams.app.services, tenant)
    assert [kind for _, kind, _ in after] == ["channel"]
    assert RAJ["id"] not in str(after) and "Raj" not in str(after)
