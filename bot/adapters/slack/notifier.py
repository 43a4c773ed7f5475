"""The Slack side of the services' Notifier: recipients hear of their kudos in a DM, learnings
go to the workspace's learning channel, redemptions awaiting approval go to the approvals
channel (or to each admin), and members hear how their redemption was decided; every copy of
the approval request then shows the decision instead of its buttons."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.domain.model import WorkspaceRef, WorkspaceSettings
from bot.services.approvals import approval_messages, remember_approval_message
from bot.services.context import ServiceContext
from bot.services.results import (
    KudosGiven,
    LearningShared,
    Redeemed,
    RedemptionDecided,
    ScheduledPost,
)

log = logging.getLogger("kudos.slack")

TokenLookup = Callable[[str], Awaitable[str | None]]
SettingsLookup = Callable[[WorkspaceRef], Awaitable[WorkspaceSettings]]


class SlackNotifier:
    """Posts with the bot token of the workspace in question (one token, or the one its OAuth
    installation stored)."""

    def __init__(
        self,
        client: AsyncWebClient,
        token_for: TokenLookup,
        settings_for: SettingsLookup,
        services: ServiceContext,
    ) -> None:
        self.client = client
        self.token_for = token_for
        self.settings_for = settings_for
        self.services = services

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

    async def redemption_requested(self, workspace: WorkspaceRef, redeemed: Redeemed) -> None:
        token = await self.token_for(workspace.external_id)
        if token is None:
            log.warning("no bot token for Slack team %s; admins not asked", workspace.external_id)
            return
        payload = blocks.approval_request(redeemed)
        channel = (await self.settings_for(workspace)).approvals_channel
        targets = [channel] if channel else list(redeemed.admins)
        if not targets:
            targets = await self._workspace_admins(token)
        posted = [
            await self.client.chat_postMessage(token=token, channel=target, **payload)
            for target in targets
        ]
        for message in posted:
            if message.get("channel") and message.get("ts"):
                await remember_approval_message(
                    self.services,
                    workspace,
                    redeemed.redemption.id,
                    str(message["channel"]),
                    str(message["ts"]),
                )

    async def redemption_decided(self, workspace: WorkspaceRef, decided: RedemptionDecided) -> None:
        token = await self.token_for(workspace.external_id)
        if token is None:
            return
        outcome = blocks.decided(decided)
        for channel, ts in await approval_messages(self.services, workspace, decided.redemption.id):
            try:
                await self.client.chat_update(token=token, channel=channel, ts=ts, **outcome)
            except SlackApiError as exc:
                log.info(
                    "could not update approval request %s in %s: %s",
                    ts,
                    channel,
                    exc.response.get("error"),
                )
        await self.client.chat_postMessage(
            token=token,
            channel=decided.redemption.member_external_id,
            **blocks.decision_dm(decided),
        )

    async def _workspace_admins(self, token: str) -> list[str]:
        """Slack's own workspace admins and owners (no admin list and no approvals channel)."""
        admins: list[str] = []
        cursor: str | None = None
        while True:
            page = await self.client.users_list(token=token, limit=200, cursor=cursor)
            for user in page.get("members") or []:
                if user.get("deleted") or user.get("is_bot"):
                    continue
                if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
                    admins.append(str(user["id"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return admins
