"""Prometheus metrics, served at `GET /metrics`. One registry per process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.services.delivery import Event
from bot.services.results import KudosGiven, LearningShared, Redeemed, RedemptionDecided

REGISTRY = CollectorRegistry()

HTTP_REQUESTS = Counter(
    "kudos_http_requests",
    "HTTP requests served, by route and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "kudos_http_request_duration_seconds",
    "Time to answer an HTTP request (for Slack: time to the ack)",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
KUDOS_GIVEN = Counter(
    "kudos_given", "Kudos given (not counting duplicates)", ["platform"], registry=REGISTRY
)
POINTS_GIVEN = Counter("kudos_points_given", "Points given", ["platform"], registry=REGISTRY)
LEARNINGS_SHARED = Counter(
    "kudos_learnings_shared", "Learnings shared with til", ["platform"], registry=REGISTRY
)
REFUSALS = Counter(
    "kudos_refusals",
    "Commands refused with a friendly explanation, by reason",
    ["platform", "code"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "kudos_errors",
    "Unexpected errors while handling a chat request",
    ["platform"],
    registry=REGISTRY,
)
REJECTED_REQUESTS = Counter(
    "kudos_rejected_requests",
    "HTTP requests refused before any work (4xx), by route and reason: bad_timestamp, "
    "stale_timestamp, bad_signature, unauthorized, too_large, unsupported_media_type, "
    "malformed_body; and unavailable (503: the inbox could not record it, the platform retries)",
    ["route", "reason"],
    registry=REGISTRY,
)
REDEMPTIONS = Counter(
    "kudos_redemptions",
    "Redemptions sent to admins for a decision, and decisions made",
    ["platform", "event"],
    registry=REGISTRY,
)
INBOX = Counter(
    "kudos_inbox",
    "Chat requests through the inbox: recorded, duplicate, claimed, done, retry, "
    "lease_lost, given_up",
    ["platform", "event"],
    registry=REGISTRY,
)
INBOX_LATENCY = Histogram(
    "kudos_inbox_latency_seconds",
    "From a request's ack to its effect committed",
    ["platform"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY,
)
INBOX_BACKLOG = Gauge(
    "kudos_inbox_backlog", "Acknowledged requests not yet done (all replicas)", registry=REGISTRY
)
INBOX_OLDEST = Gauge(
    "kudos_inbox_oldest_age_seconds",
    "Age of the oldest acknowledged request not yet done",
    registry=REGISTRY,
)
OUTBOX = Counter(
    "kudos_outbox",
    "Messages and events through the outbox: sent, retry, failed",
    ["platform", "event"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "kudos_outbox_backlog",
    "Messages and events waiting to be sent (all replicas)",
    registry=REGISTRY,
)
OUTBOX_OLDEST = Gauge(
    "kudos_outbox_oldest_age_seconds",
    "Age of the oldest message or event waiting to be sent",
    registry=REGISTRY,
)


def count_event(platform: str, event: Event) -> None:
    """Count what the services published, once, as its outbox row is delivered."""
    match event:
        case KudosGiven():
            KUDOS_GIVEN.labels(platform).inc()
            POINTS_GIVEN.labels(platform).inc(event.total)
        case LearningShared():
            LEARNINGS_SHARED.labels(platform).inc()
        case Redeemed():
            REDEMPTIONS.labels(platform, "requested").inc()
        case RedemptionDecided():
            REDEMPTIONS.labels(platform, event.redemption.status).inc()
