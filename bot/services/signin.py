"""Who may open the dashboard: one-time sign-in links (`kudos dashboard link`) and the
identities Slack and Entra ID vouch for, mapped to members of a workspace Kudos knows.

A link's token is shown once and kept only as its SHA-256 (256 random bits need no slow
hash); it works for ten minutes, once. Whether someone is an admin is not decided here: the
dashboard asks the admin rules (bot/services/admins.py) on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.domain import errors
from bot.domain.model import MemberRef, WorkspaceRef, WorkspaceSettings
from bot.services.admins import audit, is_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork

LINK_LIFETIME = timedelta(minutes=10)
PLATFORM_NAMES = {"slack": "Slack workspace", "teams": "Microsoft Teams organisation"}


@dataclass(frozen=True)
class Identity:
    """A signed-in person: their workspace and who they are in it. `is_admin` is what the
    platform says (Slack's workspace admins and owners), None when it said nothing."""

    workspace: WorkspaceRef
    member: MemberRef
    via: str

    def as_platform_says(self, described: MemberRef) -> Identity:
        """The same person with the name the platform's directory gives now, and its word on
        whether they are an admin."""
        member = MemberRef(
            self.member.external_id,
            described.display_name or self.member.display_name,
            is_admin=described.is_admin or None,
        )
        return Identity(self.workspace, member, self.via)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_sign_in_link(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, who: MemberRef, actor: MemberRef
) -> str:
    """A new one-time sign-in token for `who` in an existing workspace (audited); only its hash
    is stored, so this is the one time anyone sees it."""
    token = secrets.token_urlsafe(32)

    async def work(uow: UnitOfWork) -> None:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        now = ctx.clock.now()
        by = actor.display_name or actor.external_id
        await uow.sign_in_links.add(
            workspace, who.external_id, token_hash(token), by, now, now + LINK_LIFETIME
        )
        await audit(
            uow,
            workspace,
            actor,
            "dashboard.link",
            who.external_id,
            {"expires_in_minutes": int(LINK_LIFETIME.total_seconds() // 60)},
            now,
        )
        await uow.commit()

    await in_transaction(ctx, work)
    return token


async def sign_in_link_state(ctx: ServiceContext, token: str) -> str:
    """`valid`, `used`, `expired` or `unknown` (nothing changes)."""

    async def read(uow: UnitOfWork) -> str:
        return await uow.sign_in_links.state(token_hash(token), ctx.clock.now())

    return await in_transaction(ctx, read, write=False)


async def sign_in_with_link(ctx: ServiceContext, token: str) -> Identity:
    """Use a sign-in link: the person it was made for, once, within its ten minutes."""

    async def work(uow: UnitOfWork) -> Identity:
        used = await uow.sign_in_links.use(token_hash(token), ctx.clock.now())
        if used is None:
            raise errors.SignInRefused(
                "This sign-in link has expired or was used already: ask for a new one "
                "(`kudos dashboard link --workspace … --user …` on the server)."
            )
        ref, external_id = used
        workspace = await uow.workspaces.get(ref)
        assert workspace is not None
        member = await uow.members.get(workspace, external_id)
        name = member.display_name if member else external_id
        await uow.commit()
        return Identity(
            WorkspaceRef(workspace.platform, workspace.external_id, workspace.name),
            MemberRef(external_id, name),
            "link",
        )

    return await in_transaction(ctx, work)


async def identify(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    *,
    external_id: str | None = None,
    directory_id: str | None = None,
    name: str | None = None,
    via: str,
) -> Identity:
    """The member a platform's sign-in vouches for: by chat user id (Slack), or by directory
    id (Entra ID's object id, which the Teams adapter stores with each member). Refuses a
    workspace Kudos has never served, and a directory id no member carries yet."""

    async def read(uow: UnitOfWork) -> Identity:
        workspace = await uow.workspaces.get(workspace_ref)
        where = PLATFORM_NAMES.get(workspace_ref.platform, "workspace")
        if workspace is None:
            raise errors.SignInRefused(
                f"Kudos isn't set up in that {where}: sign in with the account you use where "
                "Kudos runs, or ask your Kudos admin."
            )
        ref = WorkspaceRef(workspace.platform, workspace.external_id, workspace.name)
        if directory_id is not None:
            member = await uow.members.by_directory_id(workspace, directory_id)
            if member is None:
                raise errors.SignInRefused(
                    "Kudos doesn't know your Teams account yet: give a kudos or share a `til` "
                    "in Teams once, then sign in again (or ask an admin for a sign-in link)."
                )
            return Identity(ref, MemberRef(member.external_id, member.display_name), via)
        assert external_id is not None
        member = await uow.members.get(workspace, external_id)
        shown = member.display_name if member else (name or external_id)
        return Identity(ref, MemberRef(external_id, shown), via)

    return await in_transaction(ctx, read, write=False)


@dataclass(frozen=True)
class Standing:
    """What the dashboard needs to know of a signed-in person on each request."""

    workspace_exists: bool
    admin: bool
    settings: WorkspaceSettings


async def standing(ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef) -> Standing:
    """Whether the workspace still exists, whether `actor` is an admin by the admin rules (the
    platform's word in `actor.is_admin`, or the admin list), and the workspace's settings."""

    async def read(uow: UnitOfWork) -> Standing:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            return Standing(False, False, WorkspaceSettings())
        return Standing(True, await is_admin(uow, workspace, actor), workspace.settings)

    return await in_transaction(ctx, read, write=False)
