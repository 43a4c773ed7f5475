"""Bot Framework tokens on `POST /api/messages`, checked without ever blocking the event loop.

botframework-connector's `JwtTokenValidation` fetches Bot Framework's signing keys with blocking
`requests` calls on the event loop (while they run, nothing else is served, `/healthz` included),
and fetches them on the request path. So Kudos checks incoming tokens itself, step by step as
Bot Framework documents it ("Authentication with the Bot Connector API"): a Bearer JWT issued by
`https://api.botframework.com` for this bot's app id, within its lifetime (five minutes of clock
skew), signed with RS256 by a published key that is endorsed for the activity's channel, whose
`serviceurl` claim is the activity's serviceUrl. The keys come from `SigningKeys`, which fetches
them with aiohttp, caches them, refreshes them in the background, and fetches on demand at most
once at a time and at most once per `KeyPolicy.unknown_key_interval`, however many requests name
a key it does not know. Nothing here imports botbuilder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("kudos.teams")

BOT_FRAMEWORK_OPENID_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
ALGORITHMS = ("RS256",)
"""What Bot Framework's metadata lists in `id_token_signing_alg_values_supported`."""
CLOCK_SKEW_SECONDS = 300
MAX_DOCUMENT_BYTES = 1024 * 1024


class TokenRefused(Exception):
    """The request does not carry a token Kudos accepts; `status` is the HTTP answer."""

    status = 401
    answer = "unauthorized"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotEndorsed(TokenRefused):
    """Signed with a key Bot Framework has not endorsed for the activity's channel."""

    status = 403
    answer = "forbidden"


class KeysUnavailable(TokenRefused):
    """No signing keys yet and Bot Framework's key server did not give any: Teams may retry."""

    status = 503
    answer = "cannot check Bot Framework tokens right now"


class KeyFetchFailed(Exception):
    """Bot Framework's key server did not answer with usable keys."""


@dataclass(frozen=True)
class KeyPolicy:
    """How signing keys are cached. Seconds throughout."""

    refresh_every: float = 12 * 3600
    """Background refresh after a successful fetch (the keys change rarely, with overlap)."""
    unknown_key_interval: float = 300
    """After a successful fetch, a token naming a key not in it fetches again only this late."""
    retry_after_failure: float = 30
    """After a failed fetch, the next one (on demand or in the background) waits this long."""
    timeout: float = 5
    """For the whole fetch: the metadata document and the key set."""


@dataclass(frozen=True)
class SigningKey:
    public_key: Any
    endorsements: frozenset[str]


class SigningKeys:
    """Bot Framework's token-signing keys, published at an OpenID metadata URL (its `jwks_uri`).

    Fetched with aiohttp, so a slow key server never stalls the event loop; one fetch at a time
    (every caller that needs the keys meanwhile waits for that one); refreshed in the background
    every `refresh_every` once first used; fetched on demand only when a token names a key not in
    the cache and the last fetch is older than `unknown_key_interval` (`retry_after_failure` after
    a failure), so a flood of tokens naming made-up keys costs at most one fetch per interval.
    """

    def __init__(self, metadata_url: str, policy: KeyPolicy | None = None) -> None:
        self.metadata_url = metadata_url
        self.policy = policy or KeyPolicy()
        self._keys: dict[str, SigningKey] = {}
        self._loaded = False
        self._next_on_demand = 0.0
        self._next_background = 0.0
        self._inflight: asyncio.Future[None] | None = None
        self._refresher: asyncio.Task[None] | None = None

    async def get(self, key_id: str) -> SigningKey:
        """The key `key_id`; refused when Bot Framework does not publish it."""
        self._start_refresher()
        key = self._keys.get(key_id)
        if key is None and (self._inflight is not None or time.monotonic() >= self._next_on_demand):
            with contextlib.suppress(KeyFetchFailed):
                await self.refresh()
            key = self._keys.get(key_id)
        if key is not None:
            return key
        if not self._loaded:
            raise KeysUnavailable("Bot Framework's signing keys could not be fetched")
        raise TokenRefused(f"signed with a key Bot Framework does not publish ({key_id[:60]!r})")

    async def refresh(self) -> None:
        """Fetch the keys now, or wait for the fetch already under way."""
        if self._inflight is None:
            self._inflight = asyncio.ensure_future(self._fetch())
            self._inflight.add_done_callback(self._fetch_done)
        await asyncio.shield(self._inflight)

    async def close(self) -> None:
        """Stop the background refresh and any fetch under way."""
        for task in (self._refresher, self._inflight):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, KeyFetchFailed):
                    await task
        self._refresher = None

    def _fetch_done(self, fetch: asyncio.Future[None]) -> None:
        self._inflight = None
        if not fetch.cancelled():
            fetch.exception()  # seen here, raised to whoever awaits it

    def _start_refresher(self) -> None:
        if self._refresher is None:
            self._refresher = asyncio.create_task(
                self._refresh_in_background(), name="kudos-teams-signing-keys"
            )

    async def _refresh_in_background(self) -> None:
        while True:
            await asyncio.sleep(max(0.0, self._next_background - time.monotonic()))
            if time.monotonic() >= self._next_background:
                with contextlib.suppress(KeyFetchFailed):
                    await self.refresh()

    async def _fetch(self) -> None:
        try:
            timeout = aiohttp.ClientTimeout(total=self.policy.timeout)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                metadata = await _json(session, self.metadata_url)
                jwks_uri = metadata.get("jwks_uri")
                if not isinstance(jwks_uri, str):
                    raise ValueError("the metadata document names no jwks_uri")
                keys = _parse_keys(await _json(session, jwks_uri))
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            now = time.monotonic()
            self._next_on_demand = self._next_background = now + self.policy.retry_after_failure
            reason = str(exc) or type(exc).__name__
            log.warning(
                "could not fetch Bot Framework's signing keys (%s): %s", self.metadata_url, reason
            )
            raise KeyFetchFailed(reason) from exc
        now = time.monotonic()
        self._keys, self._loaded = keys, True
        self._next_on_demand = now + self.policy.unknown_key_interval
        self._next_background = now + self.policy.refresh_every
        log.info("fetched %d Bot Framework signing keys from %s", len(keys), self.metadata_url)


async def _json(session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    body = bytearray()
    async with session.get(url) as response:
        if response.status != 200:
            raise ValueError(f"{url} answered HTTP {response.status}")
        async for chunk in response.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > MAX_DOCUMENT_BYTES:
                raise ValueError(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    document = json.loads(body)
    if not isinstance(document, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return document


def _parse_keys(jwks: dict[str, Any]) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    for jwk in jwks.get("keys") or []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid"):
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
        except (jwt.InvalidKeyError, ValueError, TypeError):
            continue
        endorsements = frozenset(str(e) for e in jwk.get("endorsements") or [])
        keys[str(jwk["kid"])] = SigningKey(public_key, endorsements)
    if not keys:
        raise ValueError("the key set holds no usable RSA keys")
    return keys


class BotFrameworkTokens:
    """Checks the token on an activity from the Bot Framework service for one bot."""

    def __init__(self, app_id: str, keys: SigningKeys, issuer: str = BOT_FRAMEWORK_ISSUER) -> None:
        self.app_id, self.keys, self.issuer = app_id, keys, issuer

    async def claims(self, auth_header: str, channel_id: str, service_url: str) -> dict[str, Any]:
        """The token's claims, or TokenRefused saying why not. Cheap checks come first, so a
        malformed or foreign token never causes a key fetch."""
        scheme, _, token = auth_header.strip().partition(" ")
        token = token.strip()
        if scheme != "Bearer" or not token:
            raise TokenRefused("no Bearer token")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"not a JWT ({exc})") from exc
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenRefused(f"signing algorithm {str(algorithm)[:20]!r} is not accepted")
        if unverified.get("iss") != self.issuer:
            raise TokenRefused(f"not issued by {self.issuer}")
        key_id = header.get("kid")
        if not isinstance(key_id, str) or not key_id:
            raise TokenRefused("the token names no signing key")
        key = await self.keys.get(key_id)
        if key.endorsements and channel_id and channel_id not in key.endorsements:
            raise NotEndorsed(f"the signing key is not endorsed for channel {channel_id[:40]!r}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=[algorithm],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenRefused(str(exc) or type(exc).__name__) from exc
        if claims.get("serviceurl") != service_url:
            raise TokenRefused("the token's serviceurl is not the activity's serviceUrl")
        return claims
