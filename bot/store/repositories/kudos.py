"""Kudos records and their recipients."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, insert, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from bot.domain.model import Kudos, Member, Workspace
from bot.services.ports import DuplicateDelivery
from bot.store.database import SqlConnection, is_unique_violation
from bot.store.models import KudosRecipientRow, KudosRow
from bot.store.repositories.base import Repository, utc

MAX_KUDOS_PER_MESSAGE = 100
_INSERT_KUDOS = insert(KudosRow).returning(KudosRow.id)
_INSERT_RECIPIENTS = insert(KudosRecipientRow)
# PostgreSQL records a kudos and its recipients in one round trip.
_INSERT_KUDOS_AND_RECIPIENTS_PG = text(
    """
    WITH k AS (
        INSERT INTO kudos (workspace_id, giver_id, amount_each, reason, tags, channel,
                           message_ref, idempotency_key, created_at)
        VALUES (:workspace_id, :giver_id, :amount_each, :reason, :tags, :channel,
                :message_ref, :idempotency_key, :created_at)
        RETURNING id
    )
    INSERT INTO kudos_recipients (kudos_id, member_id)
    SELECT k.id, r.member_id FROM k, unnest(:members) AS r(member_id)
    RETURNING kudos_id
    """
).bindparams(bindparam("members", type_=postgresql.ARRAY(BigInteger)))


async def load_kudos(conn: SqlConnection, where: Any, limit: int = 1) -> list[Kudos]:
    """The newest kudos matching `where`, with their recipients."""
    rows = (
        await conn.execute(
            select(KudosRow)
            .where(where)
            .order_by(KudosRow.created_at.desc(), KudosRow.id.desc())
            .limit(limit)
        )
    ).all()
    if not rows:
        return []
    recipients: dict[int, list[int]] = defaultdict(list)
    for kudos_id, member_id in await conn.execute(
        select(KudosRecipientRow.kudos_id, KudosRecipientRow.member_id)
        .where(KudosRecipientRow.kudos_id.in_([r.id for r in rows]))
        .order_by(KudosRecipientRow.kudos_id, KudosRecipientRow.member_id)
    ):
        recipients[kudos_id].append(member_id)
    return [
        Kudos(
            id=r.id,
            workspace_id=r.workspace_id,
            giver_id=r.giver_id,
            amount_each=r.amount_each,
            recipient_ids=tuple(recipients[r.id]),
            reason=r.reason,
            tags=tuple(r.tags.split()) if r.tags else (),
            channel=r.channel,
            message_ref=r.message_ref,
            created_at=utc(r.created_at),
            reversed_at=utc(r.reversed_at) if r.reversed_at else None,
        )
        for r in rows
    ]


class SqlKudosRepository(Repository):
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
        values = {
            "workspace_id": workspace.id,
            "giver_id": giver.id,
            "amount_each": amount_each,
            "reason": reason,
            "tags": " ".join(tags)[:500],
            "channel": channel,
            "message_ref": message_ref,
            "idempotency_key": idempotency_key,
            "created_at": at,
        }
        try:
            if self.is_postgres:
                members = [m.id for m in recipients]
                result = await self.conn.execute(
                    _INSERT_KUDOS_AND_RECIPIENTS_PG, {**values, "members": members}
                )
                kudos_id = result.scalars().first()
                assert kudos_id is not None, "a kudos always has recipients"
                return int(kudos_id)
            kudos_id = (await self.conn.execute(_INSERT_KUDOS, values)).scalar_one()
        except IntegrityError as exc:
            if is_unique_violation(exc):
                raise DuplicateDelivery() from exc
            raise
        await self.conn.execute(
            _INSERT_RECIPIENTS,
            [{"kudos_id": kudos_id, "member_id": m.id} for m in recipients],
        )
        return int(kudos_id)

    async def by_key(self, workspace: Workspace, idempotency_key: str) -> Kudos | None:
        found = await load_kudos(
            self.conn,
            and_(
                KudosRow.workspace_id == workspace.id, KudosRow.idempotency_key == idempotency_key
            ),
        )
        return found[0] if found else None

    async def last_given(self, workspace: Workspace, giver_id: int) -> Kudos | None:
        found = await load_kudos(
            self.conn,
            and_(
                KudosRow.workspace_id == workspace.id,
                KudosRow.giver_id == giver_id,
                KudosRow.reversed_at.is_(None),
            ),
        )
        return found[0] if found else None

    async def active_for_message(self, workspace: Workspace, message_ref: str) -> list[Kudos]:
        return await load_kudos(
            self.conn,
            and_(
                KudosRow.workspace_id == workspace.id,
                KudosRow.message_ref == message_ref,
                KudosRow.reversed_at.is_(None),
            ),
            limit=MAX_KUDOS_PER_MESSAGE,
        )

    async def mark_reversed(self, kudos_id: int, at: datetime, why: str) -> bool:
        result = await self.conn.execute(
            update(KudosRow)
            .where(KudosRow.id == kudos_id)
            .where(KudosRow.reversed_at.is_(None))
            .values(reversed_at=at, reversal_reason=why)
        )
        return result.rowcount == 1
