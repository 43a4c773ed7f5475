"""The JSON API's lists in memory (see bot/store/repositories/browse.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.browse import KudosFilter, KudosRecord, LearningRecord, Person, Position
from bot.domain.model import AuditEntry, Member, Workspace
from bot.domain.rewards import Redemption
from tests.fakes.repositories.admins import audit_entry
from tests.fakes.repositories.base import (
    FakeRepository,
    at_or_after,
    before,
    has_word,
    newest_first,
)
from tests.fakes.repositories.kudos import recipients_of
from tests.fakes.repositories.members import member_of
from tests.fakes.repositories.redemptions import redemptions_of
from tests.fakes.tables import Row


def _after(row: Row, position: Position | None) -> bool:
    """The row comes after `position` in (created desc, id desc) order."""
    if position is None:
        return True
    if position.at is None:
        return bool(row["id"] < position.id)
    return bool(
        row["created_at"] <= position.at
        and (row["created_at"] < position.at or row["id"] < position.id)
    )


class FakeBrowseQueries(FakeRepository):
    def _member_id(self, workspace: Workspace, external_id: str) -> int | None:
        row = self.tables["members"].first(workspace_id=workspace.id, external_id=external_id)
        return None if row is None else int(row["id"])

    async def kudos(
        self, workspace: Workspace, where: KudosFilter, after: Position | None, limit: int
    ) -> list[KudosRecord]:
        ids_of: dict[str, int] = {}
        for role, external_id in (
            ("giver", where.giver),
            ("recipient", where.recipient),
            ("person", where.person),
        ):
            if external_id is not None:
                member_id = self._member_id(workspace, external_id)
                if member_id is None:
                    return []
                ids_of[role] = member_id
        rows = [
            r
            for r in self.tables["kudos"].where(workspace_id=workspace.id)
            if at_or_after(r["created_at"], where.since)
            and before(r["created_at"], where.until)
            and (not where.value or has_word(r["tags"], where.value))
            and (where.channel is None or r["channel"] == where.channel)
            and (where.include_reversed or r["reversed_at"] is None)
            and _after(r, after)
        ]
        recipients = recipients_of(self.tables, {r["id"] for r in rows})
        if "giver" in ids_of:
            rows = [r for r in rows if r["giver_id"] == ids_of["giver"]]
        if "recipient" in ids_of:
            rows = [r for r in rows if ids_of["recipient"] in recipients[r["id"]]]
        if "person" in ids_of:
            person = ids_of["person"]
            rows = [r for r in rows if r["giver_id"] == person or person in recipients[r["id"]]]
        members = self.tables["members"].rows
        records = []
        for r in newest_first(rows)[:limit]:
            giver = members[r["giver_id"]]
            records.append(
                KudosRecord(
                    id=r["id"],
                    created_at=r["created_at"],
                    giver=Person(giver["external_id"], giver["display_name"]),
                    recipients=tuple(
                        Person(members[m]["external_id"], members[m]["display_name"])
                        for m in recipients[r["id"]]
                    ),
                    amount_each=r["amount_each"],
                    reason=r["reason"],
                    tags=tuple(r["tags"].split()) if r["tags"] else (),
                    channel=r["channel"],
                    reversed_at=r["reversed_at"],
                    reversal_reason=r["reversal_reason"],
                )
            )
        return records

    async def members(
        self, workspace: Workspace, active: bool | None, after: Position | None, limit: int
    ) -> list[tuple[Member, datetime]]:
        found = []
        for row in self.tables["members"].where(workspace_id=workspace.id):
            if after is not None and row["id"] <= after.id:
                continue
            if active is not None and row["is_active"] != active:
                continue
            member = member_of(self.tables, row, with_directory=False)
            if member is not None:
                found.append((member, row["created_at"]))
        return sorted(found, key=lambda pair: pair[0].id)[:limit]

    async def member_since(self, workspace: Workspace, external_id: str) -> datetime | None:
        row = self.tables["members"].first(workspace_id=workspace.id, external_id=external_id)
        return None if row is None else row["created_at"]

    async def learnings(
        self,
        workspace: Workspace,
        since: datetime | None,
        until: datetime | None,
        person: str | None,
        value: str | None,
        after: Position | None,
        limit: int,
    ) -> list[LearningRecord]:
        members = self.tables["members"].rows
        rows = [
            r
            for r in self.tables["learnings"].where(workspace_id=workspace.id)
            if r["member_id"] in members
            and _after(r, after)
            and at_or_after(r["created_at"], since)
            and before(r["created_at"], until)
            and (person is None or members[r["member_id"]]["external_id"] == person)
            and (not value or has_word(r["tags"], value))
        ]
        return [
            LearningRecord(
                id=r["id"],
                created_at=r["created_at"],
                author=Person(
                    members[r["member_id"]]["external_id"], members[r["member_id"]]["display_name"]
                ),
                text=r["text"],
                tags=tuple(r["tags"].split()) if r["tags"] else (),
                channel=r["channel"],
            )
            for r in newest_first(rows)[:limit]
        ]

    async def redemptions(
        self, workspace: Workspace, statuses: Sequence[str], after: Position | None, limit: int
    ) -> list[Redemption]:
        rows = [
            r
            for r in self.tables["redemptions"].where(workspace_id=workspace.id)
            if (after is None or r["id"] < after.id) and (not statuses or r["status"] in statuses)
        ]
        newest = sorted(rows, key=lambda r: r["id"], reverse=True)
        return redemptions_of(self.tables, newest)[:limit]

    async def audit(
        self,
        workspace: Workspace,
        since: datetime | None,
        action: str | None,
        after: Position | None,
        limit: int,
    ) -> list[AuditEntry]:
        rows = [
            r
            for r in self.tables["audit_log"].where(workspace_id=workspace.id)
            if _after(r, after)
            and at_or_after(r["created_at"], since)
            and (action is None or r["action"] == action)
        ]
        return [audit_entry(r) for r in newest_first(rows)[:limit]]
