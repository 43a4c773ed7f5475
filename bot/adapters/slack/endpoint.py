"""Slack's HTTP endpoint. Slack's signature is checked over the raw body before anything parses
it, so only a request signed with our signing secret reaches bolt; everything else is a 4xx,
counted in `kudos_rejected_requests_total` by reason, and never an error."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import NamedTuple
from urllib.parse import parse_qs

from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot import metrics

log = logging.getLogger("kudos.slack")

SIGNATURE_WINDOW = 5 * 60
"""Slack's replay window in seconds: a request signed longer ago, or further ahead, is refused."""
_TIMESTAMP_DIGITS = 12
"""Longer than any Unix time in seconds for the next 30,000 years."""
_SSL_CHECK_BYTES = 200
"""Slack's `ssl_check=1&token=...` is about 40 bytes; nothing longer is parsed unsigned."""


class Refusal(NamedTuple):
    status: int
    reason: str
    error: str


def check_signature(
    secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> Refusal | None:
    """Slack's request signing (v0): None when `signature` is the HMAC-SHA256 of
    `v0:{timestamp}:{body}` under `secret` and `timestamp` is within the window of `now`;
    otherwise why not. The timestamp must be plain ASCII digits; the body is never decoded."""
    if not signature:
        return Refusal(401, "bad_signature", "missing X-Slack-Signature")
    if not (
        timestamp
        and len(timestamp) <= _TIMESTAMP_DIGITS
        and timestamp.isascii()
        and timestamp.isdigit()
    ):
        return Refusal(400, "bad_timestamp", "X-Slack-Request-Timestamp is not a Unix time")
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return Refusal(401, "stale_timestamp", "X-Slack-Request-Timestamp is too old or too new")
    mac = hmac.new(secret, b"v0:" + timestamp.encode() + b":", hashlib.sha256)
    mac.update(body)
    expected = b"v0=" + mac.hexdigest().encode()
    # Starlette decodes headers as latin-1, so this gives back the bytes that were sent.
    if not hmac.compare_digest(expected, signature.encode("latin-1")):
        return Refusal(401, "bad_signature", "invalid signature")
    return None


def is_ssl_check(body: bytes) -> bool:
    """Slack's certificate check, the one request Slack sends unsigned: a short form with
    `ssl_check=1` (and a legacy token). It only needs a 200."""
    if len(body) > _SSL_CHECK_BYTES:
        return False
    return parse_qs(body.decode("latin-1")).get("ssl_check") == ["1"]


MALFORMED = Refusal(400, "malformed_body", "not a Slack request body")
_OBJECTS = ("event", "view", "workflow_step", "function_data", "assistant_thread")
_OBJECT_LISTS = ("actions", "authorizations", "response_urls")
_OBJECTS_OR_IDS = ("team", "user", "channel", "enterprise", "container", "message", "item")
_IDS = ("team_id", "user_id", "channel_id", "enterprise_id", "actor_team_id", "actor_user_id")


def well_formed(request: AsyncBoltRequest) -> bool:
    """Whether a parsed, signed body has the shape bolt relies on before any listener runs:
    its envelopes (`event`, `view`, `actions`, ...) are objects or lists of them as Slack sends
    them, and the ids bolt read from it are strings. Only a holder of the signing secret can
    send anything else; it gets a 400 rather than an error deep inside bolt."""
    body = request.body
    if not isinstance(body.get("type", ""), str):
        return False
    for name in _OBJECTS:
        if name in body and not isinstance(body[name], dict):
            return False
    for name in _OBJECT_LISTS:
        value = body.get(name, [])
        if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return False
    if "actions" in body and not body["actions"]:  # bolt takes the first
        return False
    for container in (body, body.get("event") or {}):
        for name in _OBJECTS_OR_IDS:
            if not isinstance(container.get(name), (str, dict, type(None))):
                return False
    event = body.get("event")
    if event is not None and not isinstance(event.get("type", ""), str):
        return False
    return all(isinstance(request.context.get(k), (str, type(None))) for k in _IDS)


def _parsed(request: Request, body: bytes) -> AsyncBoltRequest | None:
    """Bolt's request from a signed body, or None when the body is not a Slack payload."""
    try:
        parsed = AsyncBoltRequest(
            body=body.decode("utf-8"),
            query=request.query_params,  # type: ignore[arg-type]
            headers=request.headers,  # type: ignore[arg-type]
        )
    # What bolt's parsing raises on a body that is not UTF-8, not JSON or a form, not an
    # object, nested deeper than the JSON parser goes, or with ids where it expects objects.
    except (ValueError, TypeError, AttributeError, LookupError, RecursionError):
        return None
    return parsed if well_formed(parsed) else None


class SlackEndpoint:
    """`POST /slack/events` (signed events, commands and interactivity) and, with OAuth, the
    install pages `GET /slack/install` and `GET /slack/oauth_redirect`, in front of bolt.

    Bolt's own signature check is off (see create_slack_bot): this one replaces it, so every
    request costs one HMAC and one parse."""

    def __init__(self, app: AsyncApp, signing_secret: str) -> None:
        self.app, self.secret = app, signing_secret.encode()

    async def handle(self, request: Request) -> Response:
        """Verify, parse, then let bolt dispatch; a 4xx for anything else."""
        if request.method != "POST":
            return await self._oauth(request)
        body = await request.body()
        signature = request.headers.get("x-slack-signature")
        if not signature and is_ssl_check(body):
            return Response(status_code=200)  # answered, and nothing in it is acted on
        refusal = check_signature(
            self.secret,
            request.headers.get("x-slack-request-timestamp"),
            signature,
            body,
            time.time(),
        )
        if refusal is None:
            bolt_request = _parsed(request, body)
            if bolt_request is not None:
                return to_starlette_response(await self.app.async_dispatch(bolt_request))
            refusal = MALFORMED
        metrics.REJECTED_REQUESTS.labels(request.url.path, refusal.reason).inc()
        log.debug("refused a Slack request: %s", refusal.reason)
        return JSONResponse({"error": refusal.error}, refusal.status)

    async def _oauth(self, request: Request) -> Response:
        flow = self.app.oauth_flow
        path = request.url.path
        if flow is None or path not in (flow.install_path, flow.redirect_uri_path):
            return Response("Not found", 404)
        # Neither page reads a body; only the query string and the cookie matter.
        bolt_request = AsyncBoltRequest(
            body="",
            query=request.query_params,  # type: ignore[arg-type]
            headers=request.headers,  # type: ignore[arg-type]
        )
        if path == flow.install_path:
            return to_starlette_response(await flow.handle_installation(bolt_request))
        return to_starlette_response(await flow.handle_callback(bolt_request))
