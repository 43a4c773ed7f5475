"""How long leases last, how often to look for work, and how retries back off."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from bot.services.delivery import now as utcnow

__all__ = ["QueueTiming", "utcnow"]


@dataclass(frozen=True)
class QueueTiming:
    """Bounds and timing of the inbox worker and the outbox deliverer, per process."""

    lease: float = 30.0
    """Seconds a claim lasts; a process that died gives its work up after this."""
    run_timeout: float = 20.0
    """Seconds one request may take before it is abandoned and retried (below `lease`)."""
    poll: float = 1.0
    """Seconds between looks for work claimed by no one (from other replicas, or left over)."""
    concurrency: int = 8
    """Requests (or outgoing messages) in progress at once in this process."""
    backlog_in_memory: int = 256
    """Requests handed straight to this process's workers; beyond that they wait in the
    database for any replica to claim."""
    inbox_attempts: int = 5
    outbox_attempts: int = 8
    batch: int = 32
    keep_finished: timedelta = timedelta(days=1)

    def __post_init__(self) -> None:
        if not 0 < self.run_timeout < self.lease:
            raise ValueError("a request's run_timeout must be shorter than its lease")

    def backoff(self, attempts: int) -> timedelta:
        """Wait before attempt `attempts + 1`: 1 s, 4 s, 16 s, … up to 10 minutes, jittered."""
        seconds = min(600.0, 4.0 ** max(0, attempts - 1))
        return timedelta(seconds=seconds * random.uniform(0.8, 1.2))
