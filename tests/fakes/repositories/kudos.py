"""Kudos and their recipients in memory (see bot/store/repositories/kudos.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.domain.model import Kudos, Member, Workspace
from tests.fakes.repositories.base import FakeRepository, newest_first
from tests.fakes.tables import Row, Tables

MAX_KUDOS_PER_MESSAGE = 100


def recipients_of(tables: Tables, kudos_ids: set[int]) -> dict[int, list[int]]:
    """Recipient member ids by kudos, in member id order (as the store reads them)."""
    found: dict[int, list[int]] = {k: [] for k in kudos_ids}
    for r in tables["kudos_recipients"]:
        if r["kudos_id"] in found:
            found[r["kudos_id"]].append(r["member_id"])
    return {k: sorted(v) for k, v in found.items()}


def kudos_of(row: Row, recipients: list[int]) -> Kudos:
    return Kudos(
        id=row["id"],
        workspace_id=row["workspace_id"],
        giver_id=row["giver_id"],
        amount_each=row["amount_each"],
        recipient_ids=tuple(recipients),
        reason=row["reason"],
        tags=tuple(row["tags"].split()) if row["tags"] else (),
        channel=row["channel"],
        message_ref=row["message_ref"],
        created_at=row["created_at"],
        reversed_at=row["reversed_at"],
    )


def load_kudos(tables: Tables, where: Callable[[Row], bool], limit: int = 1) -> list[Kudos]:
    """The newest kudos matching `where`, with their recipients (as `load_kudos` in the
    store)."""
    rows = newest_first([r for r in tables["kudos"] if where(r)])[:limit]
    recipients = recipients_of(tables, {r["id"] for r in rows})
    return [kudos_of(r, recipients[r["id"]]) for r in rows]


class FakeKudosRepository(FakeRepository):
    async def add(
        self,
        workspace: Workspace,
        giver: Member,
        recipients: Sequence[Member],
        amount_each: int,
        reason: str | None,
        tags: Sequence[str],
        channel: str | None,
        message_ref: str | None,
        idempotency_key: str,
        at: datetime,
    ) -> int:
        with self.atomic():
            row = self.insert_unique(
                "kudos",
                {
                    "workspace_id": workspace.id,
                    "giver_id": giver.id,
                    "amount_each": amount_each,
                    "reason": reason,
                    "tags": " ".join(tags)[:500],
                    "channel": channel,
                    "message_ref": message_ref,
                    "idempotency_key": idempotency_key,
                    "created_at": at,
                },
            )
            for member in recipients:
                self.tables.insert(
                    "kudos_recipients", {"kudos_id": row["id"], "member_id": member.id}
                )
        return int(row["id"])

    async def by_key(self, workspace: Workspace, idempotency_key: str) -> Kudos | None:
        found = load_kudos(
            self.tables,
            lambda r: r["workspace_id"] == workspace.id and r["idempotency_key"] == idempotency_key,
        )
        return found[0] if found else None

    async def last_given(self, workspace: Workspace, giver_id: int) -> Kudos | None:
        found = load_kudos(
            self.tables,
            lambda r: (
                r["workspace_id"] == workspace.id
                and r["giver_id"] == giver_id
                and r["reversed_at"] is None
            ),
        )
        return found[0] if found else None

    async def active_for_message(self, workspace: Workspace, message_ref: str) -> list[Kudos]:
        return load_kudos(
            self.tables,
            lambda r: (
                r["workspace_id"] == workspace.id
                and r["message_ref"] == message_ref
                and r["reversed_at"] is None
            ),
            limit=MAX_KUDOS_PER_MESSAGE,
        )

    async def mark_reversed(self, kudos_id: int, at: datetime, why: str) -> bool:
        row = self.tables["kudos"].get(kudos_id)
        if row is None or row["reversed_at"] is not None:
            return False
        self.tables["kudos"].update(row, reversed_at=at, reversal_reason=why)
        return True
