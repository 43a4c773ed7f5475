"""Run the web app under uvicorn after upgrading the database."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from typing import Any

import uvicorn

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain.model import MemberRef
from bot.scheduler.jobs import start_scheduler
from bot.web.api import Api
from bot.web.app import create_app
from bot.web.dashboard.app import create_dashboard
from bot.web.dashboard.core import DashboardConfig, OidcClient, PlatformLookup
from bot.web.dashboard.sessions import SessionSettings

log = logging.getLogger("kudos.web")

LOOPBACK = "127.0.0.1"
EVERYWHERE = "0.0.0.0"


def dashboard_config(app: App) -> DashboardConfig:
    """The dashboard's sessions and sign-in providers, from the settings. Without
    KUDOS_SESSION_SECRET (development only: production refuses to start) sessions are signed
    with a key made at start, so they end when the server restarts."""
    settings = app.settings
    secret = settings.session_secret
    if secret is None:
        secret = secrets.token_urlsafe(32)
        log.info("KUDOS_SESSION_SECRET is not set: dashboard sign-ins end when Kudos restarts")
    slack = entra = None
    if settings.slack_signin:
        slack = OidcClient(*settings.slack_signin, settings.slack_signin_issuer)
    if settings.entra_signin:
        entra = OidcClient(*settings.entra_signin, settings.entra_issuer)
    lookups: dict[str, PlatformLookup] = {}
    if app.slack is not None:
        runtime = app.slack.runtime

        async def slack_member(team_id: str, user_id: str) -> MemberRef | None:
            """users.info (cached): the name, and whether Slack calls them an admin."""
            return await runtime.directory.member(await runtime.client(team_id), team_id, user_id)

        lookups["slack"] = slack_member
    return DashboardConfig(
        sessions=SessionSettings(
            secret=secret,
            lifetime_seconds=settings.session_hours * 3600,
            always_secure=settings.environment == "production",
        ),
        public_url=settings.public_url,
        slack=slack,
        entra=entra,
        entra_tenant=settings.microsoft_app_tenant_id if entra else None,
        lookups=lookups,
    )


def asgi_app(app: App, dashboard: DashboardConfig | None = None) -> Any:
    """The HTTP app for a built Kudos, with Slack's endpoint when Slack is on, and the
    dashboard (configured from the settings unless `dashboard` says otherwise)."""
    slack = app.slack
    return create_app(
        app.ping,
        slack=slack.http.handle if slack and slack.http else None,
        slack_oauth=bool(slack and slack.config.oauth),
        teams=app.teams.endpoint if app.teams else None,
        dashboard=create_dashboard(app.services, dashboard or dashboard_config(app)),
        api=Api(app.services, app.settings.api_rate_limit, app.settings.api_burst),
    )


def _describe_slack(app: App) -> str:
    slack = app.slack
    if slack is None:
        return (
            "Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for "
            "Socket Mode) to enable it"
        )
    modes = []
    if slack.http:
        modes.append("HTTP at POST /slack/events")
    if slack.config.app_token:
        modes.append("Socket Mode")
    who = "OAuth installs at GET /slack/install" if slack.config.oauth else "one workspace"
    return f"Slack is on: {' and '.join(modes)}, {who}"


def _describe_teams(app: App) -> str:
    if app.teams is None:
        return "Teams is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to enable it"
    if app.teams.config.authenticated:
        return "Teams is on at POST /api/messages (Bot Framework tokens required)"
    return (
        "TEAMS ENDPOINT IS UNAUTHENTICATED: MICROSOFT_APP_ID is not set, so POST /api/messages "
        "accepts anyone's activities. Fine for the Bot Framework Emulator on your machine; never "
        "expose it (Kudos listens on this machine only unless --host/HOST says otherwise; "
        "KUDOS_ENV=production turns it off)"
    )


def unauthenticated_endpoints(app: App) -> list[str]:
    """Endpoints that act on requests from anyone who can reach the port."""
    if app.teams is not None and not app.teams.config.authenticated:
        return ["POST /api/messages (Teams without MICROSOFT_APP_ID)"]
    return []


@dataclass(frozen=True)
class Binding:
    host: str
    note: str
    """Why this host, for the log line; empty when there is nothing to say."""
    exposed: bool = False
    """An unauthenticated endpoint listens beyond this machine: warn loudly."""


def choose_host(requested: str | None, unauthenticated: list[str]) -> Binding:
    """Where `kudos serve` listens: what `--host` or HOST asks for; otherwise every interface,
    unless an endpoint is unauthenticated, which keeps it to this machine."""
    endpoints = ", ".join(unauthenticated)
    if requested:
        if unauthenticated and not _is_loopback(requested):
            return Binding(
                requested,
                f"EXPOSED: {endpoints} is unauthenticated and listens on {requested} because "
                "--host/HOST says so: anyone who can reach this port can post kudos as anyone "
                "and make the bot send requests to any URL. Only on a network you trust",
                exposed=True,
            )
        return Binding(requested, "")
    if unauthenticated:
        return Binding(
            LOOPBACK,
            f"this machine only, because {endpoints} is unauthenticated; set MICROSOFT_APP_ID, "
            f"or --host/HOST {EVERYWHERE} to listen everywhere anyway",
        )
    return Binding(EVERYWHERE, "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(settings: Settings, host: str | None, port: int) -> int:
    """Upgrade the schema, then serve until interrupted, on `host` (None: see choose_host)."""

    async def main() -> None:
        app = await build(settings)
        try:
            log.info(_describe_slack(app))
            teams_line = _describe_teams(app)
            if app.teams is not None and not app.teams.config.authenticated:
                log.warning(teams_line)
            else:
                log.info(teams_line)
            if app.slack is not None:
                await app.slack.start_socket_mode()
            binding = choose_host(host or settings.host, unauthenticated_endpoints(app))
            (log.warning if binding.exposed else log.info)(
                "Kudos listening on http://%s:%d (database: %s)%s",
                binding.host,
                port,
                settings.database_url.split("://")[0],
                f": {binding.note}" if binding.note else "",
            )
            app.start()
            scheduler = start_scheduler(app.services)
            config = uvicorn.Config(
                asgi_app(app),
                host=binding.host,
                port=port,
                log_level=settings.log_level.lower(),
                lifespan="on",
                access_log=False,
            )
            try:
                await uvicorn.Server(config).serve()
            finally:
                scheduler.shutdown(wait=False)
        finally:
            await app.close()

    asyncio.run(main())
    return 0
