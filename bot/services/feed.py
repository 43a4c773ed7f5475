"""Browsing what happened: the kudos feed admins search, a member's learnings.

`list_kudos` is the dashboard's (and any other adapter's) filtered, paginated kudos feed.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import errors
from bot.domain.feed import FEED_PAGE, FeedPage, KudosFilter
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork

LEARNINGS_LIMIT = 20
MAX_PAGE = 200


async def list_kudos(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    actor: MemberRef,
    wanted: KudosFilter,
    older: int | None = None,
    limit: int = FEED_PAGE,
) -> FeedPage:
    """Kudos matching `wanted`, newest first, `limit` at a time; `older` is the cursor a page
    returned. Admins only (it shows everyone's kudos, undone ones too)."""

    async def read(uow: UnitOfWork) -> FeedPage:
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "browse everyone's kudos")
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        return await uow.feed.kudos(workspace, wanted, older, max(1, min(limit, MAX_PAGE)))

    return await in_transaction(ctx, read, write=False)


async def list_learnings(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    member_ref: MemberRef,
    limit: int = LEARNINGS_LIMIT,
) -> list[tuple[str, tuple[str, ...], datetime]]:
    """What a member shared with `til`, newest first (none for someone not seen yet)."""

    async def read(uow: UnitOfWork) -> list[tuple[str, tuple[str, ...], datetime]]:
        workspace = await uow.workspaces.get(workspace_ref)
        member = await uow.members.get(workspace, member_ref.external_id) if workspace else None
        if workspace is None or member is None:
            return []
        return await uow.feed.learnings(workspace, member.id, limit)

    return await in_transaction(ctx, read, write=False)
