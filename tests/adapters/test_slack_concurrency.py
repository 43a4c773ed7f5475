"""Many requests at once through the real endpoint: the ledger stays exact."""

from __future__ import annotations

import asyncio

from bot.services.ledger import verify_ledger
from tests.adapters.conftest import SlackHarness
from tests.adapters.slack_helpers import earned, left


async def test_fifty_concurrent_commands_from_one_giver_spend_the_allowance_exactly_once(
    slack: SlackHarness,
) -> None:
    responses = await asyncio.gather(
        *(
            slack.slack.command(f"<@URAJ> 10 for attempt {n}", user="UANA", trigger_id=f"t.{n}")
            for n in range(50)
        )
    )
    assert all(r.status_code == 200 for r in responses)
    # every command gets its answer: 10 public posts + 10 receipts, and 40 refusals
    replies = await slack.fake.wait_for("response_url", 60, within=60)
    public = [c for c in replies if c.params["response_type"] == "in_channel"]
    refused = [c for c in replies if c.params["text"].startswith("✋")]
    assert (len(public), len(refused)) == (10, 40)
    assert all("That needs 10 points but you have" in c.params["text"] for c in refused)
    assert await earned(slack.app, "URAJ") == 100
    assert await left(slack.app, "UANA") == 0
    assert await verify_ledger(slack.app.services, None) == []
