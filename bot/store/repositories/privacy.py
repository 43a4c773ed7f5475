"""Who appears in public posts, and forgetting a person: every copy of what identifies them
erased in one transaction, the ledger left exactly as it was."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update

from bot.domain.model import Member, Workspace
from bot.domain.privacy import Erased, Erasure
from bot.store.models import (
    AdminRow,
    ApiTokenRow,
    AuditRow,
    ConversationRow,
    ForgottenMemberRow,
    InboxRow,
    KudosRow,
    LearningRow,
    MemberRow,
    OutboxRow,
    RedemptionRow,
    SignInLinkRow,
    WebhookDeliveryRow,
    WebhookRow,
)
from bot.store.repositories.base import Repository

_SET_BY_FORGETTING = frozenset(
    {"external_id", "display_name", "is_private", "is_active", "forgotten_at"}
)
_CLEARED = tuple(
    column.name
    for column in MemberRow.__table__.columns
    if column.nullable and column.name not in _SET_BY_FORGETTING
)
"""Every optional column of a member (the directory id, and whatever a people import adds:
e-mail, team, manager, start date) is personal data unless listed above: forgetting clears it.
A new column is erased by default, never kept by oversight."""
ERASED_PAYLOAD = "{}"


class SqlPrivacyRepository(Repository):
    async def set_private(self, workspace: Workspace, member: Member, private: bool) -> bool:
        result = await self.conn.execute(
            update(MemberRow)
            .where(MemberRow.workspace_id == workspace.id, MemberRow.id == member.id)
            .where(MemberRow.is_private.is_not(private))
            .values(is_private=private)
        )
        return result.rowcount == 1

    async def pseudonym_taken(self, workspace: Workspace, name: str) -> bool:
        found = await self.conn.execute(
            select(MemberRow.id)
            .where(MemberRow.workspace_id == workspace.id, MemberRow.display_name == name)
            .limit(1)
        )
        return found.first() is not None

    async def was_forgotten(self, workspace: Workspace, digest: str) -> bool:
        found = await self.conn.execute(
            select(ForgottenMemberRow.digest).where(
                ForgottenMemberRow.workspace_id == workspace.id,
                ForgottenMemberRow.digest == digest,
            )
        )
        return found.first() is not None

    async def forget(self, workspace: Workspace, member: Member, erasure: Erasure) -> Erased:
        ws = workspace.id
        await self.conn.execute(
            update(MemberRow)
            .where(MemberRow.workspace_id == ws, MemberRow.id == member.id)
            .values(
                external_id=erasure.pseudonymous_id,
                display_name=erasure.pseudonym,
                is_private=True,
                is_active=False,
                forgotten_at=erasure.at,
                **dict.fromkeys(_CLEARED),
            )
        )
        await self.conn.execute(
            self._insert(ForgottenMemberRow)
            .values(workspace_id=ws, digest=erasure.digest)
            .on_conflict_do_nothing(index_elements=["workspace_id", "digest"])
        )
        reasons = await self.conn.execute(
            update(KudosRow)
            .where(KudosRow.workspace_id == ws, KudosRow.giver_id == member.id)
            .where(KudosRow.reason.is_not(None))
            .values(reason=None)
        )
        learnings = await self.conn.execute(
            update(LearningRow)
            .where(LearningRow.workspace_id == ws, LearningRow.member_id == member.id)
            .values(text="", topic=None, tags="")
        )
        admin_rows = await self.conn.execute(
            delete(AdminRow).where(
                AdminRow.workspace_id == ws, AdminRow.external_id == erasure.external_id
            )
        )
        links = await self.conn.execute(
            delete(SignInLinkRow).where(
                SignInLinkRow.workspace_id == ws,
                SignInLinkRow.external_id == erasure.external_id,
            )
        )
        await self._rename_authors(ws, erasure)
        return Erased(
            reasons=reasons.rowcount,
            learnings=learnings.rowcount,
            admin_rows=admin_rows.rowcount,
            sign_in_links=links.rowcount,
            conversations=await self._conversations(ws, erasure),
            audit_entries=await self._audit(ws, erasure),
            request_log=await self._request_log(workspace, erasure),
            webhook_deliveries=await self._webhook_bodies(ws, erasure),
        )

    async def _rename_authors(self, ws: int, erasure: Erasure) -> None:
        """Who added an admin, decided a redemption, made a token, a webhook or a sign-in
        link is kept by name: the pseudonym takes the forgotten person's."""
        names = (erasure.external_id, *erasure.names)
        for table, column in (
            (AdminRow, AdminRow.added_by),
            (RedemptionRow, RedemptionRow.decided_by),
            (ApiTokenRow, ApiTokenRow.created_by),
            (WebhookRow, WebhookRow.created_by),
            (SignInLinkRow, SignInLinkRow.created_by),
        ):
            await self.conn.execute(
                update(table)
                .where(table.workspace_id == ws, column.in_(names))
                .values({column.key: erasure.pseudonym})
            )

    async def _conversations(self, ws: int, erasure: Erasure) -> int:
        """A personal chat with the person is forgotten (their next message remembers a new
        one); elsewhere, a stored conversation reference loses them as its user."""
        changed = 0
        rows = await self.conn.execute(
            select(ConversationRow.id, ConversationRow.kind, ConversationRow.reference).where(
                ConversationRow.workspace_id == ws
            )
        )
        for row_id, kind, reference in rows.all():
            user = (reference or {}).get("user") or {}
            if user.get("id") != erasure.external_id:
                continue
            if kind == "personal":
                await self.conn.execute(delete(ConversationRow).where(ConversationRow.id == row_id))
            else:
                await self.conn.execute(
                    update(ConversationRow)
                    .where(ConversationRow.id == row_id)
                    .values(reference={**reference, "user": None})
                )
            changed += 1
        return changed

    async def _audit(self, ws: int, erasure: Erasure) -> int:
        """Entries keep what was done and when; the person in them becomes the pseudonym
        (as the actor, the target, or a value in the details)."""
        changed = 0
        rows = await self.conn.execute(
            select(AuditRow.id, AuditRow.actor_id, AuditRow.target, AuditRow.details).where(
                AuditRow.workspace_id == ws
            )
        )
        for row_id, actor_id, target, details in rows.all():
            values: dict[str, Any] = {}
            if actor_id == erasure.external_id:
                values = {"actor_id": erasure.pseudonymous_id, "actor_name": erasure.pseudonym}
            if _mentions(target, erasure):
                values["target"] = _pseudonymised(target, erasure)
            scrubbed = _pseudonymised(details, erasure)
            if scrubbed != details:
                values["details"] = scrubbed
            if values:
                await self.conn.execute(
                    update(AuditRow).where(AuditRow.id == row_id).values(**values)
                )
                changed += 1
        return changed

    async def _request_log(self, workspace: Workspace, erasure: Erasure) -> int:
        """Finished requests and sent messages that carry the person's id keep their row (a
        redelivery stays a no-op) and lose their payload. Pending ones are left to finish."""
        changed = 0
        for table in (InboxRow, OutboxRow):
            result = await self.conn.execute(
                update(table)
                .where(table.platform == workspace.platform)
                .where(table.workspace == workspace.external_id)
                .where(table.state != "pending")
                .where(_carries(table.payload, erasure.external_id))
                .values(payload=ERASED_PAYLOAD)
            )
            changed += result.rowcount
        return changed

    async def _webhook_bodies(self, ws: int, erasure: Erasure) -> int:
        """Deliveries sent (or given up) keep their log line, not their body."""
        result = await self.conn.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.workspace_id == ws)
            .where(WebhookDeliveryRow.state != "pending")
            .where(_carries(WebhookDeliveryRow.body, erasure.external_id))
            .values(body=ERASED_PAYLOAD)
        )
        return result.rowcount


def _carries(column: Any, external_id: str) -> ColumnElement[bool]:
    """Whether JSON text holds the id as a value (`"U123"`) or a mention in a message
    (`<@U123>`, `<@U123|ana>`)."""
    return or_(
        column.contains(f'"{external_id}"', autoescape=True),
        column.contains(f"<@{external_id}", autoescape=True),
    )


def _mentions(value: str, erasure: Erasure) -> bool:
    return value == erasure.external_id or value in erasure.names


def _pseudonymised(value: Any, erasure: Erasure) -> Any:
    """`value` with the person's id and names, wherever one is a whole string in it, replaced
    by their pseudonymous id and pseudonym."""
    if isinstance(value, str):
        if value == erasure.external_id:
            return erasure.pseudonymous_id
        return erasure.pseudonym if value in erasure.names else value
    if isinstance(value, dict):
        return {k: _pseudonymised(v, erasure) for k, v in value.items()}
    if isinstance(value, list):
        return [_pseudonymised(v, erasure) for v in value]
    return value
