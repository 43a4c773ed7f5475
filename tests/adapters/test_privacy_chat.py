"""`privacy leaderboard off` through the real Slack and Teams endpoints: the person is told
where they stand; afterwards a kudos to them is not announced in the channel (they still get
it, and hear of it directly), and `top` leaves them out."""

from __future__ import annotations

from typing import Any

from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.queries import show_balance
from tests.adapters.conftest import SlackHarness, TeamsHarness
from tests.adapters.slack_helpers import earned, everything
from tests.fakes.teams_sender import BO, RAJ, TENANT, activity, mention


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
