"""The ASGI app served by `kudos serve`: Slack's endpoint, health, metrics, the JSON API, and
the dashboard at `/` (mounted last: every other route comes first)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

import bot
from bot import metrics
from bot.web.api import Api, install
from bot.web.pages import privacy_page, terms_page

HEALTH_TIMEOUT_SECONDS = 2.0
API_PREFIX = "/api/"
Endpoint = Callable[[Request], Awaitable[Response]]
MAX_BODY_BYTES = 1024 * 1024
"""Slack's largest payloads (a message with many blocks) stay well below this."""

SLACK_MEDIA_TYPES = frozenset({"application/x-www-form-urlencoded", "application/json"})
"""Slash commands and interactivity come as forms, events as JSON."""
TEAMS_MEDIA_TYPES = frozenset({"application/json"})

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def media_type(content_type: str) -> str:
    """`application/json; charset=utf-8` -> `application/json`."""
    return content_type.split(";", 1)[0].strip().lower()


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
    """Refuses, before the app sees a request: a body over `max_bytes` with 413 (declared in
    Content-Length, or found while reading a chunked body, reading no further than one chunk
    past the limit), and a POST to a route in `media_types` with another content type with 415.
    Each refusal is counted in `kudos_rejected_requests_total`. Counts every request (route,
    status, latency) for /metrics."""

    def __init__(
        self,
        app: ASGIApp,
        routes: set[str],
        media_types: dict[str, frozenset[str]] | None = None,
        max_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app, self.routes, self.max_bytes = app, routes, max_bytes
        self.media_types = media_types or {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        route = scope["path"] if scope["path"] in self.routes else "other"
        status = 500

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        async def refuse(code: int, reason: str, error: str) -> None:
            metrics.REJECTED_REQUESTS.labels(route, reason).inc()
            await _send_json(sending, code, {"error": error, "code": reason})

        try:
            headers = dict(scope.get("headers") or [])
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
                await refuse(413, "too_large", f"request body over {self.max_bytes} bytes")
                return
            allowed = self.media_types.get(scope["path"])
            if allowed is not None and scope["method"] == "POST":
                given = media_type(headers.get(b"content-type", b"").decode("latin-1"))
                if given not in allowed:
                    await refuse(
                        415, "unsupported_media_type", f"expected {' or '.join(sorted(allowed))}"
                    )
                    return
            body = await self._read(receive)
            if body is None:
                status = 499  # the client went away before sending its whole body
                return
            if len(body) > self.max_bytes:
                await refuse(413, "too_large", f"request body over {self.max_bytes} bytes")
                return
            await self.app(scope, _replay(body, receive), sending)
        finally:
            metrics.HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(route).observe(time.perf_counter() - started)

    async def _read(self, receive: Any) -> bytes | None:
        """The whole body, or as much as exceeds the limit (None: the client disconnected)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes or not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Any) -> Callable[[], Awaitable[dict[str, Any]]]:
    """An ASGI `receive` that hands out the body already read, then waits as `receive` does
    (for the client to disconnect)."""
    pending = True

    async def replaying() -> dict[str, Any]:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        message: dict[str, Any] = await receive()
        return message

    return replaying


class _Elsewhere:
    """The dashboard answers every path no other route has; a route's path asked with a
    method it does not take stays 405, as it would without the dashboard, and an unknown path
    under the JSON API stays a JSON 404."""

    def __init__(self, app: Any, others: list[BaseRoute]) -> None:
        self.app, self.others = app, others

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            if any(route.matches(scope)[0] == Match.PARTIAL for route in self.others):
                body = {
                    "error": f"{scope['method']} is not allowed here.",
                    "code": "method_not_allowed",
                }
                await _send_json(send, 405, body)
                return
            if scope["path"].startswith(API_PREFIX):
                body = {"error": "There is no such API path.", "code": "not_found"}
                await _send_json(send, 404, body)
                return
        await self.app(scope, receive, send)


def create_app(
    ping: Callable[[], Awaitable[None]],
    slack: Endpoint | None = None,
    slack_oauth: bool = False,
    teams: Endpoint | None = None,
    dashboard: Any = None,
    api: Api | None = None,
) -> Any:
    """The HTTP app. `ping` checks that the database answers; `slack` handles Slack's requests
    (None: Slack is off); `slack_oauth` serves the install pages too; `teams` handles Bot
    Framework activities (None: Teams is off); `api` serves the JSON API (None: off);
    `dashboard` answers everything else."""
    app = FastAPI(
        title="Kudos",
        version=bot.__version__,
        description="Recognition, rewards and learning in Slack and Teams: the JSON API. "
        "Authentication, scopes, errors, pagination and rate limits: docs/api.md.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    gate = install(app, api) if api is not None else None

    @app.get(
        "/healthz",
        tags=["ops"],
        responses={
            200: {"content": {"application/json": {"schema": {"type": "object"}}}},
            503: {
                "description": "The database does not answer.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
        },
    )
    async def healthz() -> JSONResponse:
        """200 when the service and its database answer (within 2 seconds), 503 otherwise.
        HEAD works too, for load balancers that check with it."""
        try:
            await asyncio.wait_for(ping(), HEALTH_TIMEOUT_SECONDS)
        except TimeoutError:
            return JSONResponse({"status": "unhealthy", "database": "no answer in time"}, 503)
        except Exception as exc:  # any database failure means "not healthy"
            return JSONResponse({"status": "unhealthy", "database": str(exc)[:200]}, 503)
        return JSONResponse({"status": "ok", "version": bot.__version__})

    app.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)

    @app.get(
        "/metrics",
        tags=["ops"],
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
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
    if dashboard is not None:
        app.mount("/", _Elsewhere(dashboard, list(app.routes)), name="dashboard")
    routes.add("/")
    media_types: dict[str, frozenset[str]] = {}
    if slack is not None:
        media_types["/slack/events"] = SLACK_MEDIA_TYPES
    if teams is not None:
        media_types["/api/messages"] = TEAMS_MEDIA_TYPES
    return Guard(gate(app) if gate else app, routes, media_types)
