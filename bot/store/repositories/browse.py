"""Read models of the JSON API: lists of one workspace's records, a page at a time from a
position (keyset pagination), newest first where rows have a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, literal, or_, select, union
from sqlalchemy.orm import aliased

from bot.domain.browse import (
    KudosFilter,
    KudosRecord,
    LearningRecord,
    Person,
    Position,
)
from bot.domain.model import AuditEntry, Member, Workspace
from bot.domain.rewards import Redemption
from bot.store.models import (
    AccountRow,
    AuditRow,
    KudosRecipientRow,
    KudosRow,
    LearningRow,
    MemberRow,
    RedemptionRow,
)
from bot.store.repositories.base import Repository, utc
from bot.store.repositories.redemptions import _REDEMPTIONS, _redemption

FEW_PEOPLE = 4
"""A name that fits up to this many people: their kudos are read from each one's indexes."""
SOME_PEOPLE = 20
"""A name that fits up to this many: the kudos they received are gathered once, then the
workspace's kudos are read newest first against that set; more people than this, and each
kudos' recipients are looked up as it is read (gathering would cost more than it saves)."""
_allowance = aliased(AccountRow, name="allowance")
_earned = aliased(AccountRow, name="earned")


def _before(created: Any, row_id: Any, position: Position | None) -> Any:
    """Rows after `position` in (created desc, id desc) order; written so that the range on
    `created` can use the (workspace, created) index."""
    if position is None:
        return literal(True)
    if position.at is None:
        return row_id < position.id
    return and_(created <= position.at, or_(created < position.at, row_id < position.id))


def _word(column: Any, word: str) -> Any:
    """`word` is one of the space-separated words in `column` (LIKE wildcards escaped)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (literal(" ") + column + literal(" ")).like(f"% {escaped} %", escape="\\")


class SqlBrowseQueries(Repository):
    """Implements `bot.services.ports.BrowseQueries`."""

    async def _member_id(self, workspace: Workspace, external_id: str) -> int | None:
        return (
            await self.conn.execute(
                select(MemberRow.id)
                .where(MemberRow.workspace_id == workspace.id)
                .where(MemberRow.external_id == external_id)
            )
        ).scalar()

    @staticmethod
    def _named(workspace: Workspace, named: str) -> Any:
        """The ids of members whose display name holds `named` (any case), or whose id it is."""
        return select(MemberRow.id).where(
            MemberRow.workspace_id == workspace.id,
            or_(
                func.lower(MemberRow.display_name).contains(named.casefold(), autoescape=True),
                MemberRow.external_id == named,
            ),
        )

    async def kudos(
        self, workspace: Workspace, where: KudosFilter, after: Position | None, limit: int
    ) -> list[KudosRecord]:
        base = select(KudosRow.id).where(KudosRow.workspace_id == workspace.id)
        if where.since is not None:
            base = base.where(KudosRow.created_at >= where.since)
        if where.until is not None:
            base = base.where(KudosRow.created_at < where.until)
        if where.value:
            base = base.where(_word(KudosRow.tags, where.value))
        if where.channel is not None:
            base = base.where(KudosRow.channel == where.channel)
        if not where.include_reversed:
            base = base.where(KudosRow.reversed_at.is_(None))
        base = base.where(_before(KudosRow.created_at, KudosRow.id, after))
        newest = (KudosRow.created_at.desc(), KudosRow.id.desc())
        ids_of: dict[str, int] = {}
        for role, external_id in (
            ("giver", where.giver),
            ("recipient", where.recipient),
            ("person", where.person),
        ):
            if external_id is not None:
                member_id = await self._member_id(workspace, external_id)
                if member_id is None:
                    return []
                ids_of[role] = member_id

        def received(member_id: int, query: Any) -> Any:
            return query.join(
                KudosRecipientRow,
                and_(
                    KudosRecipientRow.kudos_id == KudosRow.id,
                    KudosRecipientRow.member_id == member_id,
                ),
            )

        def received_by_any(people: Any, gather: bool) -> Any:
            received_by = (
                select(KudosRecipientRow.kudos_id)
                .where(KudosRecipientRow.member_id.in_(people))
                .correlate(None)
            )
            if gather:
                return KudosRow.id.in_(received_by)
            # Looked up row by row (the recipients' primary key), as a scalar subquery: from
            # an EXISTS, PostgreSQL would hash every kudos these people ever received.
            return (
                received_by.with_only_columns(literal(1))
                .where(KudosRecipientRow.kudos_id == KudosRow.id)
                .limit(1)
                .correlate(KudosRow)
                .scalar_subquery()
                .is_not(None)
            )

        def either(member_id: int, query: Any) -> list[Any]:
            """Given by, and received by, `member_id`: each side read from its own index."""
            return [query.where(KudosRow.giver_id == member_id), received(member_id, query)]

        chosen = base
        if "giver" in ids_of:
            chosen = chosen.where(KudosRow.giver_id == ids_of["giver"])
        if "recipient" in ids_of:
            chosen = received(ids_of["recipient"], chosen)
        sides: list[Any] = either(ids_of["person"], chosen) if "person" in ids_of else []
        if where.named is not None:
            people = list((await self.conn.execute(self._named(workspace, where.named))).scalars())
            if not people:
                return []
            if len(people) > FEW_PEOPLE or sides:
                # Many people (or already one person's kudos): keep the kudos any of them gave
                # or received, newest first; a common name fills a page from few rows. The ids
                # are written into the statement (our own integers), so that the planner knows
                # how many there are and no count of them runs into a limit on parameters.
                listed: Any = bindparam("people", people, expanding=True, literal_execute=True)
                gather = len(people) <= SOME_PEOPLE
                named = or_(KudosRow.giver_id.in_(listed), received_by_any(listed, gather))
                sides = [side.where(named) for side in sides]
                chosen = chosen.where(named)
            else:
                sides = [side for member_id in people for side in either(member_id, chosen)]
        if sides:
            # Given or received: the newest `limit` of each side (each from its own index),
            # then the newest `limit` of both, rather than scanning the workspace's kudos.
            limited = [side.order_by(*newest).limit(limit).subquery() for side in sides]
            ids = union(*(select(side.c.id) for side in limited)).subquery()
            chosen = select(KudosRow.id).where(KudosRow.id.in_(select(ids.c.id)))
        giver = aliased(MemberRow, name="giver")
        query = (
            select(
                KudosRow.id,
                KudosRow.created_at,
                KudosRow.amount_each,
                KudosRow.reason,
                KudosRow.tags,
                KudosRow.channel,
                KudosRow.reversed_at,
                KudosRow.reversal_reason,
                giver.external_id,
                giver.display_name,
            )
            .join(giver, giver.id == KudosRow.giver_id)
            .where(KudosRow.id.in_(chosen.order_by(*newest).limit(limit).scalar_subquery()))
            .order_by(*newest)
        )
        rows = (await self.conn.execute(query)).all()
        recipients: dict[int, list[Person]] = defaultdict(list)
        if rows:
            for kudos_id, external_id, name in await self.conn.execute(
                select(KudosRecipientRow.kudos_id, MemberRow.external_id, MemberRow.display_name)
                .join(MemberRow, MemberRow.id == KudosRecipientRow.member_id)
                .where(KudosRecipientRow.kudos_id.in_([r.id for r in rows]))
                .order_by(KudosRecipientRow.kudos_id, KudosRecipientRow.member_id)
            ):
                recipients[kudos_id].append(Person(external_id, name))
        return [
            KudosRecord(
                id=r.id,
                created_at=utc(r.created_at),
                giver=Person(r.external_id, r.display_name),
                recipients=tuple(recipients[r.id]),
                amount_each=r.amount_each,
                reason=r.reason,
                tags=tuple(r.tags.split()) if r.tags else (),
                channel=r.channel,
                reversed_at=utc(r.reversed_at) if r.reversed_at else None,
                reversal_reason=r.reversal_reason,
            )
            for r in rows
        ]

    async def members(
        self, workspace: Workspace, active: bool | None, after: Position | None, limit: int
    ) -> list[tuple[Member, datetime]]:
        query = (
            select(
                MemberRow.id,
                MemberRow.external_id,
                MemberRow.display_name,
                MemberRow.is_bot,
                MemberRow.is_active,
                MemberRow.is_private,
                MemberRow.created_at,
                _allowance.id.label("allowance_id"),
                _allowance.balance.label("allowance_balance"),
                _allowance.period,
                _earned.id.label("earned_id"),
                _earned.balance.label("earned_balance"),
            )
            .join(
                _allowance,
                and_(_allowance.member_id == MemberRow.id, _allowance.kind == "allowance"),
            )
            .join(_earned, and_(_earned.member_id == MemberRow.id, _earned.kind == "earned"))
            .where(MemberRow.workspace_id == workspace.id)
            .order_by(MemberRow.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(MemberRow.id > after.id)
        if active is not None:
            query = query.where(MemberRow.is_active.is_(active))
        return [
            (
                Member(
                    id=r.id,
                    workspace_id=workspace.id,
                    external_id=r.external_id,
                    display_name=r.display_name,
                    is_bot=bool(r.is_bot),
                    is_active=bool(r.is_active),
                    allowance_account_id=r.allowance_id,
                    earned_account_id=r.earned_id,
                    allowance_balance=r.allowance_balance,
                    earned_balance=r.earned_balance,
                    allowance_period=r.period,
                    is_private=bool(r.is_private),
                ),
                utc(r.created_at),
            )
            for r in await self.conn.execute(query)
        ]

    async def member_since(self, workspace: Workspace, external_id: str) -> datetime | None:
        found = (
            await self.conn.execute(
                select(MemberRow.created_at)
                .where(MemberRow.workspace_id == workspace.id)
                .where(MemberRow.external_id == external_id)
            )
        ).scalar()
        return utc(found) if found is not None else None

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
        query = (
            select(
                LearningRow.id,
                LearningRow.created_at,
                LearningRow.text,
                LearningRow.tags,
                LearningRow.channel,
                MemberRow.external_id,
                MemberRow.display_name,
            )
            .join(MemberRow, MemberRow.id == LearningRow.member_id)
            .where(LearningRow.workspace_id == workspace.id)
            .where(_before(LearningRow.created_at, LearningRow.id, after))
            .order_by(LearningRow.created_at.desc(), LearningRow.id.desc())
            .limit(limit)
        )
        if since is not None:
            query = query.where(LearningRow.created_at >= since)
        if until is not None:
            query = query.where(LearningRow.created_at < until)
        if person is not None:
            query = query.where(MemberRow.external_id == person)
        if value:
            query = query.where(_word(LearningRow.tags, value))
        return [
            LearningRecord(
                id=r.id,
                created_at=utc(r.created_at),
                author=Person(r.external_id, r.display_name),
                text=r.text,
                tags=tuple(r.tags.split()) if r.tags else (),
                channel=r.channel,
            )
            for r in await self.conn.execute(query)
        ]

    async def redemptions(
        self, workspace: Workspace, statuses: Sequence[str], after: Position | None, limit: int
    ) -> list[Redemption]:
        query = (
            _REDEMPTIONS.where(RedemptionRow.workspace_id == workspace.id)
            .order_by(RedemptionRow.id.desc())
            .limit(limit)
        )
        if after is not None:
            query = query.where(RedemptionRow.id < after.id)
        if statuses:
            query = query.where(RedemptionRow.status.in_(list(statuses)))
        rows: list[Any] = list(await self.conn.execute(query))
        return [_redemption(row) for row in rows]

    async def audit(
        self,
        workspace: Workspace,
        since: datetime | None,
        action: str | None,
        after: Position | None,
        limit: int,
    ) -> list[AuditEntry]:
        query = (
            select(AuditRow)
            .where(AuditRow.workspace_id == workspace.id)
            .where(_before(AuditRow.created_at, AuditRow.id, after))
            .order_by(AuditRow.created_at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
        if since is not None:
            query = query.where(AuditRow.created_at >= since)
        if action is not None:
            query = query.where(AuditRow.action == action)
        return [
            AuditEntry(
                id=row.id,
                actor_id=row.actor_id,
                actor_name=row.actor_name,
                action=row.action,
                target=row.target,
                details=row.details or {},
                created_at=utc(row.created_at),
            )
            for row in await self.conn.execute(query)
        ]
