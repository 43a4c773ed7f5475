"""A per-process cache of workspaces, so the hot path skips one query per command."""

from __future__ import annotations

import time

from bot.domain.model import Workspace, WorkspaceRef

DEFAULT_TTL_SECONDS = 2.0


class WorkspaceCache:
    """Workspaces by platform identity for a short time.

    Ids never change; settings may, so entries expire after `ttl` seconds: a change made on
    another replica applies here within that time, one made in this process at once.
    Only rows read from committed data are stored (see `SqlWorkspaceRepository`).
    """

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[str, str], tuple[float, Workspace]] = {}

    def get(self, ref: WorkspaceRef) -> Workspace | None:
        entry = self._entries.get((ref.platform, ref.external_id))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, workspace: Workspace) -> None:
        key = (workspace.platform, workspace.external_id)
        self._entries[key] = (time.monotonic() + self.ttl, workspace)

    def forget(self, platform: str, external_id: str) -> None:
        self._entries.pop((platform, external_id), None)


class WebhookCache:
    """The event names each workspace's webhooks subscribe to, for a short time, so an event in
    a workspace without webhooks (most of them) costs no query. A webhook added in this process
    counts at once; one added by another process (the CLI, a replica) within `ttl` seconds."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[int, tuple[float, frozenset[str]]] = {}

    def get(self, workspace_id: int) -> frozenset[str] | None:
        entry = self._entries.get(workspace_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, workspace_id: int, events: frozenset[str]) -> None:
        self._entries[workspace_id] = (time.monotonic() + self.ttl, events)

    def forget(self, workspace_id: int) -> None:
        self._entries.pop(workspace_id, None)
