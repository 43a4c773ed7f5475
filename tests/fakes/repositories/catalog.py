"""The reward catalog in memory (see bot/store/repositories/catalog.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.model import Workspace
from bot.domain.rewards import RewardItem
from bot.services.ports import DuplicateDelivery
from tests.fakes.repositories.base import FakeRepository
from tests.fakes.tables import Row, UniqueViolation


def item_of(row: Row) -> RewardItem:
    return RewardItem(
        id=row["id"],
        name=row["name"],
        description=row["description"] or "",
        cost=int(row["cost"]),
        stock=None if row["stock"] is None else int(row["stock"]),
        needs_approval=bool(row["needs_approval"]),
        active=bool(row["active"]),
    )


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    if "name" in values:
        values["name_key"] = values["name"].casefold()
    return values


class FakeCatalogRepository(FakeRepository):
    def _row(self, workspace: Workspace, item_id: int) -> Row | None:
        row = self.tables["reward_items"].get(item_id)
        if row is None or row["workspace_id"] != workspace.id:
            return None
        return row

    async def add(self, workspace: Workspace, fields: dict[str, Any], at: datetime) -> RewardItem:
        row = self.insert_unique(
            "reward_items", {"workspace_id": workspace.id, "created_at": at, **_columns(fields)}
        )
        return item_of(row)

    def _by_id(self, workspace: Workspace, item_id: int) -> RewardItem | None:
        row = self._row(workspace, item_id)
        return None if row is None or row["removed_at"] is not None else item_of(row)

    async def find(self, workspace: Workspace, ref: str) -> RewardItem | None:
        text = " ".join(ref.split())
        number = text.lstrip("#")
        if number.isdigit() and len(number) <= 12:
            return self._by_id(workspace, int(number))
        row = self.tables["reward_items"].first(workspace_id=workspace.id, name_key=text.casefold())
        return None if row is None else item_of(row)

    async def all(self, workspace: Workspace, *, active_only: bool) -> list[RewardItem]:
        rows = [
            r
            for r in self.tables["reward_items"].where(workspace_id=workspace.id, removed_at=None)
            if r["active"] or not active_only
        ]
        return [item_of(r) for r in sorted(rows, key=lambda r: (r["cost"], r["name_key"]))]

    async def update(
        self, workspace: Workspace, item_id: int, fields: dict[str, Any]
    ) -> RewardItem:
        row = self._row(workspace, item_id)
        if row is not None:
            try:
                self.tables["reward_items"].update(row, **_columns(fields))
            except UniqueViolation:
                raise DuplicateDelivery() from None
        found = self._by_id(workspace, item_id)
        assert found is not None
        return found

    async def remove(self, workspace: Workspace, item_id: int, at: datetime) -> None:
        row = self._row(workspace, item_id)
        if row is not None:
            self.tables["reward_items"].update(row, removed_at=at, name_key=None, active=False)

    async def take_one(self, workspace: Workspace, item_id: int) -> bool:
        row = self._row(workspace, item_id)
        if (
            row is None
            or not row["active"]
            or row["removed_at"] is not None
            or (row["stock"] is not None and row["stock"] < 1)
        ):
            return False
        if row["stock"] is not None:
            self.tables["reward_items"].update(row, stock=row["stock"] - 1)
        return True

    async def give_back(self, workspace: Workspace, item_id: int) -> None:
        row = self._row(workspace, item_id)
        if row is not None and row["stock"] is not None:
            self.tables["reward_items"].update(row, stock=row["stock"] + 1)
