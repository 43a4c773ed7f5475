"""Bad input through the Slack endpoint: a clear, friendly answer and nothing written."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.adapters.conftest import SlackHarness
from tests.adapters.slack_helpers import earned, mrkdwn_and_text
from tests.support import snapshot


async def test_a_forged_signature_is_refused_and_changes_nothing(slack: SlackHarness) -> None:
    before = await snapshot(slack.app)
    body = slack.slack.command_body("<@URAJ> 50 for nothing", user="UANA")
    forged = await slack.slack.post(
        body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    unsigned = await slack.http.post(
        f"{slack.url}/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status_code == 401 and unsigned.status_code == 401
    await slack.fake.settle()
    assert await snapshot(slack.app) == before
    assert slack.fake.calls == []


async def test_a_stale_timestamp_is_refused_even_when_correctly_signed(slack: SlackHarness) -> None:
    before = await snapshot(slack.app)
    body = slack.slack.command_body("<@URAJ> 5 for replaying", user="UANA")
    stale = await slack.slack.post(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60
    )
    assert stale.status_code == 401
    await slack.fake.settle()
    assert await snapshot(slack.app) == before
    assert slack.fake.calls == []


REFUSALS = {
    "<@UANA> 5 for me": "can't give them to yourself",
    "<@UROBOT> 5 for deploying": "is a bot",
    "<@UGONE> 5 for the old days": "deactivated",
    "<@UNOBODY> 5 for existing": "I don't know anyone called",
    "<@URAJ> 0 for nothing": "between 1 and 50",
    "<@URAJ> 51 for too much": "between 1 and 50",
    "<@URAJ> 1000000000 for a lot": "between 1 and 50",
    "<@URAJ> -5 for taking": "isn't an amount",
    "5 for nobody in particular": "Who are these kudos for",
    "<@URAJ> 5 " + "very " * 900: "too long",
    "@nosuchperson 5 for the help": "I don't know anyone called",
}


@pytest.mark.parametrize("text", REFUSALS)
async def test_refused_commands_answer_the_giver_alone_and_write_nothing(
    slack_sqlite: SlackHarness, text: str
) -> None:
    slack = slack_sqlite
    await slack.slack.command("<@URAJ> 1 for warming up", user="UANA")  # the workspace exists
    await slack.fake.wait_for("response_url", 2)
    before = await snapshot(slack.app, requests=False)
    await slack.slack.command(text, user="UANA")
    reply = (await slack.fake.wait_for("response_url", 3))[-1]
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["text"].startswith("✋ ")
    assert REFUSALS[text] in reply.params["text"]
    await slack.fake.settle(0.1)
    assert await snapshot(slack.app, requests=False) == before
    assert len(slack.fake.calls_to("chat.postMessage")) == 1  # only the warm-up's DM


async def test_refused_channel_kudos_are_told_to_the_giver_alone(slack: SlackHarness) -> None:
    before = await snapshot(slack.app)
    await slack.slack.message("+5 <@UANA> me, myself", user="UANA")
    told = await slack.fake.wait_for("chat.postEphemeral", 1)
    assert told[0].params["user"] == "UANA"
    assert "yourself" in told[0].params["text"]
    await slack.fake.settle(0.1)
    assert not slack.fake.calls_to("chat.postMessage")
    after = await snapshot(slack.app)
    for table in ("kudos", "ledger_entries", "leaderboard_totals"):
        assert after[table] == before[table]


async def test_over_the_allowance_is_refused_with_what_is_left(slack: SlackHarness) -> None:
    await slack.slack.command("<@URAJ> 50 for the launch", user="UANA")
    await slack.slack.command("<@UBO> 45 for the docs", user="UANA")
    await slack.fake.wait_for("response_url", 4)
    before = await snapshot(slack.app, requests=False)
    await slack.slack.command("<@URAJ> 10 for one more", user="UANA")
    reply = (await slack.fake.wait_for("response_url", 5))[-1]
    assert "5" in reply.params["text"] and reply.params["response_type"] == "ephemeral"
    assert await snapshot(slack.app, requests=False) == before


async def test_a_redelivered_message_counts_once_even_with_a_new_event_id(
    slack: SlackHarness,
) -> None:
    event = {
        "type": "message",
        "channel": "C1",
        "user": "UANA",
        "ts": "1700000000.000400",
        "text": "+5 <@URAJ> for the review",
        "channel_type": "channel",
    }
    await slack.slack.event(event, event_id="Ev1")
    await slack.slack.event(event, event_id="Ev1", retry=1)
    await slack.slack.event(event, event_id="Ev2")  # Slack's redelivery with a fresh id
    await asyncio.gather(*(slack.slack.event(event, event_id=f"Ev{n}") for n in range(3, 8)))
    await slack.fake.settle()
    assert await earned(slack.app, "URAJ") == 5
    assert (
        len([c for c in slack.fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]) == 1
    )


async def test_a_repeated_slash_command_delivery_counts_once(slack: SlackHarness) -> None:
    body = slack.slack.command_body("<@URAJ> 5 for the review", user="UANA", trigger_id="7.7.same")
    for _ in range(3):
        assert (
            await slack.slack.post(body, "application/x-www-form-urlencoded")
        ).status_code == 200

    def public() -> list[object]:
        return [
            c
            for c in slack.fake.calls_to("response_url")
            if c.params["response_type"] == "in_channel"
        ]

    # The first delivery's public post follows its give; on a busy machine that can take longer
    # than a quiet spell of 0.3 s, so wait for it before checking that no second one comes.
    for _ in range(100):
        if public():
            break
        await asyncio.sleep(0.05)
    await slack.fake.settle()
    assert await earned(slack.app, "URAJ") == 5
    assert len(public()) == 1


async def test_a_repeated_reaction_event_counts_once(slack: SlackHarness) -> None:
    item = {"type": "message", "channel": "C1", "ts": "1700000000.000500"}
    event = {
        "type": "reaction_added",
        "user": "UANA",
        "reaction": "clap",
        "item_user": "URAJ",
        "item": item,
        "event_ts": "1700000100.000001",
    }
    await slack.slack.event(event, event_id="EvR1")
    await slack.slack.event(event, event_id="EvR1", retry=1)
    await slack.fake.settle()
    assert await earned(slack.app, "URAJ") == 1


async def test_echoed_text_cannot_ping_or_format(slack: SlackHarness) -> None:
    slack.fake.user("T1", "UEVE", "Eve", display_name="<!here> Eve *bold*")
    text = (
        "<@URAJ> 5 for <!channel> <!here> *bold* _it_ ~gone~ `code` "
        "<https://evil.example|click here> &lt;script&gt; thanks <@UEVE>"
    )
    await slack.slack.command(text, user="UANA")
    public = (await slack.fake.wait_for("response_url", 1))[0].params
    for markup in mrkdwn_and_text(public):
        assert "<!channel>" not in markup and "<!here>" not in markup
        assert "evil.example" not in markup and "<@UEVE>" not in markup
    reason = public["blocks"][1]["text"]
    assert reason["type"] == "plain_text"
    assert reason["text"] == (
        "“@channel @here *bold* _it_ ~gone~ `code` click here (https://evil.example) "
        "<script> thanks @<!here> Eve *bold*”"
    )
    await slack.slack.command("<@UEVE> 5 for the pun", user="UANA")  # Eve's name in a reply
    await slack.fake.wait_for("response_url", 4)
    slack.fake.user("T1", "UEVIL", "<!channel>", bot=True)
    await slack.slack.command("<@UEVIL> 5 for nothing", user="UANA")
    refusal = (await slack.fake.wait_for("response_url", 5))[-1].params["text"]
    assert "<!channel>" not in refusal and "&lt;!channel&gt;" in refusal


async def test_an_oversized_request_is_refused_before_it_is_read(slack: SlackHarness) -> None:
    before = await snapshot(slack.app)
    body = slack.slack.command_body("<@URAJ> 5 for " + "x" * (2 * 1024 * 1024), user="UANA")
    response = await slack.slack.post(body, "application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert await snapshot(slack.app) == before
    assert slack.fake.calls == []


async def test_the_ack_comes_before_any_slow_work(slack: SlackHarness) -> None:
    await slack.slack.command("help", user="UANA")  # bolt checks the token once (auth.test)
    await slack.fake.wait_for("response_url", 1)
    slack.fake.gate = asyncio.Event()  # every Web API call now hangs until we open it
    try:
        response = await asyncio.wait_for(
            slack.slack.command("<@URAJ> 5 for patience", user="UANA"), 5
        )
        assert response.status_code == 200
        assert await earned(slack.app, "URAJ") == 0  # acknowledged, not yet done
    finally:
        slack.fake.gate.set()
    await slack.fake.wait_for("response_url", 3)
    assert await earned(slack.app, "URAJ") == 5


async def test_rate_limited_calls_are_retried_after_retry_after(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", 429, **{"Retry-After": "1"})
    await slack.slack.message("+5 <@URAJ> for the retro", user="UANA")
    await slack.fake.wait_for("chat.postMessage", 2)  # the DM and the threaded reply
    methods = [c.method for c in slack.fake.calls]
    assert "chat.postMessage!429" in methods
    assert methods.index("chat.postMessage!429") < methods.index("chat.postMessage")
