"""Whole tables of one workspace as plain rows, in memory (see
bot/store/repositories/exports.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.model import Workspace
from tests.fakes.repositories.base import FakeRepository, at_or_after, oldest_first


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class FakeExportQueries(FakeRepository):
    async def kudos(self, workspace: Workspace, since: datetime | None) -> list[dict[str, Any]]:
        members = self.tables["members"].rows
        rows = oldest_first(
            [
                r
                for r in self.tables["kudos"].where(workspace_id=workspace.id)
                if at_or_after(r["created_at"], since)
            ]
        )
        ids = {r["id"] for r in rows}
        recipients: dict[int, list[int]] = {i: [] for i in ids}
        for link in self.tables["kudos_recipients"]:
            if link["kudos_id"] in ids:
                recipients[link["kudos_id"]].append(link["member_id"])
        people = {
            i: [(members[m]["external_id"], members[m]["display_name"]) for m in sorted(ms)]
            for i, ms in recipients.items()
        }
        return [
            {
                "id": row["id"],
                "created_at": _iso(row["created_at"]),
                "giver_id": members[row["giver_id"]]["external_id"],
                "giver": members[row["giver_id"]]["display_name"],
                "recipient_ids": " ".join(r[0] for r in people[row["id"]]),
                "recipients": ", ".join(r[1] for r in people[row["id"]]),
                "amount_each": row["amount_each"],
                "total": row["amount_each"] * len(people[row["id"]]),
                "reason": row["reason"] or "",
                "tags": " ".join(f"#{t}" for t in row["tags"].split()),
                "channel": row["channel"] or "",
                "reversed_at": _iso(row["reversed_at"]) or "",
                "reversal_reason": row["reversal_reason"] or "",
            }
            for row in rows
        ]

    async def learnings(self, workspace: Workspace, since: datetime | None) -> list[dict[str, Any]]:
        members = self.tables["members"].rows
        rows = oldest_first(
            [
                r
                for r in self.tables["learnings"].where(workspace_id=workspace.id)
                if at_or_after(r["created_at"], since) and r["member_id"] in members
            ]
        )
        return [
            {
                "id": row["id"],
                "created_at": _iso(row["created_at"]),
                "member_id": members[row["member_id"]]["external_id"],
                "member": members[row["member_id"]]["display_name"],
                "text": row["text"],
                "tags": " ".join(f"#{t}" for t in row["tags"].split()),
                "channel": row["channel"] or "",
            }
            for row in rows
        ]

    async def ledger(self, workspace: Workspace, since: datetime | None) -> list[dict[str, Any]]:
        accounts = self.tables["accounts"].rows
        members = self.tables["members"].rows

        def name(account_id: int) -> str:
            account = accounts[account_id]
            member = members.get(account["member_id"]) if account["member_id"] else None
            return f"{account['kind']}:{member['external_id']}" if member else account["kind"]

        rows = [
            r
            for r in self.tables["ledger_entries"].where(workspace_id=workspace.id)
            if at_or_after(r["created_at"], since)
        ]
        return [
            {
                "id": row["id"],
                "created_at": _iso(row["created_at"]),
                "kind": row["kind"],
                "amount": int(row["amount"]),
                "debit_account": row["debit_account_id"],
                "debit": name(row["debit_account_id"]),
                "credit_account": row["credit_account_id"],
                "credit": name(row["credit_account_id"]),
                "reference": row["reference"],
                "idempotency_key": row["idempotency_key"] or "",
            }
            for row in sorted(rows, key=lambda r: r["id"])
        ]
