"""The reward catalog: admins add, edit, remove and import items; every change is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import errors
from bot.domain.model import MemberRef, Workspace, WorkspaceRef
from bot.domain.rewards import RewardItem, item_fields
from bot.services.admins import audit, require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import DuplicateDelivery, UnitOfWork
from bot.services.results import AdminDone, CatalogShown


@dataclass(frozen=True)
class CatalogImported:
    added: tuple[str, ...]
    updated: tuple[str, ...]


async def show_catalog(ctx: ServiceContext, workspace_ref: WorkspaceRef) -> CatalogShown:
    """Every item not removed, inactive ones included (what admins manage)."""

    async def read(uow: UnitOfWork) -> CatalogShown:
        workspace = await uow.workspaces.get(workspace_ref)
        items = await uow.catalog.all(workspace, active_only=False) if workspace else []
        return CatalogShown(tuple(items))

    return await in_transaction(ctx, read, write=False)


async def _find(uow: UnitOfWork, workspace: Workspace | None, ref: str) -> RewardItem:
    item = await uow.catalog.find(workspace, ref) if workspace else None
    if item is None:
        raise errors.UnknownItem(ref)
    return item


def _changes(before: RewardItem, after: RewardItem) -> dict[str, Any]:
    old, new = before.as_dict(), after.as_dict()
    return {k: {"from": old[k], "to": new[k]} for k in new if old[k] != new[k]}


async def _add(
    uow: UnitOfWork, workspace: Workspace, actor: MemberRef, fields: dict[str, Any], now: Any
) -> RewardItem:
    try:
        item = await uow.catalog.add(workspace, fields, now)
    except DuplicateDelivery:
        raise errors.DuplicateItem(fields["name"]) from None
    await audit(uow, workspace, actor, "catalog.add", f"item {item.id}", item.as_dict(), now)
    return item


async def _edit(
    uow: UnitOfWork,
    workspace: Workspace,
    actor: MemberRef,
    item: RewardItem,
    fields: dict[str, Any],
    now: Any,
) -> RewardItem:
    try:
        changed = await uow.catalog.update(workspace, item.id, fields)
    except DuplicateDelivery:
        raise errors.DuplicateItem(fields["name"]) from None
    diff = _changes(item, changed)
    if diff:
        await audit(uow, workspace, actor, "catalog.edit", f"item {item.id}", diff, now)
    return changed


async def create_item(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, fields: Mapping[str, str]
) -> RewardItem:
    """Add an item from text fields (`name`, `cost`, `stock`, `approval`, `description`,
    `active`). Admins only; audited."""

    async def work(uow: UnitOfWork) -> RewardItem:
        await require_admin(uow, await uow.workspaces.get(workspace_ref), actor, "edit the catalog")
        typed = item_fields(fields, new=True)
        workspace = await uow.workspaces.ensure(workspace_ref)
        item = await _add(uow, workspace, actor, typed, ctx.clock.now())
        await uow.commit()
        return item

    return await in_transaction(ctx, work)


async def add_item(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, fields: Mapping[str, str]
) -> AdminDone:
    """Add an item (see `create_item`), said in a sentence."""
    item = await create_item(ctx, workspace_ref, actor, fields)
    return AdminDone(f"Added #{item.id} {item.name}: {item.cost} points, {_terms(item)}.")


async def change_item(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    actor: MemberRef,
    ref: str,
    fields: Mapping[str, str],
) -> RewardItem:
    """Change some of an item's fields (by its name or number). Admins only; audited."""

    async def work(uow: UnitOfWork) -> RewardItem:
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "edit the catalog")
        typed = item_fields(fields, new=False)
        item = await _find(uow, workspace, ref)
        assert workspace is not None
        changed = await _edit(uow, workspace, actor, item, typed, ctx.clock.now())
        await uow.commit()
        return changed

    return await in_transaction(ctx, work)


async def edit_item(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    actor: MemberRef,
    ref: str,
    fields: Mapping[str, str],
) -> AdminDone:
    """Change some of an item's fields (see `change_item`), said in a sentence."""
    changed = await change_item(ctx, workspace_ref, actor, ref, fields)
    return AdminDone(
        f"Updated #{changed.id} {changed.name}: {changed.cost} points, {_terms(changed)}."
    )


async def delete_item(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, ref: str
) -> RewardItem:
    """Take an item out of the catalog. Its redemptions keep their history, and pending ones
    can still be approved or rejected. Admins only; audited."""

    async def work(uow: UnitOfWork) -> RewardItem:
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "edit the catalog")
        item = await _find(uow, workspace, ref)
        assert workspace is not None
        now = ctx.clock.now()
        await uow.catalog.remove(workspace, item.id, now)
        await audit(uow, workspace, actor, "catalog.remove", f"item {item.id}", item.as_dict(), now)
        await uow.commit()
        return item

    return await in_transaction(ctx, work)


async def remove_item(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, ref: str
) -> AdminDone:
    """Take an item out of the catalog (see `delete_item`), said in a sentence."""
    item = await delete_item(ctx, workspace_ref, actor, ref)
    return AdminDone(f"Removed #{item.id} {item.name} from the catalog.")


async def import_items(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    actor: MemberRef,
    rows: Sequence[Mapping[str, str]],
) -> CatalogImported:
    """Add or update items from rows (a CSV with a header: name, cost, and optionally
    description, stock, approval, active). An item whose name exists is updated. All rows or
    none: a bad row is refused with its number."""

    async def work(uow: UnitOfWork) -> CatalogImported:
        await require_admin(uow, await uow.workspaces.get(workspace_ref), actor, "edit the catalog")
        workspace = await uow.workspaces.ensure(workspace_ref)
        now = ctx.clock.now()
        added: list[str] = []
        updated: list[str] = []
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            given = {k: (v or "") for k, v in row.items() if k and (v or "").strip()}
            try:
                name = given.get("name", "").strip()
                by_name = name and not name.lstrip("#").isdigit()
                existing = await uow.catalog.find(workspace, name) if by_name else None
                if existing is not None:
                    rest = {k: v for k, v in given.items() if k != "name"}
                    if rest:
                        await _edit(
                            uow, workspace, actor, existing, item_fields(rest, new=False), now
                        )
                    updated.append(existing.name)
                else:
                    item = await _add(uow, workspace, actor, item_fields(given, new=True), now)
                    added.append(item.name)
            except errors.KudosError as refusal:
                raise errors.InvalidItem(f"Row {number}: {refusal.message}") from None
        await uow.commit()
        return CatalogImported(tuple(added), tuple(updated))

    return await in_transaction(ctx, work)


def _terms(item: RewardItem) -> str:
    parts = [
        "stock " + item.describe_stock(),
        "needs approval" if item.needs_approval else "no approval needed",
    ]
    if not item.active:
        parts.append("inactive")
    return ", ".join(parts)
