"""The command grammar: every platform's text becomes the same command."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.commands import (
    AdminSchedule,
    Badges,
    Balance,
    Give,
    Help,
    History,
    Mention,
    Til,
    Top,
    Undo,
)
from bot.domain.errors import (
    InvalidAmount,
    KudosError,
    MessageTooLong,
    ParseError,
    TwoAmounts,
)
from bot.domain.grammar import MAX_MESSAGE_LENGTH, parse_ambient, parse_command, parse_til

ANA, RAJ = Mention(name="ana"), Mention(name="raj")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "@ana @raj 10 for pairing on the flaky-test hunt #learning",
            Give((ANA, RAJ), 10, "pairing on the flaky-test hunt", ("learning",)),
        ),
        ("+5 @ana thanks for the review", Give((ANA,), 5, "thanks for the review", ())),
        ("@ana ++", Give((ANA,), None, None, ())),
        ("@ana++", Give((ANA,), None, None, ())),
        ("10 @ana for the demo", Give((ANA,), 10, "the demo", ())),
        ("@ana 10: the demo", Give((ANA,), 10, "the demo", ())),
        ("@ana: the demo", Give((ANA,), None, "the demo", ())),
        ("@ana 5 points for the talk", Give((ANA,), 5, "the talk", ())),
        (
            "@ana #mentoring 3 for the 1:1s #feedback",
            Give((ANA,), 3, "the 1:1s", ("mentoring", "feedback")),
        ),
        ("@ana 5 10 reasons to celebrate", Give((ANA,), 5, "10 reasons to celebrate", ())),
        ("@ana @ana 5", Give((ANA,), 5, None, ())),
        ("@Ana @ana 5", Give((Mention(name="Ana"),), 5, None, ())),
        ("@ana 5 for helping @raj", Give((ANA,), 5, "helping @raj", ())),
        (
            "<@U01> <@U02|raj> 3 for the talk",
            Give((Mention(user_id="U01"), Mention(user_id="U02")), 3, "the talk", ()),
        ),
        ("<@U01><@U02> ++", Give((Mention(user_id="U01"), Mention(user_id="U02")), None, None, ())),
        ("/kudos @ana 2", Give((ANA,), 2, None, ())),
        ("kudos @ana 2", Give((ANA,), 2, None, ())),
        (
            "@ana 5 for the #Learning session",
            Give((ANA,), 5, "the #Learning session", ("learning",)),
        ),
    ],
)
def test_give_forms(text: str, expected: Give) -> None:
    assert parse_command(text) == expected


def test_unicode_plus_digits_and_spaces_are_normalised() -> None:
    assert parse_command("＋５\u00a0@ana\u3000merci") == Give((ANA,), 5, "merci", ())
    assert parse_command("@ana ＋＋") == Give((ANA,), None, None, ())
    assert parse_command("@ana ５ ＃learning") == Give((ANA,), 5, None, ("learning",))


def test_compatibility_characters_in_names_are_not_rewritten() -> None:
    command = parse_command("@ｱﾝﾅ @ﬁona 2")
    assert isinstance(command, Give)
    assert [m.name for m in command.recipients] == ["ｱﾝﾅ", "ﬁona"]


def test_emoji_and_non_latin_names_are_kept_intact() -> None:
    command = parse_command("@José @Анна @田中 3 for the 🎉 launch party 🚀 #teamwork")
    assert command == Give(
        (Mention(name="José"), Mention(name="Анна"), Mention(name="田中")),
        3,
        "the 🎉 launch party 🚀",
        ("teamwork",),
    )


def test_multi_line_messages() -> None:
    command = parse_command("@ana @raj 5 for\nthe pairing\nand the docs #learning\n#mentoring")
    assert command == Give((ANA, RAJ), 5, "the pairing\nand the docs", ("learning", "mentoring"))


@pytest.mark.parametrize(
    "text",
    ["`c++`", "I love `c++` a lot", "```\n@bob ++\n```", "see `@bob ++`", "`+5 @bob`"],
)
def test_code_spans_and_blocks_give_nothing(text: str) -> None:
    assert parse_ambient(text) is None
    with pytest.raises(ParseError):
        parse_command(text)


def test_code_in_the_reason_stays_in_the_reason_but_gives_nothing_extra() -> None:
    command = parse_command("@ana 5 for fixing `@bob ++` in the `c++` build #learning")
    assert command == Give((ANA,), 5, "fixing `@bob ++` in the `c++` build", ("learning",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+5 @ana thanks", Give((ANA,), 5, "thanks", ())),
        ("@ana ++", Give((ANA,), None, None, ())),
        ("thanks @ana ++ for the help", Give((ANA,), None, "the help", ())),
        ("@ana 5 thanks", None),
        ("ping @ana about it", None),
        ("+1 to that", None),
        ("I love c++", None),
        ("@ana -5", None),
        ("", None),
    ],
)
def test_ambient_messages_need_an_explicit_plus(text: str, expected: Give | None) -> None:
    assert parse_ambient(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("balance", Balance()),
        ("BALANCE", Balance()),
        ("top", Top("week", None)),
        ("top month", Top("month", None)),
        ("top all #learning", Top("all", "learning")),
        ("leaderboard week #Mentoring", Top("week", "mentoring")),
        ("history", History()),
        ("undo", Undo()),
        ("help", Help()),
        ("", Help()),
        ("   ", Help()),
        ("til how git bisect works #git", Til("how git bisect works", ("git",))),
        ("til pairing beats solo debugging", Til("pairing beats solo debugging", ())),
    ],
)
def test_subcommands(text: str, expected: object) -> None:
    assert parse_command(text) == expected


def test_til_slash_command_text() -> None:
    assert parse_til("CSS grid can replace most flexbox hacks #css #frontend") == Til(
        "CSS grid can replace most flexbox hacks", ("css", "frontend")
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("@ana -5", "whole number"),
        ("@ana 5.5 thanks", "whole number"),
        ("thanks everyone", "Who are these kudos for"),
        ("5 for nothing", "Who are these kudos for"),
        ("top yesterday", "top week"),
        ("til", "what you learned"),
        ("til #git", "what you learned"),
    ],
)
def test_parse_errors_are_friendly(text: str, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_command(text)
    assert fragment in caught.value.message


def test_oversized_messages_are_refused() -> None:
    with pytest.raises(MessageTooLong):
        parse_command("@ana 5 " + "x" * MAX_MESSAGE_LENGTH)
    assert parse_ambient("+5 @ana " + "x" * MAX_MESSAGE_LENGTH) is None


def test_huge_amounts_parse_and_are_left_to_the_rules() -> None:
    command = parse_command("@ana " + "9" * 3000)
    assert isinstance(command, Give) and command.amount is not None and command.amount > 10**6


# ----------------------------------------------------------------------------- properties

chat_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            [
                *"@+#`:<>|\n ＋＃０１２-.",
                "\u00a0",
                "<@U1>",
                "<@U2|x>",
                "@ana",
                "++",
                "```",
                "for",
                "top",
                "til",
                "12",
                "99999999999",
            ]
        ),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=500)
@given(chat_text)
def test_any_text_gives_a_command_or_a_friendly_error(text: str) -> None:
    try:
        command = parse_command(text)
    except KudosError as refusal:
        assert refusal.message
        return
    if isinstance(command, Give):
        assert command.recipients
        assert len({m.key for m in command.recipients}) == len(command.recipients)
        assert command.amount is None or command.amount >= 0
        assert all(tag == tag.casefold() and tag for tag in command.tags)


@settings(max_examples=500)
@given(chat_text)
def test_ambient_parsing_gives_a_kudos_nothing_or_an_amount_refusal(text: str) -> None:
    try:
        result = parse_ambient(text)
    except (TwoAmounts, InvalidAmount) as refusal:  # plainly a kudos, but not givable as written
        assert refusal.message
        return
    assert result is None or result.recipients


names = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12)


@given(
    st.lists(names, min_size=1, max_size=5),
    st.integers(1, 10**6),
    st.text(alphabet=st.characters(categories=["L", "N", "Zs", "So"]), max_size=40),
)
def test_recipients_and_amount_survive_any_names_and_reason(
    people: list[str], amount: int, reason: str
) -> None:
    text = " ".join(f"@{p}" for p in people) + f" {amount} for x {reason}"
    command = parse_command(text)
    assert isinstance(command, Give)
    assert command.amount == amount
    first_spelling: dict[str, str] = {}
    for p in people:
        first_spelling.setdefault(p.casefold(), p)
    assert [m.name for m in command.recipients] == list(first_spelling.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("admin schedule", AdminSchedule("list")),
        ("admin schedule list", AdminSchedule("list")),
        (
            "admin schedule add weekly <#C1|team> fri 16:00",
            AdminSchedule("add", "weekly_leaderboard", "C1", "fri 16:00"),
        ),
        ("admin schedule add monthly", AdminSchedule("add", "monthly_leaderboard", None, None)),
        (
            "admin schedule remove learning <#C2>",
            AdminSchedule("remove", "learning_shoutouts", "C2"),
        ),
        ("badges", Badges()),
        ("badges <@U1>", Badges(Mention(user_id="U1"))),
    ],
)
def test_admin_schedule_and_badges_commands(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "admin",
        "admin schedule add",
        "admin schedule add daily",
        "admin schedule remove weekly fri",
    ],
)
def test_unreadable_admin_commands_say_what_works(text: str) -> None:
    with pytest.raises(ParseError, match="admin schedule"):
        parse_command(text)
