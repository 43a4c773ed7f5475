"""A local HTTP server playing another system's webhook endpoint: it records each call (its
headers and exact body) and answers with the statuses a test scripts, then 200."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class WebhookReceiver:
    calls: list[Call] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    """Statuses for the next calls, in order; 200 once they run out."""
    retry_after: str | None = None
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._receive)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        status = self.answers.pop(0) if self.answers else 200
        self.calls.append(Call(dict(request.headers), await request.read(), status))
        headers = {"Retry-After": self.retry_after} if self.retry_after and status == 429 else {}
        return web.Response(status=status, text="ok" if status < 300 else "nope", headers=headers)

    async def wait_for_calls(self, count: int, within: float = 10.0) -> None:
        """Until `count` calls arrived, whatever they were answered."""
        deadline = asyncio.get_running_loop().time() + within
        while len(self.calls) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{len(self.calls)} of {count} calls arrived")
            await asyncio.sleep(0.01)

    def delivered(self) -> list[Call]:
        return [c for c in self.calls if 200 <= c.status < 300]

    async def wait_for(self, count: int, within: float = 10.0) -> list[Call]:
        """Until `count` calls were answered with a 2xx."""
        deadline = asyncio.get_running_loop().time() + within
        while len(self.delivered()) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{len(self.delivered())} of {count} deliveries arrived")
            await asyncio.sleep(0.01)
        return self.delivered()
