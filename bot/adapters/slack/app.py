"""Build the Slack bot: bolt's AsyncApp with every listener, for one workspace (a bot token) or
many (OAuth installs kept by slack_sdk's SQLAlchemy stores), over HTTP and/or Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.adapters.busy import HEADERS, refused_busy
from bot.adapters.slack import commands, home, messages, reactions, refs, rewards, shortcuts
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.endpoint import SlackEndpoint
from bot.adapters.slack.inbox import SlackInbox
from bot.adapters.slack.runtime import SlackRuntime
from bot.adapters.slack.sender import SlackSender
from bot.services.context import ServiceContext
from bot.services.ports import Unavailable

log = logging.getLogger("kudos.slack")

# What the bot asks for when installed; slack/manifest.yml lists the same.
BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "groups:history",
    "im:history",
    "mpim:history",
    "chat:write",
    "commands",
    "reactions:read",
    "users:read",
    "usergroups:read",
)


@dataclass(frozen=True)
class SlackConfig:
    """How to reach Slack. A bot token means one workspace; a client id and secret mean OAuth
    installs into many (with the two stores); an app token adds Socket Mode."""

    api_url: str
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    installation_store: AsyncInstallationStore | None = None
    state_store: AsyncOAuthStateStore | None = None

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret and self.installation_store)


@dataclass
class SlackBot:
    """The running Slack side: the bolt app, its HTTP handler (None in Socket-Mode-only
    setups, which have no signing secret), what runs its inbox rows and what sends its
    outbox rows."""

    app: AsyncApp
    runtime: SlackRuntime
    inbox: SlackInbox
    sender: SlackSender
    http: SlackEndpoint | None
    config: SlackConfig
    session: aiohttp.ClientSession
    socket_mode: AsyncSocketModeHandler | None = field(default=None)

    async def start_socket_mode(self) -> None:
        """Connect to Slack over a WebSocket (when an app token is configured)."""
        if self.config.app_token:
            self.socket_mode = AsyncSocketModeHandler(self.app, self.config.app_token)
            await self.socket_mode.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected")

    async def close(self) -> None:
        await self.runtime.drain()
        if self.socket_mode is not None:
            await self.socket_mode.close_async()  # type: ignore[no-untyped-call]
        await self.session.close()


def web_client(api_url: str, session: aiohttp.ClientSession, token: str | None) -> AsyncWebClient:
    """A Web API client for reading (users, groups) that retries rate limits (429, after
    `Retry-After`), 5xx answers and dropped connections."""
    return AsyncWebClient(
        token=token,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def sending_client(
    api_url: str, session: aiohttp.ClientSession, token: str | None
) -> AsyncWebClient:
    """A Web API client for the outbox: a rate limit or a 5xx comes back at once, for the
    outbox to retry later without holding a sender."""
    return AsyncWebClient(
        token=token,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        session=session,
        retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)],
    )


def create_slack_bot(
    config: SlackConfig, services: ServiceContext, directory: SlackDirectory | None = None
) -> SlackBot:
    """Wire bolt to the services. Call from inside the running event loop."""
    session = aiohttp.ClientSession()
    client = web_client(config.api_url, session, None if config.oauth else config.bot_token)
    options: dict[str, Any] = {
        "client": client,
        "signing_secret": config.signing_secret or "",
        # SlackEndpoint checks every HTTP request's signature before bolt parses it (bolt's own
        # check would be a second HMAC); Socket Mode needs none.
        "request_verification_enabled": False,
        # Listeners run inline: they commit the request to the inbox, then answer (modals
        # answer after the give, which decides the answer). Bolt's other mode runs listeners
        # as tasks and acks before they finish: an ack before the inbox holds the request
        # would be a promise nothing keeps.
        "process_before_response": True,
        "raise_error_for_unhandled_request": False,
    }
    if config.oauth:
        assert config.installation_store is not None
        options["installation_store"] = config.installation_store
        options["authorize"] = AsyncInstallationStoreAuthorize(
            installation_store=config.installation_store,
            client_id=config.client_id,
            client_secret=config.client_secret,
            logger=log,
            client=client,
            cache_enabled=True,
        )
        options["oauth_settings"] = AsyncOAuthSettings(
            client_id=config.client_id,
            client_secret=config.client_secret,
            scopes=list(BOT_SCOPES),
            installation_store=config.installation_store,
            state_store=config.state_store,
        )
    app = AsyncApp(**options)  # one workspace: bolt takes the bot token from the client

    async def token_for(team_id: str) -> str | None:
        if not config.oauth:
            return config.bot_token
        assert config.installation_store is not None
        installed = await config.installation_store.async_find_bot(
            enterprise_id=None, team_id=team_id
        )
        return installed.bot_token if installed else None

    runtime = SlackRuntime(
        services,
        make_client=lambda token: web_client(config.api_url, session, token),
        token_for=token_for,
        directory=directory or SlackDirectory(),
    )
    for listeners in (commands, messages, reactions, shortcuts, home, rewards):
        listeners.register(app, runtime)

    if not config.oauth:

        @app.middleware
        async def one_workspace(
            context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[None]]
        ) -> BoltResponse | None:
            """A bot token serves its own workspace only: refuse requests from any other."""
            own = context.authorize_result.team_id if context.authorize_result else None
            teams = {context.team_id} | {
                a.get("team_id") for a in body.get("authorizations") or () if isinstance(a, dict)
            }
            if own and own not in teams:
                log.warning(
                    "refused a request from Slack team %s: the token is for %s",
                    context.team_id,
                    own,
                )
                return BoltResponse(
                    status=200, body="This Kudos server serves another Slack workspace."
                )
            await next()
            return None

    first_seen: set[str] = set()

    @app.middleware
    async def first_contact(
        context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> None:
        """Log each workspace's id once per process, on its first request: operators need it
        (`--workspace T…`) and Slack shows it nowhere obvious. The name is the one an OAuth
        install knows, else the workspace's domain when the request carries it."""
        team_id = context.team_id
        if team_id and team_id not in first_seen:
            first_seen.add(team_id)
            team = body.get("team")
            name = (
                (context.authorize_result.team if context.authorize_result else None)
                or body.get("team_domain")
                or (team.get("domain") if isinstance(team, dict) else None)
            )
            log.info(
                "first request from Slack workspace %s%s", team_id, f" ({name})" if name else ""
            )
        await next()

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        if isinstance(error, Unavailable):  # not recorded, so not acknowledged: Slack retries
            refused_busy("/slack/events", str(error))
            return BoltResponse(status=503, body="", headers=dict(HEADERS))
        metrics.ERRORS.labels(refs.PLATFORM).inc()
        log.error("Slack request failed: %r", error, exc_info=error)
        return None

    sender = SlackSender(
        lambda token: sending_client(config.api_url, session, token),
        session,
        token_for,
        lambda token: web_client(config.api_url, session, token),
        services,
    )
    http = SlackEndpoint(app, config.signing_secret) if config.signing_secret else None
    return SlackBot(app, runtime, SlackInbox(runtime), sender, http, config, session)
