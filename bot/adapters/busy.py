"""Answering "busy, send it again" when the inbox cannot record a request (the database's
connections are all taken, or it does not answer): 503 with Retry-After, counted, and logged
as one warning line every few seconds rather than a traceback per request."""

from __future__ import annotations

import logging
import time

from bot import metrics

RETRY_AFTER_SECONDS = 1
LOG_EVERY_SECONDS = 10.0
HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS)}

log = logging.getLogger("kudos.web")
_last_logged = 0.0
_since_logged = 0


def refused_busy(route: str, reason: str) -> None:
    """Count a request refused with 503 because the inbox could not record it, and log it
    (one warning per LOG_EVERY_SECONDS, with how many were refused since the last one)."""
    global _last_logged, _since_logged
    metrics.REJECTED_REQUESTS.labels(route, "unavailable").inc()
    _since_logged += 1
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        log.warning(
            "refused %d request(s) on %s with 503 (the platform will retry): %s",
            _since_logged,
            route,
            reason,
        )
        _last_logged, _since_logged = now, 0
