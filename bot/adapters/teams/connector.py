"""The Bot Framework connector as Kudos uses it: only Bot Framework's hosts, quick to fail, and
one log line when it does.

botbuilder's `BotFrameworkAdapter` calls the connector (replies, member lookups, proactive posts)
through msrest over `requests`, by default with a 100 s timeout and three retries with back-off:
a reply to an unreachable serviceUrl took 9.8 s and hundreds of log lines before the request
failed. `QuickConnectorAdapter` is that adapter with one public method, `create_connector_client`,
overridden to give each connector client (the SDK caches one per serviceUrl) short timeouts and
no retries, through msrest's public configuration. A reply that cannot be delivered within a few
seconds is reported once; retrying it is the job of durable delivery, not of a request that is
waiting for its answer. This module is the only place Kudos subclasses a botframework class.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from botbuilder.core import BotFrameworkAdapter, BotFrameworkAdapterSettings
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ClaimsIdentity
from msrest.exceptions import ClientRequestError, HttpOperationError

CONNECTOR_TIMEOUT = (3.0, 5.0)
"""Seconds to connect, and to wait for each read, on every connector call."""

BOT_FRAMEWORK_SERVICE_HOSTS = (
    "smba.trafficmanager.net",
    "smba.onyx.prod.teams.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "*.botframework.com",
)
"""Where Teams in Microsoft's public cloud (GCC included) and Bot Framework's own channels (Web
Chat, Direct Line) send their serviceUrls from. Other clouds: TEAMS_SERVICE_URL_HOSTS."""


@dataclass(frozen=True)
class ServiceUrlHosts:
    """The hosts a serviceUrl may name: `host` exactly, or `*.domain` for any host under it.
    https only; plain http only for a loopback host listed explicitly (a local test)."""

    patterns: tuple[str, ...] = BOT_FRAMEWORK_SERVICE_HOSTS

    def allows(self, service_url: str) -> bool:
        """Whether replies may be sent to `service_url`."""
        try:
            parts = urlsplit(service_url)
            host = (parts.hostname or "").rstrip(".")
            _ = parts.port  # a malformed port is refused
        except ValueError:
            return False
        if not host or parts.username is not None or parts.password is not None:
            return False
        if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(host)):
            return False
        return any(_matches(host, pattern.strip().lower()) for pattern in self.patterns)


def _matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class QuickConnectorAdapter(BotFrameworkAdapter):
    """BotFrameworkAdapter whose connector calls time out after `timeout` (connect, read) seconds
    and are not retried."""

    def __init__(
        self,
        settings: BotFrameworkAdapterSettings,
        timeout: tuple[float, float] = CONNECTOR_TIMEOUT,
    ) -> None:
        super().__init__(settings)
        self.connector_timeout = timeout

    async def create_connector_client(
        self,
        service_url: str,
        identity: ClaimsIdentity | None = None,
        audience: str | None = None,
    ) -> ConnectorClient:
        """The SDK's (cached) client for `service_url`, set to fail fast."""
        client = await super().create_connector_client(service_url, identity, audience)
        client.config.connection.timeout = self.connector_timeout
        retries = client.config.retry_policy  # its urllib3 Retry is already in the client's session
        retries.retries = 0
        retries.policy.status_forcelist = frozenset()  # an error status is answered, not retried
        return client


def connector_failure(error: BaseException) -> str | None:
    """One line saying why a connector call failed, or None when `error` is something else."""
    if isinstance(error, HttpOperationError):
        status = getattr(error.response, "status_code", None)
        return f"the connector answered HTTP {status}"
    if not isinstance(error, ClientRequestError | requests.RequestException):
        return None
    chain = list(_causes(error))
    if any(isinstance(e, requests.Timeout | TimeoutError) for e in chain):
        return "timed out"
    for cause in reversed(chain):
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    return str(chain[-1])[:200] or type(chain[-1]).__name__


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: Any = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = (
            getattr(current, "inner_exception", None) or current.__cause__ or current.__context__
        )
