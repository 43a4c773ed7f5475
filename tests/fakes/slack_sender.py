"""The Slack side of our endpoint: requests shaped and signed exactly as Slack sends them."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
APP_ID = "AKUDOS"
_ids = itertools.count(1)


class SlackSender:
    """Posts signed slash commands, events and interactions to `POST /slack/events`."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, fake: FakeSlack) -> None:
        self.http, self.base_url, self.fake = http, base_url, fake
        self.signer = SignatureVerifier(SIGNING_SECRET)

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        raw = body.encode()
        sig = signature or self.signer.generate_signature(timestamp=ts, body=raw)
        return await self.http.post(
            f"{self.base_url}/slack/events",
            content=raw,
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sig,
                **(headers or {}),
            },
        )

    def command_body(
        self,
        text: str,
        *,
        user: str,
        team: str = "T1",
        channel: str = "C1",
        command: str = "/kudos",
        trigger_id: str | None = None,
    ) -> str:
        n = next(_ids)
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": team,
                "team_domain": team.lower(),
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": APP_ID,
                "is_enterprise_install": "false",
                "response_url": self.fake.response_url(f"{team}-{n}"),
                "trigger_id": trigger_id or f"{n}.{n}.trigger{n}",
            }
        )

    async def command(self, text: str, **kw: Any) -> httpx.Response:
        return await self.post(self.command_body(text, **kw), "application/x-www-form-urlencoded")

    def event_body(
        self, event: dict[str, Any], *, team: str = "T1", event_id: str | None = None
    ) -> str:
        n = next(_ids)
        return json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": team,
                "api_app_id": APP_ID,
                "event": {"event_ts": f"{int(time.time())}.{n:06d}", **event},
                "type": "event_callback",
                "event_id": event_id or f"Ev{n:08d}",
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": team,
                        "user_id": f"UBOT{team}",
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
                "event_context": f"4-eyJldCI6Im1lc3NhZ2Ui{n}",
            }
        )

    async def event(
        self,
        event: dict[str, Any],
        *,
        team: str = "T1",
        event_id: str | None = None,
        retry: int | None = None,
    ) -> httpx.Response:
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        return await self.post(
            self.event_body(event, team=team, event_id=event_id),
            "application/json",
            headers=headers,
        )

    async def message(
        self,
        text: str,
        *,
        user: str,
        team: str = "T1",
        channel: str = "C1",
        ts: str | None = None,
        **extra: Any,
    ) -> tuple[httpx.Response, str]:
        ts = ts or f"{int(time.time())}.{next(_ids):06d}"
        event = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "team": team,
            "channel_type": "channel",
            "client_msg_id": f"c{ts}",
            **extra,
        }
        return await self.event(event, team=team), ts

    async def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
