"""What every Slack listener shares: the services, the directory of people, and the steps from
Slack text to a command the services run."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.adapters.slack import refs
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.text import SUBTEAM, to_plain
from bot.domain.commands import Command, Give, Til
from bot.domain.errors import KudosError
from bot.domain.model import MemberRef, WorkspaceSettings
from bot.services.context import ServiceContext
from bot.services.dispatch import handle
from bot.services.give import GiveKudos
from bot.services.results import Result
from bot.services.settings import show_settings

log = logging.getLogger("kudos.slack")
_USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>")


@dataclass
class SlackRuntime:
    services: ServiceContext
    directory: SlackDirectory = field(default_factory=SlackDirectory)
    pending: set[asyncio.Task[None]] = field(default_factory=set)

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the listener has answered Slack (which must hear back within 3
        seconds). Failures are logged and counted; `drain` waits for what is still running."""

        async def guarded() -> None:
            try:
                await work
            except Exception:
                metrics.ERRORS.labels(refs.PLATFORM).inc()
                log.exception("Slack work after the ack failed")

        task = asyncio.create_task(guarded())
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def drain(self, within: float = 10.0) -> None:
        """Let work in progress finish (on shutdown)."""
        if self.pending:
            await asyncio.wait(set(self.pending), timeout=within)

    async def settings(self, team_id: str) -> WorkspaceSettings:
        return await show_settings(self.services, refs.workspace(team_id))

    async def expand_groups(
        self, client: AsyncWebClient, team_id: str, actor_id: str, text: str
    ) -> str:
        """Replace each user group mention with its members' mentions (leaving out the person
        giving: thanking your own team is fine, it just doesn't count for you)."""
        if "<!subteam^" not in text:
            return text
        out, last = [], 0
        for match in SUBTEAM.finditer(text):
            users = await self.directory.group_members(client, team_id, match.group(1))
            out += [text[last : match.start()], " ".join(f"<@{u}>" for u in users if u != actor_id)]
            last = match.end()
        return "".join([*out, text[last:]])

    async def plain(self, client: AsyncWebClient, team_id: str, text: str) -> str:
        """Slack markup as plain text, with mentioned people by name."""
        names: dict[str, str] = {}
        for user_id in set(_USER_MENTION.findall(text)):
            try:
                names[user_id] = (
                    await self.directory.member(client, team_id, user_id)
                ).display_name or user_id
            except KudosError:
                continue
        return to_plain(text, names)

    async def _plain_command(
        self, client: AsyncWebClient, team_id: str, command: Command
    ) -> Command:
        if isinstance(command, Give) and command.reason:
            return replace(command, reason=await self.plain(client, team_id, command.reason))
        if isinstance(command, Til):
            return replace(command, text=await self.plain(client, team_id, command.text))
        return command

    async def run(
        self,
        client: AsyncWebClient,
        team_id: str,
        actor_id: str,
        command: Command,
        *,
        key: str,
        channel: str | None,
        message_ref: str | None = None,
        markup: bool = True,
    ) -> Result:
        """Run a parsed command for a Slack user; `markup=False` for text typed into a modal,
        which Slack sends as it was typed."""
        actor = await self.directory.member(client, team_id, actor_id)
        if markup:
            command = await self._plain_command(client, team_id, command)
        return await handle(
            self.services,
            command,
            workspace=refs.workspace(team_id),
            actor=actor,
            resolve=partial(self.directory.resolve, client, team_id),
            delivery_key=key,
            channel=channel,
            message_ref=message_ref,
            channels=partial(self.directory.channel, client, team_id),
        )

    async def give_command(
        self,
        client: AsyncWebClient,
        team_id: str,
        actor: MemberRef,
        give: Give,
        *,
        key: str,
        channel: str,
        message_ref: str,
    ) -> GiveKudos:
        """A kudos read from a message, resolved for the services (used by edits)."""
        recipients = tuple(
            [await self.directory.resolve(client, team_id, m) for m in give.recipients]
        )
        reason = await self.plain(client, team_id, give.reason) if give.reason else None
        return GiveKudos(
            workspace=refs.workspace(team_id),
            giver=actor,
            recipients=recipients,
            amount=give.amount,
            reason=reason,
            tags=give.tags,
            idempotency_key=key,
            channel=channel,
            message_ref=message_ref,
        )

    @staticmethod
    def refused(refusal: KudosError) -> None:
        metrics.REFUSALS.labels(refs.PLATFORM, refusal.code).inc()
