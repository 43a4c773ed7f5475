"""The rewards and admin commands of the grammar, and the checks on catalog fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.commands import (
    AdminAdjust,
    AdminAdmins,
    AdminCatalog,
    AdminDecide,
    AdminQueue,
    AdminSchedule,
    AdminSettings,
    CancelRedemption,
    Mention,
    Redeem,
    Redemptions,
    Shop,
)
from bot.domain.errors import InvalidItem, KudosError, ParseError, RejectReasonRequired
from bot.domain.grammar import parse_command
from bot.domain.rewards import item_fields, reject_reason

U1 = Mention(user_id="U1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shop", Shop()),
        ("/kudos rewards", Shop()),
        ("shop 2", Shop(2)),
        ("shop page 3", Shop(3)),
        ("rewards ２", Shop(2)),
        ("redeem Book voucher", Redeem("Book voucher")),
        ('redeem "Book voucher"', Redeem("Book voucher")),
        ("redeem #3", Redeem("#3")),
        ("redemptions", Redemptions()),
        ("cancel 12", CancelRedemption(12)),
        ("redemptions cancel #12", CancelRedemption(12)),
        ("admin redemptions", AdminQueue()),
        ("admin catalog", AdminCatalog("list")),
        ("admin catalog list", AdminCatalog("list")),
        (
            'admin catalog add Book voucher cost=200 stock=10 approval=no description="Any book"',
            AdminCatalog(
                "add",
                None,
                (
                    ("name", "Book voucher"),
                    ("cost", "200"),
                    ("stock", "10"),
                    ("approval", "no"),
                    ("description", "Any book"),
                ),
            ),
        ),
        (
            "admin catalog add name=\u201cLearning day\u201d cost=500",
            AdminCatalog("add", None, (("name", "Learning day"), ("cost", "500"))),
        ),
        (
            "admin catalog edit book voucher cost=150 active=no",
            AdminCatalog("edit", "book voucher", (("cost", "150"), ("active", "no"))),
        ),
        ("admin catalog remove #3", AdminCatalog("remove", "#3")),
        ("admin settings", AdminSettings()),
        (
            "admin settings max_amount=20 values=learning,teamwork",
            AdminSettings((("max_amount", "20"), ("values", "learning,teamwork"))),
        ),
        ("admin approve 12", AdminDecide(12, True)),
        ("admin reject #12 out of budget, sorry", AdminDecide(12, False, "out of budget, sorry")),
        ("admin reject 12", AdminDecide(12, False)),
        ("admin admins", AdminAdmins("list")),
        ("admin admins add <@U1>", AdminAdmins("add", U1)),
        ("admin admins remove @ana", AdminAdmins("remove", Mention(name="ana"))),
        ("admin adjust <@U1> +10 for the talk", AdminAdjust(U1, 10, "the talk")),
        ("admin adjust <@U1> -3 typo", AdminAdjust(U1, -3, "typo")),
    ],
)
def test_rewards_and_admin_commands(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "admin schedule add weekly #team fri 16:00",
            AdminSchedule("add", "weekly_leaderboard", None, "fri 16:00", "team"),
        ),
        (
            "admin schedule add learning fri 15:00 #learning-and-growth",
            AdminSchedule("add", "learning_shoutouts", None, "fri 15:00", "learning-and-growth"),
        ),
        (
            "admin schedule remove weekly #team",
            AdminSchedule("remove", "weekly_leaderboard", None, None, "team"),
        ),
        (
            "admin schedule remove monthly \uff03team",
            AdminSchedule("remove", "monthly_leaderboard", None, None, "team"),
        ),
        (
            "admin schedule add weekly <#C1|team> fri 16:00",
            AdminSchedule("add", "weekly_leaderboard", "C1", "fri 16:00"),
        ),
    ],
)
def test_a_schedule_names_its_channel_by_link_or_by_plain_name(
    text: str, expected: AdminSchedule
) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text", ["admin schedule add weekly #team #general", "admin schedule add weekly <#C1> #team"]
)
def test_a_schedule_goes_to_one_channel(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_command(text)
    assert caught.value.message.startswith("Name one channel per schedule.")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("redeem", "Say what to redeem"),
        ("shop 0", "`shop 2`"),
        ("shop two", "`shop 2`"),
        ("shop 2 3", "`shop 2`"),
        ("shop page", "`shop 2`"),
        ("shop -1", "`shop 2`"),
        ("admin catalog sell Book", "admin catalog add"),
        ("admin catalog edit Book", "admin catalog add"),
        ("admin catalog remove Book cost=3", "admin catalog add"),
        ('admin catalog add Book cost=3 description="open', "quote is not closed"),
        ("admin catalog add Book cost=3 loose words", "quote values with spaces"),
        ("admin settings max_amount", "name=value"),
        ("cancel", "Say which redemption to cancel"),
        ("cancel the book", "Say which redemption to cancel"),
        ("redemptions all", "cancel 12"),
        ("admin approve", "Say which redemption"),
        ("admin approve twelve", "Say which redemption, e.g. `admin approve 12`."),
        ("admin reject", "`admin reject 12 the budget is spent this quarter`"),
        ("admin approve 12 because", "needs no reason"),
        ("admin admins add", "admin admins add @ana"),
        ("admin admins add <@U1> <@U2>", "admin admins add @ana"),
        ("admin adjust <@U1> 10", "Say why"),
        ("admin adjust <@U1> lots for fun", "admin adjust @ana +10"),
        ("admin adjust 10 <@U1> fun", "admin adjust @ana +10"),
        ("admin frobnicate", "Admin commands"),
    ],
)
def test_unreadable_rewards_commands_say_what_works(text: str, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_command(text)
    assert fragment in caught.value.message


@given(st.text(max_size=200))
def test_any_admin_text_gives_a_command_or_a_friendly_error(tail: str) -> None:
    for head in ("admin catalog add ", "admin settings ", "admin adjust <@U1> ", "redeem "):
        try:
            parse_command(head + tail)
        except KudosError as refusal:
            assert refusal.message.strip()


def test_item_fields_are_typed_and_new_items_get_defaults() -> None:
    assert item_fields({"name": "  Book   voucher ", "cost": "1_000"}, new=True) == {
        "name": "Book voucher",
        "cost": 1000,
        "description": "",
        "stock": None,
        "needs_approval": True,
        "active": True,
    }
    assert item_fields({"stock": "unlimited", "approval": "No", "active": "yes"}, new=False) == {
        "stock": None,
        "needs_approval": False,
        "active": True,
    }


@pytest.mark.parametrize(
    ("fields", "new", "fragment"),
    [
        ({"cost": "5"}, True, "needs a name"),
        ({"name": "Mug"}, True, "needs a cost"),
        ({"name": "Mug", "cost": "0"}, True, "cost is a whole number from 1"),
        ({"name": "Mug", "cost": "2.5"}, True, "cost is a whole number"),
        ({"name": "42", "cost": "5"}, True, "needs a letter"),
        ({"name": "x" * 81, "cost": "5"}, True, "1 to 80 characters"),
        ({"stock": "-1"}, False, "stock is a whole number"),
        ({"approval": "maybe"}, False, "approval is yes or no"),
        ({"colour": "red"}, False, "no field 'colour'"),
        ({}, False, "Say what to change"),
    ],
)
def test_bad_item_fields_are_refused_with_the_fix(
    fields: dict[str, str], new: bool, fragment: str
) -> None:
    with pytest.raises(InvalidItem) as caught:
        item_fields(fields, new=new)
    assert fragment in caught.value.message


def test_a_reject_reason_is_trimmed_bounded_and_required() -> None:
    assert reject_reason("  out of   budget ") == "out of budget"
    for empty in (None, "", "  \n\t "):
        with pytest.raises(RejectReasonRequired) as caught:
            reject_reason(empty)
        assert "Rejecting needs a reason" in caught.value.message
    with pytest.raises(InvalidItem):
        reject_reason("x" * 501)
