"""Sends webhook deliveries: one signed HTTP POST per attempt, the outcome logged.

A 2xx is delivered; 410 Gone means the receiver wants no more (failed for good); anything else
(429, 5xx, other 4xx, a timeout, a refused connection) is tried again with back-off, after the
receiver's `Retry-After` when it gives one, until the attempts run out. Every attempt sends the
same body with the same `Kudos-Delivery` id, signed afresh with the time of the attempt.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence

import aiohttp

import bot
from bot.domain.access import OutgoingDelivery, sign
from bot.domain.model import WorkspaceRef
from bot.services.context import ServiceContext
from bot.services.delivery import Event, OutboxItem, Outgoing, SendFailed
from bot.services.webhooks import delivery_attempted, outgoing_delivery

log = logging.getLogger("kudos.webhooks")

BACKOFF: tuple[float, ...] = (10, 60, 300, 900, 1800, 3600, 3 * 3600)
"""Seconds before attempts 2, 3, …: eight attempts over about five and a half hours."""
MAX_RETRY_AFTER = 6 * 3600
TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5)


class WebhookSender:
    """Implements `bot.worker.outbox.Sender` for the `webhook` platform."""

    def __init__(
        self,
        services: ServiceContext,
        *,
        backoff: Sequence[float] = BACKOFF,
        max_attempts: int | None = None,
        timeout: aiohttp.ClientTimeout = TIMEOUT,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.services = services
        self.backoff = tuple(backoff)
        self.max_attempts = min(max_attempts or len(backoff) + 1, len(backoff) + 1)
        self.timeout = timeout
        self.wall_clock = wall_clock
        self._session: aiohttp.ClientSession | None = None

    async def expand(self, workspace: WorkspaceRef, event: Event) -> Sequence[Outgoing]:
        """Nothing to expand: deliveries are made per webhook when the event commits."""
        return ()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self.timeout,
                headers={"User-Agent": f"Kudos-Webhooks/{bot.__version__}"},
            )
        return self._session

    async def send(self, item: OutboxItem) -> None:
        delivery_id = str(item.payload.get("delivery", ""))
        found = await outgoing_delivery(self.services, delivery_id)
        if found is None:
            raise SendFailed(f"no webhook delivery {delivery_id}", permanent=True)
        if found.state == "delivered":
            return  # logged as done before the outbox heard of it: not sent twice
        if found.state == "failed":
            raise SendFailed(f"webhook delivery {delivery_id} was given up", permanent=True)
        if found.removed:
            await delivery_attempted(
                self.services, delivery_id, "failed", None, "the webhook was removed"
            )
            raise SendFailed("the webhook was removed", permanent=True)
        status, retry_after, error = await self._post(found)
        if status is not None and 200 <= status < 300:
            await delivery_attempted(self.services, delivery_id, "delivered", status, None)
            return
        permanent = status == 410
        last = permanent or item.attempts >= self.max_attempts
        await delivery_attempted(
            self.services, delivery_id, "failed" if last else "pending", status, error
        )
        raise SendFailed(
            f"webhook {found.event} to {found.url}: {error}",
            permanent=last,
            retry_after=None if last else self._delay(item.attempts, retry_after),
        )

    async def _post(self, found: OutgoingDelivery) -> tuple[int | None, str | None, str]:
        """(status, Retry-After, what went wrong) of one POST; no status when none came."""
        body = found.body.encode()
        timestamp = int(self.wall_clock())
        headers = {
            "Content-Type": "application/json",
            "Kudos-Event": found.event,
            "Kudos-Delivery": found.delivery_id,
            "Kudos-Signature": f"t={timestamp},v1={sign(found.secret, timestamp, body)}",
        }
        try:
            async with self._http().post(
                found.url, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.content.read(1024)  # a little of the answer, for the log
                return (
                    response.status,
                    response.headers.get("Retry-After"),
                    f"HTTP {response.status} {response.reason or ''}".strip(),
                )
        except TimeoutError:
            return None, None, f"no answer within {self.timeout.total:.0f} s"
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return None, None, f"{type(exc).__name__}: {exc}"[:500] or "connection failed"

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None and retry_after.strip().isdigit():
            return float(min(int(retry_after.strip()), MAX_RETRY_AFTER))
        base = self.backoff[min(attempt, len(self.backoff)) - 1]
        return base * random.uniform(0.8, 1.2)
