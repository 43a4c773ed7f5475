"""The Slack side of the services' Notifier: recipients hear of their kudos in a DM, and
learnings go to the workspace's learning channel."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.domain.model import WorkspaceRef, WorkspaceSettings
from bot.services.results import KudosGiven, LearningShared, ScheduledPost

log = logging.getLogger("kudos.slack")

TokenLookup = Callable[[str], Awaitable[str | None]]
SettingsLookup = Callable[[WorkspaceRef], Awaitable[WorkspaceSettings]]


class SlackNotifier:
    """Posts with the bot token of the workspace in question (one token, or the one its OAuth
    installation stored)."""

    def __init__(
        self, client: AsyncWebClient, token_for: TokenLookup, settings_for: SettingsLookup
    ) -> None:
        self.client = client
        self.token_for = token_for
        self.settings_for = settings_for

    async def kudos_given(self, workspace: WorkspaceRef, given: KudosGiven) -> None:
        token = await self.token_for(workspace.external_id)
        if token is None:
            log.warning(
                "no bot token for Slack team %s; recipients not told", workspace.external_id
            )
            return
        payload = blocks.kudos_dm(given)
        for recipient in given.recipient_ids:
            await self.client.chat_postMessage(token=token, channel=recipient, **payload)

    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None:
        token = await self.token_for(workspace.external_id)
        if token is None:
            raise LookupError(f"no bot token for Slack team {workspace.external_id}")
        await self.client.chat_postMessage(token=token, channel=channel, **blocks.scheduled(post))

    async def learning_shared(self, workspace: WorkspaceRef, shared: LearningShared) -> None:
        channel = (await self.settings_for(workspace)).learning_channel
        token = await self.token_for(workspace.external_id)
        if channel and token:
            await self.client.chat_postMessage(
                token=token, channel=channel, **blocks.learning(shared)
            )
