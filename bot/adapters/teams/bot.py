"""The Teams conversation logic: botbuilder's TeamsActivityHandler turning activities into the
grammar's commands, calling the services, and replying with Adaptive Cards."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ChannelAccount

from bot import metrics
from bot.adapters.teams import cards
from bot.adapters.teams.text import TeamsMention, is_bot_id, mentions_of, safe, to_grammar
from bot.domain import errors
from bot.domain.commands import AdminDecide, Command, Give, Mention, Redeem, Shop
from bot.domain.errors import KudosError
from bot.domain.grammar import parse_command
from bot.domain.model import MemberRef, WorkspaceRef
from bot.replies.compose import GIVE_FORM, compose, refusal
from bot.services.context import ServiceContext
from bot.services.conversations import forget_conversation, remember_conversation
from bot.services.dispatch import handle
from bot.services.settings import show_settings

log = logging.getLogger("kudos.teams")
PLATFORM = "teams"
SERVICES = "kudos.services"
"""turn_state key of the services a turn runs with (the inbox worker's shared transaction)."""
NAMES_TTL_SECONDS = 600.0


def tenant_of(activity: Activity) -> str:
    """The tenant (the workspace) of an activity."""
    tenant = getattr(activity.conversation, "tenant_id", None)
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return str(tenant or "default")


def workspace_of(activity: Activity) -> WorkspaceRef:
    return WorkspaceRef(PLATFORM, tenant_of(activity))


def fit(value: str, limit: int) -> str:
    """Teams ids can be long (a personal chat's id runs past 130 characters): a value too long
    for its column becomes a prefix and a digest of the whole, still unique."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:40]
    return f"{value[: limit - 41]}~{digest}"


def delivery_key(activity: Activity) -> str:
    """A re-sent activity keeps its id: the key counts it once."""
    return fit(f"teams:{tenant_of(activity)}:{activity.conversation.id}:{activity.id}", 200)


def conversation_key(activity: Activity) -> str:
    """A channel's id without the thread (`19:…@thread.tacv2;messageid=…` → `19:…`), so that a
    post there starts a new thread; chats keep their id."""
    return str(activity.conversation.id).split(";", 1)[0]


def member(account: ChannelAccount) -> MemberRef:
    """A Teams account as a member; its Entra ID object id is kept for the dashboard's sign-in."""
    return MemberRef(
        external_id=account.id,
        display_name=account.name or None,
        is_bot=is_bot_id(account.id),
        directory_id=getattr(account, "aad_object_id", None) or None,
    )


def _names_of(account: Any) -> set[str]:
    """What someone might type after `@`: first name, full name with dots, e-mail and its
    local part."""
    names = set()
    full = getattr(account, "name", None) or ""
    for value in (
        full,
        full.replace(" ", "."),
        getattr(account, "given_name", None),
        getattr(account, "email", None),
        getattr(account, "user_principal_name", None),
    ):
        if value:
            names.add(str(value).casefold())
            if "@" in str(value):
                names.add(str(value).split("@", 1)[0].casefold())
    return names


class KudosTeamsBot(TeamsActivityHandler):
    """Messages in channels, group chats and personal chats; card submits; install events."""

    def __init__(self, services: ServiceContext) -> None:
        self.default_services = services
        self._names: dict[str, tuple[float, dict[str, list[MemberRef]]]] = {}
        self._remembered: set[tuple[str, str]] = set()
        self._tenants_seen: set[str] = set()

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Log each tenant's id once per process, on its first activity, with who sent it:
        operators need both to add the first admin (docs/teams.md)."""
        activity = turn_context.activity
        tenant = tenant_of(activity)
        if tenant not in self._tenants_seen:
            self._tenants_seen.add(tenant)
            sender = activity.from_property
            log.info(
                "first request from Teams tenant %s (from %s, %s)",
                tenant,
                (sender.name if sender else None) or "someone unnamed",
                (sender.id if sender else None) or "no user id",
            )
        await super().on_turn(turn_context)

    def services(self, turn_context: TurnContext) -> ServiceContext:
        """The services this turn runs with: the inbox worker's, or the process's own."""
        services = turn_context.turn_state.get(SERVICES)
        return services if isinstance(services, ServiceContext) else self.default_services

    # ------------------------------------------------------------------ messages
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if (tenant_of(activity), activity.conversation.id) not in self._remembered:
            await self._remember(turn_context)  # the first message this process sees here
        try:
            if isinstance(activity.value, dict) and activity.value.get("action"):
                await self._submitted(turn_context, activity.value)
                return
            mentions = mentions_of(activity.entities)
            bot_id = activity.recipient.id if activity.recipient else None
            text = to_grammar(activity.text or "", mentions, bot_id)
            await self._run(turn_context, parse_command(text), mentions, delivery_key(activity))
        except KudosError as refused:
            metrics.REFUSALS.labels(PLATFORM, refused.code).inc()
            await turn_context.send_activity(cards.message(refusal(refused.message)))

    async def _run(
        self,
        turn_context: TurnContext,
        command: Command,
        mentions: list[TeamsMention],
        key: str,
    ) -> None:
        activity = turn_context.activity
        named = {m.id: m.name for m in mentions}

        async def resolve(mention: Mention) -> MemberRef:
            if mention.user_id is not None:
                name = named.get(mention.user_id)
                return MemberRef(mention.user_id, name or None, is_bot=is_bot_id(mention.user_id))
            return await self._by_name(turn_context, mention.name or "")

        result = await handle(
            self.services(turn_context),
            command,
            workspace=workspace_of(activity),
            actor=member(activity.from_property),
            resolve=resolve,
            delivery_key=key,
            channel=fit(conversation_key(activity), 128),
            message_ref=fit(f"{activity.conversation.id}:{activity.id}", 200),
        )
        for reply in compose(result, cards.SURFACE):  # Teams has no ephemerals: all said here
            await turn_context.send_activity(cards.message(reply))

    async def _submitted(self, turn_context: TurnContext, value: dict[str, Any]) -> None:
        """The "Give kudos" card's submit (or its "Give kudos" button on the help card)."""
        ws = workspace_of(turn_context.activity)
        if value.get("action") == GIVE_FORM:
            settings = await show_settings(self.services(turn_context), ws)
            await self._send_card(turn_context, cards.give_card(settings))
            return
        if value.get("action") == cards.REDEEM_ACTION:
            item = str(value.get("item") or "")
            if not item.isdigit():
                raise errors.ParseError("That button is out of date; type `shop` again.")
            card_id = str(value.get("card_id") or turn_context.activity.id)
            user = turn_context.activity.from_property.id
            key = fit(
                f"teams:{tenant_of(turn_context.activity)}:redeem:{user}:{card_id}:{item}", 200
            )
            await self._run(turn_context, Redeem(f"#{item}"), [], key)
            return
        if value.get("action") == cards.SHOP_ACTION:
            page = str(value.get("page") or "")
            if not page.isdecimal() or not 1 <= int(page) <= 9999:
                raise errors.ParseError("That button is out of date; type `shop` again.")
            shop = Shop(int(page))
            await self._run(turn_context, shop, [], delivery_key(turn_context.activity))
            return
        if value.get("action") == cards.DECIDE_ACTION:
            redemption = str(value.get("redemption") or "")
            if not redemption.isdigit():
                raise errors.ParseError("That button is out of date; type `admin redemptions`.")
            decide = AdminDecide(
                int(redemption),
                value.get("approve") is True,
                str(value.get("reason") or "").strip() or None,
            )
            await self._run(turn_context, decide, [], delivery_key(turn_context.activity))
            return
        if value.get("action") != cards.GIVE_ACTION:
            return
        recipients = [r.strip() for r in str(value.get("recipients") or "").split(",") if r.strip()]
        amount_text = str(value.get("amount") or "").strip()
        if amount_text and not amount_text.isdigit():
            raise errors.ParseError("Points are a whole number, like 5.")
        give = Give(
            recipients=tuple(Mention(user_id=r) for r in recipients),
            amount=int(amount_text) if amount_text else None,
            reason=safe(str(value.get("reason") or "").strip(), 3000) or None,
            tags=(str(value["value"]),) if value.get("value") else (),
        )
        card_id = str(value.get("card_id") or turn_context.activity.id)
        key = f"teams:{tenant_of(turn_context.activity)}:card:{card_id}"
        await self._run(turn_context, give, [], key)

    async def _by_name(self, turn_context: TurnContext, name: str) -> MemberRef:
        """A typed `@name` (not a Teams mention): looked up among the conversation's members."""
        conversation = turn_context.activity.conversation.id
        cached = self._names.get(conversation)
        if cached is None or cached[0] < time.monotonic():
            index: dict[str, list[MemberRef]] = {}
            for account in (await TeamsInfo.get_paged_members(turn_context)).members or []:
                ref = MemberRef(account.id, account.name, is_bot=is_bot_id(account.id))
                for key in _names_of(account):
                    index.setdefault(key, []).append(ref)
            cached = (time.monotonic() + NAMES_TTL_SECONDS, index)
            self._names[conversation] = cached
        found = cached[1].get(name.casefold(), [])
        if len(found) == 1:
            return found[0]
        if not found:
            raise errors.UnknownMember(f"@{name}")
        raise errors.ParseError(
            f"More than one person here is called @{name}; @mention them instead."
        )

    @staticmethod
    async def _send_card(turn_context: TurnContext, card: dict[str, Any]) -> None:
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    # ------------------------------------------------------------------ install and uninstall
    async def _remember(self, turn_context: TurnContext) -> None:
        """Keep the conversation reference, so the bot can post here later."""
        activity = turn_context.activity
        reference = TurnContext.get_conversation_reference(activity)
        reference.activity_id = None  # a proactive post starts a new thread
        conversation_id = conversation_key(activity)
        reference.conversation.id = conversation_id
        kind = getattr(activity.conversation, "conversation_type", None) or "personal"
        await remember_conversation(
            self.services(turn_context),
            workspace_of(activity),
            conversation_id,
            kind,
            reference.serialize(),
        )
        self._remembered.add((tenant_of(activity), activity.conversation.id))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._remember(turn_context)
        await turn_context.send_activity(
            MessageFactory.text(
                "👋 Hi! I'm Kudos. Thank someone with `@Kudos kudos @name 5 for ... #learning`, "
                "or type `@Kudos help`."
            )
        )

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        self._remembered.discard((tenant_of(activity), activity.conversation.id))
        await forget_conversation(
            self.services(turn_context), workspace_of(activity), conversation_key(activity)
        )

    async def on_teams_members_added(
        self, teams_members_added: list[Any], team_info: Any, turn_context: TurnContext
    ) -> None:
        recipient = turn_context.activity.recipient
        if any(m.id == (recipient.id if recipient else None) for m in teams_members_added):
            await self._remember(turn_context)

    async def on_teams_members_removed(
        self, teams_members_removed: list[Any], team_info: Any, turn_context: TurnContext
    ) -> None:
        recipient = turn_context.activity.recipient
        if any(m.id == (recipient.id if recipient else None) for m in teams_members_removed):
            await forget_conversation(
                self.services(turn_context),
                workspace_of(turn_context.activity),
                conversation_key(turn_context.activity),
            )
