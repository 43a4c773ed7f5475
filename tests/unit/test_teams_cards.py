"""The Adaptive Card renderer: every reply the composer writes is a card that the Adaptive Card
1.5 schema accepts, in a message well inside Teams' 40 KB, at its worst too; what people typed
is in text runs (no markdown); mentions are real only where they are meant to tell someone; the
buttons carry what the bot reads back."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.adapters.teams.cards import (
    SURFACE,
    TEAMS_MESSAGE_LIMIT,
    card,
    give_card,
    message,
    message_bytes,
)
from bot.domain.model import WorkspaceSettings
from bot.replies.compose import compose, event_replies
from bot.replies.model import Actor, Entry, Items, Reply, Text
from tests.unit.reply_examples import EVENTS, TYPICAL, WORST, every_reply, given

SCHEMA = (
    Path(__file__).resolve().parents[1] / "fixtures" / "adaptivecards" / "adaptive-card-1.5.json"
)
REPLIES = every_reply(SURFACE)


@cache
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema)


def schema_errors(payload: dict[str, Any]) -> list[str]:
    """What the 1.5 schema finds wrong, after taking off Teams' own extensions (`msteams`, the
    mentions; `choices.data`, the people picker), which it does not know."""

    def without_extensions(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: without_extensions(v) for k, v in node.items() if k not in ("choices.data",)}
        if isinstance(node, list):
            return [without_extensions(v) for v in node]
        return node

    plain = without_extensions({k: v for k, v in payload.items() if k != "msteams"})
    return [error.message for error in validator().iter_errors(plain)]


def sent(reply: Reply) -> dict[str, Any]:
    """The activity as the connector client sends it."""
    return dict(message(reply).serialize())


@pytest.mark.parametrize("name", REPLIES)
def test_every_reply_is_an_adaptive_card_1_5_well_inside_teams_limit(name: str) -> None:
    shown = card(REPLIES[name])
    assert schema_errors(shown) == []
    assert shown["version"] == "1.5"
    assert message_bytes(sent(REPLIES[name])) < 30 * 1024 < TEAMS_MESSAGE_LIMIT


def test_the_schema_check_can_fail() -> None:
    shown = card(REPLIES["typical balance #0"])
    assert schema_errors({**shown, "body": [{"type": "TextBlock"}]})  # a TextBlock needs text
    assert schema_errors({**shown, "surprise": True})


def test_the_give_form_is_valid_too() -> None:
    form = give_card(WorkspaceSettings())
    assert schema_errors(form) == []
    assert form["actions"][0]["data"]["action"] == "give_kudos"


def test_recipients_are_mentioned_and_everyone_else_named() -> None:
    post, _ = compose(TYPICAL["kudos to two, with badges"], SURFACE)
    shown = card(post)
    assert shown["body"][0] == {
        "type": "TextBlock",
        "text": "🎉 Ana Lima gave <at>Raj Patel</at> and <at>Bo Chen</at> 5 points each",
        "wrap": True,
    }
    entities = shown["msteams"]["entities"]
    assert [(e["text"], e["mentioned"]["id"]) for e in entities] == [
        ("<at>Raj Patel</at>", "URAJ"),
        ("<at>Bo Chen</at>", "UBO"),
    ]
    assert shown["body"][1]["inlines"] == [{"type": "TextRun", "text": "“the review”"}]


def test_what_people_typed_stays_plain_text() -> None:
    evil = "**Eve** [click](https://evil.example) <at>Raj</at>"
    post, _ = compose(given(recipients=(evil,), reason=evil), SURFACE)
    shown = card(post)
    assert shown["body"][1]["type"] == "RichTextBlock"  # TextRuns: no markdown, no links
    assert "<at>Raj</at>" not in json.dumps(shown["msteams"])
    assert shown["msteams"]["entities"][0]["text"] in shown["body"][0]["text"]


def test_one_line_of_text_is_a_text_message_and_anything_more_a_card() -> None:
    _, receipt = compose(given(), SURFACE)
    assert message(receipt).text == "You have 95 points left to give."
    assert message(receipt).attachments in (None, [])
    [balance] = compose(TYPICAL["balance"], SURFACE)
    attachment = message(balance).attachments[0]
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    facts = attachment.content["body"][1]["facts"]
    assert {"title": "Badges", "value": "🌱 First kudos"} in facts


def test_the_buttons_carry_what_the_bot_reads_back() -> None:
    [asked] = event_replies(EVENTS["redemption to the admins"], SURFACE)
    approval = card(asked)
    assert [a["data"] for a in approval["actions"]] == [
        {"action": "decide_redemption", "redemption": 12, "approve": True},
        {"action": "decide_redemption", "redemption": 12, "approve": False},
    ]
    assert [a["style"] for a in approval["actions"]] == ["positive", "destructive"]
    assert approval["body"][-1]["id"] == "reason"  # rejecting asks why, in the card itself
    [help_card] = compose(TYPICAL["help"], SURFACE)
    assert card(help_card)["actions"] == [
        {"type": "Action.Submit", "title": "Give kudos", "data": {"action": "open_give_card"}}
    ]
    [page] = compose(TYPICAL["shop, page 2 of 3"], SURFACE)
    assert [a["data"] for a in card(page)["actions"]] == [
        {"action": "shop_page", "page": 1},
        {"action": "shop_page", "page": 3},
    ]


def test_one_shop_card_redeems_once_however_often_a_button_is_clicked() -> None:
    [shop] = compose(TYPICAL["shop"], SURFACE)
    shown = card(shop)
    redeems = [
        a["data"]
        for c in shown["body"]
        if c["type"] == "Container"
        for element in c["items"]
        if element["type"] == "ActionSet"
        for a in element["actions"]
    ]
    assert [r["item"] for r in redeems] == [1, 2]
    assert len({r["card_id"] for r in redeems}) == 1
    assert card(shop)["body"] != shown["body"]  # another card, another id


def test_the_worst_shop_comes_in_pages_that_each_fit() -> None:
    shop = WORST["shop"]
    page, pages = 1, 0
    seen: list[str] = []
    while True:
        [reply] = compose(type(shop)(shop.items, shop.earned, page), SURFACE)  # type: ignore[attr-defined]
        shown = card(reply)
        assert message_bytes(sent(reply)) < 28 * 1024
        seen += [
            c["items"][0]["inlines"][0]["text"] for c in shown["body"] if c["type"] == "Container"
        ]
        pages += 1
        if not any(a["data"].get("page") == page + 1 for a in shown.get("actions", [])):
            break
        page += 1
    assert pages > 1 and len(seen) == len(shop.items)  # type: ignore[attr-defined]


def test_a_list_longer_than_a_message_holds_is_cut_and_says_so() -> None:
    entries = tuple(Entry((f"{n} " + "🚀" * 200,)) for n in range(500))
    shown = card(Reply(Actor(), (Text(("A long list",)), Items(entries)), "x"))
    assert message_bytes(shown) < 28 * 1024
    assert shown["body"][-1]["inlines"][0]["text"] == "…and more than fits in one message."
    assert schema_errors(shown) == []
