"""The ledger in memory (see bot/store/repositories/ledger.py): conditional balance moves,
immutable entries, leaderboard totals, and the same five checks `verify` makes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.domain.model import AccountKind, Drift, TotalsDelta, Transfer, Workspace
from bot.services.ports import DuplicateDelivery, InsufficientFunds
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.tables import IntegrityViolation, UniqueViolation


class FakeLedgerRepository(FakeRepository):
    async def shared_account(self, workspace: Workspace, kind: AccountKind) -> int:
        accounts = self.tables["accounts"]
        found = accounts.first(workspace_id=workspace.id, member_id=None, kind=kind.value)
        if found is None:
            self.tables.insert(
                "accounts",
                {
                    "workspace_id": workspace.id,
                    "member_id": None,
                    "kind": kind.value,
                    "balance": 0,
                    "created_at": datetime.now(UTC),
                },
                on_conflict=("workspace_id", "kind"),
            )
            found = accounts.first(workspace_id=workspace.id, member_id=None, kind=kind.value)
            assert found is not None
        return int(found["id"])

    async def claim_period(self, account_id: int, new: str) -> int | None:
        row = self.tables["accounts"].get(account_id)
        if row is None or row["period"] == new:
            return None
        self.tables["accounts"].update(row, period=new)
        return int(row["balance"])

    async def post(
        self,
        workspace: Workspace,
        transfers: Sequence[Transfer],
        at: datetime,
        totals: Sequence[TotalsDelta] = (),
    ) -> dict[int, int]:
        if not transfers:  # SQL: INSERT INTO ledger_entries DEFAULT VALUES, refused
            raise IntegrityViolation("NOT NULL: a posting has no entries")
        deltas: dict[int, int] = defaultdict(int)
        for t in transfers:
            deltas[t.debit_account_id] -= t.amount
            deltas[t.credit_account_id] += t.amount
        changes = {account: delta for account, delta in deltas.items() if delta}
        with self.atomic():
            balances = self._move(workspace, changes)
            try:
                for t in transfers:
                    self.tables.insert(
                        "ledger_entries",
                        {
                            "workspace_id": workspace.id,
                            "debit_account_id": t.debit_account_id,
                            "credit_account_id": t.credit_account_id,
                            "amount": t.amount,
                            "kind": t.kind.value,
                            "reference": t.reference,
                            "idempotency_key": t.idempotency_key,
                            "created_at": at,
                        },
                    )
            except UniqueViolation:
                raise DuplicateDelivery() from None
            self._add_totals(workspace, totals)
        return balances

    def _move(self, workspace: Workspace, changes: dict[int, int]) -> dict[int, int]:
        """Move every balance or none: an account of another workspace, or one that would go
        below zero (the mint aside), refuses the whole move."""
        accounts = self.tables["accounts"]
        refused, short = [], []
        for account_id, delta in sorted(changes.items()):
            row = accounts.get(account_id)
            if row is None:
                refused.append(account_id)
                continue
            below = row["kind"] != AccountKind.MINT.value and row["balance"] + delta < 0
            if below:
                short.append(account_id)
            if below or row["workspace_id"] != workspace.id:
                refused.append(account_id)
        if refused:
            raise InsufficientFunds(short[0] if short else min(changes))
        balances = {}
        for account_id, delta in changes.items():
            row = accounts.get(account_id)
            assert row is not None
            accounts.update(row, balance=row["balance"] + delta)
            balances[account_id] = int(row["balance"])
        return balances

    def _add_totals(self, workspace: Workspace, deltas: Sequence[TotalsDelta]) -> None:
        merged: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
        for d in deltas:
            pair = merged[(d.bucket, d.tag[:64], d.member_id)]
            pair[0] += d.received
            pair[1] += d.given
        totals = self.tables["leaderboard_totals"]
        for (bucket, tag, member_id), (received, given) in sorted(merged.items()):
            row = totals.get((workspace.id, bucket, tag, member_id))
            if row is None:
                self.tables.insert(
                    "leaderboard_totals",
                    {
                        "workspace_id": workspace.id,
                        "bucket": bucket,
                        "tag": tag,
                        "member_id": member_id,
                        "received": received,
                        "given": given,
                    },
                )
            else:
                totals.update(row, received=row["received"] + received, given=row["given"] + given)

    async def verify(self, workspace_id: int | None) -> list[Drift]:
        def mine(ws: int) -> bool:
            return workspace_id is None or ws == workspace_id

        accounts = [a for a in self.tables["accounts"] if mine(a["workspace_id"])]
        entries = [e for e in self.tables["ledger_entries"] if mine(e["workspace_id"])]
        drifts: list[Drift] = []

        computed: dict[int, int] = defaultdict(int)
        for e in entries:
            computed[e["credit_account_id"]] += e["amount"]
            computed[e["debit_account_id"]] -= e["amount"]
        for a in accounts:
            if a["balance"] != computed[a["id"]]:
                drifts.append(
                    Drift(
                        a["workspace_id"],
                        a["id"],
                        a["balance"],
                        computed[a["id"]],
                        "cached balance",
                    )
                )

        sums: dict[int, int] = defaultdict(int)
        for a in accounts:
            sums[a["workspace_id"]] += a["balance"]
        for ws, total in sums.items():
            if total != 0:
                drifts.append(Drift(ws, None, total, 0, "workspace balances do not sum to 0"))

        all_accounts = self.tables["accounts"]
        crossing = [
            e
            for e in entries
            if any(
                all_accounts.rows[e[side]]["workspace_id"] != e["workspace_id"]
                for side in ("debit_account_id", "credit_account_id")
            )
        ]
        for e in crossing[:100]:
            drifts.append(
                Drift(e["workspace_id"], None, 0, 0, f"entry {e['id']} crosses workspaces")
            )

        kudos = self.tables["kudos"]
        received: dict[tuple[int, int], int] = defaultdict(int)
        for r in self.tables["kudos_recipients"]:
            k = kudos.rows[r["kudos_id"]]
            if k["reversed_at"] is None and mine(k["workspace_id"]):
                received[(k["workspace_id"], r["member_id"])] += k["amount_each"]
        for t in self.tables["leaderboard_totals"]:
            if t["bucket"] != "all" or t["tag"] != "" or not mine(t["workspace_id"]):
                continue
            counted = received.get((t["workspace_id"], t["member_id"]), 0)
            if t["received"] != counted:
                drifts.append(
                    Drift(
                        t["workspace_id"],
                        None,
                        int(t["received"]),
                        counted,
                        f"leaderboard of member {t['member_id']}",
                    )
                )

        owed: dict[int, int] = defaultdict(int)
        for r in self.tables["redemptions"]:
            if r["status"] == "pending" and mine(r["workspace_id"]):
                owed[r["workspace_id"]] += r["cost"]
        escrows = [
            a for a in accounts if a["kind"] == AccountKind.ESCROW.value and a["member_id"] is None
        ]
        for a in escrows:
            if a["balance"] != owed[a["workspace_id"]]:
                drifts.append(
                    Drift(
                        a["workspace_id"],
                        a["id"],
                        a["balance"],
                        owed[a["workspace_id"]],
                        "escrow vs pending redemptions",
                    )
                )
        return drifts
