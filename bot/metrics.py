"""Prometheus metrics, served at `GET /metrics`. One registry per process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from bot.domain.model import WorkspaceRef
from bot.services.ports import Notifier
from bot.services.results import (
    KudosGiven,
    LearningShared,
    Redeemed,
    RedemptionDecided,
    ScheduledPost,
)

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
    "malformed_body",
    ["route", "reason"],
    registry=REGISTRY,
)
REDEMPTIONS = Counter(
    "kudos_redemptions",
    "Redemptions sent to admins for a decision, and decisions made",
    ["platform", "event"],
    registry=REGISTRY,
)


class CountingNotifier:
    """Counts what the services report, then passes it on."""

    def __init__(self, inner: Notifier) -> None:
        self.inner = inner

    async def kudos_given(self, workspace: WorkspaceRef, given: KudosGiven) -> None:
        KUDOS_GIVEN.labels(workspace.platform).inc()
        POINTS_GIVEN.labels(workspace.platform).inc(given.total)
        await self.inner.kudos_given(workspace, given)

    async def learning_shared(self, workspace: WorkspaceRef, shared: LearningShared) -> None:
        LEARNINGS_SHARED.labels(workspace.platform).inc()
        await self.inner.learning_shared(workspace, shared)

    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None:
        await self.inner.scheduled_post(workspace, channel, post)

    async def redemption_requested(self, workspace: WorkspaceRef, redeemed: Redeemed) -> None:
        REDEMPTIONS.labels(workspace.platform, "requested").inc()
        await self.inner.redemption_requested(workspace, redeemed)

    async def redemption_decided(self, workspace: WorkspaceRef, decided: RedemptionDecided) -> None:
        REDEMPTIONS.labels(workspace.platform, decided.redemption.status).inc()
        await self.inner.redemption_decided(workspace, decided)
