"""The Teams conversation logic on botbuilder's TestAdapter (no HTTP): what a person says and
what the bot answers, turn by turn."""

from __future__ import annotations

from typing import Any

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.adapters.teams.bot import KudosTeamsBot
from bot.bootstrap import App
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.queries import show_balance
from tests.fakes.teams_sender import ANA, BOT, RAJ, TENANT, mention

WS = WorkspaceRef("teams", TENANT)


def adapter_for(app: App) -> TestAdapter:
    template = Activity(
        channel_id="msteams",
        service_url="https://smba.trafficmanager.net/emea/",
        from_property=ChannelAccount(id=ANA["id"], name=ANA["name"]),
        recipient=ChannelAccount(id=BOT["id"], name=BOT["name"]),
        conversation=ConversationAccount(
            id="19:general@thread.tacv2",
            conversation_type="channel",
            tenant_id=TENANT,
            is_group=True,
        ),
    )
    return TestAdapter(KudosTeamsBot(app.services).on_turn, template)


def said(text: str, *people: dict[str, Any]) -> Activity:
    """`@Kudos` + text, with `{}` replaced by mentions of `people`."""
    bot_text, bot_entity = mention(BOT)
    entities = [bot_entity] + [mention(p)[1] for p in people]
    return Activity(
        type="message",
        text=f"{bot_text} " + text.format(*(mention(p)[0] for p in people)),
        entities=entities,
    )


def card_of(reply: Activity) -> dict[str, Any]:
    assert reply.attachments, reply.text
    return dict(reply.attachments[0].content)


async def test_a_kudos_turn_answers_with_the_card_then_the_receipt(app: App) -> None:
    adapter = adapter_for(app)

    def is_kudos_card(reply: Activity, _: str | None = None) -> None:
        headline = card_of(reply)["body"][0]["text"]
        assert headline == "🎉 Ana Lima gave <at>Raj Patel</at> 5 points", headline

    def is_receipt(reply: Activity, _: str | None = None) -> None:
        assert reply.text == "You have 95 points left to give."

    flow = await adapter.send(said("kudos {} 5 for the careful review #feedback", RAJ))
    flow = await flow.assert_reply(is_kudos_card)
    await flow.assert_reply(is_receipt)
    balance = await show_balance(app.services, WS, MemberRef(RAJ["id"]), newcomer_ok=True)
    assert balance.earned == 5


async def test_the_bots_own_mention_is_not_a_recipient(app: App) -> None:
    adapter = adapter_for(app)
    flow = await adapter.send(said("kudos 5 for the review"))
    await flow.assert_reply(
        "✋ Who are these kudos for? Mention someone, e.g. "
        "`@ana 5 for pairing on the flaky-test hunt #learning`."
    )


async def test_help_balance_and_a_refusal_in_turn(app: App) -> None:
    adapter = adapter_for(app)
    flow = await adapter.send(said("help"))
    flow = await flow.assert_reply(
        lambda r, _=None: _assert_in("How to use Kudos", str(card_of(r)))
    )
    flow = await flow.send(said("balance"))
    flow = await flow.assert_reply(lambda r, _=None: _assert_in("100 points", str(card_of(r))))
    flow = await flow.send(said("kudos {} 5", ANA))
    await flow.assert_reply(lambda r, _=None: _assert_in("can't give them to yourself", r.text))


def _assert_in(part: str, whole: str) -> None:
    assert part in whole, whole
