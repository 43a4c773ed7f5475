"""Schedules, and the claims that make each scheduled post happen once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from bot.domain.model import Workspace, WorkspaceRef
from bot.domain.schedule import Schedule, ScheduleKind, ScheduleRun
from bot.store.models import ScheduleRow, ScheduleRunRow, WorkspaceRow
from bot.store.repositories.base import Repository, utc


def _schedule(row: Any) -> Schedule:
    kind: ScheduleKind = row.kind
    return Schedule(row.id, row.workspace_id, kind, row.channel, row.weekday, row.hour, row.minute)


def _run(row: Any) -> ScheduleRun:
    return ScheduleRun(
        id=row.id,
        kind=row.kind,
        channel=row.channel,
        period=row.period,
        status=row.status,
        attempts=row.attempts,
        claimed_at=utc(row.claimed_at),
        next_attempt_at=utc(row.next_attempt_at) if row.next_attempt_at else None,
        finished_at=utc(row.finished_at) if row.finished_at else None,
        error=row.error,
    )


class SqlScheduleRepository(Repository):
    async def add(
        self,
        workspace: Workspace,
        kind: str,
        channel: str,
        when: tuple[int, int, int],
        at: datetime,
    ) -> Schedule:
        weekday, hour, minute = when
        statement = self._insert(ScheduleRow).values(
            workspace_id=workspace.id,
            kind=kind,
            channel=channel,
            weekday=weekday,
            hour=hour,
            minute=minute,
            created_at=at,
        )
        await self.conn.execute(
            statement.on_conflict_do_update(
                index_elements=["workspace_id", "kind", "channel"],
                set_={"weekday": weekday, "hour": hour, "minute": minute},
            )
        )
        row = (
            await self.conn.execute(
                select(ScheduleRow)
                .where(ScheduleRow.workspace_id == workspace.id)
                .where(ScheduleRow.kind == kind)
                .where(ScheduleRow.channel == channel)
            )
        ).one()
        return _schedule(row)

    async def remove(self, workspace: Workspace, kind: str, channel: str) -> bool:
        result = await self.conn.execute(
            delete(ScheduleRow)
            .where(ScheduleRow.workspace_id == workspace.id)
            .where(ScheduleRow.kind == kind)
            .where(ScheduleRow.channel == channel)
        )
        return bool(result.rowcount)

    async def of(self, workspace: Workspace) -> list[Schedule]:
        rows = await self.conn.execute(
            select(ScheduleRow)
            .where(ScheduleRow.workspace_id == workspace.id)
            .order_by(ScheduleRow.kind, ScheduleRow.channel)
        )
        return [_schedule(r) for r in rows]

    async def everywhere(self) -> list[tuple[WorkspaceRef, Schedule]]:
        rows = await self.conn.execute(
            select(ScheduleRow, WorkspaceRow.platform, WorkspaceRow.external_id)
            .join(WorkspaceRow, WorkspaceRow.id == ScheduleRow.workspace_id)
            .order_by(ScheduleRow.id)
        )
        return [(WorkspaceRef(r.platform, r.external_id), _schedule(r)) for r in rows]

    async def claim(
        self, workspace: Workspace, kind: str, channel: str, period: str, at: datetime
    ) -> int | None:
        inserted = await self.conn.execute(
            self._insert(ScheduleRunRow)
            .values(
                workspace_id=workspace.id,
                kind=kind,
                channel=channel,
                period=period,
                status="running",
                attempts=1,
                claimed_at=at,
            )
            .on_conflict_do_nothing(index_elements=["workspace_id", "kind", "channel", "period"])
            .returning(ScheduleRunRow.id)
        )
        run_id = inserted.scalar()
        return int(run_id) if run_id is not None else None

    async def has_run(self, workspace: Workspace, kind: str, channel: str, period: str) -> bool:
        found = await self.conn.execute(
            select(ScheduleRunRow.id)
            .where(ScheduleRunRow.workspace_id == workspace.id)
            .where(ScheduleRunRow.kind == kind)
            .where(ScheduleRunRow.channel == channel)
            .where(ScheduleRunRow.period == period)
        )
        return found.first() is not None

    async def retries_due(self, at: datetime) -> list[tuple[WorkspaceRef, ScheduleRun]]:
        rows = await self.conn.execute(
            select(ScheduleRunRow, WorkspaceRow.platform, WorkspaceRow.external_id)
            .join(WorkspaceRow, WorkspaceRow.id == ScheduleRunRow.workspace_id)
            .where(ScheduleRunRow.status == "retry")
            .where(ScheduleRunRow.next_attempt_at <= at)
            .order_by(ScheduleRunRow.id)
        )
        return [(WorkspaceRef(r.platform, r.external_id), _run(r)) for r in rows]

    async def claim_retry(self, run_id: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(ScheduleRunRow)
            .where(ScheduleRunRow.id == run_id)
            .where(ScheduleRunRow.status == "retry")
            .values(status="running", attempts=ScheduleRunRow.attempts + 1, claimed_at=at)
        )
        return result.rowcount == 1

    async def finish(
        self,
        run_id: int,
        status: str,
        at: datetime,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        await self.conn.execute(
            update(ScheduleRunRow)
            .where(ScheduleRunRow.id == run_id)
            .values(
                status=status,
                finished_at=at,
                error=error[:2000] if error else None,
                next_attempt_at=next_attempt_at,
            )
        )

    async def runs(self, workspace: Workspace, limit: int) -> list[ScheduleRun]:
        rows = await self.conn.execute(
            select(ScheduleRunRow)
            .where(ScheduleRunRow.workspace_id == workspace.id)
            .order_by(ScheduleRunRow.claimed_at.desc(), ScheduleRunRow.id.desc())
            .limit(limit)
        )
        return [_run(r) for r in rows]
