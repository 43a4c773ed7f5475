"""Whole tables of one workspace as plain rows, oldest first, for `kudos export`."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.domain.model import Workspace
from bot.store.models import (
    AccountRow,
    KudosRecipientRow,
    KudosRow,
    LearningRow,
    LedgerEntryRow,
    MemberRow,
)
from bot.store.repositories.base import Repository, utc


def _iso(value: datetime | None) -> str | None:
    return utc(value).isoformat() if value is not None else None


class SqlExportQueries(Repository):
    async def kudos(self, workspace: Workspace, since: datetime | None) -> list[dict[str, Any]]:
        giver = aliased(MemberRow)
        query = (
            select(
                KudosRow,
                giver.external_id.label("giver_external_id"),
                giver.display_name.label("giver_name"),
            )
            .join(giver, giver.id == KudosRow.giver_id)
            .where(KudosRow.workspace_id == workspace.id)
            .order_by(KudosRow.created_at, KudosRow.id)
        )
        if since is not None:
            query = query.where(KudosRow.created_at >= since)
        rows = (await self.conn.execute(query)).all()
        recipients: dict[int, list[tuple[str, str]]] = defaultdict(list)
        ids = [row.id for row in rows]
        for start in range(0, len(ids), 500):
            found = await self.conn.execute(
                select(KudosRecipientRow.kudos_id, MemberRow.external_id, MemberRow.display_name)
                .join(MemberRow, MemberRow.id == KudosRecipientRow.member_id)
                .where(KudosRecipientRow.kudos_id.in_(ids[start : start + 500]))
                .order_by(KudosRecipientRow.kudos_id, MemberRow.id)
            )
            for kudos_id, external_id, name in found:
                recipients[kudos_id].append((external_id, name))
        return [
            {
                "id": row.id,
                "created_at": _iso(row.created_at),
                "giver_id": row.giver_external_id,
                "giver": row.giver_name,
                "recipient_ids": " ".join(r[0] for r in recipients[row.id]),
                "recipients": ", ".join(r[1] for r in recipients[row.id]),
                "amount_each": row.amount_each,
                "total": row.amount_each * len(recipients[row.id]),
                "reason": row.reason or "",
                "tags": " ".join(f"#{t}" for t in row.tags.split()),
                "channel": row.channel or "",
                "reversed_at": _iso(row.reversed_at) or "",
                "reversal_reason": row.reversal_reason or "",
            }
            for row in rows
        ]

    async def learnings(self, workspace: Workspace, since: datetime | None) -> list[dict[str, Any]]:
        query = (
            select(
                LearningRow,
                MemberRow.external_id.label("member_external_id"),
                MemberRow.display_name.label("member_name"),
            )
            .join(MemberRow, MemberRow.id == LearningRow.member_id)
            .where(LearningRow.workspace_id == workspace.id)
            .order_by(LearningRow.created_at, LearningRow.id)
        )
        if since is not None:
            query = query.where(LearningRow.created_at >= since)
        return [
            {
                "id": row.id,
                "created_at": _iso(row.created_at),
                "member_id": row.member_external_id,
                "member": row.member_name,
                "text": row.text,
                "tags": " ".join(f"#{t}" for t in row.tags.split()),
                "channel": row.channel or "",
            }
            for row in await self.conn.execute(query)
        ]

    async def ledger(self, workspace: Workspace, since: datetime | None) -> list[dict[str, Any]]:
        debit, credit = aliased(AccountRow), aliased(AccountRow)
        debit_member, credit_member = aliased(MemberRow), aliased(MemberRow)
        query = (
            select(
                LedgerEntryRow,
                debit.kind.label("debit_kind"),
                debit_member.external_id.label("debit_member"),
                credit.kind.label("credit_kind"),
                credit_member.external_id.label("credit_member"),
            )
            .join(debit, debit.id == LedgerEntryRow.debit_account_id)
            .join(credit, credit.id == LedgerEntryRow.credit_account_id)
            .outerjoin(debit_member, debit_member.id == debit.member_id)
            .outerjoin(credit_member, credit_member.id == credit.member_id)
            .where(LedgerEntryRow.workspace_id == workspace.id)
            .order_by(LedgerEntryRow.id)
        )
        if since is not None:
            query = query.where(LedgerEntryRow.created_at >= since)
        return [
            {
                "id": row.id,
                "created_at": _iso(row.created_at),
                "kind": row.kind,
                "amount": int(row.amount),
                "debit_account": row.debit_account_id,
                "debit": f"{row.debit_kind}:{row.debit_member}"
                if row.debit_member
                else row.debit_kind,
                "credit_account": row.credit_account_id,
                "credit": f"{row.credit_kind}:{row.credit_member}"
                if row.credit_member
                else row.credit_kind,
                "reference": row.reference,
                "idempotency_key": row.idempotency_key or "",
            }
            for row in await self.conn.execute(query)
        ]
