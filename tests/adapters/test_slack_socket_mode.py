"""Socket Mode: the same listeners, fed over a WebSocket instead of HTTP."""

from __future__ import annotations

from urllib.parse import parse_qsl

from bot.bootstrap import build
from bot.config import Settings
from tests.adapters.slack_helpers import earned
from tests.conftest import FakeClock
from tests.fakes.slack_api import FakeSlack, token_for
from tests.fakes.slack_sender import SlackSender


async def test_socket_mode_receives_a_command_acks_it_and_gives(
    sqlite_url: str, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    settings = Settings(
        DATABASE_URL=sqlite_url,
        SLACK_BOT_TOKEN=token_for("T1"),
        SLACK_APP_TOKEN="xapp-1-AKUDOS-1-secret",
        SLACK_API_URL=fake_slack.url,
    )
    app = await build(settings, clock=clock, migrate=False)
    try:
        assert app.slack is not None and app.slack.http is None  # no signing secret: no HTTP
        app.start()
        await app.slack.start_socket_mode()
        form = SlackSender(None, "", fake_slack).command_body(  # type: ignore[arg-type]
            "<@URAJ> 6 for the socket work", user="UANA"
        )
        await fake_slack.send_envelope(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "payload": dict(parse_qsl(form)),
                "accepts_response_payload": True,
            }
        )
        acks = await fake_slack.wait_for("socket_ack", 1)
        assert acks[0].params["envelope_id"] == "env-1"
        replies = await fake_slack.wait_for("response_url", 2)
        assert replies[0].params["response_type"] == "in_channel"
        assert await earned(app, "URAJ") == 6
        opened = fake_slack.calls_to("apps.connections.open")
        assert opened and opened[0].token == "xapp-1-AKUDOS-1-secret"
    finally:
        await app.close()
