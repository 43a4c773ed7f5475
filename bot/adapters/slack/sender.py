"""The Slack side of the outbox: sends the messages the adapter decided (Web API calls and
`response_url` answers, each with the bot token of its workspace), turns the services' events
into messages (a DM to each recipient, an approval request to the admins), and posts the
scheduled leaderboards and shoutouts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.slack import blocks
from bot.adapters.slack.blocks import SURFACE
from bot.adapters.slack.outgoing import APPROVAL_OF, FALLBACK_CHANNEL, RESPONSE_URL, Where, deliver
from bot.domain.model import WorkspaceRef
from bot.replies.compose import event_replies, scheduled
from bot.services.approvals import approval_messages, remember_approval_message
from bot.services.context import ServiceContext
from bot.services.delivery import Event, OutboxItem, Outgoing, SendFailed
from bot.services.results import Redeemed, RedemptionDecided, ScheduledPost

log = logging.getLogger("kudos.slack")

TokenLookup = Callable[[str], Awaitable[str | None]]
ClientFactory = Callable[[str | None], AsyncWebClient]

PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "channel_not_found",
        "invalid_auth",
        "invalid_blocks",
        "invalid_blocks_format",
        "is_archived",
        "missing_scope",
        "msg_too_long",
        "no_permission",
        "no_text",
        "not_authed",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "token_revoked",
        "too_many_attachments",
        "user_not_found",
        "user_not_in_channel",
    }
)
_FALLBACK_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
RESPONSE_TIMEOUT = aiohttp.ClientTimeout(total=10)


class SlackSender:
    """Implements `bot.worker.outbox.Sender` for Slack, and the scheduled posts' notifier."""

    def __init__(
        self,
        make_client: ClientFactory,
        session: aiohttp.ClientSession,
        token_for: TokenLookup,
        make_retrying_client: ClientFactory,
        services: ServiceContext,
    ) -> None:
        self.make_client = make_client
        self.make_retrying_client = make_retrying_client
        self.services = services
        self.session = session
        self.token_for = token_for
        self._clients: dict[str | None, AsyncWebClient] = {}

    def _client(self, token: str | None) -> AsyncWebClient:
        if token not in self._clients:
            self._clients[token] = self.make_client(token)
        return self._clients[token]

    async def _token(self, team_id: str) -> str:
        token = await self.token_for(team_id)
        if token is None:
            raise SendFailed(f"no bot token for Slack team {team_id}", permanent=True)
        return token

    # ------------------------------------------------------------------ messages
    async def send(self, item: OutboxItem) -> None:
        if item.method == RESPONSE_URL:
            await self._respond(item.payload["url"], item.payload["body"])
            return
        args = dict(item.payload)
        fallback = args.pop(FALLBACK_CHANNEL, None)
        approval = args.pop(APPROVAL_OF, None)
        client = self._client(await self._token(item.workspace))
        try:
            posted = await client.api_call(item.method, json=args)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            if not (fallback and error in _FALLBACK_ERRORS):
                raise _failure(exc) from None
            log.info("could not post in %s (%s); posting to %s", args["channel"], error, fallback)
            posted = await self._call(client, item.method, {**args, "channel": fallback})
        if approval is not None and posted.get("channel") and posted.get("ts"):
            await remember_approval_message(
                self.services,
                item.workspace_ref,
                int(approval),
                str(posted["channel"]),
                str(posted["ts"]),
            )

    async def _call(
        self, client: AsyncWebClient, method: str, args: dict[str, Any]
    ) -> AsyncSlackResponse:
        try:
            return await client.api_call(method, json=args)
        except SlackApiError as exc:
            raise _failure(exc) from None

    async def _respond(self, url: str, body: dict[str, Any]) -> None:
        async with self.session.post(url, json=body, timeout=RESPONSE_TIMEOUT) as response:
            if response.status < 300:
                return
            text = (await response.text())[:200]
            if response.status == 429:
                retry = response.headers.get("Retry-After", "")
                raise SendFailed(
                    "response_url rate limited",
                    retry_after=float(retry) if retry.isdigit() else None,
                )
            permanent = 400 <= response.status < 500  # an expired or used-up response_url
            raise SendFailed(
                f"response_url answered {response.status}: {text}", permanent=permanent
            )

    # ------------------------------------------------------------------ events
    async def expand(self, workspace: WorkspaceRef, event: Event) -> Sequence[Outgoing]:
        where = Where(workspace.external_id)
        if isinstance(event, Redeemed):
            where = Where(where.team, admins=tuple(await self._approvers(where.team, event)))
        if isinstance(event, RedemptionDecided):
            copies = await approval_messages(self.services, workspace, event.redemption.id)
            where = Where(where.team, copies=tuple(copies))
        return deliver(where, *event_replies(event, SURFACE))

    async def _approvers(self, team: str, redeemed: Redeemed) -> list[str]:
        """Where to ask: the approvals channel, else each listed admin, else Slack's own
        workspace admins."""
        if redeemed.approvals_channel:
            return [redeemed.approvals_channel]
        targets = list(redeemed.admins) or await self._workspace_admins(await self._token(team))
        if not targets:
            log.warning(
                "redemption #%s: no admin to ask in Slack team %s", redeemed.redemption.id, team
            )
        return targets

    async def _workspace_admins(self, token: str) -> list[str]:
        """Slack's own workspace admins and owners (no admin list and no approvals channel)."""
        admins: list[str] = []
        cursor: str | None = None
        client = self.make_retrying_client(token)
        while True:
            page = await client.users_list(limit=200, cursor=cursor)
            for user in page.get("members") or []:
                if user.get("deleted") or user.get("is_bot"):
                    continue
                if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
                    admins.append(str(user["id"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return admins

    # ------------------------------------------------------------------ scheduled posts
    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None:
        token = await self.token_for(workspace.external_id)
        if token is None:
            raise LookupError(f"no bot token for Slack team {workspace.external_id}")
        client = self.make_retrying_client(token)  # the scheduler waits for the outcome
        await client.chat_postMessage(
            channel=channel, **blocks.render(scheduled(post, channel, SURFACE))
        )


def _failure(exc: SlackApiError) -> SendFailed:
    error = str(exc.response.get("error") or exc.response.status_code)
    if error == "ratelimited" or exc.response.status_code == 429:
        retry = str(exc.response.headers.get("Retry-After", ""))
        return SendFailed("rate limited", retry_after=float(retry) if retry.isdigit() else None)
    return SendFailed(error, permanent=error in PERMANENT_ERRORS)
