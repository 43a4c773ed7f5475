"""Share a learning (`til`), kept for the weekly learning shoutouts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.domain import rules
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.badges import award_badges, learner_event
from bot.services.context import ServiceContext, in_transaction, publish
from bot.services.ports import UnitOfWork
from bot.services.results import LearningShared


async def share_learning(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    author_ref: MemberRef,
    text: str,
    tags: Sequence[str] = (),
    channel: str | None = None,
) -> LearningShared:
    """Store what a member learned, with every tag it carries (in order, each once)."""
    body = rules.check_learning(text)
    tags = tuple(dict.fromkeys(tags))

    async def work(uow: UnitOfWork) -> LearningShared:
        workspace = await uow.workspaces.ensure(workspace_ref)
        author = (await uow.members.ensure(workspace, [author_ref]))[author_ref.external_id]
        learning_id = await uow.learnings.add(
            workspace, author, body, tags, channel, ctx.clock.now()
        )
        await uow.commit()
        return LearningShared(
            learning_id,
            author.display_name,
            body,
            tags,
            learning_channel=workspace.settings.learning_channel,
            private=author.is_private,
        )

    shared = await in_transaction(ctx, work)
    badges = await award_badges(
        ctx, workspace_ref, [learner_event(author_ref.external_id)], channel
    )
    shared = replace(shared, badges=badges)
    await publish(ctx, workspace_ref, shared)  # after the badges, which its post announces
    return shared
