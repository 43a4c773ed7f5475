"""The text helpers Slack and Teams messages go through before the grammar: right, and linear
in the size of the message (and of its mention entities)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.adapters.slack.text import SUBTEAM, escape, to_plain
from bot.adapters.teams.text import TeamsMention, safe, to_grammar
from bot.replies.compose import cap

BOUND = 0.050
SLACK_LIMIT = 40_000  # characters in one Slack message


def best_time(work: Callable[[], object], runs: int = 3) -> float:
    """The best of `runs` runs, in this thread's CPU time (what other processes do is not
    counted, so parallel workers and a busy machine do not make it flaky)."""
    best = float("inf")
    for _ in range(runs):
        started = time.thread_time()
        work()
        best = min(best, time.thread_time() - started)
    return best


def test_teams_mentions_become_neutral_tokens_in_order() -> None:
    ana1 = TeamsMention("29:a1", "Ana", "<at>Ana</at>")
    ana2 = TeamsMention("29:a2", "Ana", "<at>Ana</at>")  # two people with one display name
    bot = TeamsMention("28:bot", "Kudos", "<at>Kudos</at>")
    text = "<at>Kudos</at> kudos <at>Ana</at> <at>Ana</at> 5 for <b>the</b> review &amp; more"
    assert to_grammar(text, [bot, ana1, ana2], "28:bot") == (
        "kudos  <@29:a1>   <@29:a2>  5 for  the  review & more"
    )


def test_a_mention_entity_without_tags_is_still_resolved() -> None:
    raj = TeamsMention("29:r", "Raj", "Raj Patel")
    assert to_grammar("thanks Raj Patel ++", [raj], None) == "thanks  <@29:r>  ++"


def test_many_teams_mention_entities_cost_one_pass_over_the_text() -> None:
    absent = [TeamsMention(f"29:{i}", f"N{i}", f"<at>Zed {i}</at>") for i in range(5000)]
    present = [TeamsMention(f"29:{i}", f"N{i}", f"<at>N{i}</at>") for i in range(5000)]
    text = " ".join(m.text for m in present)
    assert best_time(lambda: to_grammar("x" * 28_000, absent, None)) < BOUND
    assert best_time(lambda: to_grammar(text, present, None)) < BOUND
    assert to_grammar(text, present, None).split()[-1] == "<@29:4999>"


ADVERSARIAL = {
    "open brackets": "<" * SLACK_LIMIT,
    "open mentions": "<@" * (SLACK_LIMIT // 2),
    "unterminated label": "<@U1|" + "x" * SLACK_LIMIT,
    "open groups": "<!subteam^" * (SLACK_LIMIT // 10),
    "open group labels": "<!subteam^S1|" * (SLACK_LIMIT // 13),
    "open at tags": "<at>" * (SLACK_LIMIT // 4),
    "open closing tags": "</" * (SLACK_LIMIT // 2),
    "open tags": "<a " * (SLACK_LIMIT // 3),
    "entities": "&amp;" * (SLACK_LIMIT // 5),
}
HELPERS: dict[str, Callable[[str], object]] = {
    "slack to_plain": to_plain,
    "slack groups": lambda t: list(SUBTEAM.finditer(t)),
    "slack escape": escape,
    "teams to_grammar": lambda t: to_grammar(t, [], None),
    "teams safe": safe,
    "cap": cap,
}


@pytest.mark.parametrize("helper", HELPERS)
@pytest.mark.parametrize("name", ADVERSARIAL)
def test_text_helpers_take_linear_time_on_adversarial_markup(name: str, helper: str) -> None:
    text = ADVERSARIAL[name]
    assert best_time(lambda: HELPERS[helper](text)) < BOUND
