"""Dashboard sessions in signed cookies, and the CSRF checks every form post passes.

The cookie holds a small JSON document signed with KUDOS_SESSION_SECRET (itsdangerous): who is
signed in, since when, their CSRF token, a message for the next page, and an OpenID Connect
sign-in in progress. It is `HttpOnly` and `SameSite=Lax`, and `Secure` (named with the
`__Host-` prefix) when the request came over https or KUDOS_ENV=production. A sign-in lasts
`lifetime` from the moment it was made, however busy the person is; signing out forgets it.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
PLAIN_COOKIE = "kudos_session"
SECURE_COOKIE = "__Host-kudos_session"
SALT = "kudos.dashboard.session"


@dataclass(frozen=True)
class SessionSettings:
    secret: str
    lifetime_seconds: int
    always_secure: bool
    """Production: the cookie is Secure even when a proxy forgot to say it was https."""


class Sessions:
    """ASGI middleware: `scope["session"]` is the signed cookie's dict (empty when absent,
    tampered with or older than the lifetime), written back only when it changed."""

    def __init__(self, app: ASGIApp, settings: SessionSettings) -> None:
        self.app = app
        self.settings = settings
        self.signer = URLSafeTimedSerializer(settings.secret, salt=SALT)

    def secure(self, scope: dict[str, Any]) -> bool:
        return self.settings.always_secure or scope.get("scheme") == "https"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.secure(scope)
        name = SECURE_COOKIE if secure else PLAIN_COOKIE
        session = self._load(scope, name)
        scope["session"] = session
        before = json.dumps(session, sort_keys=True)

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                now = scope["session"]
                if json.dumps(now, sort_keys=True) != before:
                    headers = list(message.get("headers") or [])
                    headers.append((b"set-cookie", self._cookie(name, now, secure).encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)

    def _load(self, scope: dict[str, Any], name: str) -> dict[str, Any]:
        cookies = SimpleCookie()
        for key, value in scope.get("headers") or []:
            if key == b"cookie":
                try:
                    cookies.load(value.decode("latin-1"))
                except Exception:  # a malformed Cookie header: no session
                    return {}
        morsel = cookies.get(name)
        if morsel is None:
            return {}
        try:
            data = self.signer.loads(morsel.value, max_age=self.settings.lifetime_seconds)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def _cookie(self, name: str, session: dict[str, Any], secure: bool) -> str:
        attributes = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        if not session:
            return f"{name}=; Max-Age=0{attributes}"
        value = self.signer.dumps(session)
        return f"{name}={value}; Max-Age={self.settings.lifetime_seconds}{attributes}"


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_matches(session: dict[str, Any], given: str | None) -> bool:
    expected = session.get("csrf")
    return (
        isinstance(expected, str)
        and isinstance(given, str)
        and hmac.compare_digest(expected.encode(), given.encode())
    )


def same_origin(headers: dict[str, str], own: set[str]) -> bool:
    """Whether a state-changing request comes from one of our own pages: its Origin (or, when a
    browser sent none, its Referer's origin) is one of `own`. Neither header: refused."""
    origin = headers.get("origin")
    if origin is None or origin == "null":
        referer = headers.get("referer")
        if not referer:
            return False
        parts = referer.split("/")
        origin = "/".join(parts[:3]) if len(parts) >= 3 else ""
    return origin.rstrip("/").lower() in own


def signed_in_at(session: dict[str, Any]) -> float | None:
    user = session.get("user")
    if isinstance(user, dict) and isinstance(user.get("at"), int | float):
        return float(user["at"])
    return None


def expired(session: dict[str, Any], lifetime_seconds: int) -> bool:
    at = signed_in_at(session)
    return at is None or time.time() - at > lifetime_seconds
