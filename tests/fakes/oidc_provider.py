"""A local OpenID Connect provider playing Sign in with Slack or Microsoft Entra ID: discovery,
keys (JWKS), an authorization endpoint that signs in whoever the test says is at the keyboard,
and a token endpoint that hands out RS256-signed ID tokens.

Point the dashboard's issuer setting at `issuer` (SLACK_SIGNIN_ISSUER, ENTRA_SIGNIN_ISSUER).
Like Entra ID's multi-tenant endpoint, `tenant_template=True` publishes an issuer with a
`{tenantid}` placeholder and signs tokens whose `iss` names the user's own tenant.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "kudos-dashboard"
CLIENT_SECRET = "dashboard-client-secret"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Pending:
    claims: dict[str, Any]
    nonce: str | None
    redirect_uri: str
    challenge: str | None


@dataclass
class FakeOpenIdProvider:
    """`user` are the claims of whoever signs in next; `tamper` overrides claims of the next
    ID token (a wrong audience, a stale nonce); `sign_with_unknown_key` signs it with a key
    the JWKS does not publish."""

    tenant_template: bool = False
    user: dict[str, Any] = field(default_factory=dict)
    tamper: dict[str, Any] = field(default_factory=dict)
    sign_with_unknown_key: bool = False
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""
    _codes: dict[str, Pending] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def issuer(self) -> str:
        """What the dashboard is configured with (discovery lives under it)."""
        return f"{self.base}/organizations/v2.0" if self.tenant_template else self.base

    def token_issuer(self, claims: dict[str, Any]) -> str:
        if self.tenant_template:
            return f"{self.base}/{claims.get('tid', 'none')}/v2.0"
        return self.base

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{prefix:.*}.well-known/openid-configuration", self._discovery)
        app.router.add_get("/jwks", self._jwks)
        app.router.add_get("/authorize", self._authorize)
        app.router.add_post("/token", self._token)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _discovery(self, request: web.Request) -> web.Response:
        issuer = f"{self.base}/{{tenantid}}/v2.0" if self.tenant_template else self.base
        return web.json_response(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{self.base}/authorize",
                "token_endpoint": f"{self.base}/token",
                "jwks_uri": f"{self.base}/jwks",
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        numbers = self.key.public_key().public_numbers()
        key = {"kty": "RSA", "use": "sig", "kid": "k1", "alg": "RS256"}
        key |= {"n": _b64(numbers.n), "e": _b64(numbers.e)}
        return web.json_response({"keys": [key]})

    async def _authorize(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.requests.append(("authorize", query))
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return web.Response(status=400, text="bad authorization request")
        code = secrets.token_urlsafe(16)
        self._codes[code] = Pending(
            dict(self.user), query.get("nonce"), query["redirect_uri"], query.get("code_challenge")
        )
        back = {"code": code, "state": query.get("state", "")}
        raise web.HTTPFound(f"{query['redirect_uri']}?{urlencode(back)}")

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.requests.append(("token", {k: str(v) for k, v in form.items()}))
        pending = self._codes.pop(str(form.get("code")), None)
        if (
            pending is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != pending.redirect_uri
        ):
            return web.json_response({"error": "invalid_grant"}, status=400)
        if pending.challenge is not None:
            verifier = str(form.get("code_verifier", ""))
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != pending.challenge:
                return web.json_response({"error": "invalid_grant"}, status=400)
        now = int(time.time())
        claims = {
            "iss": self.token_issuer(pending.claims),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            **({"nonce": pending.nonce} if pending.nonce else {}),
            **pending.claims,
            **self.tamper,
        }
        key = self.stranger if self.sign_with_unknown_key else self.key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        return web.json_response(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "id_token": id_token,
            }
        )
