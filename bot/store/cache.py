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
