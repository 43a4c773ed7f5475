"""What every API request passes before its handler: the token (401), the token's rate limit
(429), the scope the operation needs (403), and a body that is JSON (415) of a sane size (413).
In that order, and before the handler parses anything, so a refused request does no work."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from bot import metrics
from bot.domain import errors
from bot.services.api_tokens import Grant, authenticate
from bot.services.context import ServiceContext
from bot.web.api.errors import PREFIX, error_body

log = logging.getLogger("kudos.api")

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
MAX_BODY = 64 * 1024
"""The largest body an API request may carry (a catalog item, a settings change)."""
GRANT = "kudos_grant"
"""Where the gate leaves the request's `Grant` in the ASGI scope's state."""
PUBLIC = frozenset({f"{PREFIX}/openapi.json"})


@dataclass
class RateLimiter:
    """A token bucket per API token, in this process: `burst` requests at once, refilled at
    `rate` per second. Each replica keeps its own, so N replicas allow N times the rate."""

    rate: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str) -> float:
        """0 when a request may go now (and it is counted), else the seconds to wait."""
        now = self.clock()
        tokens, since = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - since) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate


@dataclass(frozen=True)
class AdminRoute:
    methods: frozenset[str]
    path: re.Pattern[str]


class ApiGate:
    """ASGI middleware in front of the app for paths under /api/v1/."""

    def __init__(
        self,
        app: ASGIApp,
        services: ServiceContext,
        limiter: RateLimiter,
        admin_routes: Iterable[AdminRoute],
        max_body: int = MAX_BODY,
    ) -> None:
        self.app, self.services, self.limiter = app, services, limiter
        self.admin_routes = tuple(admin_routes)
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX + "/") or path in PUBLIC:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])

        async def refuse(
            status: int, code: str, message: str, extra: dict[str, str] | None = None
        ) -> None:
            metrics.REJECTED_REQUESTS.labels("api", code).inc()
            payload = error_body(code, message)
            head = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(payload)),
            ]
            head += [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
            await send({"type": "http.response.start", "status": status, "headers": head})
            await send({"type": "http.response.body", "body": payload})

        try:
            grant = await authenticate(self.services, _bearer(headers.get(b"authorization")))
        except errors.TokenRefused as refused:
            await refuse(401, "unauthorized", refused.message, {"WWW-Authenticate": "Bearer"})
            return
        except Exception:
            log.exception("could not check an API token")
            await refuse(503, "unavailable", "The database did not answer; try again shortly.")
            return
        wait = self.limiter.take(grant.token.prefix)
        if wait:
            await refuse(
                429,
                "rate_limited",
                f"Too many requests with this token: try again in {math.ceil(wait)} s.",
                {"Retry-After": str(math.ceil(wait))},
            )
            return
        method = scope["method"]
        if grant.token.scope != "admin" and any(
            method in r.methods and r.path.match(path) for r in self.admin_routes
        ):
            await refuse(
                403,
                "forbidden",
                "This needs a token with admin scope, and this one can only read.",
            )
            return
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await refuse(413, "too_large", f"Keep the body under {self.max_body // 1024} KiB.")
            return
        body = await _read(receive, self.max_body)
        if body is None:
            return  # the client went away
        if len(body) > self.max_body:
            await refuse(413, "too_large", f"Keep the body under {self.max_body // 1024} KiB.")
            return
        if body and _media_type(headers.get(b"content-type", b"")) != "application/json":
            await refuse(415, "unsupported_media_type", "Send the body as application/json.")
            return
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            await refuse(422, "invalid_request", "The body isn't UTF-8 text: send JSON in UTF-8.")
            return
        scope.setdefault("state", {})[GRANT] = grant
        await self.app(scope, _replay(body, receive), send)


def _bearer(value: bytes | None) -> str | None:
    """The token of `Authorization: Bearer <token>`; "" for another scheme (malformed)."""
    if value is None:
        return None
    scheme, _, token = value.decode("latin-1").strip().partition(" ")
    if scheme.casefold() != "bearer":
        return "?" if scheme else None
    return token.strip() or "?"


def _media_type(value: bytes) -> str:
    return value.decode("latin-1").split(";", 1)[0].strip().lower()


async def _read(receive: Any, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit or not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Any) -> Callable[[], Awaitable[dict[str, Any]]]:
    pending = True

    async def replaying() -> dict[str, Any]:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        message: dict[str, Any] = await receive()
        return message

    return replaying


def grant_of(scope: MutableMapping[str, Any]) -> Grant:
    grant: Grant = scope["state"][GRANT]
    return grant
