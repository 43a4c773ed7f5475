"""Badges: checked after each kudos and learning, awarded once each, shown on request."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.domain import errors
from bot.domain.badges import earned
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork
from bot.services.results import BadgeEarned, BadgesShown

log = logging.getLogger("kudos.services")


GIVER_BADGES = frozenset({"first-kudos", "connector"})
RECIPIENT_BADGES = frozenset({"mentor"})
LEARNER_BADGES = frozenset({"first-learning", "curious-mind"})


async def award_badges(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    candidates: Sequence[tuple[str, frozenset[str]]],
    channel: str | None,
) -> tuple[BadgeEarned, ...]:
    """Award the badges in `candidates` ((member, badges that this event may have earned))
    that the member has now earned and not had before; return those, to announce. Only a
    badge earned now opens a write. A failure is logged and awards nothing: the kudos or
    learning itself stands."""

    async def check(uow: UnitOfWork) -> list[tuple[str, str]]:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            return []
        members = {x: await uow.members.get(workspace, x) for x, _ in candidates}
        known = {x: m for x, m in members.items() if m is not None}
        have = await uow.badges.of(workspace, [m.id for m in known.values()])
        due = []
        for external_id, badges in candidates:
            member = known.get(external_id)
            if member is None:
                continue
            wanted = badges - {b for b, _ in have[member.id]}
            if wanted:
                reached = earned(await uow.badges.stats(workspace, member)) & wanted
                due += [(external_id, badge) for badge in sorted(reached)]
        return due

    async def award(uow: UnitOfWork, due: list[tuple[str, str]]) -> tuple[BadgeEarned, ...]:
        workspace = await uow.workspaces.get(workspace_ref)
        assert workspace is not None
        now, new = ctx.clock.now(), []
        for external_id, badge in due:
            member = await uow.members.get(workspace, external_id)
            if member and await uow.badges.award(workspace, member, badge, channel, now):
                new.append(BadgeEarned(member.external_id, member.display_name, badge))
        await uow.commit()
        return tuple(new)

    try:
        due = await in_transaction(ctx, check, write=False)
        if not due:
            return ()
        return await in_transaction(ctx, lambda uow: award(uow, due))
    except Exception:
        log.exception("badges could not be checked; nothing awarded")
        return ()


async def show_badges(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, member_ref: MemberRef
) -> BadgesShown:
    """A member's badges, oldest first."""

    async def read(uow: UnitOfWork) -> BadgesShown:
        workspace = await uow.workspaces.get(workspace_ref)
        member = await uow.members.get(workspace, member_ref.external_id) if workspace else None
        name = (
            member.display_name if member else (member_ref.display_name or member_ref.external_id)
        )
        if workspace is None or member is None:
            return BadgesShown(member_ref.external_id, name, ())
        owned = (await uow.badges.of(workspace, [member.id]))[member.id]
        return BadgesShown(member.external_id, name, tuple(b for b, _ in owned))

    if not member_ref.external_id:
        raise errors.UnknownMember("?")
    return await in_transaction(ctx, read, write=False)
