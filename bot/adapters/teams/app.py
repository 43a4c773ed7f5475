"""Build the Teams bot: botbuilder's BotFrameworkAdapter behind `POST /api/messages`.

With MICROSOFT_APP_ID every request must carry a valid Bot Framework token (401 otherwise).
Without one, requests are accepted unauthenticated, for the Bot Framework Emulator on a
developer's machine; outside development the endpoint is then off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.core import (
    BotFrameworkAdapter,
    BotFrameworkAdapterSettings,
    CardFactory,
    MessageFactory,
    TurnContext,
)
from botbuilder.schema import Activity, ConversationReference
from botframework.connector.auth import (
    AuthenticationConfiguration,
    ClaimsIdentity,
    JwtTokenValidation,
    SimpleCredentialProvider,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot import metrics
from bot.adapters.plain import decision_text
from bot.adapters.teams import cards
from bot.adapters.teams.bot import PLATFORM, KudosTeamsBot
from bot.domain.model import WorkspaceRef, WorkspaceSettings
from bot.services.approvals import approval_messages, remember_approval_message
from bot.services.context import ServiceContext
from bot.services.conversations import known_conversations
from bot.services.results import (
    KudosGiven,
    LearningShared,
    Redeemed,
    RedemptionDecided,
    ScheduledPost,
)
from bot.services.settings import show_settings

log = logging.getLogger("kudos.teams")


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str | None = None
    app_password: str | None = None
    tenant_id: str | None = None
    """Single-tenant bots: the Azure AD tenant the bot is registered in."""
    open_id_metadata: str | None = None
    """Where Bot Framework's signing keys are published (another cloud, or a test's)."""
    app_credentials: Any = None
    """botframework `AppCredentials` other than the app password (a certificate, say)."""

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)


class TeamsNotifier:
    """Teams' side of the services' Notifier. Recipients are @mentioned on the kudos card
    itself; learnings also go to the learning channel when the bot knows that conversation.
    Approval requests go to the approvals channel, or to each listed admin's personal chat with
    the bot; decisions go to the member's personal chat (where the bot has one)."""

    def __init__(self, teams: TeamsBot) -> None:
        self.teams = teams

    async def kudos_given(self, workspace: WorkspaceRef, given: KudosGiven) -> None:
        return None

    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None:
        for conversation_id, _kind, reference in await known_conversations(
            self.teams.services, workspace
        ):
            if conversation_id == channel:
                await self.teams.post(reference, cards.scheduled_card(post))
                return
        raise LookupError(f"Kudos is not installed in Teams conversation {channel}")

    async def learning_shared(self, workspace: WorkspaceRef, shared: LearningShared) -> None:
        settings: WorkspaceSettings = await show_settings(self.teams.services, workspace)
        if not settings.learning_channel:
            return
        for conversation_id, _kind, reference in await known_conversations(
            self.teams.services, workspace
        ):
            if conversation_id == settings.learning_channel:
                await self.teams.post(reference, cards.learning_card(shared))

    async def redemption_requested(self, workspace: WorkspaceRef, redeemed: Redeemed) -> None:
        settings = await show_settings(self.teams.services, workspace)
        conversations = await known_conversations(self.teams.services, workspace)
        approval = cards.approval_card(redeemed)
        if settings.approvals_channel:
            targets = [c for c in conversations if c[0] == settings.approvals_channel]
        else:
            admins = set(redeemed.admins)
            targets = [c for c in conversations if _personal_chat_of(c) in admins]
        if not targets:
            log.warning(
                "redemption #%s: no approvals channel or admin chat known in Teams tenant %s",
                redeemed.redemption.id,
                workspace.external_id,
            )
        posted = [(c[0], await self.teams.post(c[2], approval)) for c in targets]
        for conversation_id, activity_id in posted:
            if activity_id:
                await remember_approval_message(
                    self.teams.services,
                    workspace,
                    redeemed.redemption.id,
                    conversation_id,
                    activity_id,
                )

    async def redemption_decided(self, workspace: WorkspaceRef, decided: RedemptionDecided) -> None:
        copies = await approval_messages(self.teams.services, workspace, decided.redemption.id)
        if copies:
            references = {
                c[0]: c[2] for c in await known_conversations(self.teams.services, workspace)
            }
            outcome = cards.decided_card(decided)
            for conversation_id, activity_id in copies:
                if conversation_id not in references:
                    continue  # the bot was removed from there since
                try:
                    await self.teams.update(references[conversation_id], activity_id, outcome)
                except Exception as exc:  # one stale copy must not keep the others as they were
                    log.info("could not update approval request %s: %r", activity_id, exc)
        member = decided.redemption.member_external_id
        for conversation in await known_conversations(self.teams.services, workspace):
            if _personal_chat_of(conversation) == member:
                await self.teams.post(
                    conversation[2], cards.card([cards.plain(decision_text(decided))])
                )
                return


def _personal_chat_of(conversation: tuple[str, str, dict[str, Any]]) -> str | None:
    """The user a remembered personal chat is with (None for channels and group chats)."""
    _conversation_id, kind, reference = conversation
    if kind != "personal":
        return None
    user = reference.get("user") or {}
    return str(user.get("id")) if user.get("id") else None


class TeamsBot:
    """The adapter, the conversation logic and the HTTP endpoint."""

    def __init__(self, config: TeamsConfig, services: ServiceContext) -> None:
        self.config = config
        self.services = services
        self.credentials = SimpleCredentialProvider(config.app_id or "", config.app_password or "")
        self.adapter = BotFrameworkAdapter(
            BotFrameworkAdapterSettings(
                app_id=config.app_id or "",
                app_password=config.app_password or "",
                channel_auth_tenant=config.tenant_id,
                open_id_metadata=config.open_id_metadata,
                app_credentials=config.app_credentials,
            )
        )
        self.adapter.on_turn_error = self._on_error
        self.bot = KudosTeamsBot(services)
        self.notifier = TeamsNotifier(self)

    async def _on_error(self, turn_context: TurnContext, error: Exception) -> None:
        metrics.ERRORS.labels(PLATFORM).inc()
        log.error("Teams activity failed: %r", error, exc_info=error)
        await turn_context.send_activity("Sorry, something went wrong on my side. Try again soon.")

    async def endpoint(self, request: Request) -> Response:
        """`POST /api/messages`: authenticate, then run the activity through the bot."""
        if "application/json" not in request.headers.get("content-type", ""):
            return JSONResponse({"error": "expected an application/json activity"}, 415)
        try:
            body = await request.json()
            activity = Activity().deserialize(body)
            assert activity.type and activity.conversation and activity.service_url
        except Exception:
            return JSONResponse({"error": "not a Bot Framework activity"}, 400)
        auth_header = request.headers.get("Authorization", "")
        try:
            identity = await JwtTokenValidation.authenticate_request(
                activity, auth_header, self.credentials, "", AuthenticationConfiguration()
            )
        except Exception as exc:  # missing, malformed, expired or wrongly signed: all refused
            log.info("refused a Teams request: %s", str(exc)[:200] or type(exc).__name__)
            return JSONResponse({"error": "unauthorized"}, 401)
        response = await self.adapter.process_activity_with_identity(
            activity, identity, self.bot.on_turn
        )
        if response is not None:
            return JSONResponse(response.body, response.status)
        return Response(status_code=201)

    async def post(self, reference: dict[str, Any], card: dict[str, Any]) -> str | None:
        """Post a card into a remembered conversation (proactively); the new activity's id."""
        ref = ConversationReference().deserialize(reference)
        posted: list[str | None] = []

        async def send(turn_context: TurnContext) -> None:
            # Straight to the conversation (a new thread in a channel), not as a reply to the
            # continuation activity, which is what TurnContext.send_activity would make it.
            message = MessageFactory.attachment(CardFactory.adaptive_card(card))
            TurnContext.apply_conversation_reference(message, ref)
            responses = await self.adapter.send_activities(turn_context, [message])
            posted.extend(getattr(r, "id", None) for r in responses or [])

        await self._continue(ref, send)
        return posted[0] if posted else None

    async def update(
        self, reference: dict[str, Any], activity_id: str, card: dict[str, Any]
    ) -> None:
        """Replace a card the bot posted earlier (its activity id) with another, in place."""
        ref = ConversationReference().deserialize(reference)

        async def replace(turn_context: TurnContext) -> None:
            message = MessageFactory.attachment(CardFactory.adaptive_card(card))
            message.id = activity_id
            await turn_context.update_activity(message)

        await self._continue(ref, replace)

    async def _continue(self, ref: ConversationReference, logic: Any) -> None:
        if self.config.app_id:
            await self.adapter.continue_conversation(ref, logic, bot_id=self.config.app_id)
        else:  # the Emulator's mode: no identity, no token on the way out
            anonymous = ClaimsIdentity(claims={}, is_authenticated=False)
            await self.adapter.continue_conversation(ref, logic, claims_identity=anonymous)


def create_teams_bot(config: TeamsConfig, services: ServiceContext) -> TeamsBot:
    """Wire botbuilder to the services."""
    return TeamsBot(config, services)
