"""Privacy: a member leaves (or rejoins) the public leaderboards and posts, and an operator
forgets a person (`kudos people forget`), erasing what identifies them while the ledger keeps
every entry under a pseudonym."""

from __future__ import annotations

import secrets

from bot.domain import errors
from bot.domain.model import MemberRef, WorkspaceRef
from bot.domain.privacy import Erasure, forgotten_digest, is_pseudonymous, pseudonym
from bot.services.admins import audit, require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork
from bot.services.results import MemberForgotten, PrivacyShown

FORGET = "member.forget"
"""The audit action of forgetting: who did it and when, the pseudonym as its target, and
nothing of what was erased."""


async def show_privacy(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, member_ref: MemberRef
) -> PrivacyShown:
    """Whether the person appears on the public boards (someone not seen yet does)."""

    async def read(uow: UnitOfWork) -> PrivacyShown:
        workspace = await uow.workspaces.get(workspace_ref)
        member = await uow.members.get(workspace, member_ref.external_id) if workspace else None
        return PrivacyShown(public=member is None or not member.is_private)

    return await in_transaction(ctx, read, write=False)


async def set_public(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, member_ref: MemberRef, public: bool
) -> PrivacyShown:
    """Leave (`public=False`) or rejoin the public leaderboards and posts. Giving and
    receiving go on as before; only what the bot posts for everyone changes."""

    async def work(uow: UnitOfWork) -> PrivacyShown:
        workspace = await uow.workspaces.ensure(workspace_ref)
        member = (await uow.members.ensure(workspace, [member_ref]))[member_ref.external_id]
        changed = await uow.privacy.set_private(workspace, member, not public)
        await uow.commit()
        return PrivacyShown(public=public, changed=changed)

    return await in_transaction(ctx, work)


async def forget_member(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, external_id: str
) -> MemberForgotten:
    """Erase a person's personal data in one transaction: their name, platform and directory
    ids and directory fields, the reasons they wrote, the learnings they shared, their admin
    listing and sign-in links, and their id and name wherever the bot copied them. Their
    accounts and every ledger entry stay, under a pseudonym (`former member 7f3a`), so balances
    and `kudos ledger verify` are unchanged. Audited: who and when, not what.

    Forgetting someone forgotten already changes nothing; an id the workspace never saw is
    refused, changing nothing. If the person writes again later, they are someone new from
    then on: the platform id no longer leads to the pseudonymous accounts."""

    async def work(uow: UnitOfWork) -> MemberForgotten:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id, workspace_ref.platform)
        await require_admin(uow, workspace, actor, "forget someone")
        member = await uow.members.get(workspace, external_id)
        if member is not None and is_pseudonymous(member.external_id):
            return MemberForgotten(member.display_name, already=True)
        digest = forgotten_digest(workspace.platform, workspace.external_id, external_id)
        if member is None:
            if await uow.privacy.was_forgotten(workspace, digest):
                return MemberForgotten("", already=True)
            raise errors.UnknownPerson(external_id, workspace.external_id)
        name, pseudonymous_id = pseudonym(secrets.token_hex(16))
        while await uow.privacy.pseudonym_taken(workspace, name):
            name, pseudonymous_id = pseudonym(secrets.token_hex(16))
        now = ctx.clock.now()
        erasure = Erasure(
            pseudonym=name,
            pseudonymous_id=pseudonymous_id,
            digest=digest,
            at=now,
            external_id=member.external_id,
            names=(member.display_name,),
        )
        erased = await uow.privacy.forget(workspace, member, erasure)
        await audit(uow, workspace, actor, FORGET, name, {}, now)
        await uow.commit()
        return MemberForgotten(name, erased)

    return await in_transaction(ctx, work)
