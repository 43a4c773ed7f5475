"""The terminal renderer: each part as lines a person reads, with no markup of any platform."""

from __future__ import annotations

import pytest

from bot.adapters.console.render import describe, text
from bot.replies.compose import CONSOLE
from bot.replies.model import (
    Action,
    Actions,
    Actor,
    ChannelRef,
    Context,
    Divider,
    Entry,
    Facts,
    Heading,
    Items,
    Mention,
    Reply,
    Strong,
    Text,
)
from tests.unit.reply_examples import TYPICAL, every_reply

REPLIES = every_reply(CONSOLE)


def test_each_part_is_its_lines() -> None:
    reply = Reply(
        Actor(),
        (
            Heading(("Your kudos",)),
            Text(
                (
                    Mention("URAJ", "Raj"),
                    " has ",
                    Strong("5 points"),
                    " in ",
                    ChannelRef("team", "x"),
                )
            ),
            Facts((("Renews", "Mon Nov 23"), ("Badges", "none yet"))),
            Items((Entry(("• one",)), Entry(("• two",), detail="more about two"))),
            Divider(),
            Context(("small print",)),
            Actions((Action("Redeem", "redeem_item", "1"),)),
        ),
        "x",
    )
    assert text(reply) == (
        "Your kudos\n"
        "Raj has 5 points in #team\n"
        "Renews: Mon Nov 23\n"
        "Badges: none yet\n"
        "• one\n"
        "• two\n"
        "    more about two\n"
        "\n"
        "small print"
    )


@pytest.mark.parametrize("name", REPLIES)
def test_no_platform_markup_reaches_the_terminal(name: str) -> None:
    shown = text(REPLIES[name])
    assert shown.strip()
    for markup in ("<@", "<#", "<at>", "*"):
        assert markup not in shown, markup


def test_a_result_with_a_public_post_and_a_receipt_reads_as_both() -> None:
    assert describe(TYPICAL["kudos"]) == (
        "🎉 Ana Lima gave Raj Patel 5 points\n“the review”\n#learning\n"
        "You have 95 points left to give."
    )
