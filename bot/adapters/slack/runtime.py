"""What every Slack listener and inbox handler shares: the services, the directory of people,
Web API clients per workspace, and the steps from Slack text to a command the services run."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.adapters.slack import refs
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.text import SUBTEAM, to_plain
from bot.domain.commands import Command, Give, Til
from bot.domain.errors import KudosError
from bot.domain.model import WorkspaceSettings
from bot.services.context import ServiceContext, run_as_one
from bot.services.delivery import Incoming, Outgoing, now
from bot.services.dispatch import handle, revise
from bot.services.ports import UnitOfWork
from bot.services.results import KudosRevised, Result
from bot.services.settings import show_settings

log = logging.getLogger("kudos.slack")
_USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>")
TOKEN_TTL_SECONDS = 60.0
MAX_UI_TASKS = 100

TokenLookup = Callable[[str], Awaitable[str | None]]
ClientFactory = Callable[[str | None], AsyncWebClient]
Recorder = Callable[[Incoming], Awaitable[bool]]
T = TypeVar("T")


async def _not_recording(incoming: Incoming) -> bool:
    raise RuntimeError("no inbox to record Slack requests in")


@dataclass
class SlackRuntime:
    services: ServiceContext
    make_client: ClientFactory
    token_for: TokenLookup
    directory: SlackDirectory = field(default_factory=SlackDirectory)
    record: Recorder = _not_recording
    """Commits a verified request to the inbox; listeners acknowledge after it."""
    poke: Callable[[], None] = lambda: None
    """Tells the outbox deliverer that something was just written."""
    front: ServiceContext = field(default=None)  # type: ignore[assignment]
    """The services on connections kept for the request path (reads before an ack); the
    services themselves unless bootstrap says otherwise."""
    _tokens: dict[str, tuple[float, str | None]] = field(default_factory=dict)
    _clients: dict[str | None, AsyncWebClient] = field(default_factory=dict)
    _ui: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.front is None:
            self.front = self.services

    async def client(self, team_id: str) -> AsyncWebClient:
        """A Web API client with the bot token of `team_id` (looked up once a minute)."""
        cached = self._tokens.get(team_id)
        if cached is None or cached[0] < time.monotonic():
            cached = (time.monotonic() + TOKEN_TTL_SECONDS, await self.token_for(team_id))
            self._tokens[team_id] = cached
        token = cached[1]
        if token not in self._clients:
            self._clients[token] = self.make_client(token)
        return self._clients[token]

    def ui(self, work: Coroutine[Any, Any, Any]) -> None:
        """Open a modal after the ack (Slack's trigger lasts 3 seconds). Only for what changes
        nothing: if the process dies the person clicks again. Bounded; beyond the bound the
        click is dropped with a log line."""
        if len(self._ui) >= MAX_UI_TASKS:
            work.close()
            log.warning("too many modals opening at once; one click was dropped")
            return

        async def guarded() -> None:
            try:
                await work
            except Exception as exc:
                log.warning("could not open a Slack modal: %r", exc)

        task = asyncio.create_task(guarded())
        self._ui.add(task)
        task.add_done_callback(self._ui.discard)

    async def drain(self, within: float = 5.0) -> None:
        """Let modals being opened finish (on shutdown)."""
        if self._ui:
            await asyncio.wait(set(self._ui), timeout=within)

    async def inline(
        self, work: Callable[[ServiceContext], Awaitable[tuple[T, list[Outgoing]]]]
    ) -> T:
        """Run `work` now, in the request, as one transaction with the messages it decided:
        for a modal, whose answer Slack needs in the response itself."""

        async def finish(uow: UnitOfWork, outcome: tuple[T, list[Outgoing]]) -> None:
            await uow.outbox.add(outcome[1], now())

        result, messages = await run_as_one(self.services, work, finish)
        if messages:
            self.poke()
        return result

    async def settings(self, ctx: ServiceContext, team_id: str) -> WorkspaceSettings:
        return await show_settings(ctx, refs.workspace(team_id))

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

    async def readable(self, client: AsyncWebClient, team_id: str, text: str) -> str:
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
            return replace(command, reason=await self.readable(client, team_id, command.reason))
        if isinstance(command, Til):
            return replace(command, text=await self.readable(client, team_id, command.text))
        return command

    async def run(
        self,
        ctx: ServiceContext,
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
            ctx,
            command,
            workspace=refs.workspace(team_id),
            actor=actor,
            resolve=partial(self.directory.resolve, client, team_id),
            delivery_key=key,
            channel=channel,
            message_ref=message_ref,
            channels=partial(self.directory.channel, client, team_id),
        )

    async def revise(
        self,
        ctx: ServiceContext,
        team_id: str,
        message_ref: str,
        why: str,
        give: Give | None = None,
        *,
        actor_id: str = "",
        key: str = "",
        channel: str | None = None,
    ) -> KudosRevised:
        """Read a message's kudos again: `give` (by `actor_id`) replaces them after an edit;
        none reverses them (a deleted message, a reaction taken off)."""
        if give is None:
            return await revise(ctx, refs.workspace(team_id), message_ref, why)
        client = await self.client(team_id)
        actor = await self.directory.member(client, team_id, actor_id)
        if give.reason:
            give = replace(give, reason=await self.readable(client, team_id, give.reason))
        return await revise(
            ctx,
            refs.workspace(team_id),
            message_ref,
            why,
            command=give,
            actor=actor,
            resolve=partial(self.directory.resolve, client, team_id),
            delivery_key=key,
            channel=channel,
        )

    @staticmethod
    def refused(refusal: KudosError) -> None:
        metrics.REFUSALS.labels(refs.PLATFORM, refusal.code).inc()
