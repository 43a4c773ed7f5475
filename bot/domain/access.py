"""API access tokens and webhook subscriptions: their format and rules, with no I/O.

A token reads `kudos_<prefix>_<secret>`: the prefix (8 characters, shown in listings and in the
audit log) finds its row, the secret (256 random bits) proves it. Only the SHA-256 of the whole
token is stored, so a leaked database leaks no usable token; the digest is compared in constant
time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from bot.domain.errors import InvalidSetting

Scope = Literal["read", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "admin")
TOKEN_PREFIX = "kudos_"
_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_TOKEN = re.compile(r"kudos_([a-z2-7]{8})_([A-Za-z0-9_-]{43})")
_DURATION = re.compile(r"(\d{1,5})\s*([dhw])")
MAX_TOKEN_DAYS = 3650
MAX_NAME = 100

WEBHOOK_EVENTS: tuple[str, ...] = (
    "kudos.given",
    "kudos.reversed",
    "redemption.requested",
    "redemption.decided",
    "badge.awarded",
)
MAX_WEBHOOK_URL = 2000


@dataclass(frozen=True)
class NewToken:
    """A token as created: `text` is shown once and never stored."""

    prefix: str
    text: str
    digest: str


@dataclass(frozen=True)
class ApiToken:
    """A stored token, without its secret."""

    id: int
    prefix: str
    name: str
    scope: Scope
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    created_by: str

    def state(self, now: datetime) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


def new_token() -> NewToken:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
    text = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return NewToken(prefix, text, digest(text))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def parse_token(text: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    found = _TOKEN.fullmatch(text)
    return found.group(1) if found else None


def same_digest(text: str, stored: str) -> bool:
    """Whether `text` is the token whose digest is `stored`, in constant time."""
    return hmac.compare_digest(digest(text), stored)


def check_scope(raw: str) -> Scope:
    for scope in SCOPES:
        if raw == scope:
            return scope
    raise InvalidSetting(f"A token's scope is read or admin, not {raw!r}.")


def token_lifetime(raw: str) -> timedelta:
    """`90d`, `12h`, `2w` as a duration, from an hour up to ten years."""
    found = _DURATION.fullmatch(raw.strip().casefold())
    if found is None:
        raise InvalidSetting(f"Say how long the token lasts like 90d, 12h or 2w, not {raw!r}.")
    number, unit = int(found.group(1)), found.group(2)
    lifetime = {"h": timedelta(hours=number), "d": timedelta(days=number)}.get(
        unit, timedelta(weeks=number)
    )
    if not timedelta(hours=1) <= lifetime <= timedelta(days=MAX_TOKEN_DAYS):
        raise InvalidSetting(f"A token lasts from 1h up to {MAX_TOKEN_DAYS}d.")
    return lifetime


def token_name(raw: str | None, fallback: str) -> str:
    name = " ".join((raw or "").split()) or fallback
    if len(name) > MAX_NAME:
        raise InvalidSetting(f"Keep the token's name under {MAX_NAME} characters.")
    return name


@dataclass(frozen=True)
class Webhook:
    """An endpoint that receives signed events of one workspace."""

    id: int
    url: str
    events: tuple[str, ...]
    created_at: datetime
    created_by: str


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_webhook_url(raw: str) -> str:
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSetting(f"A webhook is an http:// or https:// URL, not {raw!r}.")
    if len(url) > MAX_WEBHOOK_URL or any(c.isspace() for c in url):
        raise InvalidSetting(f"A webhook URL has no spaces and under {MAX_WEBHOOK_URL} characters.")
    return url


def check_webhook_events(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Event names from `a,b` (or a list), each once, in the documented order."""
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    wanted = {name.strip() for name in names if name.strip()}
    unknown = sorted(wanted - set(WEBHOOK_EVENTS))
    if unknown or not wanted:
        raise InvalidSetting(
            f"Webhook events are {', '.join(WEBHOOK_EVENTS)}"
            + (f"; {', '.join(unknown)} is not one of them." if unknown else ".")
        )
    return tuple(name for name in WEBHOOK_EVENTS if name in wanted)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `v1` signature: HMAC-SHA256 of `timestamp.body` under the webhook's secret, hex."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class WebhookDelivery:
    """One event for one webhook, and how sending it went."""

    id: int
    delivery_id: str
    webhook_id: int
    url: str
    event: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class OutgoingDelivery:
    """What the webhook sender needs for one attempt: where, what, and the key to sign it."""

    delivery_id: str
    event: str
    body: str
    url: str
    secret: str
    removed: bool
    state: str
