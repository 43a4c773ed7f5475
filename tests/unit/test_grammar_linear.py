"""The grammar runs in time linear in the text, so no message up to the length cap can stall
the event loop. Timings are the best of a few runs of this thread's CPU time, so other processes
(the suite's own parallel workers, a busy machine) do not count; the bound is far
above what a linear parser needs (about 5 ms) and far below what a quadratic one took (1 to
3.5 s for the first inputs below)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.commands import Give, Mention
from bot.domain.errors import KudosError
from bot.domain.grammar import MAX_MESSAGE_LENGTH, parse_ambient, parse_command, parse_til

BOUND = 0.050
PARSERS: dict[str, Callable[[str], object]] = {
    "command": parse_command,
    "ambient": parse_ambient,
    "til": parse_til,
}


def to_cap(unit: str) -> str:
    """`unit` repeated as often as fits under the length cap."""
    return unit * (MAX_MESSAGE_LENGTH // len(unit))


def best_time(parse: Callable[[str], object], text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.thread_time()
        with contextlib.suppress(KudosError):
            parse(text)
        best = min(best, time.thread_time() - started)
    return best


ADVERSARIAL = {
    "name mentions": "@a " * 1333,
    "plus-plus": "++ " * 1333,
    "neutral mentions": "<@U1> " * 666,
    "dash names": "@- " * 1333,
    "plus amounts": "+5 " * 1333,
    "mix": to_cap("@a ++ <@U1> +5 @- "),
    "mix glued": to_cap("@a++ <@U1>+5 @-5 "),
    "mentions then amounts": "@a " * 666 + "+5 " * 666,
    "amounts then mentions": "+5 " * 666 + "@a " * 666,
    "one mention, same amount, again": to_cap("@a 5 "),
    "plus-plus then a number": to_cap("++ 5 "),
    "mentions with the same amount": to_cap("@a 5 @b 5 "),
    "amount, mention, filler": to_cap("@a 5 pts "),
    "number words": to_cap("@a five "),
    "invalid amounts": to_cap("@a 2.5 "),
    "minus-minus": to_cap("@a -- "),
    "one glued token": "@a" * 1999,
    "one neutral glued token": "<@U1>" * 799,
    "unterminated neutral mention": "<@U1|" + "x" * 3990,
    "unterminated neutral mentions": "<@U1|x " * 571,
    "hashtags": "#a " * 1333,
    "a kudos then hashtags": "@a +5 " + "#a " * 1331,
    "til then hashtags": "til x " + "#a " * 1331,
    "backticks": "`" * 3999,
    "unterminated code blocks": "```a " * 799,
    "unterminated code spans": "`a " * 1333,
    "code spans": "`a` " * 999,
    "code spans with mentions": to_cap("`@a` +5 "),
    "fences and mentions": to_cap("``` @a ++ "),
    "spaces": " " * 3999,
    "non-breaking spaces": "\u00a0" * 3999,
    "non-breaking spaces and mentions": to_cap("\u00a0@a\u00a0++"),
    "zero-width spaces": "\u200b" * 3999,
    "full-width pluses": "＋＋ " * 1333,
    "one long word": "a" * 3999,
    "one long number": "9" * 3999,
    "one long decimal": "@a " + "9" * 1990 + "." + "9" * 1990,
    "thanks": to_cap("thanks "),
    "typos": to_cap("balanse "),
}


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_messages_at_the_cap_parse_in_well_under_50_ms(name: str, parser: str) -> None:
    text = ADVERSARIAL[name]
    assert len(text) <= MAX_MESSAGE_LENGTH
    assert best_time(PARSERS[parser], text) < BOUND


# ----------------------------------------------------------------------------- properties

PATHOLOGICAL = [
    "@a",
    "@-",
    "<@U1>",
    "<@U1|x",
    "++",
    "+5",
    "5",
    "-5",
    "--",
    "2.5",
    "five",
    "pts",
    "#a",
    "for",
    ":",
    "`",
    "```",
    "\u00a0",
    "thanks",
    "@a++",
    "<@U1>5",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(PATHOLOGICAL), min_size=1, max_size=4),
    st.sampled_from([" ", "", "\n"]),
    st.sampled_from(list(PARSERS)),
)
def test_repeating_any_pattern_to_the_cap_stays_linear(
    pattern: list[str], glue: str, parser: str
) -> None:
    unit = glue.join(pattern) + " "
    quarter = unit * max(1, MAX_MESSAGE_LENGTH // 4 // len(unit))
    full = unit * (MAX_MESSAGE_LENGTH // len(unit))
    parse = PARSERS[parser]
    small, large = best_time(parse, quarter), best_time(parse, full)
    assert large < BOUND
    # Four times the text takes about four times as long; a quadratic parser takes sixteen.
    assert large < 8 * small + 0.005


# ------------------------------------------------------ the same results for normal messages

names = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=10)
words = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=8).filter(
    lambda w: w.casefold() not in {"for", "points", "point", "pts", "pt", "kudos"}
)
tags = st.lists(st.from_regex(r"[a-z][a-z-]{0,8}[a-z]", fullmatch=True), max_size=3)


@given(
    st.lists(words, max_size=3),
    st.lists(names, min_size=1, max_size=3),
    st.one_of(st.none(), st.integers(1, 100)),
    st.lists(words, min_size=1, max_size=5),
    tags,
)
def test_a_channel_kudos_reads_the_same_wherever_it_starts(
    before: list[str], people: list[str], amount: int | None, reason: list[str], values: list[str]
) -> None:
    marker = "++" if amount is None else f"+{amount}"
    mentions = " ".join(f"@{p}" for p in people)
    hashtags = " ".join(f"#{v}" for v in values)
    kudos = f"{marker} {mentions} for {' '.join(reason)} {hashtags}".strip()
    text = f"{' '.join(before)} {kudos}".strip()

    first_spelling: dict[str, Mention] = {}
    for p in people:
        first_spelling.setdefault(Mention(name=p).key, Mention(name=p))
    expected = Give(
        tuple(first_spelling.values()),
        amount,
        " ".join(reason),
        tuple(dict.fromkeys(v.strip("-") for v in values)),
    )
    assert parse_ambient(text) == expected
    assert parse_command(kudos) == expected
