"""The ledger: conditional balance moves, immutable entries, leaderboard totals, verify."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, case, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bot.domain.model import AccountKind, Drift, TotalsDelta, Transfer, Workspace
from bot.services.ports import DuplicateDelivery, InsufficientFunds
from bot.store.database import is_unique_violation
from bot.store.models import (
    AccountRow,
    KudosRecipientRow,
    KudosRow,
    LeaderboardTotalRow,
    LedgerEntryRow,
    RedemptionRow,
)
from bot.store.repositories.base import Repository

_CLAIM_PERIOD = (
    update(AccountRow)
    .where(AccountRow.id == bindparam("p_account"))
    .where(or_(AccountRow.period.is_(None), AccountRow.period != bindparam("p_period")))
    .values(period=bindparam("p_period"))
    .returning(AccountRow.balance)
)
# Every posting the domain makes moves one account by X and the others by Y (a give: the
# giver's allowance by -total, each recipient by +each; an undo, a grant, an expiry alike), so
# one conditional UPDATE moves them all; rows it could not move had too little.
_one = bindparam("p_one", type_=BigInteger)
_one_delta = bindparam("p_one_delta", type_=BigInteger)
_rest_delta = bindparam("p_rest_delta", type_=BigInteger)
_move_delta = case((AccountRow.id == _one, _one_delta), else_=_rest_delta)
# PostgreSQL locks the rows in ascending id order (LockRows above the sort) before changing
# them, so concurrent postings never deadlock; SQLite serialises writers and needs no locks.
_locked_in_order = (
    select(AccountRow.id)
    .where(AccountRow.id.in_(bindparam("p_ids", expanding=True)))
    .order_by(AccountRow.id)
    .with_for_update()
    .subquery("locked")
)
_move = (
    update(AccountRow)
    .where(AccountRow.workspace_id == bindparam("p_ws"))
    .where(or_(AccountRow.kind == AccountKind.MINT.value, AccountRow.balance + _move_delta >= 0))
    .values(balance=AccountRow.balance + _move_delta)
    .returning(AccountRow.id, AccountRow.balance)
)
_MOVE = {
    "postgresql": _move.where(AccountRow.id == _locked_in_order.c.id),
    "sqlite": _move.where(AccountRow.id.in_(bindparam("p_ids", expanding=True))),
}
_BALANCES = select(AccountRow.id, AccountRow.balance, AccountRow.kind).where(
    AccountRow.id.in_(bindparam("p_ids", expanding=True))
)
_INSERT_ENTRIES = insert(LedgerEntryRow)


def _totals_upsert(dialect: str) -> Any:
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(LeaderboardTotalRow)
    return stmt.on_conflict_do_update(
        index_elements=["workspace_id", "bucket", "tag", "member_id"],
        set_={
            "received": LeaderboardTotalRow.received + stmt.excluded.received,
            "given": LeaderboardTotalRow.given + stmt.excluded.given,
        },
    )


_TOTALS_UPSERT = {name: _totals_upsert(name) for name in ("postgresql", "sqlite")}


def _one_versus_rest(changes: dict[int, int]) -> tuple[int, int] | None:
    """(the account that moves alone, the delta all others share), or None for other shapes."""
    if not changes:
        return None
    by_delta: dict[int, list[int]] = defaultdict(list)
    for account, delta in changes.items():
        by_delta[delta].append(account)
    singles = [accounts[0] for accounts in by_delta.values() if len(accounts) == 1]
    if len(by_delta) > 2 or not singles:
        return None
    one = singles[0]
    rest = next((d for d in by_delta if d != changes[one]), changes[one])
    return one, rest


def _merge_totals(workspace: Workspace, deltas: Sequence[TotalsDelta]) -> list[dict[str, Any]]:
    """One row per (bucket, tag, member), in key order (a fixed lock order)."""
    merged: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for d in deltas:
        pair = merged[(d.bucket, d.tag[:64], d.member_id)]
        pair[0] += d.received
        pair[1] += d.given
    return [
        {
            "workspace_id": workspace.id,
            "bucket": bucket,
            "tag": tag,
            "member_id": member_id,
            "received": received,
            "given": given,
        }
        for (bucket, tag, member_id), (received, given) in sorted(merged.items())
    ]


class SqlLedgerRepository(Repository):
    async def shared_account(self, workspace: Workspace, kind: AccountKind) -> int:
        query = (
            select(AccountRow.id)
            .where(AccountRow.workspace_id == workspace.id)
            .where(AccountRow.member_id.is_(None))
            .where(AccountRow.kind == kind.value)
        )
        found = (await self.conn.execute(query)).scalar()
        if found is None:
            await self.conn.execute(
                self._insert(AccountRow)
                .values(
                    workspace_id=workspace.id,
                    member_id=None,
                    kind=kind.value,
                    balance=0,
                    created_at=datetime.now(UTC),
                )
                .on_conflict_do_nothing(
                    index_elements=["workspace_id", "kind"],
                    index_where=AccountRow.member_id.is_(None),
                )
            )
            found = (await self.conn.execute(query)).scalar_one()
        return int(found)

    async def claim_period(self, account_id: int, new: str) -> int | None:
        result = await self.conn.execute(_CLAIM_PERIOD, {"p_account": account_id, "p_period": new})
        balance = result.scalar()
        return None if balance is None else int(balance)

    async def post(
        self,
        workspace: Workspace,
        transfers: Sequence[Transfer],
        at: datetime,
        totals: Sequence[TotalsDelta] = (),
    ) -> dict[int, int]:
        deltas: dict[int, int] = defaultdict(int)
        for t in transfers:
            deltas[t.debit_account_id] -= t.amount
            deltas[t.credit_account_id] += t.amount
        changes = {account: delta for account, delta in deltas.items() if delta}
        entries = [
            {
                "workspace_id": workspace.id,
                "debit_account_id": t.debit_account_id,
                "credit_account_id": t.credit_account_id,
                "amount": t.amount,
                "kind": t.kind.value,
                "reference": t.reference,
                "idempotency_key": t.idempotency_key,
                "created_at": at,
            }
            for t in transfers
        ]
        rows = _merge_totals(workspace, totals)
        try:
            balances = await self._move(workspace, changes) if changes else {}
            await self.conn.execute(_INSERT_ENTRIES, entries)
        except IntegrityError as exc:
            if is_unique_violation(exc):
                raise DuplicateDelivery() from exc
            raise
        if rows:
            await self.conn.execute(_TOTALS_UPSERT[self.conn.dialect.name], rows)
        return balances

    async def _move(self, workspace: Workspace, changes: dict[int, int]) -> dict[int, int]:
        """Apply balance changes; the new balances by account, or InsufficientFunds."""
        shape = _one_versus_rest(changes)
        if shape is None:
            balances: dict[int, int] = {}
            for account, delta in sorted(changes.items()):
                balances.update(await self._move(workspace, {account: delta}))
            return balances
        one, rest = shape
        result = await self.conn.execute(
            _MOVE[self.conn.dialect.name],
            {
                "p_ws": workspace.id,
                "p_ids": sorted(changes),
                "p_one": one,
                "p_one_delta": changes[one],
                "p_rest_delta": rest,
            },
        )
        moved = {row.id: int(row.balance) for row in result}
        if len(moved) != len(changes):
            await self._raise_short(changes)
        return moved

    async def _raise_short(self, changes: dict[int, int]) -> None:
        """Name the account a refused move was short on (a cold path)."""
        current = await self.conn.execute(_BALANCES, {"p_ids": sorted(changes)})
        short = [
            row.id
            for row in current
            if row.kind != AccountKind.MINT.value and row.balance + changes[row.id] < 0
        ]
        raise InsufficientFunds(short[0] if short else min(changes))

    async def verify(self, workspace_id: int | None) -> list[Drift]:
        """Recompute every balance from the entries and the leaderboard from the kudos."""
        drifts: list[Drift] = []
        entries = LedgerEntryRow.__table__
        ws_filter = (
            (lambda col: col == workspace_id)
            if workspace_id is not None
            else (lambda col: literal(True))
        )
        credits = (
            select(entries.c.credit_account_id.label("id"), func.sum(entries.c.amount).label("s"))
            .where(ws_filter(entries.c.workspace_id))
            .group_by(entries.c.credit_account_id)
            .subquery()
        )
        debits = (
            select(entries.c.debit_account_id.label("id"), func.sum(entries.c.amount).label("s"))
            .where(ws_filter(entries.c.workspace_id))
            .group_by(entries.c.debit_account_id)
            .subquery()
        )
        computed = func.coalesce(credits.c.s, 0) - func.coalesce(debits.c.s, 0)
        rows = await self.conn.execute(
            select(AccountRow.id, AccountRow.workspace_id, AccountRow.balance, computed)
            .outerjoin(credits, credits.c.id == AccountRow.id)
            .outerjoin(debits, debits.c.id == AccountRow.id)
            .where(ws_filter(AccountRow.workspace_id))
            .where(AccountRow.balance != computed)
        )
        for account_id, ws_id, cached, value in rows:
            drifts.append(Drift(ws_id, account_id, cached, int(value), "cached balance"))

        sums = await self.conn.execute(
            select(AccountRow.workspace_id, func.sum(AccountRow.balance))
            .where(ws_filter(AccountRow.workspace_id))
            .group_by(AccountRow.workspace_id)
            .having(func.sum(AccountRow.balance) != 0)
        )
        for ws_id, total in sums:
            drifts.append(Drift(ws_id, None, int(total), 0, "workspace balances do not sum to 0"))

        debit_acct, credit_acct = aliased(AccountRow), aliased(AccountRow)
        crossing = await self.conn.execute(
            select(entries.c.id, entries.c.workspace_id)
            .join(debit_acct, debit_acct.id == entries.c.debit_account_id)
            .join(credit_acct, credit_acct.id == entries.c.credit_account_id)
            .where(ws_filter(entries.c.workspace_id))
            .where(
                or_(
                    debit_acct.workspace_id != entries.c.workspace_id,
                    credit_acct.workspace_id != entries.c.workspace_id,
                )
            )
            .limit(100)
        )
        for entry_id, ws_id in crossing:
            drifts.append(Drift(ws_id, None, 0, 0, f"entry {entry_id} crosses workspaces"))

        received = (
            select(
                KudosRow.workspace_id,
                KudosRecipientRow.member_id,
                func.sum(KudosRow.amount_each).label("s"),
            )
            .join(KudosRow, KudosRow.id == KudosRecipientRow.kudos_id)
            .where(KudosRow.reversed_at.is_(None))
            .where(ws_filter(KudosRow.workspace_id))
            .group_by(KudosRow.workspace_id, KudosRecipientRow.member_id)
            .subquery()
        )
        totals = (
            select(
                LeaderboardTotalRow.workspace_id,
                LeaderboardTotalRow.member_id,
                LeaderboardTotalRow.received,
            )
            .where(LeaderboardTotalRow.bucket == "all")
            .where(LeaderboardTotalRow.tag == "")
            .where(ws_filter(LeaderboardTotalRow.workspace_id))
            .subquery()
        )
        mismatched = await self.conn.execute(
            select(totals.c.workspace_id, totals.c.member_id, totals.c.received, received.c.s)
            .outerjoin(
                received,
                and_(
                    received.c.member_id == totals.c.member_id,
                    received.c.workspace_id == totals.c.workspace_id,
                ),
            )
            .where(totals.c.received != func.coalesce(received.c.s, 0))
        )
        for ws_id, member_id, cached, value in mismatched:
            drifts.append(
                Drift(
                    ws_id, None, int(cached), int(value or 0), f"leaderboard of member {member_id}"
                )
            )

        pending = (
            select(RedemptionRow.workspace_id, func.sum(RedemptionRow.cost).label("s"))
            .where(RedemptionRow.status == "pending")
            .where(ws_filter(RedemptionRow.workspace_id))
            .group_by(RedemptionRow.workspace_id)
            .subquery()
        )
        escrow = await self.conn.execute(
            select(AccountRow.workspace_id, AccountRow.id, AccountRow.balance, pending.c.s)
            .outerjoin(pending, pending.c.workspace_id == AccountRow.workspace_id)
            .where(AccountRow.kind == AccountKind.ESCROW.value)
            .where(AccountRow.member_id.is_(None))
            .where(ws_filter(AccountRow.workspace_id))
            .where(AccountRow.balance != func.coalesce(pending.c.s, 0))
        )
        for ws_id, account_id, held, owed in escrow:
            drifts.append(
                Drift(ws_id, account_id, int(held), int(owed or 0), "escrow vs pending redemptions")
            )
        return drifts
