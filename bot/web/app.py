"""The ASGI app served by `kudos serve`: Slack's endpoint, health, metrics, the JSON API."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

import bot
from bot import metrics
from bot.web.pages import privacy_page, terms_page

Endpoint = Callable[[Request], Awaitable[Response]]
MAX_BODY_BYTES = 1024 * 1024
"""Slack's largest payloads (a message with many blocks) stay well below this."""

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class _TooLarge(Exception):
    pass


async def _send_json(send: Any, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(payload)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class Guard:
    """Refuses bodies over `max_bytes` with 413 before anything reads them, and counts every
    request (route, status, latency) for /metrics."""

    def __init__(self, app: ASGIApp, routes: set[str], max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.routes, self.max_bytes = app, routes, max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        route = scope["path"] if scope["path"] in self.routes else "other"
        status = 500
        response_started = False

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
            await send(message)

        received = 0

        async def receiving() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            length = dict(scope.get("headers") or []).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
                raise _TooLarge()
            await self.app(scope, receiving, sending)
        except _TooLarge:
            if not response_started:
                await _send_json(
                    sending, 413, {"error": f"request body over {self.max_bytes} bytes"}
                )
        finally:
            metrics.HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(route).observe(time.perf_counter() - started)


def create_app(
    ping: Callable[[], Awaitable[None]],
    slack: Endpoint | None = None,
    slack_oauth: bool = False,
    teams: Endpoint | None = None,
) -> Any:
    """The HTTP app. `ping` checks that the database answers; `slack` handles Slack's requests
    (None: Slack is off); `slack_oauth` serves the install pages too; `teams` handles Bot
    Framework activities (None: Teams is off)."""
    app = FastAPI(
        title="Kudos",
        version=bot.__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> JSONResponse:
        """200 when the service and its database answer, 503 otherwise."""
        try:
            await ping()
        except Exception as exc:  # any database failure means "not healthy"
            return JSONResponse({"status": "unhealthy", "database": str(exc)[:200]}, 503)
        return JSONResponse({"status": "ok", "version": bot.__version__})

    @app.get("/metrics", tags=["ops"])
    async def prometheus() -> Response:
        """Prometheus metrics: requests, latency, kudos given, refusals, errors."""
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.get("/privacy", include_in_schema=False)
    async def privacy() -> HTMLResponse:
        """What Kudos stores (the Teams manifest's privacy link)."""
        return HTMLResponse(privacy_page())

    @app.get("/terms", include_in_schema=False)
    async def terms() -> HTMLResponse:
        """The terms of use (the Teams manifest's terms link)."""
        return HTMLResponse(terms_page())

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Slack's events, slash commands, shortcuts and modal submissions (signed)."""
        if slack is None:
            return JSONResponse({"error": "Slack is not configured on this server"}, 404)
        return await slack(request)

    @app.post("/api/messages", include_in_schema=False)
    async def teams_activities(request: Request) -> Response:
        """Bot Framework activities from Teams (or the Emulator)."""
        if teams is None:
            return JSONResponse({"error": "Teams is not configured on this server"}, 404)
        return await teams(request)

    if slack is not None and slack_oauth:
        app.add_api_route("/slack/install", slack, methods=["GET"], include_in_schema=False)
        app.add_api_route("/slack/oauth_redirect", slack, methods=["GET"], include_in_schema=False)

    routes = {getattr(r, "path", "") for r in app.routes}
    return Guard(app, routes)
