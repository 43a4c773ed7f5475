"""Teams through the real endpoint: activities shaped as Teams sends them, replies captured by
a local server playing the Bot Framework connector at the activity's serviceUrl."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import change_admins
from bot.services.conversations import known_conversations
from bot.services.queries import show_balance
from bot.services.schedules import add_schedule, run_due_posts, schedule_status
from bot.services.settings import change_settings
from tests.adapters.conftest import TeamsHarness
from tests.conftest import FakeClock
from tests.fakes.teams_sender import ANA, BO, OTHER_BOT, RAJ, TENANT, activity, mention
from tests.support import OPERATOR, quiet, snapshot

WS = WorkspaceRef("teams", TENANT)


async def earned(h: TeamsHarness, who: dict[str, Any]) -> int:
    shown = await show_balance(h.app.services, WS, MemberRef(who["id"]), newcomer_ok=True)
    return shown.earned


def say(h: TeamsHarness, text: str, *people: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """A message mentioning `people` in order wherever `{}` stands in `text`."""
    return activity(
        h.connector.url, text.format(*(mention(p)[0] for p in people)), mentions=list(people), **kw
    )


async def test_kudos_in_a_channel_post_a_card_that_mentions_the_recipients(
    teams: TeamsHarness,
) -> None:
    response = await teams.send(say(teams, "kudos {} {} 10 for the review #learning", RAJ, BO))
    assert response.status_code in (200, 201)
    card_reply, receipt = await teams.connector.wait_for(2)
    card = card_reply.card
    assert card is not None and card["version"] == "1.5"
    assert "gave <at>Raj Patel</at> and <at>Bo Chen</at> 10 points each" in card["body"][0]["text"]
    assert card["body"][1]["inlines"][0]["text"] == "“the review”"
    mentioned = {e["mentioned"]["id"] for e in card["msteams"]["entities"]}
    assert mentioned == {RAJ["id"], BO["id"]}
    assert card_reply.reply_to is not None  # a reply in the thread
    assert "80 points left" in receipt.text
    assert await earned(teams, RAJ) == 10 and await earned(teams, BO) == 10


async def test_personal_chat_needs_no_bot_mention_and_every_subcommand_answers(
    teams: TeamsHarness,
) -> None:
    await teams.send(say(teams, "{} 3 for pairing", RAJ, channel=False))
    await teams.connector.wait_for(2)
    for n, (text, check) in enumerate(
        {
            "balance": lambda s: "97 points" in str(s.card),
            "top week": lambda s: "Raj Patel" in str(s.card),
            "history": lambda s: "given 3 points to Raj Patel for pairing" in str(s.card),
            "help": lambda s: "Give kudos" in str(s.card),
            "til pytest fixtures compose #testing": lambda s: (
                "pytest fixtures compose" in str(s.card)
            ),
            "undo": lambda s: "Undone: 3 points to Raj Patel" in s.text,
        }.items(),
        start=3,
    ):
        await teams.send(activity(teams.connector.url, text, channel=False))
        reply = (await teams.connector.wait_for(n))[-1]
        assert check(reply), (text, reply.activity)
    assert await earned(teams, RAJ) == 0


async def test_a_resent_activity_counts_once_and_is_answered_once(teams: TeamsHarness) -> None:
    sent = say(teams, "kudos {} 5 for the fix", RAJ, activity_id="1700000000123")
    for _ in range(3):
        assert (await teams.send(sent)).status_code == 201
    await quiet(teams.app)
    assert await earned(teams, RAJ) == 5
    assert [bool(s.card) for s in teams.connector.sent] == [True, False]  # the card, a receipt


async def test_mentions_with_unusual_names_resolve_by_id(teams: TeamsHarness) -> None:
    odd = {"id": "29:1zoe-AAD", "name": "Zoë O'Brien-李 🚀 (she/her)"}
    evil = {"id": "29:1evil-AAD", "name": "**Eve** [click](https://evil.example) <at>Raj</at>"}
    await teams.send(say(teams, "kudos {} {} 2 for the workshop", odd, evil))
    card = (await teams.connector.wait_for(1))[0].card
    assert card is not None
    assert await earned(teams, odd) == 2 and await earned(teams, evil) == 2
    entity_names = [e["mentioned"]["name"] for e in card["msteams"]["entities"]]
    assert entity_names[0] == odd["name"]
    assert "<at>Raj</at>" not in str(card["msteams"])  # no smuggled mention


async def test_refusals_reply_with_one_sentence_and_write_nothing(teams: TeamsHarness) -> None:
    await teams.send(say(teams, "kudos {} 1 for warming up", RAJ))
    await teams.connector.wait_for(2)
    before = await snapshot(teams.app, requests=False)
    cases = [
        (say(teams, "kudos {} 5 for me", ANA), "yourself"),
        (say(teams, "kudos {} 5 for deploying", OTHER_BOT), "is a bot"),
        (say(teams, "kudos {} 51 for too much", RAJ), "between 1 and 50"),
        (say(teams, "kudos 5 for nobody"), "Who are these kudos for"),
        (say(teams, "kudos {} 5 " + "very " * 900, RAJ), "too long"),
    ]
    for n, (sent, words) in enumerate(cases, start=3):
        await teams.send(sent)
        reply = (await teams.connector.wait_for(n))[-1]
        assert reply.text.startswith("✋ ") and words in reply.text, (words, reply.text)
    assert await snapshot(teams.app, requests=False) == before


async def test_the_give_card_submit_gives_once_even_when_clicked_twice(teams: TeamsHarness) -> None:
    await teams.send(activity(teams.connector.url, "help", channel=False))
    help_card = (await teams.connector.wait_for(1))[0].card
    assert help_card is not None
    await teams.send(
        activity(teams.connector.url, channel=False, value=help_card["actions"][0]["data"])
    )
    give_card = (await teams.connector.wait_for(2))[1].card
    assert give_card is not None
    submit = {
        **give_card["actions"][0]["data"],
        "recipients": f"{RAJ['id']},{BO['id']}",
        "amount": "4",
        "reason": "the onboarding guide",
        "value": "knowledge-sharing",
    }
    await teams.send(activity(teams.connector.url, channel=False, value=submit))
    await teams.send(activity(teams.connector.url, channel=False, value=submit))  # double click
    await teams.connector.wait_for(5)
    assert await earned(teams, RAJ) == 4 and await earned(teams, BO) == 4
    assert "already counted" in teams.connector.sent[-1].text


async def test_install_and_uninstall_keep_the_conversation_reference(teams: TeamsHarness) -> None:
    await teams.send(activity(teams.connector.url, kind="installationUpdate", action="add"))
    await teams.connector.wait_for(1)
    await quiet(teams.app)
    known = await known_conversations(teams.app.services, WS)
    assert [(c, k) for c, k, _ in known] == [("19:general-channel@thread.tacv2", "channel")]
    assert known[0][2]["serviceUrl"] == teams.connector.url
    await teams.send(activity(teams.connector.url, kind="installationUpdate", action="remove"))
    await quiet(teams.app)
    assert await known_conversations(teams.app.services, WS) == []


async def test_a_typed_at_name_is_found_among_the_conversations_members(
    teams: TeamsHarness,
) -> None:
    teams.connector.members = [
        {"id": RAJ["id"], "name": RAJ["name"], "givenName": "Raj", "email": "raj.p@example.com"},
        {"id": BO["id"], "name": BO["name"], "givenName": "Bo", "email": "bo.chen@example.com"},
    ]
    await teams.send(activity(teams.connector.url, "kudos @raj 3 for the demo", channel=False))
    await teams.send(say(teams, "kudos {} 2 for the follow-up", RAJ, channel=False))
    await teams.connector.wait_for(4)
    assert await earned(teams, RAJ) == 5  # one member, however they were mentioned
    await teams.send(activity(teams.connector.url, "kudos @nobody 3 for the demo", channel=False))
    assert "I don't know anyone called '@nobody'" in (await teams.connector.wait_for(5))[-1].text


async def test_the_bot_added_to_a_team_remembers_it_and_posts_learnings_there(
    teams: TeamsHarness,
) -> None:
    added = activity(
        teams.connector.url,
        kind="conversationUpdate",
        membersAdded=[{"id": "28:kudos-bot-app-id"}],
    )
    added["channelData"]["eventType"] = "teamMemberAdded"
    await teams.send(added)
    await quiet(teams.app)
    [(conversation, kind, _)] = await known_conversations(teams.app.services, WS)
    assert kind == "channel"
    await change_settings(teams.app.services, WS, {"learning_channel": conversation}, OPERATOR)
    await teams.send(
        activity(
            teams.connector.url, "til git worktree keeps two branches checked out", channel=False
        )
    )
    sent = await teams.connector.wait_for(2)
    posted = [s for s in sent if s.conversation == conversation]
    assert posted and "git worktree" in str(posted[0].card)


async def test_scheduled_learning_shoutouts_are_posted_into_the_installed_channel(
    teams: TeamsHarness, clock: FakeClock
) -> None:
    await teams.send(activity(teams.connector.url, kind="installationUpdate", action="add"))
    await teams.send(say(teams, "kudos {} 3 for the pairing #mentoring", RAJ))
    await teams.connector.wait_for(3)
    channel = "19:general-channel@thread.tacv2"
    await add_schedule(
        teams.app.services, WS, "learning_shoutouts", channel, "fri 15:00", actor=OPERATOR
    )
    clock.current = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    assert [o[3] for o in await run_due_posts(teams.app.services)] == ["posted"]
    posted = (await teams.connector.wait_for(4))[-1]
    assert posted.conversation == channel and posted.reply_to is None  # a new thread
    assert "Raj Patel" in str(posted.card) and "Learning shoutouts" in str(posted.card)
    await add_schedule(
        teams.app.services,
        WS,
        "weekly_leaderboard",
        "19:not-installed@thread.tacv2",
        actor=OPERATOR,
    )
    clock.current = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    assert [o[3] for o in await run_due_posts(teams.app.services)] == ["retry"]


async def test_the_balance_card_shows_badges(teams: TeamsHarness) -> None:
    await teams.send(say(teams, "{} 3 for pairing", RAJ, channel=False))
    card = (await teams.connector.wait_for(1))[0].card
    assert card is not None and "🌱 First kudos" in str(card["body"])
    await teams.send(activity(teams.connector.url, "balance", channel=False))
    balance = (await teams.connector.wait_for(3))[-1].card
    assert {"title": "Badges", "value": "🌱 First kudos"} in balance["body"][1]["facts"]  # type: ignore[index]


async def test_schedules_from_teams_chat_need_someone_on_the_admin_list(
    teams: TeamsHarness,
) -> None:
    command = "admin schedule add weekly fri 16:00"
    await teams.send(activity(teams.connector.url, command, channel=False))
    reply = (await teams.connector.wait_for(1))[0]
    assert "Only Kudos admins can manage scheduled posts" in reply.text
    assert await schedule_status(teams.app.services, WS) == []

    await change_admins(teams.app.services, WS, OPERATOR, True, MemberRef(ANA["id"], "Ana Lima"))
    await teams.send(activity(teams.connector.url, command))
    reply = (await teams.connector.wait_for(2))[-1]
    assert "Scheduled: weekly leaderboard" in reply.text
    assert [s.schedule.channel for s in await schedule_status(teams.app.services, WS)] == [
        "19:general-channel@thread.tacv2"
    ]
    before = await snapshot(teams.app, requests=False)
    await teams.send(activity(teams.connector.url, "admin schedule add monthly #team"))
    reply = (await teams.connector.wait_for(3))[-1]
    assert reply.text == (
        "✋ I can't look up #team by name here: type the command in that channel without "
        "naming one, e.g. `admin schedule add weekly fri 16:00`."
    )
    assert await snapshot(teams.app, requests=False) == before


async def test_the_first_activity_from_a_tenant_logs_its_id_and_the_sender_once(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/teams.md sends operators to the log for the tenant id and the first admin's id."""
    caplog.set_level(logging.INFO, logger="kudos.teams")
    await teams.send(activity(teams.connector.url, "balance", channel=False))
    await teams.send(activity(teams.connector.url, "help", channel=False, sender=RAJ))
    await teams.send(activity(teams.connector.url, "balance", tenant="other-tenant", sender=BO))
    await teams.connector.wait_for(3)
    firsts = [r.getMessage() for r in caplog.records if "first request" in r.getMessage()]
    assert firsts == [
        f"first request from Teams tenant {TENANT} (from Ana Lima, {ANA['id']})",
        f"first request from Teams tenant other-tenant (from Bo Chen, {BO['id']})",
    ]
