"""Settings from the environment (pydantic-settings), validated once at start."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./kudos.db"
MIN_SESSION_SECRET = 32
PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "change_me", "changethis", "secret", "password", "kudos"}
)
"""Values people copy from examples: refused whatever their length."""
SLACK_ISSUER = "https://slack.com"
ENTRA_ISSUER = "https://login.microsoftonline.com/organizations/v2.0"
"""Any organisation's Entra ID (work accounts); MICROSOFT_APP_TENANT_ID narrows it to one."""


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://, sqlite:///) and pick the
    async driver for each."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg://",
        "postgresql+psycopg2://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


def explain(error: ValidationError) -> str:
    """Settings that failed validation, as sentences a person can act on: our own checks say
    what to set; a value of the wrong kind is named with what it should be (no pydantic
    internals, no URLs)."""
    sentences = []
    for problem in error.errors(include_url=False):
        cause = (problem.get("ctx") or {}).get("error")
        if problem["type"] == "value_error" and cause is not None:
            sentence = str(cause)
        else:
            name = ".".join(str(part) for part in problem["loc"]) or "a setting"
            message = str(problem["msg"])
            sentence = f"{name}={problem.get('input')!r} is not valid: {message[:1].lower()}"
            sentence += message[1:]
        sentences.append(sentence.rstrip(".") + ".")
    return " ".join(sentences)


class Settings(BaseSettings):
    """Environment variables of DESIGN.md's contract; unknown variables are ignored."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = Field(
        "development", validation_alias="KUDOS_ENV"
    )
    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    port: int = Field(3000, validation_alias="PORT")
    host: str | None = Field(None, validation_alias="HOST")
    """Where `kudos serve` listens; unset: 0.0.0.0, or 127.0.0.1 while an endpoint is open."""
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    slack_bot_token: str | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_client_id: str | None = Field(None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, validation_alias="SLACK_CLIENT_SECRET")
    microsoft_app_id: str | None = Field(None, validation_alias="MICROSOFT_APP_ID")
    microsoft_app_password: str | None = Field(None, validation_alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str | None = Field(None, validation_alias="MICROSOFT_APP_TENANT_ID")
    database_pool_size: int = Field(10, ge=1, le=200, validation_alias="DATABASE_POOL_SIZE")
    """PostgreSQL connections for the services and background work (as many again in bursts)."""
    worker_concurrency: int = Field(8, ge=1, le=200, validation_alias="KUDOS_WORKERS")
    """Chat requests (and outgoing messages) in progress at once, per process."""
    teams_service_url_hosts: str | None = Field(None, validation_alias="TEAMS_SERVICE_URL_HOSTS")
    """Comma-separated hosts (`*.example.com` for any under it) a Teams serviceUrl may name."""
    public_url: str | None = Field(None, validation_alias="KUDOS_PUBLIC_URL")
    """Where people reach `kudos serve` (https://kudos.example.com): sign-in links and the
    redirect URLs registered with Slack and Entra ID. Unset: http://localhost:PORT for links,
    and each request's own address for redirects."""
    session_secret: str | None = Field(None, validation_alias="KUDOS_SESSION_SECRET")
    """Signs the dashboard's session cookies; required in production (32 characters or more)."""
    session_hours: int = Field(8, ge=1, le=720, validation_alias="KUDOS_SESSION_HOURS")
    """How long a dashboard sign-in lasts."""
    slack_signin_client_id: str | None = Field(None, validation_alias="SLACK_SIGNIN_CLIENT_ID")
    """Sign in with Slack (OpenID Connect); unset: SLACK_CLIENT_ID, if that is set."""
    slack_signin_client_secret: str | None = Field(
        None, validation_alias="SLACK_SIGNIN_CLIENT_SECRET"
    )
    slack_signin_issuer: str = Field(SLACK_ISSUER, validation_alias="SLACK_SIGNIN_ISSUER")
    entra_signin_client_id: str | None = Field(None, validation_alias="ENTRA_SIGNIN_CLIENT_ID")
    """Sign in with Microsoft Entra ID (OpenID Connect); unset: MICROSOFT_APP_ID, if set."""
    entra_signin_client_secret: str | None = Field(
        None, validation_alias="ENTRA_SIGNIN_CLIENT_SECRET"
    )
    entra_signin_issuer: str | None = Field(None, validation_alias="ENTRA_SIGNIN_ISSUER")
    """Unset: the tenant of MICROSOFT_APP_TENANT_ID, else any organisation's."""
    api_rate_limit: float = Field(10.0, gt=0, le=100_000, validation_alias="KUDOS_API_RATE_LIMIT")
    """JSON API requests per second each token may make, on average, per process."""
    api_burst: int = Field(60, ge=1, le=100_000, validation_alias="KUDOS_API_BURST")
    """JSON API requests a token may make at once before the rate limit applies."""

    @model_validator(mode="after")
    def _check(self) -> Settings:
        self.database_url = normalise_database_url(self.database_url)
        if not (
            self.database_url.startswith("sqlite+aiosqlite://")
            or self.database_url.startswith("postgresql+asyncpg://")
        ):
            raise ValueError(
                "DATABASE_URL must be a SQLite (sqlite:///path.db) or PostgreSQL "
                "(postgresql://user@host/db) URL"
            )
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise ValueError(
                "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP mode) nor "
                "SLACK_APP_TOKEN (Socket Mode) is: Slack requests could not be verified"
            )
        if self.slack_client_id and not (self.slack_client_secret and self.slack_signing_secret):
            raise ValueError(
                "SLACK_CLIENT_ID (installs into several workspaces) needs SLACK_CLIENT_SECRET and "
                "SLACK_SIGNING_SECRET as well"
            )
        if self.slack_app_token and not (self.slack_bot_token or self.slack_client_id):
            raise ValueError(
                "SLACK_APP_TOKEN (Socket Mode) needs SLACK_BOT_TOKEN too: the app token opens the "
                "connection, the bot token posts the replies"
            )
        if self.environment == "production":
            if not self.microsoft_app_id and not self.slack_enabled:
                raise ValueError(
                    "KUDOS_ENV=production needs chat credentials: SLACK_BOT_TOKEN with "
                    "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), SLACK_CLIENT_ID with "
                    "SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET, or MICROSOFT_APP_ID with "
                    "MICROSOFT_APP_PASSWORD"
                )
            if self.microsoft_app_id and not self.microsoft_app_password:
                raise ValueError("MICROSOFT_APP_ID needs MICROSOFT_APP_PASSWORD in production")
            if not self.session_secret:
                raise ValueError(
                    "KUDOS_ENV=production needs KUDOS_SESSION_SECRET to sign dashboard sign-ins: "
                    f"{MIN_SESSION_SECRET} random characters or more, for example from "
                    "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
                )
        if self.session_secret is not None:
            secret = self.session_secret.strip()
            if (
                len(secret) < MIN_SESSION_SECRET
                or secret.casefold() in PLACEHOLDER_SECRETS
                or len(set(secret)) < 8
            ):
                raise ValueError(
                    f"KUDOS_SESSION_SECRET must be {MIN_SESSION_SECRET} random characters or "
                    "more, not a short or example value: make one with "
                    "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
                )
        if self.public_url is not None:
            self.public_url = self.public_url.strip().rstrip("/") or None
            if self.public_url and not self.public_url.startswith(("http://", "https://")):
                raise ValueError(
                    "KUDOS_PUBLIC_URL is where people reach Kudos, starting with https:// "
                    "(or http:// on your own machine)"
                )
        return self

    @property
    def slack_signin(self) -> tuple[str, str] | None:
        """The client id and secret for Sign in with Slack, when both are known."""
        client_id = self.slack_signin_client_id or self.slack_client_id
        secret = self.slack_signin_client_secret or self.slack_client_secret
        return (client_id, secret) if client_id and secret else None

    @property
    def entra_signin(self) -> tuple[str, str] | None:
        """The client id and secret for Sign in with Entra ID, when both are known."""
        client_id = self.entra_signin_client_id or self.microsoft_app_id
        secret = self.entra_signin_client_secret or self.microsoft_app_password
        return (client_id, secret) if client_id and secret else None

    @property
    def entra_issuer(self) -> str:
        """The Entra ID issuer whose discovery document the sign-in reads."""
        if self.entra_signin_issuer:
            return self.entra_signin_issuer.rstrip("/")
        if self.microsoft_app_tenant_id:
            return f"https://login.microsoftonline.com/{self.microsoft_app_tenant_id}/v2.0"
        return ENTRA_ISSUER

    @property
    def service_url_hosts(self) -> tuple[str, ...]:
        """TEAMS_SERVICE_URL_HOSTS as a tuple; empty: the Teams adapter's own list."""
        hosts = (self.teams_service_url_hosts or "").split(",")
        return tuple(host.strip() for host in hosts if host.strip())

    @property
    def teams_enabled(self) -> bool:
        """Teams is on with an app id; without one only in development (the Emulator)."""
        return bool(self.microsoft_app_id) or self.environment == "development"

    @property
    def slack_enabled(self) -> bool:
        """Slack is on when there is a way to receive its requests and a token to answer."""
        return bool(self.slack_bot_token or self.slack_client_id)
