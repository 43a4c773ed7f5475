"""The grammar never guesses silently: what it cannot read as written it refuses, with one
sentence that says how to write it, and what it reads it reads as the person meant."""

from __future__ import annotations

import pytest

from bot.adapters.console.chat import member_ref
from bot.domain import rules
from bot.domain.commands import Give, Mention, Til
from bot.domain.errors import (
    AmountOutOfBounds,
    InvalidAmount,
    NameRequired,
    NoRecipients,
    NotUnderstood,
    TwoAmounts,
    UnknownCommand,
)
from bot.domain.grammar import parse_ambient, parse_command, parse_til
from bot.domain.model import Member, WorkspaceSettings

BOB, CAROL = Mention(name="bob"), Mention(name="carol")


# ----------------------------------------------------------------------------- two amounts


@pytest.mark.parametrize(
    "text",
    [
        "@bob 5 @carol 10 for two amounts",
        "@bob 5 @carol 10",
        "+5 @bob +10 @carol",
        "5 @bob 10 @carol for both",
        "<@U1>5 <@U2>10",
        "@bob 5 @carol 10pts",
        "@bob 5 @carol ten",
        "@bob ++ @carol 5",
        "@bob 5 @carol ++",
    ],
)
def test_two_amounts_are_refused_not_guessed(text: str) -> None:
    with pytest.raises(TwoAmounts) as refused:
        parse_command(text)
    assert "`@bob @carol 10`" in refused.value.message
    assert "separately" in refused.value.message


def test_the_refusal_of_two_amounts_names_both() -> None:
    with pytest.raises(TwoAmounts, match=r"two amounts \(5 and 10\)"):
        parse_command("@bob 5 @carol 10 for two amounts")


def test_the_same_amount_twice_is_one_amount() -> None:
    assert parse_command("@bob 5 @carol 5 for the demo") == Give((BOB, CAROL), 5, "the demo", ())
    assert parse_command("@bob++ @carol++") == Give((BOB, CAROL), None, None, ())


def test_a_number_right_after_the_amount_still_starts_the_reason() -> None:
    assert parse_command("@bob 5 10 reasons to celebrate") == Give(
        (BOB,), 5, "10 reasons to celebrate", ()
    )


def test_two_amounts_in_a_channel_are_refused_not_given_to_the_last_person() -> None:
    with pytest.raises(TwoAmounts):
        parse_ambient("@bob +5 @carol +10 for the launch")
    with pytest.raises(TwoAmounts):
        parse_ambient("+5 +6 @bob")
    assert parse_ambient("@bob 5 @carol 10 for the launch") is None  # no `+`: not a kudos


# ------------------------------------------------------------------- amounts that are not


@pytest.mark.parametrize(
    ("text", "echo", "fix"),
    [
        ("@bob 1e9 for big", "1e9", "in digits"),
        ("@bob 2E3", "2E3", "in digits"),
        ("@bob -- for nothing", "--", "whole number above 0"),
        ("@bob -5", "-5", "whole number above 0"),
        ("@bob \u22125 for taking", "\u22125", "whole number above 0"),
        ("@bob -five", "-five", "whole number above 0"),
        ("@bob 2.5 for half a review", "2.5", "whole number of points"),
        ("@bob 2,5", "2,5", "whole number of points"),
        ("@bob 1/2 for half", "1/2", "whole number of points"),
        ("@bob ½ for half", "½", "whole number of points"),
        ("@bob +5k", "+5k", "whole number of points"),
        ("+1e3 @bob", "+1e3", "in digits"),
    ],
)
def test_amounts_that_are_not_whole_numbers_are_refused_not_read_as_the_default(
    text: str, echo: str, fix: str
) -> None:
    with pytest.raises(InvalidAmount) as refused:
        parse_command(text)
    assert refused.value.message.startswith(f"{echo} isn't an amount I can give")
    assert fix in refused.value.message


def test_an_invalid_amount_with_a_plus_in_a_channel_is_refused() -> None:
    with pytest.raises(InvalidAmount):
        parse_ambient("@bob +2.5 for the pairing")
    assert parse_ambient("@bob 2.5 hours of pairing") is None  # no `+`: not a kudos


@pytest.mark.parametrize(
    "text",
    [
        "@bob 10pts for the help",
        "@bob 10 points for the help",
        "@bob 10p for the help",
        "@bob 10points for the help",
        "@bob +10pts for the help",
        "+10kudos @bob for the help",
        "@bob ten for the help",
        "@bob ten points for the help",
        "@bob Ten: the help",
    ],
)
def test_points_written_with_a_unit_or_in_words_are_read(text: str) -> None:
    assert parse_command(text) == Give((BOB,), 10, "the help", ())


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("@bob five for the talk", 5),
        ("@bob five", 5),
        ("@bob twenty-five #learning", 25),
        ("@bob +three", 3),
        ("@bob two @carol", 2),
    ],
)
def test_number_words_that_stand_alone_are_the_amount(text: str, amount: int) -> None:
    command = parse_command(text)
    assert isinstance(command, Give) and command.amount == amount


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("@bob one of the best reviews", "one of the best reviews"),
        ("@bob five stars for the talk", "five stars for the talk"),
        ("@bob 1:1s were great", "1:1s were great"),
        ("@bob 24/7 support", "24/7 support"),
        ("@bob 100% reliable", "100% reliable"),
        ("@bob 10x engineer", "10x engineer"),
        ("@bob 3rd time this week", "3rd time this week"),
    ],
)
def test_words_and_numbers_that_start_a_reason_stay_in_the_reason(text: str, reason: str) -> None:
    assert parse_command(text) == Give((BOB,), None, reason, ())


def test_a_huge_amount_is_echoed_as_typed() -> None:
    command = parse_command("@bob 99999999999999999999")
    assert isinstance(command, Give)
    giver = Member(1, 1, "ana", "Ana", False, True, 11, 12, 100, 0, None)
    bob = Member(2, 1, "bob", "Bob", False, True, 21, 22, 0, 0, None)
    with pytest.raises(AmountOutOfBounds) as refused:
        rules.check_give(WorkspaceSettings(), giver, [bob], command.amount, None, ())
    assert refused.value.message.startswith("99999999999999999999 isn't a valid amount")


def test_an_absurdly_long_amount_is_echoed_shortened() -> None:
    command = parse_command("@bob " + "9" * 3000)
    assert isinstance(command, Give)
    giver = Member(1, 1, "ana", "Ana", False, True, 11, 12, 100, 0, None)
    bob = Member(2, 1, "bob", "Bob", False, True, 21, 22, 0, 0, None)
    with pytest.raises(AmountOutOfBounds) as refused:
        rules.check_give(WorkspaceSettings(), giver, [bob], command.amount, None, ())
    assert refused.value.message.startswith("9" * 39 + "… isn't a valid amount")


# ------------------------------------------------------------------------------- til tags


def test_every_til_tag_is_kept_in_order_once() -> None:
    expected = Til("pytest fixtures are lazy", ("python", "testing", "learning"))
    assert parse_command("til pytest fixtures are lazy #python #testing #learning") == expected
    assert parse_til("pytest fixtures are lazy #python #testing #Python #learning") == expected


# ---------------------------------------------------------------- typos and other messages


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("balanse", "`balance`"),
        ("halp", "`help`"),
        ("tpo week", "`top week`"),
        ("histroy", "`history`"),
        ("leaderbord month", "`leaderboard month`"),
        ("/kudos bal ance", None),
        ("undo it", "`undo`"),
        ("balance please", "`balance`"),
        ("tip", "`top` or `til`"),
    ],
)
def test_near_misses_of_command_words_suggest_the_command(
    text: str, suggestion: str | None
) -> None:
    if suggestion is None:
        with pytest.raises(NotUnderstood):
            parse_command(text)
        return
    with pytest.raises(UnknownCommand) as refused:
        parse_command(text)
    assert refused.value.message.endswith(f"did you mean {suggestion}?")


@pytest.mark.parametrize("text", ["🎉🎉🎉", "👏", ":tada:", "lorem ipsum dolor", "see `c++`"])
def test_text_that_is_neither_a_command_nor_a_kudos_points_to_help(text: str) -> None:
    with pytest.raises(NotUnderstood) as refused:
        parse_command(text)
    assert "type `help`" in refused.value.message


@pytest.mark.parametrize("text", ["thanks everyone", "5 for nothing", "thank you all!"])
def test_a_kudos_without_anyone_asks_who_it_is_for(text: str) -> None:
    with pytest.raises(NoRecipients, match="Who are these kudos for"):
        parse_command(text)


def test_a_kudos_that_does_not_start_with_the_people_says_to_start_with_them() -> None:
    with pytest.raises(NoRecipients, match="Start with who the kudos are for"):
        parse_command("thanks @bob for the review")


def test_kudos_forms_that_worked_still_work() -> None:
    assert parse_ambient("thanks @bob ++ for the help") == Give((BOB,), None, "the help", ())
    assert parse_ambient("great demo! +3 @bob @carol") == Give((BOB, CAROL), 3, None, ())
    assert parse_command("@bob @carol 10: pairing") == Give((BOB, CAROL), 10, "pairing", ())
    assert parse_command("+5 @bob thanks for the review") == Give(
        (BOB,), 5, "thanks for the review", ()
    )


# ---------------------------------------------------------------------------------- names


def test_names_differing_only_in_case_are_one_person_kept_as_first_typed() -> None:
    command = parse_command("@Zoë @zoë @ZOË 2")
    assert command == Give((Mention(name="Zoë"),), 2, None, ())
    decomposed = "Zoe\u0308"  # the same name, typed with a combining diaeresis
    assert Mention(name=decomposed).key == Mention(name="zoë").key


@pytest.mark.parametrize("name", ["", " ", "\t", "@", " @ "])
def test_an_empty_console_name_is_refused(name: str) -> None:
    with pytest.raises(NameRequired, match="kudos chat --as ana"):
        member_ref(name)


def test_a_console_name_keeps_its_case_for_display_and_matches_without_it() -> None:
    ref = member_ref("@Zoë")
    assert (ref.external_id, ref.display_name) == ("zoë", "Zoë")
    assert member_ref("ZOË").external_id == ref.external_id
