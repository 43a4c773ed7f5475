"""Every way Slack users give kudos, through the real endpoint, with the replies they read."""

from __future__ import annotations

import json

from bot.services.settings import change_settings
from tests.adapters.conftest import SlackHarness
from tests.adapters.slack_helpers import earned, everything, left, ws
from tests.support import OPERATOR, snapshot


async def test_slash_command_gives_kudos_posts_publicly_and_tells_the_recipient(
    slack: SlackHarness,
) -> None:
    response = await slack.slack.command(
        "<@URAJ> <@UBO> 5 for pairing on the flaky-test hunt #learning", user="UANA"
    )
    assert response.status_code == 200 and response.text == ""
    public, receipt = await slack.fake.wait_for("response_url", 2)
    assert public.params["response_type"] == "in_channel"
    post = everything(public)
    for part in (
        "<@UANA>",
        "<@URAJ>",
        "<@UBO>",
        "5 points",
        "pairing on the flaky-test hunt",
        "#learning",
    ):
        assert part in post
    assert receipt.params["response_type"] == "ephemeral"
    assert "90 points left" in receipt.params["text"]
    dms = await slack.fake.wait_for("chat.postMessage", 2)
    assert {c.params["channel"] for c in dms} == {"URAJ", "UBO"}
    assert "gave you *5 points*" in everything(dms[0])
    assert await earned(slack.app, "URAJ") == 5
    assert await earned(slack.app, "UBO") == 5
    assert await left(slack.app, "UANA") == 90


async def test_every_subcommand_answers_only_the_person_who_asked(slack: SlackHarness) -> None:
    await slack.slack.command("<@URAJ> 3 for the review", user="UANA")
    await slack.fake.wait_for("response_url", 2)
    expectations = {
        "balance": "97 points",
        "top week": "Top this week",
        "top all #learning": "No kudos #learning of all time",
        "history": "given 3 points to Raj Patel for the review",
        "help": "Give kudos",
        "undo": "Undone: 3 points to Raj Patel",
    }
    for n, (text, expected) in enumerate(expectations.items(), start=3):
        await slack.slack.command(text, user="UANA")
        reply = (await slack.fake.wait_for("response_url", n))[-1]
        assert reply.params["response_type"] == "ephemeral", text
        assert expected in everything(reply), (text, everything(reply))
    assert await earned(slack.app, "URAJ") == 0


async def test_til_is_shared_in_the_channel_or_the_learning_channel(slack: SlackHarness) -> None:
    await slack.slack.command("how git bisect finds a bad commit #git", user="UANA", command="/til")
    shared = (await slack.fake.wait_for("response_url", 1))[0]
    assert shared.params["response_type"] == "in_channel"
    assert "how git bisect finds a bad commit" in everything(shared)

    await change_settings(
        slack.app.services, ws(), {"learning_channel": "<#CLEARN|learning>"}, OPERATOR
    )
    await slack.slack.command("til pytest's tmp_path is per test #testing", user="UANA")
    receipt = (await slack.fake.wait_for("response_url", 2))[-1]
    assert receipt.params["response_type"] == "ephemeral"
    assert "<#CLEARN>" in receipt.params["text"]
    posted = await slack.fake.wait_for("chat.postMessage", 1)
    assert posted[0].params["channel"] == "CLEARN"
    assert "tmp_path is per test" in everything(posted[0])


async def test_kudos_typed_in_a_channel_count_and_get_a_threaded_reply(slack: SlackHarness) -> None:
    _, ts = await slack.slack.message("+5 <@URAJ> thanks for the review!", user="UANA")
    _, ts2 = await slack.slack.message("<@UBO> ++ great demo", user="UANA")
    await slack.slack.message("just chatting about <@URAJ>, no kudos here", user="UANA")
    replies = await slack.fake.wait_for("chat.postEphemeral", 2)
    await slack.fake.settle()
    threaded = [c for c in slack.fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert {c.params["thread_ts"] for c in threaded} == {ts, ts2}
    assert len(replies) == 2
    assert await earned(slack.app, "URAJ") == 5
    assert await earned(slack.app, "UBO") == 1


async def test_plain_at_names_and_user_groups_resolve(slack: SlackHarness) -> None:
    slack.fake.team("T1").groups["SENG"] = ["URAJ", "UBO", "UANA"]
    await slack.slack.command("@raj.patel 2 for the pairing", user="UANA")
    await slack.slack.command("<!subteam^SENG|@eng> 4 for shipping the release", user="UANA")
    await slack.fake.wait_for("response_url", 4)
    assert await earned(slack.app, "URAJ") == 6
    assert await earned(slack.app, "UBO") == 4
    assert await earned(slack.app, "UANA") == 0  # the giver is left out of her own group


async def test_reaction_gives_one_point_and_removing_it_takes_it_back(slack: SlackHarness) -> None:
    item = {"type": "message", "channel": "C1", "ts": "1700000000.000100"}
    added = {
        "type": "reaction_added",
        "user": "UANA",
        "reaction": "clap",
        "item_user": "URAJ",
        "item": item,
    }
    await slack.slack.event(added)
    await slack.fake.wait_for("chat.postEphemeral", 1)
    assert await earned(slack.app, "URAJ") == 1
    await slack.slack.event({**added, "type": "reaction_removed"})
    await slack.fake.settle()
    assert await earned(slack.app, "URAJ") == 0
    assert await left(slack.app, "UANA") == 100

    await slack.slack.event({**added, "reaction": "clap::skin-tone-4"})
    await slack.fake.wait_for("chat.postEphemeral", 2)
    assert await earned(slack.app, "URAJ") == 1


async def test_reactions_on_own_or_bot_messages_or_other_emoji_give_nothing(
    slack: SlackHarness,
) -> None:
    item = {"type": "message", "channel": "C1", "ts": "1700000000.000200"}
    base = {"type": "reaction_added", "user": "UANA", "reaction": "clap", "item": item}
    before = await snapshot(slack.app, requests=False)
    await slack.slack.event({**base, "item_user": "UANA"})
    await slack.slack.event({**base, "item_user": "UROBOT"})
    await slack.slack.event({**base, "item_user": "URAJ", "reaction": "thumbsup"})
    await slack.slack.event({**base, "item_user": "URAJ", "item": {"type": "file", "file": "F1"}})
    await slack.fake.settle()
    assert await snapshot(slack.app, requests=False) == before
    assert not slack.fake.calls_to("chat.postEphemeral")


async def test_deleting_the_message_reverses_its_kudos(slack: SlackHarness) -> None:
    _, ts = await slack.slack.message("+10 <@URAJ> for the migration plan", user="UANA")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    assert await earned(slack.app, "URAJ") == 10
    await slack.slack.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C1",
            "hidden": True,
            "deleted_ts": ts,
            "ts": "1700000999.000001",
            "previous_message": {
                "type": "message",
                "user": "UANA",
                "text": "+10 <@URAJ> ...",
                "ts": ts,
            },
        }
    )
    told = await slack.fake.wait_for("chat.postEphemeral", 2)
    assert "taken back" in told[-1].params["text"]
    assert await earned(slack.app, "URAJ") == 0
    assert await left(slack.app, "UANA") == 100


def _edited(ts: str, old: str, new: str, edited_ts: str) -> dict[str, object]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "hidden": True,
        "ts": edited_ts,
        "message": {
            "type": "message",
            "user": "UANA",
            "text": new,
            "ts": ts,
            "edited": {"user": "UANA", "ts": edited_ts},
        },
        "previous_message": {"type": "message", "user": "UANA", "text": old, "ts": ts},
    }


async def test_editing_the_message_makes_its_kudos_follow_the_new_text(slack: SlackHarness) -> None:
    old = "+10 <@URAJ> for the migration plan"
    _, ts = await slack.slack.message(old, user="UANA")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    new = "+4 <@UBO> for the migration plan"
    edit = _edited(ts, old, new, "1700001000.000001")
    await slack.slack.event(edit)
    await slack.slack.event(edit)  # Slack redelivers the same edit
    await slack.fake.settle()
    assert await earned(slack.app, "URAJ") == 0
    assert await earned(slack.app, "UBO") == 4
    assert await left(slack.app, "UANA") == 96

    await slack.slack.event(_edited(ts, new, "never mind, no kudos", "1700001001.000001"))
    await slack.fake.settle()
    assert await earned(slack.app, "UBO") == 0
    assert await left(slack.app, "UANA") == 100


async def test_an_edit_that_breaks_a_rule_keeps_the_original_kudos(slack: SlackHarness) -> None:
    old = "+10 <@URAJ> for the migration plan"
    _, ts = await slack.slack.message(old, user="UANA")
    await slack.fake.wait_for("chat.postEphemeral", 1)
    before = await snapshot(slack.app, requests=False)
    await slack.slack.event(_edited(ts, old, "+500 <@URAJ> for the plan", "1700001000.000002"))
    told = await slack.fake.wait_for("chat.postEphemeral", 2)
    assert "kept your kudos" in told[-1].params["text"]
    assert await snapshot(slack.app, requests=False) == before


async def test_message_shortcut_opens_a_modal_whose_submission_gives(slack: SlackHarness) -> None:
    await slack.slack.interaction(
        {
            "type": "message_action",
            "callback_id": "give_kudos_for_message",
            "trigger_id": "111.222.abc",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": "UANA", "username": "ana", "team_id": "T1"},
            "channel": {"id": "C1", "name": "general"},
            "message": {
                "type": "message",
                "user": "URAJ",
                "ts": "1700000000.000300",
                "text": "fixed CI",
            },
            "message_ts": "1700000000.000300",
            "response_url": slack.fake.response_url("shortcut"),
            "token": "legacy",
            "action_ts": "1700000001.000001",
            "is_enterprise_install": False,
        }
    )
    opened = (await slack.fake.wait_for("views.open", 1))[0]
    view = opened.params["view"]
    assert opened.params["trigger_id"] == "111.222.abc"
    assert view["blocks"][0]["element"]["initial_users"] == ["URAJ"]
    submission = _submission(
        view, users=["URAJ"], amount="7", reason="fixing CI <!channel>", value="teamwork"
    )
    response = await slack.slack.interaction(submission)
    assert response.status_code == 200 and response.text == ""
    posted = await slack.fake.wait_for("chat.postMessage", 2)
    public = next(c for c in posted if c.params["channel"] == "C1")
    assert "fixing CI <!channel>" in json.dumps(public.params["blocks"])  # as plain_text only
    assert "<!channel>" not in public.params["text"]
    assert await earned(slack.app, "URAJ") == 7


def _submission(
    view: dict[str, object],
    *,
    users: list[str],
    amount: str,
    reason: str | None,
    value: str | None,
    view_id: str = "V123",
) -> dict[str, object]:
    return {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "UANA", "username": "ana", "name": "ana", "team_id": "T1"},
        "api_app_id": "AKUDOS",
        "token": "legacy",
        "trigger_id": "333.444.def",
        "view": {
            **view,
            "id": view_id,
            "team_id": "T1",
            "state": {
                "values": {
                    "recipients": {
                        "users": {"type": "multi_users_select", "selected_users": users}
                    },
                    "amount": {"amount": {"type": "number_input", "value": amount}},
                    "reason": {"reason": {"type": "plain_text_input", "value": reason}},
                    "value": {
                        "value": {
                            "type": "static_select",
                            "selected_option": {"value": value} if value else None,
                        }
                    },
                }
            },
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


async def test_a_refused_modal_shows_the_error_next_to_the_field_and_writes_nothing(
    slack: SlackHarness,
) -> None:
    await slack.slack.interaction(
        {
            "type": "shortcut",
            "callback_id": "give_kudos",
            "trigger_id": "555.666.ghi",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": "UANA", "username": "ana", "team_id": "T1"},
            "token": "legacy",
            "action_ts": "1700000001.000002",
            "is_enterprise_install": False,
        }
    )
    view = (await slack.fake.wait_for("views.open", 1))[0].params["view"]
    assert any(b["block_id"] == "channel" for b in view["blocks"])
    before = await snapshot(slack.app)
    cases = {
        ("UANA",): ("5", "recipients", "yourself"),
        ("UROBOT",): ("5", "recipients", "bot"),
        ("URAJ",): ("500", "amount", "between 1 and 50"),
    }
    for n, (users, (amount, field, words)) in enumerate(cases.items()):
        response = await slack.slack.interaction(
            _submission(
                view, users=list(users), amount=amount, reason=None, value=None, view_id=f"V{n}"
            )
        )
        body = response.json()
        assert body["response_action"] == "errors"
        assert words in body["errors"][field], body
    assert await snapshot(slack.app) == before


async def test_the_bots_direct_messages_take_commands(slack: SlackHarness) -> None:
    await slack.slack.message(
        "<@URAJ|raj> 4 for the onboarding buddy work", user="UANA", channel="D1", channel_type="im"
    )
    await slack.slack.message("balance", user="UANA", channel="D1", channel_type="im")
    await slack.slack.message(
        "<@USLACKBOT> 4 for reminders", user="UANA", channel="D1", channel_type="im"
    )
    posts = await slack.fake.wait_for(
        "chat.postMessage", 5
    )  # post, receipt, DM to Raj, balance, refusal
    in_dm = [everything(c) for c in posts if c.params["channel"] == "D1"]
    assert any("gave <@URAJ> *4 points*" in text for text in in_dm)
    assert any("96 points" in text for text in in_dm)
    assert any("Slackbot is a bot" in text for text in in_dm)
    assert await earned(slack.app, "URAJ") == 4


async def test_the_kudos_emoji_is_set_per_workspace(slack: SlackHarness) -> None:
    await change_settings(slack.app.services, ws(), {"reaction_emoji": ":tada:"}, OPERATOR)
    item = {"type": "message", "channel": "C1", "ts": "1700000000.000600"}
    event = {"type": "reaction_added", "user": "UANA", "item_user": "URAJ", "item": item}
    await slack.slack.event({**event, "reaction": "clap"})
    await slack.slack.event({**event, "reaction": "tada"})
    told = await slack.fake.wait_for("chat.postEphemeral", 1)
    await slack.fake.settle(0.2)
    assert len(slack.fake.calls_to("chat.postEphemeral")) == 1
    assert "You gave <@URAJ> 1 point for their message" in told[0].params["text"]
    assert await earned(slack.app, "URAJ") == 1
