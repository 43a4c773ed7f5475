"""Leaving the public boards and forgetting a person, in memory (see
bot/store/repositories/privacy.py, whose pure helpers this reuses: what forgetting clears and
how it pseudonymises a value are one decision, made there)."""

from __future__ import annotations

from bot.domain.model import Member, Workspace
from bot.domain.privacy import Erased, Erasure
from bot.store.repositories.privacy import (
    _CLEARED,
    ERASED_PAYLOAD,
    _mentions,
    _pseudonymised,
)
from tests.fakes.repositories.base import FakeRepository, like_contains


def _carries(text: str | None, external_id: str) -> bool:
    """JSON text holds the id as a value or a mention (SQLite's LIKE, as the store asks)."""
    return like_contains(text, f'"{external_id}"') or like_contains(text, f"<@{external_id}")


class FakePrivacyRepository(FakeRepository):
    async def set_private(self, workspace: Workspace, member: Member, private: bool) -> bool:
        members = self.tables["members"]
        row = members.get(member.id)
        if row is None or row["workspace_id"] != workspace.id or row["is_private"] == private:
            return False
        members.update(row, is_private=private)
        return True

    async def pseudonym_taken(self, workspace: Workspace, name: str) -> bool:
        members = self.tables["members"]
        return members.first(workspace_id=workspace.id, display_name=name) is not None

    async def was_forgotten(self, workspace: Workspace, digest: str) -> bool:
        forgotten = self.tables["forgotten_members"]
        return forgotten.get((workspace.id, digest)) is not None

    async def forget(self, workspace: Workspace, member: Member, erasure: Erasure) -> Erased:
        ws = workspace.id
        members = self.tables["members"]
        row = members.get(member.id)
        if row is not None and row["workspace_id"] == ws:
            members.update(
                row,
                external_id=erasure.pseudonymous_id,
                display_name=erasure.pseudonym,
                is_private=True,
                is_active=False,
                forgotten_at=erasure.at,
                **dict.fromkeys(_CLEARED),
            )
        self.tables.insert(
            "forgotten_members", {"workspace_id": ws, "digest": erasure.digest}, on_conflict=True
        )
        kudos = self.tables["kudos"]
        given = [
            k for k in kudos.where(workspace_id=ws, giver_id=member.id) if k["reason"] is not None
        ]
        for k in given:
            kudos.update(k, reason=None)
        learnings = self.tables["learnings"]
        shared = learnings.where(workspace_id=ws, member_id=member.id)
        for learning in shared:
            learnings.update(learning, text="", topic=None, tags="")
        admin_rows = self._delete("workspace_admins", ws, external_id=erasure.external_id)
        links = self._delete("sign_in_links", ws, external_id=erasure.external_id)
        self._rename_authors(ws, erasure)
        return Erased(
            reasons=len(given),
            learnings=len(shared),
            admin_rows=admin_rows,
            sign_in_links=links,
            conversations=self._conversations(ws, erasure),
            audit_entries=self._audit(ws, erasure),
            request_log=self._request_log(workspace, erasure),
            webhook_deliveries=self._webhook_bodies(ws, erasure),
        )

    def _delete(self, table: str, ws: int, **equals: str) -> int:
        rows = self.tables[table].where(workspace_id=ws, **equals)
        for row in rows:
            self.tables[table].delete(row)
        return len(rows)

    def _rename_authors(self, ws: int, erasure: Erasure) -> None:
        names = (erasure.external_id, *erasure.names)
        for table, column in (
            ("workspace_admins", "added_by"),
            ("redemptions", "decided_by"),
            ("api_tokens", "created_by"),
            ("webhooks", "created_by"),
            ("sign_in_links", "created_by"),
        ):
            for row in self.tables[table].where(workspace_id=ws):
                if row[column] in names:
                    self.tables[table].update(row, **{column: erasure.pseudonym})

    def _conversations(self, ws: int, erasure: Erasure) -> int:
        changed = 0
        conversations = self.tables["conversations"]
        for row in conversations.where(workspace_id=ws):
            reference = row["reference"]
            user = (reference or {}).get("user") or {}
            if user.get("id") != erasure.external_id:
                continue
            if row["kind"] == "personal":
                conversations.delete(row)
            else:
                conversations.update(row, reference={**reference, "user": None})
            changed += 1
        return changed

    def _audit(self, ws: int, erasure: Erasure) -> int:
        changed = 0
        audit = self.tables["audit_log"]
        for row in audit.where(workspace_id=ws):
            values: dict[str, object] = {}
            if row["actor_id"] == erasure.external_id:
                values = {"actor_id": erasure.pseudonymous_id, "actor_name": erasure.pseudonym}
            if _mentions(row["target"], erasure):
                values["target"] = _pseudonymised(row["target"], erasure)
            scrubbed = _pseudonymised(row["details"], erasure)
            if scrubbed != row["details"]:
                values["details"] = scrubbed
            if values:
                audit.update(row, **values)
                changed += 1
        return changed

    def _request_log(self, workspace: Workspace, erasure: Erasure) -> int:
        changed = 0
        for name in ("inbox", "outbox"):
            table = self.tables[name]
            for row in table.where(platform=workspace.platform, workspace=workspace.external_id):
                if row["state"] != "pending" and _carries(row["payload"], erasure.external_id):
                    table.update(row, payload=ERASED_PAYLOAD)
                    changed += 1
        return changed

    def _webhook_bodies(self, ws: int, erasure: Erasure) -> int:
        changed = 0
        deliveries = self.tables["webhook_deliveries"]
        for row in deliveries.where(workspace_id=ws):
            if row["state"] != "pending" and _carries(row["body"], erasure.external_id):
                deliveries.update(row, body=ERASED_PAYLOAD)
                changed += 1
        return changed
