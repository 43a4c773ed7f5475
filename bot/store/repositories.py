"""Repositories: the services' ports implemented with SQLAlchemy Core on one connection.

Every statement filters by workspace; none crosses workspaces.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bot.domain.model import (
    AccountKind,
    Drift,
    HistoryItem,
    Kudos,
    LeaderboardRow,
    Member,
    MemberRef,
    TotalsDelta,
    Transfer,
    Workspace,
    WorkspaceRef,
    WorkspaceSettings,
    rank_rows,
)
from bot.services.ports import DuplicateDelivery, InsufficientFunds
from bot.store.cache import WorkspaceCache
from bot.store.database import SqlConnection, is_unique_violation
from bot.store.models import (
    AccountRow,
    KudosRecipientRow,
    KudosRow,
    LeaderboardTotalRow,
    LearningRow,
    LedgerEntryRow,
    MemberRow,
    WorkspaceRow,
)


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# Hot-path statements are built once with bind parameters, so each execution reuses
# SQLAlchemy's compiled form instead of constructing and compiling a statement per call.
_WORKSPACE_BY_REF = (
    select(
        WorkspaceRow.id,
        WorkspaceRow.platform,
        WorkspaceRow.external_id,
        WorkspaceRow.name,
        WorkspaceRow.settings,
        AccountRow.id.label("mint_id"),
    )
    .join(AccountRow, and_(AccountRow.workspace_id == WorkspaceRow.id, AccountRow.kind == "mint"))
    .where(WorkspaceRow.platform == bindparam("p_platform"))
    .where(WorkspaceRow.external_id == bindparam("p_external_id"))
)

_allowance = aliased(AccountRow, name="allowance")
_earned = aliased(AccountRow, name="earned")
_MEMBERS = (
    select(
        MemberRow.id,
        MemberRow.external_id,
        MemberRow.display_name,
        MemberRow.is_bot,
        MemberRow.is_active,
        _allowance.id.label("allowance_id"),
        _allowance.balance.label("allowance_balance"),
        _allowance.period,
        _earned.id.label("earned_id"),
        _earned.balance.label("earned_balance"),
    )
    .join(_allowance, and_(_allowance.member_id == MemberRow.id, _allowance.kind == "allowance"))
    .join(_earned, and_(_earned.member_id == MemberRow.id, _earned.kind == "earned"))
    .where(MemberRow.workspace_id == bindparam("p_ws"))
)
_MEMBERS_BY_EXTERNAL_ID = _MEMBERS.where(
    MemberRow.external_id.in_(bindparam("p_keys", expanding=True))
)
_MEMBERS_BY_ID = _MEMBERS.where(MemberRow.id.in_(bindparam("p_keys", expanding=True)))

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
# Rows are locked in ascending id order (LockRows above the sort) before they change, so
# concurrent postings never deadlock on PostgreSQL; SQLite ignores FOR UPDATE and is serialised.
_locked_in_order = (
    select(AccountRow.id)
    .where(AccountRow.id.in_(bindparam("p_ids", expanding=True)))
    .order_by(AccountRow.id)
    .with_for_update()
    .subquery("locked")
)
_MOVE = (
    update(AccountRow)
    .where(AccountRow.id == _locked_in_order.c.id)
    .where(AccountRow.workspace_id == bindparam("p_ws"))
    .where(or_(AccountRow.kind == AccountKind.MINT.value, AccountRow.balance + _move_delta >= 0))
    .values(balance=AccountRow.balance + _move_delta)
    .returning(AccountRow.id, AccountRow.balance)
)
_BALANCES = select(AccountRow.id, AccountRow.balance, AccountRow.kind).where(
    AccountRow.id.in_(bindparam("p_ids", expanding=True))
)
_INSERT_ENTRIES = insert(LedgerEntryRow)
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


class _Repository:
    def __init__(self, conn: SqlConnection) -> None:
        self.conn = conn
        self.is_postgres = conn.dialect.name == "postgresql"

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self.is_postgres else sqlite.insert)(table)


class SqlWorkspaceRepository(_Repository):
    def __init__(self, conn: SqlConnection, cache: WorkspaceCache) -> None:
        super().__init__(conn)
        self._cache = cache
        self._created: set[tuple[str, str]] = set()

    async def get(self, ref: WorkspaceRef) -> Workspace | None:
        cached = self._cache.get(ref)
        if cached is not None:
            return cached
        row = (
            await self.conn.execute(
                _WORKSPACE_BY_REF, {"p_platform": ref.platform, "p_external_id": ref.external_id}
            )
        ).first()
        if row is None:
            return None
        workspace = Workspace(
            id=row.id,
            platform=row.platform,
            external_id=row.external_id,
            name=row.name,
            settings=WorkspaceSettings.from_dict(row.settings),
            mint_account_id=row.mint_id,
        )
        if (ref.platform, ref.external_id) not in self._created:  # never cache uncommitted rows
            self._cache.put(workspace)
        return workspace

    async def ensure(self, ref: WorkspaceRef) -> Workspace:
        found = await self.get(ref)
        if found is not None:
            return found
        now = datetime.now(UTC)
        inserted = (
            await self.conn.execute(
                self._insert(WorkspaceRow)
                .values(
                    platform=ref.platform,
                    external_id=ref.external_id,
                    name=ref.name or ref.external_id,
                    settings={},
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["platform", "external_id"])
                .returning(WorkspaceRow.id)
            )
        ).scalar()
        if inserted is not None:
            self._created.add((ref.platform, ref.external_id))
            await self.conn.execute(
                insert(AccountRow).values(
                    workspace_id=inserted, member_id=None, kind="mint", balance=0, created_at=now
                )
            )
        workspace = await self.get(ref)
        assert workspace is not None
        return workspace

    async def save_settings(self, workspace: Workspace, settings: WorkspaceSettings) -> None:
        self._cache.forget(workspace.platform, workspace.external_id)
        await self.conn.execute(
            update(WorkspaceRow)
            .where(WorkspaceRow.id == workspace.id)
            .values(settings=settings.to_dict())
        )


class SqlMemberRepository(_Repository):
    async def _select(self, statement: Any, workspace_id: int, keys: list[Any]) -> list[Member]:
        rows = await self.conn.execute(statement, {"p_ws": workspace_id, "p_keys": keys})
        return [
            Member(
                id=r.id,
                workspace_id=workspace_id,
                external_id=r.external_id,
                display_name=r.display_name,
                is_bot=bool(r.is_bot),
                is_active=bool(r.is_active),
                allowance_account_id=r.allowance_id,
                earned_account_id=r.earned_id,
                allowance_balance=r.allowance_balance,
                earned_balance=r.earned_balance,
                allowance_period=r.period,
            )
            for r in rows
        ]

    async def ensure(self, workspace: Workspace, refs: Sequence[MemberRef]) -> dict[str, Member]:
        wanted = {ref.external_id: ref for ref in refs}
        found = {
            m.external_id: m
            for m in await self._select(_MEMBERS_BY_EXTERNAL_ID, workspace.id, list(wanted))
        }
        missing = [ref for key, ref in wanted.items() if key not in found]
        if missing:
            await self._create(workspace, missing)
        stale = [
            ref
            for ref in wanted.values()
            if ref.external_id in found and _differs(found[ref.external_id], ref)
        ]
        for ref in stale:
            changes: dict[str, Any] = {}
            if ref.display_name is not None:
                changes["display_name"] = ref.display_name[:200]
            if ref.is_bot is not None:
                changes["is_bot"] = ref.is_bot
            if ref.is_active is not None:
                changes["is_active"] = ref.is_active
            await self.conn.execute(
                update(MemberRow).where(MemberRow.id == found[ref.external_id].id).values(**changes)
            )
        if missing or stale:
            found = {
                m.external_id: m
                for m in await self._select(_MEMBERS_BY_EXTERNAL_ID, workspace.id, list(wanted))
            }
        return found

    async def _create(self, workspace: Workspace, refs: Sequence[MemberRef]) -> None:
        now = datetime.now(UTC)
        await self.conn.execute(
            self._insert(MemberRow)
            .values(
                [
                    {
                        "workspace_id": workspace.id,
                        "external_id": ref.external_id,
                        "display_name": (ref.display_name or ref.external_id)[:200],
                        "is_bot": bool(ref.is_bot),
                        "is_active": ref.is_active is not False,
                        "created_at": now,
                    }
                    for ref in refs
                ]
            )
            .on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
        )
        ids = (
            await self.conn.execute(
                select(MemberRow.id)
                .where(MemberRow.workspace_id == workspace.id)
                .where(MemberRow.external_id.in_([ref.external_id for ref in refs]))
            )
        ).scalars()
        await self.conn.execute(
            self._insert(AccountRow)
            .values(
                [
                    {
                        "workspace_id": workspace.id,
                        "member_id": member_id,
                        "kind": kind.value,
                        "balance": 0,
                        "period": None,
                        "created_at": now,
                    }
                    for member_id in ids
                    for kind in (AccountKind.ALLOWANCE, AccountKind.EARNED)
                ]
            )
            .on_conflict_do_nothing(index_elements=["workspace_id", "member_id", "kind"])
        )

    async def get(self, workspace: Workspace, external_id: str) -> Member | None:
        members = await self._select(_MEMBERS_BY_EXTERNAL_ID, workspace.id, [external_id])
        return members[0] if members else None

    async def by_ids(self, workspace: Workspace, ids: Sequence[int]) -> dict[int, Member]:
        return {m.id: m for m in await self._select(_MEMBERS_BY_ID, workspace.id, list(ids))}


def _differs(member: Member, ref: MemberRef) -> bool:
    return (
        (ref.display_name is not None and ref.display_name[:200] != member.display_name)
        or (ref.is_bot is not None and ref.is_bot != member.is_bot)
        or (ref.is_active is not None and ref.is_active != member.is_active)
    )


class SqlLedgerRepository(_Repository):
    async def claim_period(self, account_id: int, new: str) -> int | None:
        result = await self.conn.execute(_CLAIM_PERIOD, {"p_account": account_id, "p_period": new})
        balance = result.scalar()
        return None if balance is None else int(balance)

    async def balance(self, account_id: int) -> int:
        value = await self.conn.scalar(
            select(AccountRow.balance).where(AccountRow.id == account_id)
        )
        return int(value or 0)

    async def post(
        self, workspace: Workspace, transfers: Sequence[Transfer], at: datetime
    ) -> dict[int, int]:
        deltas: dict[int, int] = defaultdict(int)
        for t in transfers:
            deltas[t.debit_account_id] -= t.amount
            deltas[t.credit_account_id] += t.amount
        changes = {account: delta for account, delta in deltas.items() if delta}
        balances = await self._move(workspace, changes) if changes else {}
        try:
            await self.conn.execute(
                _INSERT_ENTRIES,
                [
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
                ],
            )
        except IntegrityError as exc:
            if is_unique_violation(exc):
                raise DuplicateDelivery() from exc
            raise
        return balances

    async def _move(self, workspace: Workspace, changes: dict[int, int]) -> dict[int, int]:
        """Apply balance changes; the new balances by account, or InsufficientFunds."""
        counts = defaultdict(list)
        for account, delta in changes.items():
            counts[delta].append(account)
        singles = [accounts[0] for accounts in counts.values() if len(accounts) == 1]
        if len(counts) > 2 or not singles:
            balances: dict[int, int] = {}
            for account, delta in sorted(changes.items()):  # not a one-vs-rest posting
                balances.update(await self._move(workspace, {account: delta}))
            return balances
        one = singles[0]
        rest = next((d for d in counts if d != changes[one]), changes[one])
        result = await self.conn.execute(
            _MOVE,
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
            current = await self.conn.execute(_BALANCES, {"p_ids": sorted(changes)})
            short = [
                row.id
                for row in current
                if row.kind != AccountKind.MINT.value and row.balance + changes[row.id] < 0
            ]
            raise InsufficientFunds(short[0] if short else min(changes))
        return moved

    async def add_totals(self, workspace: Workspace, deltas: Sequence[TotalsDelta]) -> None:
        merged: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
        for d in deltas:
            pair = merged[(d.bucket, d.tag[:64], d.member_id)]
            pair[0] += d.received
            pair[1] += d.given
        if not merged:
            return
        await self.conn.execute(
            _TOTALS_UPSERT[self.conn.dialect.name],
            [
                {
                    "workspace_id": workspace.id,
                    "bucket": bucket,
                    "tag": tag,
                    "member_id": member_id,
                    "received": received,
                    "given": given,
                }
                for (bucket, tag, member_id), (received, given) in sorted(merged.items())
            ],
        )

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
        return drifts


class SqlKudosRepository(_Repository):
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

    async def _load(self, where: Any, limit: int = 1) -> list[Kudos]:
        rows = (
            await self.conn.execute(
                select(KudosRow)
                .where(where)
                .order_by(KudosRow.created_at.desc(), KudosRow.id.desc())
                .limit(limit)
            )
        ).all()
        if not rows:
            return []
        recipients: dict[int, list[int]] = defaultdict(list)
        for kudos_id, member_id in await self.conn.execute(
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

    async def by_key(self, workspace: Workspace, idempotency_key: str) -> Kudos | None:
        found = await self._load(
            and_(KudosRow.workspace_id == workspace.id, KudosRow.idempotency_key == idempotency_key)
        )
        return found[0] if found else None

    async def last_given(self, workspace: Workspace, giver_id: int) -> Kudos | None:
        found = await self._load(
            and_(
                KudosRow.workspace_id == workspace.id,
                KudosRow.giver_id == giver_id,
                KudosRow.reversed_at.is_(None),
            )
        )
        return found[0] if found else None

    async def mark_reversed(self, kudos_id: int, at: datetime, why: str) -> bool:
        result = await self.conn.execute(
            update(KudosRow)
            .where(KudosRow.id == kudos_id)
            .where(KudosRow.reversed_at.is_(None))
            .values(reversed_at=at, reversal_reason=why)
        )
        return result.rowcount == 1


class SqlLearningRepository(_Repository):
    async def add(
        self,
        workspace: Workspace,
        member: Member,
        text: str,
        topic: str | None,
        channel: str | None,
        at: datetime,
    ) -> int:
        result = await self.conn.execute(
            insert(LearningRow)
            .values(
                workspace_id=workspace.id,
                member_id=member.id,
                text=text,
                topic=topic[:64] if topic else None,
                channel=channel,
                created_at=at,
            )
            .returning(LearningRow.id)
        )
        return int(result.scalar_one())


class SqlReadQueries(_Repository):
    async def leaderboard(
        self, workspace: Workspace, bucket: str, tag: str, limit: int
    ) -> list[LeaderboardRow]:
        rows = await self.conn.execute(
            select(
                LeaderboardTotalRow.member_id,
                MemberRow.external_id,
                MemberRow.display_name,
                LeaderboardTotalRow.received,
            )
            .join(MemberRow, MemberRow.id == LeaderboardTotalRow.member_id)
            .where(LeaderboardTotalRow.workspace_id == workspace.id)
            .where(LeaderboardTotalRow.bucket == bucket)
            .where(LeaderboardTotalRow.tag == tag)
            .where(LeaderboardTotalRow.received > 0)
            .order_by(LeaderboardTotalRow.received.desc(), MemberRow.display_name)
            .limit(limit)
        )
        return rank_rows([(r[0], r[1], r[2], int(r[3])) for r in rows])

    async def history(self, workspace: Workspace, member: Member, limit: int) -> list[HistoryItem]:
        received_ids = select(KudosRecipientRow.kudos_id).where(
            KudosRecipientRow.member_id == member.id
        )
        kudos = await SqlKudosRepository(self.conn)._load(
            and_(
                KudosRow.workspace_id == workspace.id,
                or_(KudosRow.giver_id == member.id, KudosRow.id.in_(received_ids)),
            ),
            limit=limit,
        )
        people = {m for k in kudos for m in (k.giver_id, *k.recipient_ids)}
        names = {
            row.id: row.display_name
            for row in await self.conn.execute(
                select(MemberRow.id, MemberRow.display_name).where(MemberRow.id.in_(list(people)))
            )
        }
        return [
            HistoryItem(
                kudos_id=k.id,
                direction="given" if k.giver_id == member.id else "received",
                giver=names.get(k.giver_id, "?"),
                recipients=tuple(names.get(m, "?") for m in k.recipient_ids),
                amount_each=k.amount_each,
                reason=k.reason,
                tags=k.tags,
                created_at=k.created_at,
                reversed=k.reversed_at is not None,
            )
            for k in kudos
        ]
