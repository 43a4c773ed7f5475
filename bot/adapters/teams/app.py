"""Build the Teams bot: botbuilder's BotFrameworkAdapter behind `POST /api/messages`.

With MICROSOFT_APP_ID every request must carry a valid Bot Framework token (401 otherwise; see
tokens.py) and name a serviceUrl on one of Bot Framework's hosts (403 otherwise; connector.py).
Without one, requests are accepted unauthenticated, for the Bot Framework Emulator on a
developer's machine; outside development the endpoint is then off.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import BotFrameworkAdapterSettings, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot import metrics
from bot.adapters.busy import HEADERS, refused_busy
from bot.adapters.teams.bot import PLATFORM, KudosTeamsBot
from bot.adapters.teams.connector import (
    BOT_FRAMEWORK_SERVICE_HOSTS,
    CONNECTOR_TIMEOUT,
    QuickConnectorAdapter,
    ServiceUrlHosts,
    connector_failure,
)
from bot.adapters.teams.inbox import TeamsInbox, delivery
from bot.adapters.teams.sender import TeamsSender, card_in
from bot.adapters.teams.tokens import (
    BOT_FRAMEWORK_OPENID_METADATA,
    BotFrameworkTokens,
    KeyPolicy,
    SigningKeys,
    TokenRefused,
)
from bot.services.context import ServiceContext
from bot.services.delivery import Incoming
from bot.services.ports import Unavailable

log = logging.getLogger("kudos.teams")
Recorder = Callable[[Incoming], Awaitable[bool]]


async def _not_recording(incoming: Incoming) -> bool:
    raise RuntimeError("no inbox to record Teams activities in")


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str | None = None
    app_password: str | None = None
    tenant_id: str | None = None
    """Single-tenant bots: the Azure AD tenant the bot is registered in."""
    open_id_metadata: str | None = None
    """Where Bot Framework's signing keys are published (another cloud, or a test's)."""
    app_credentials: Any = None
    """botframework `AppCredentials` other than the app password (a certificate, say)."""
    service_url_hosts: tuple[str, ...] = BOT_FRAMEWORK_SERVICE_HOSTS
    """Where an authenticated activity's serviceUrl may point (see connector.ServiceUrlHosts)."""
    signing_keys: KeyPolicy = field(default_factory=KeyPolicy)
    connector_timeout: tuple[float, float] = CONNECTOR_TIMEOUT

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)


class TeamsBot:
    """The adapter, the conversation logic and the HTTP endpoint."""

    def __init__(self, config: TeamsConfig, services: ServiceContext) -> None:
        self.config = config
        self.services = services
        self.adapter = QuickConnectorAdapter(
            BotFrameworkAdapterSettings(
                app_id=config.app_id or "",
                app_password=config.app_password or "",
                channel_auth_tenant=config.tenant_id,
                app_credentials=config.app_credentials,
            ),
            config.connector_timeout,
        )
        self.tokens = (
            BotFrameworkTokens(
                config.app_id,
                SigningKeys(
                    config.open_id_metadata or BOT_FRAMEWORK_OPENID_METADATA, config.signing_keys
                ),
            )
            if config.app_id
            else None
        )
        self.service_urls = ServiceUrlHosts(config.service_url_hosts)
        self.adapter.on_turn_error = self._on_error
        self.bot = KudosTeamsBot(services)
        self.inbox = TeamsInbox(self.adapter, self.bot)
        self.sender = TeamsSender(self)
        self.record: Recorder = _not_recording
        """Commits a verified activity to the inbox; the endpoint acknowledges after it."""

    async def close(self) -> None:
        """Stop refreshing signing keys in the background."""
        if self.tokens is not None:
            await self.tokens.keys.close()

    async def _on_error(self, turn_context: TurnContext, error: Exception) -> None:
        metrics.ERRORS.labels(PLATFORM).inc()
        service_url = turn_context.activity.service_url
        failure = connector_failure(error)
        if failure is not None:  # no apology: it would go the same way
            log.error("Teams reply to %s failed: %s", service_url, failure)
            return
        log.error("Teams activity failed: %r", error, exc_info=error)
        try:
            await turn_context.send_activity(
                "Sorry, something went wrong on my side. Try again soon."
            )
        except Exception as again:  # the apology is best effort
            reason = connector_failure(again) or repr(again)
            log.error("Teams reply to %s failed: %s", service_url, reason)

    async def _identity(self, activity: Activity, auth_header: str) -> ClaimsIdentity:
        if self.tokens is None:  # the Emulator's mode
            return ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
        claims = await self.tokens.claims(
            auth_header, activity.channel_id or "", activity.service_url
        )
        return ClaimsIdentity(claims, True)

    async def endpoint(self, request: Request) -> Response:
        """`POST /api/messages`: authenticate, then record the activity in the inbox before the
        ack (an invoke, answered in the response, runs at once). The web app's guard has
        already refused a body over the size limit or not JSON."""
        parsed = await _activity(request)
        if parsed is None:
            metrics.REJECTED_REQUESTS.labels(request.url.path, "malformed_body").inc()
            return JSONResponse({"error": "not a Bot Framework activity"}, 400)
        activity, body = parsed
        try:
            identity = await self._identity(activity, request.headers.get("Authorization", ""))
        except TokenRefused as refused:  # missing, malformed, expired or wrongly signed
            log.info("refused a Teams request: %s", refused.reason[:200])
            reason = "unauthorized" if refused.status < 500 else "keys_unavailable"
            metrics.REJECTED_REQUESTS.labels(request.url.path, reason).inc()
            return JSONResponse({"error": refused.answer}, refused.status)
        if self.tokens is not None and not self.service_urls.allows(activity.service_url):
            log.warning(
                "refused a Teams activity for serviceUrl %r: not a Bot Framework host "
                "(TEAMS_SERVICE_URL_HOSTS lists them)",
                activity.service_url[:200],
            )
            metrics.REJECTED_REQUESTS.labels(request.url.path, "service_url_refused").inc()
            return JSONResponse({"error": "serviceUrl is not a Bot Framework host"}, 403)
        if activity.type == ActivityTypes.invoke:  # answered in the response, and changes nothing
            response = await self.adapter.process_activity_with_identity(
                activity, identity, self.bot.on_turn
            )
            if response is not None:
                return JSONResponse(response.body, response.status)
        else:
            try:
                await self.record(delivery(activity, body))
            except Unavailable as busy:  # not recorded, so not acknowledged: Teams retries
                refused_busy(request.url.path, str(busy))
                return JSONResponse({"error": "busy, try again"}, 503, headers=HEADERS)
        return Response(status_code=201)

    async def post(self, reference: dict[str, Any], card: dict[str, Any]) -> str | None:
        """Post a card into a remembered conversation (proactively), now; the new activity's
        id."""
        ref = ConversationReference().deserialize(reference)
        return await self.deliver(ref, card_in(ref, card))

    async def deliver(self, reference: ConversationReference, activity: Activity) -> str | None:
        """Send an activity whose conversation (and, for a reply, the activity it answers)
        the reference gives: straight to the conversation, not as a reply to the continuation
        activity, which is what TurnContext.send_activity would make it. The sent activity's
        id, when the connector gives one."""
        posted: list[str | None] = []

        async def send(turn_context: TurnContext) -> None:
            responses = await self.adapter.send_activities(turn_context, [activity])
            posted.extend(getattr(r, "id", None) for r in responses or [])

        await self._continue(reference, send)
        return posted[0] if posted else None

    async def update(self, reference: ConversationReference, activity: Activity) -> None:
        """Replace an activity the bot sent (a card whose buttons are spent)."""

        async def send(turn_context: TurnContext) -> None:
            await self.adapter.update_activity(turn_context, activity)

        await self._continue(reference, send)

    async def _continue(
        self, reference: ConversationReference, work: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        """Run `work` in the referenced conversation and raise what it raised (the adapter's
        turn-error handler would otherwise swallow it, and a failed send would look sent)."""
        failed: list[Exception] = []

        async def guarded(turn_context: TurnContext) -> None:
            try:
                await work(turn_context)
            except Exception as exc:
                failed.append(exc)

        if self.config.app_id:
            await self.adapter.continue_conversation(reference, guarded, bot_id=self.config.app_id)
        else:  # the Emulator's mode: no identity, no token on the way out
            anonymous = ClaimsIdentity(claims={}, is_authenticated=False)
            await self.adapter.continue_conversation(reference, guarded, claims_identity=anonymous)
        if failed:
            raise failed[0]


async def _activity(request: Request) -> tuple[Activity, dict[str, Any]] | None:
    """The request's activity and its JSON, or None when the body is not one: not JSON, not
    an object, nested too deep, or without the type, service URL, conversation, sender and
    recipient that Bot Framework puts on every activity."""
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict):
        return None
    try:
        activity = Activity().deserialize(body)
    except Exception:  # msrest raises its own errors, or whatever a field's type check hits
        return None
    if not (_text(activity.type) and _text(activity.service_url)):
        return None
    for account in (activity.conversation, activity.from_property, activity.recipient):
        if account is None or not _text(account.id):
            return None
    return activity, body


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def create_teams_bot(config: TeamsConfig, services: ServiceContext) -> TeamsBot:
    """Wire botbuilder to the services."""
    return TeamsBot(config, services)
