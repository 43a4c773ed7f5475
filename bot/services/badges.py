"""Badges: checked after each kudos and learning, awarded once each, shown on request.

Checking is cheap in the steady state: badges are never taken back and channels once given in
stay given in, so the process remembers both (`ServiceContext.memo`) and asks the database
only when an event could change the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import errors
from bot.domain.badges import CONNECTOR_CHANNELS, CURIOUS_LEARNINGS, MENTOR_PEOPLE
from bot.domain.model import Member, MemberRef, Workspace, WorkspaceRef
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import UnitOfWork
from bot.services.results import BadgeAwarded, BadgeEarned, BadgesShown

log = logging.getLogger("kudos.services")


@dataclass(frozen=True)
class BadgeEvent:
    """Who may have earned what, by the event that just happened."""

    external_id: str
    badges: frozenset[str]


FIRST_KUDOS = "first-kudos"


def giver_event(external_id: str) -> BadgeEvent:
    """The first-kudos badge is written by the give itself (`give_in`); this checks the rest."""
    return BadgeEvent(external_id, frozenset({"connector"}))


def mentee_event(external_id: str) -> BadgeEvent:
    return BadgeEvent(external_id, frozenset({"mentor"}))


def learner_event(external_id: str) -> BadgeEvent:
    return BadgeEvent(external_id, frozenset({"first-learning", "curious-mind"}))


def _owned_key(ref: WorkspaceRef, external_id: str) -> tuple[str, ...]:
    return ("badges", ref.platform, ref.external_id, external_id)


def owns(ctx: ServiceContext, ref: WorkspaceRef, external_id: str, badge: str) -> bool:
    """Whether this process knows the member has the badge (badges are never taken back)."""
    return badge in ctx.memo.get(_owned_key(ref, external_id), set())


def remember_owned(ctx: ServiceContext, ref: WorkspaceRef, external_id: str, badge: str) -> None:
    ctx.memo.setdefault(_owned_key(ref, external_id), set()).add(badge)


def _channels_key(ref: WorkspaceRef, external_id: str) -> tuple[str, ...]:
    return ("channels", ref.platform, ref.external_id, external_id)


async def _reached(
    uow: UnitOfWork,
    ctx: ServiceContext,
    ref: WorkspaceRef,
    workspace: Workspace,
    member: Member,
    badge: str,
    channel: str | None,
) -> bool:
    """Whether `member` has reached `badge`, given that the event just happened."""
    if badge in ("first-kudos", "first-learning"):
        return True  # the event itself is the first
    if badge == "connector":
        key = _channels_key(ref, member.external_id)
        known = ctx.memo.get(key)
        if channel is None or (known is not None and channel in known):
            return False  # no new channel: the count did not move
        known = await uow.badges.channels_given_in(workspace, member, CONNECTOR_CHANNELS)
        ctx.memo[key] = known
        return len(known) >= CONNECTOR_CHANNELS
    if badge == "mentor":
        return await uow.badges.mentoring_givers(workspace, member) >= MENTOR_PEOPLE
    if badge == "curious-mind":
        return await uow.badges.learnings_shared(workspace, member, CURIOUS_LEARNINGS) >= (
            CURIOUS_LEARNINGS
        )
    raise AssertionError(f"unknown badge {badge}")


async def award_badges(
    ctx: ServiceContext, ref: WorkspaceRef, events: Sequence[BadgeEvent], channel: str | None
) -> tuple[BadgeEarned, ...]:
    """Award what these events earned that was not had before, and return it (to announce).
    Only a badge earned now opens a write. A failure is logged and awards nothing: the kudos
    or learning itself stands."""

    def worth_asking(event: BadgeEvent) -> frozenset[str]:
        wanted = event.badges - ctx.memo.get(_owned_key(ref, event.external_id), set())
        seen = ctx.memo.get(_channels_key(ref, event.external_id))
        if "connector" in wanted and (channel is None or (seen is not None and channel in seen)):
            wanted -= {"connector"}  # no new channel: the count did not move
        return wanted

    open_events = [(e, wanted) for e in events if (wanted := worth_asking(e))]
    if not open_events:
        return ()

    async def check(uow: UnitOfWork) -> list[tuple[str, str]]:
        workspace = await uow.workspaces.get(ref)
        if workspace is None:
            return []
        due = []
        for event, wanted in open_events:
            member = await uow.members.get(workspace, event.external_id)
            if member is None:
                continue
            owned = {b for b, _ in (await uow.badges.of(workspace, [member.id]))[member.id]}
            ctx.memo.setdefault(_owned_key(ref, event.external_id), set()).update(owned)
            for badge in sorted(wanted - owned):
                if await _reached(uow, ctx, ref, workspace, member, badge, channel):
                    due.append((event.external_id, badge))
        return due

    async def award(uow: UnitOfWork, due: list[tuple[str, str]]) -> tuple[BadgeEarned, ...]:
        workspace = await uow.workspaces.get(ref)
        assert workspace is not None
        now, new = ctx.clock.now(), []
        for external_id, badge in due:
            member = await uow.members.get(workspace, external_id)
            if member and await uow.badges.award(workspace, member, badge, channel, now):
                new.append(BadgeEarned(member.external_id, member.display_name, badge))
                uow.publish(
                    ref, BadgeAwarded(member.external_id, member.display_name, badge, channel, now)
                )
        await uow.commit()
        return tuple(new)

    try:
        due = await in_transaction(ctx, check, write=False)
        if not due:
            return ()
        new = await in_transaction(ctx, lambda uow: award(uow, due))
    except Exception:
        log.exception("badges could not be checked; nothing awarded")
        return ()
    for external_id, badge in due:  # awarded now or by a concurrent request: owned either way
        ctx.memo.setdefault(_owned_key(ref, external_id), set()).add(badge)
    return new


async def show_badges(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    member_ref: MemberRef,
    asked_by: str | None = None,
) -> BadgesShown:
    """A member's badges, oldest first. Someone else (`asked_by`, an external id) asking about
    a member who left the public boards is told they keep them to themselves."""

    async def read(uow: UnitOfWork) -> BadgesShown:
        workspace = await uow.workspaces.get(workspace_ref)
        member = await uow.members.get(workspace, member_ref.external_id) if workspace else None
        name = (
            member.display_name if member else (member_ref.display_name or member_ref.external_id)
        )
        if workspace is None or member is None:
            return BadgesShown(member_ref.external_id, name, ())
        if member.is_private and asked_by not in (None, member.external_id):
            return BadgesShown(member.external_id, name, (), private=True)
        owned = (await uow.badges.of(workspace, [member.id]))[member.id]
        return BadgesShown(member.external_id, name, tuple(b for b, _ in owned))

    if not member_ref.external_id:
        raise errors.UnknownMember("?")
    return await in_transaction(ctx, read, write=False)
