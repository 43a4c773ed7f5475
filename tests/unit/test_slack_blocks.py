"""The Block Kit renderer: every reply the composer writes is Block Kit that Slack accepts
(slack_sdk's own block models parse and validate it) within Slack's limits, at its worst too;
what people typed is never markup; only ids Slack knows become mentions and channel links."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block, BlockElement, ConfirmObject

from bot.adapters.slack.blocks import SURFACE, home_view, render
from bot.replies.compose import compose
from bot.replies.model import (
    Actor,
    ChannelRef,
    Context,
    Entry,
    Heading,
    Items,
    Mention,
    Reply,
    Strong,
    Text,
)
from tests.unit.reply_examples import WORST, every_reply, given, home_page

REPLIES = every_reply(SURFACE)


def text_objects(node: Any) -> list[dict[str, Any]]:
    """Every text object in a payload (`plain_text` or `mrkdwn`)."""
    found = []
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and "text" in node:
            found.append(node)
        for value in node.values():
            found += text_objects(value)
    elif isinstance(node, list):
        for value in node:
            found += text_objects(value)
    return found


def valid_block_kit(blocks: list[dict[str, Any]], most: int = 50) -> None:
    """Slack's limits, as slack_sdk's models check them (50 blocks in a message, 3000
    characters in a section, 75 on a button, 100 and 300 in a confirmation), and those its
    models leave out (150 characters of a button's value here, 10 context elements)."""
    assert 0 < len(blocks) <= most
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        assert len(raw.get("elements") or []) <= (10 if raw["type"] == "context" else 25)
        for element in [raw.get("accessory"), *(raw.get("elements") or [])]:
            if element and element.get("type") not in ("plain_text", "mrkdwn"):
                parsed = BlockElement.parse(element)
                assert parsed is not None, element
                parsed.validate_json()
                assert len(element["value"]) <= 150
                if element.get("confirm"):
                    ConfirmObject.parse(element["confirm"]).validate_json()
    for text in text_objects(blocks):
        assert 0 < len(text["text"]) <= 3000, text


@pytest.mark.parametrize("name", REPLIES)
def test_every_reply_is_block_kit_within_slacks_limits(name: str) -> None:
    message = render(REPLIES[name])
    assert 0 < len(message["text"]) <= 3000
    if "blocks" in message:
        valid_block_kit(message["blocks"])


def test_the_home_tab_is_a_valid_view_at_its_worst() -> None:
    for reply in (home_page(SURFACE), REPLIES["worst home"]):
        view = home_view("UANA", reply)
        assert view["type"] == "home" and view["private_metadata"] == "UANA"
        valid_block_kit(view["blocks"], most=100)


def test_one_line_of_text_is_a_message_without_blocks() -> None:
    [receipt] = compose(given(duplicate=True), SURFACE)
    assert render(receipt) == {"text": "👍 That one was already counted; I didn't give it twice."}


def test_what_people_typed_is_plain_text_and_names_are_escaped() -> None:
    evil = "<!channel> *bold* <https://evil.example|click>"
    post, _ = compose(given(giver=evil, giver_id="", reason=evil), SURFACE)
    message = render(post)
    headline, reason = message["blocks"][0]["text"], message["blocks"][1]["text"]
    assert headline["type"] == "mrkdwn" and "&lt;!channel&gt;" in headline["text"]
    assert reason == {"type": "plain_text", "text": f"“{evil}”", "emoji": True}
    mrkdwn = [t["text"] for t in text_objects(message["blocks"]) if t["type"] == "mrkdwn"]
    for markup in [message["text"], *mrkdwn]:
        assert "<!channel>" not in markup and "<https://" not in markup


def test_only_slack_ids_become_mentions_and_channel_links() -> None:
    line = Text(
        (
            Mention("URAJ", "Raj"),
            " and ",
            Mention("console-bo", "Bo <b>"),
            " in ",
            ChannelRef("CLEARN", "the learning channel"),
            " or ",
            ChannelRef("D1", "a direct message"),
        )
    )
    assert render(Reply(Actor(), (line,), "x"))["text"] == (
        "<@URAJ> and Bo &lt;b&gt; in <#CLEARN> or a direct message"
    )


def test_headings_are_bold_and_strong_words_are_bold() -> None:
    reply = Reply(Actor(), (Heading(("Your kudos",)), Text((Strong("5 points"), " left"))), "x")
    blocks = render(reply)["blocks"]
    assert [b["text"]["text"] for b in blocks] == ["*Your kudos*", "*5 points* left"]


def test_a_long_list_is_split_into_sections_that_each_fit() -> None:
    entries = tuple(Entry((f"{n:03d} " + "李" * 95,)) for n in range(100))
    blocks = render(Reply(Actor(), (Heading(("List",)), Items(entries), Context(("end",))), "x"))[
        "blocks"
    ]
    sections = [b for b in blocks[1:-1] if b["type"] == "section"]
    assert len(sections) == 4
    lines = [line for s in sections for line in s["text"]["text"].split("\n")]
    assert lines == [words for e in entries for words in e.spans]


def test_a_reply_of_more_than_fifty_blocks_keeps_forty_nine_and_says_there_is_more() -> None:
    parts = tuple(Text((f"line {n}",)) for n in range(80))
    blocks = render(Reply(Actor(), parts, "x"))["blocks"]
    assert len(blocks) == 50
    assert blocks[-1] == {
        "type": "context",
        "elements": [{"type": "plain_text", "text": "…and more.", "emoji": True}],
    }


def test_the_worst_shop_page_has_every_redeem_button_and_the_way_to_the_next_page() -> None:
    [shop] = compose(WORST["shop"], SURFACE)
    blocks = render(shop)["blocks"]
    buttons = [b["accessory"]["value"] for b in blocks if "accessory" in b]
    assert buttons == [str(n) for n in range(20)]
    assert "`/kudos shop 2`" in json.dumps(blocks[-1], ensure_ascii=False)
