"""Schedules and their exactly-once claims, in memory (see bot/store/repositories/schedules.py)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Workspace, WorkspaceRef
from bot.domain.schedule import Schedule, ScheduleRun
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.repositories.workspaces import ref_of
from tests.fakes.tables import Row


def _schedule(row: Row) -> Schedule:
    return Schedule(
        row["id"],
        row["workspace_id"],
        row["kind"],
        row["channel"],
        row["weekday"],
        row["hour"],
        row["minute"],
    )


def _run(row: Row) -> ScheduleRun:
    return ScheduleRun(
        id=row["id"],
        kind=row["kind"],
        channel=row["channel"],
        period=row["period"],
        status=row["status"],
        attempts=row["attempts"],
        claimed_at=row["claimed_at"],
        next_attempt_at=row["next_attempt_at"],
        finished_at=row["finished_at"],
        error=row["error"],
    )


class FakeScheduleRepository(FakeRepository):
    async def add(
        self,
        workspace: Workspace,
        kind: str,
        channel: str,
        when: tuple[int, int, int],
        at: datetime,
    ) -> Schedule:
        weekday, hour, minute = when
        table = self.tables["schedules"]
        row = table.first(workspace_id=workspace.id, kind=kind, channel=channel)
        if row is not None:
            table.update(row, weekday=weekday, hour=hour, minute=minute)
        else:
            row = self.tables.insert(
                "schedules",
                {
                    "workspace_id": workspace.id,
                    "kind": kind,
                    "channel": channel,
                    "weekday": weekday,
                    "hour": hour,
                    "minute": minute,
                    "created_at": at,
                },
            )
        assert row is not None
        return _schedule(row)

    async def remove(self, workspace: Workspace, kind: str, channel: str) -> bool:
        table = self.tables["schedules"]
        row = table.first(workspace_id=workspace.id, kind=kind, channel=channel)
        if row is None:
            return False
        table.delete(row)
        return True

    async def of(self, workspace: Workspace) -> list[Schedule]:
        rows = self.tables["schedules"].where(workspace_id=workspace.id)
        return [_schedule(r) for r in sorted(rows, key=lambda r: (r["kind"], r["channel"]))]

    async def everywhere(self) -> list[tuple[WorkspaceRef, Schedule]]:
        workspaces = self.tables["workspaces"].rows
        return [
            (ref_of(workspaces[r["workspace_id"]]), _schedule(r))
            for r in self.tables["schedules"]
            if r["workspace_id"] in workspaces
        ]

    async def claim(
        self, workspace: Workspace, kind: str, channel: str, period: str, at: datetime
    ) -> int | None:
        row = self.tables.insert(
            "schedule_runs",
            {
                "workspace_id": workspace.id,
                "kind": kind,
                "channel": channel,
                "period": period,
                "status": "running",
                "attempts": 1,
                "claimed_at": at,
            },
            on_conflict=("workspace_id", "kind", "channel", "period"),
        )
        return None if row is None else int(row["id"])

    async def has_run(self, workspace: Workspace, kind: str, channel: str, period: str) -> bool:
        runs = self.tables["schedule_runs"]
        return (
            runs.first(workspace_id=workspace.id, kind=kind, channel=channel, period=period)
            is not None
        )

    async def retries_due(self, at: datetime) -> list[tuple[WorkspaceRef, ScheduleRun]]:
        workspaces = self.tables["workspaces"].rows
        return [
            (ref_of(workspaces[r["workspace_id"]]), _run(r))
            for r in self.tables["schedule_runs"].where(status="retry")
            if r["next_attempt_at"] is not None and r["next_attempt_at"] <= at
        ]

    async def claim_retry(self, run_id: int, at: datetime) -> bool:
        runs = self.tables["schedule_runs"]
        row = runs.get(run_id)
        if row is None or row["status"] != "retry":
            return False
        runs.update(row, status="running", attempts=row["attempts"] + 1, claimed_at=at)
        return True

    async def finish(
        self,
        run_id: int,
        status: str,
        at: datetime,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        runs = self.tables["schedule_runs"]
        row = runs.get(run_id)
        if row is not None:
            runs.update(
                row,
                status=status,
                finished_at=at,
                error=error[:2000] if error else None,
                next_attempt_at=next_attempt_at,
            )

    async def runs(self, workspace: Workspace, limit: int) -> list[ScheduleRun]:
        rows = self.tables["schedule_runs"].where(workspace_id=workspace.id)
        newest = sorted(rows, key=lambda r: (r["claimed_at"], r["id"]), reverse=True)
        return [_run(r) for r in newest[:limit]]
