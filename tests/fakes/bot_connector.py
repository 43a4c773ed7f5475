"""A local HTTP server playing the Bot Framework connector at an activity's `serviceUrl`: it
records the bot's replies and its updates of earlier activities, and answers member lookups."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass
class Sent:
    conversation: str
    reply_to: str | None
    activity: dict[str, Any]
    authorization: str | None = None
    id: str = ""
    """The id the connector gave the activity (what the bot can later update it by)."""
    size: int = 0
    """Bytes of the request body, as the bot sent it."""

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        return None


class FakeConnector:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.updated: list[Sent] = []
        """PUTs of an activity the bot posted before (`reply_to` holds the activity's id)."""
        self.members: list[dict[str, Any]] = []
        self.delay = 0.0
        """Seconds each reply waits before it is answered."""
        self.status = 200
        """How replies are answered (an error status records nothing)."""
        self.url = ""
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conv}/activities/{reply_to}", self._activity)
        app.router.add_post("/v3/conversations/{conv}/activities", self._activity)
        app.router.add_put("/v3/conversations/{conv}/activities/{activity_id}", self._update)
        app.router.add_get("/v3/conversations/{conv}/pagedmembers", self._members)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _activity(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw)
        await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.json_response({"error": {"code": "Unavailable"}}, status=self.status)
        activity_id = f"reply-{next(self._ids)}"
        async with self._changed:
            self.sent.append(
                Sent(
                    request.match_info["conv"],
                    request.match_info.get("reply_to"),
                    body,
                    request.headers.get("Authorization"),
                    activity_id,
                    len(raw),
                )
            )
            self._changed.notify_all()
        return web.json_response({"id": activity_id})

    async def _update(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        async with self._changed:
            self.updated.append(
                Sent(
                    request.match_info["conv"],
                    request.match_info["activity_id"],
                    body,
                    request.headers.get("Authorization"),
                )
            )
            self._changed.notify_all()
        return web.json_response({"id": request.match_info["activity_id"]})

    async def _members(self, request: web.Request) -> web.Response:
        return web.json_response({"members": self.members})

    async def wait_for(self, count: int, within: float = 10) -> list[Sent]:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.sent) >= count), within)
        return self.sent

    async def wait_for_updates(self, count: int, within: float = 10) -> list[Sent]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.updated) >= count), within
            )
        return self.updated
