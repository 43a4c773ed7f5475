"""The reward catalog: items, and the conditional stock update that never sells a unit twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, select, update

from bot.domain.model import Workspace
from bot.domain.rewards import RewardItem
from bot.store.models import RewardItemRow
from bot.store.repositories.base import Repository

_ITEM_COLUMNS = (
    RewardItemRow.id,
    RewardItemRow.name,
    RewardItemRow.description,
    RewardItemRow.cost,
    RewardItemRow.stock,
    RewardItemRow.needs_approval,
    RewardItemRow.active,
)
# One statement decides: a unit is taken only while one is left (or stock is unlimited), so two
# transactions can never both take the last one (the row lock makes the second re-check).
_TAKE_ONE = (
    update(RewardItemRow)
    .where(RewardItemRow.id == bindparam("p_id"))
    .where(RewardItemRow.workspace_id == bindparam("p_ws"))
    .where(RewardItemRow.active.is_(True))
    .where(RewardItemRow.removed_at.is_(None))
    .where(RewardItemRow.stock.is_(None) | (RewardItemRow.stock >= 1))
    .values(stock=case((RewardItemRow.stock.is_(None), None), else_=RewardItemRow.stock - 1))
)


def _item(row: Any) -> RewardItem:
    return RewardItem(
        id=row.id,
        name=row.name,
        description=row.description or "",
        cost=int(row.cost),
        stock=None if row.stock is None else int(row.stock),
        needs_approval=bool(row.needs_approval),
        active=bool(row.active),
    )


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    if "name" in values:
        values["name_key"] = values["name"].casefold()
    return values


class SqlCatalogRepository(Repository):
    async def add(self, workspace: Workspace, fields: dict[str, Any], at: datetime) -> RewardItem:
        item_id = (
            await self._execute_unique(
                self._insert(RewardItemRow)
                .values(workspace_id=workspace.id, created_at=at, **_columns(fields))
                .returning(RewardItemRow.id)
            )
        ).scalar_one()
        found = await self._by_id(workspace, item_id)
        assert found is not None
        return found

    async def _by_id(self, workspace: Workspace, item_id: int) -> RewardItem | None:
        row = (
            await self.conn.execute(
                select(*_ITEM_COLUMNS)
                .where(RewardItemRow.workspace_id == workspace.id)
                .where(RewardItemRow.id == item_id)
                .where(RewardItemRow.removed_at.is_(None))
            )
        ).first()
        return None if row is None else _item(row)

    async def find(self, workspace: Workspace, ref: str) -> RewardItem | None:
        text = " ".join(ref.split())
        number = text.lstrip("#")
        if number.isdigit() and len(number) <= 12:
            return await self._by_id(workspace, int(number))
        row = (
            await self.conn.execute(
                select(*_ITEM_COLUMNS)
                .where(RewardItemRow.workspace_id == workspace.id)
                .where(RewardItemRow.name_key == text.casefold())
            )
        ).first()
        return None if row is None else _item(row)

    async def all(self, workspace: Workspace, *, active_only: bool) -> list[RewardItem]:
        query = (
            select(*_ITEM_COLUMNS)
            .where(RewardItemRow.workspace_id == workspace.id)
            .where(RewardItemRow.removed_at.is_(None))
            .order_by(RewardItemRow.cost, RewardItemRow.name_key)
        )
        if active_only:
            query = query.where(RewardItemRow.active.is_(True))
        return [_item(row) for row in await self.conn.execute(query)]

    async def update(
        self, workspace: Workspace, item_id: int, fields: dict[str, Any]
    ) -> RewardItem:
        await self._execute_unique(
            update(RewardItemRow)
            .where(RewardItemRow.workspace_id == workspace.id)
            .where(RewardItemRow.id == item_id)
            .values(**_columns(fields))
        )
        found = await self._by_id(workspace, item_id)
        assert found is not None
        return found

    async def remove(self, workspace: Workspace, item_id: int, at: datetime) -> None:
        await self.conn.execute(
            update(RewardItemRow)
            .where(RewardItemRow.workspace_id == workspace.id)
            .where(RewardItemRow.id == item_id)
            .values(removed_at=at, name_key=None, active=False)
        )

    async def take_one(self, workspace: Workspace, item_id: int) -> bool:
        result = await self.conn.execute(_TAKE_ONE, {"p_id": item_id, "p_ws": workspace.id})
        return result.rowcount == 1

    async def give_back(self, workspace: Workspace, item_id: int) -> None:
        await self.conn.execute(
            update(RewardItemRow)
            .where(RewardItemRow.workspace_id == workspace.id)
            .where(RewardItemRow.id == item_id)
            .where(RewardItemRow.stock.is_not(None))
            .values(stock=RewardItemRow.stock + 1)
        )
