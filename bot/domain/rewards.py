"""Rewards: the catalog's items, redemptions and their life cycle, and the checks on both."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.domain.errors import InvalidItem, RejectReasonRequired

RedemptionStatus = Literal["pending", "fulfilled", "rejected", "cancelled"]
PENDING: RedemptionStatus = "pending"
FULFILLED: RedemptionStatus = "fulfilled"
REJECTED: RedemptionStatus = "rejected"
CANCELLED: RedemptionStatus = "cancelled"
"""Withdrawn by the member while pending: refunded like a rejection."""

MAX_NAME = 80
MAX_DESCRIPTION = 500
MAX_COST = 10**9
MAX_REJECT_REASON = 500
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}
_UNLIMITED = {"unlimited", "none", "-", "∞", ""}
ITEM_FIELDS = ("name", "description", "cost", "stock", "approval", "active")


@dataclass(frozen=True)
class RewardItem:
    """Something in a workspace's catalog. `stock` None means unlimited."""

    id: int
    name: str
    description: str
    cost: int
    stock: int | None
    needs_approval: bool
    active: bool

    def describe_stock(self) -> str:
        if self.stock is None:
            return "unlimited"
        return "sold out" if self.stock == 0 else f"{self.stock} left"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "cost": self.cost,
            "stock": self.stock,
            "needs_approval": self.needs_approval,
            "active": self.active,
        }


@dataclass(frozen=True)
class Redemption:
    """A member's claim on a reward, its points held in escrow until an admin decides."""

    id: int
    item_id: int
    item_name: str
    member_external_id: str
    member_name: str
    cost: int
    status: RedemptionStatus
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    """The deciding admin's display name (or the CLI's user)."""
    reason: str | None = None
    """Why it was rejected."""


def _flag(name: str, raw: str) -> bool:
    word = raw.strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InvalidItem(f"{name} is yes or no, not {raw!r}.")


def _whole(name: str, raw: str, low: int, high: int) -> int:
    text = raw.strip().replace("_", "")
    if not re.fullmatch(r"\d{1,10}", text) or not low <= int(text) <= high:
        raise InvalidItem(f"{name} is a whole number from {low} to {high:,}, not {raw!r}.")
    return int(text)


def item_fields(changes: Mapping[str, str], *, new: bool) -> dict[str, Any]:
    """Check catalog fields given as text (`cost=200`, `stock=unlimited`, `approval=no`) and
    return them typed, keyed by the item's attribute names. A new item needs a name and cost."""
    out: dict[str, Any] = {}
    for raw_name, raw in changes.items():
        name = raw_name.strip().casefold()
        if name == "name":
            value = " ".join(raw.split())
            if not value or len(value) > MAX_NAME:
                raise InvalidItem(f"An item's name has 1 to {MAX_NAME} characters.")
            if value.isdigit() or value.startswith("#"):
                raise InvalidItem("An item's name needs a letter: plain numbers name items by id.")
            out["name"] = value
        elif name in {"description", "desc"}:
            value = raw.strip()
            if len(value) > MAX_DESCRIPTION:
                raise InvalidItem(f"Keep the description under {MAX_DESCRIPTION} characters.")
            out["description"] = value
        elif name in {"cost", "price", "points"}:
            out["cost"] = _whole("cost", raw, 1, MAX_COST)
        elif name == "stock":
            out["stock"] = (
                None if raw.strip().casefold() in _UNLIMITED else _whole("stock", raw, 0, MAX_COST)
            )
        elif name in {"approval", "needs_approval"}:
            out["needs_approval"] = _flag("approval", raw)
        elif name == "active":
            out["active"] = _flag("active", raw)
        else:
            raise InvalidItem(
                f"An item has no field {raw_name!r}. Fields: {', '.join(ITEM_FIELDS)}."
            )
    if new:
        missing = [f for f in ("name", "cost") if f not in out]
        if missing:
            raise InvalidItem(f"A new item needs a {' and a '.join(missing)}.")
        out.setdefault("description", "")
        out.setdefault("stock", None)
        out.setdefault("needs_approval", True)
        out.setdefault("active", True)
    elif not out:
        raise InvalidItem("Say what to change, e.g. `cost=150` or `active=no`.")
    return out


def reject_reason(raw: str | None) -> str:
    """A rejection's reason, trimmed: required (the member reads it), and too long is refused
    rather than cut."""
    reason = " ".join((raw or "").split())
    if not reason:
        raise RejectReasonRequired()
    if len(reason) > MAX_REJECT_REASON:
        raise InvalidItem(f"Keep the reason under {MAX_REJECT_REASON} characters.")
    return reason
