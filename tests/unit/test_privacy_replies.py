"""Privacy in the grammar and the composer: `privacy` is understood in every spelling people
use and refused helpfully otherwise; no reply meant for everyone names or congratulates a
member who left the public posts, and the notes that replace those posts name nobody (in
Teams a reply is read by the whole conversation); each renderer shows the setting."""

from __future__ import annotations

import json

import pytest

from bot.adapters.console.render import text
from bot.adapters.slack.blocks import render as slack_render
from bot.adapters.teams.cards import card as teams_card
from bot.domain.commands import Privacy
from bot.domain.errors import ParseError, UnknownCommand
from bot.domain.grammar import parse_command
from bot.replies.compose import CONSOLE, Surface, compose, event_replies, help_text, kudos_post
from bot.replies.model import Actor, Conversation, Mention, Reply
from bot.services.delivery import tells_chat
from bot.services.results import BadgeEarned, PrivacyShown
from tests.unit.reply_examples import TYPICAL, given

SLACK = Surface(command="/kudos ", til="/til")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("privacy", Privacy()),
        ("privacy leaderboard", Privacy()),
        ("/kudos privacy leaderboard off", Privacy(public=False)),
        ("privacy leaderboard on", Privacy(public=True)),
        ("Privacy Leaderboards OFF.", Privacy(public=False)),
        ("privacy off", Privacy(public=False)),
        ("privacy on", Privacy(public=True)),
    ],
)
def test_privacy_is_understood(typed: str, expected: Privacy) -> None:
    assert parse_command(typed) == expected


@pytest.mark.parametrize(
    "typed", ["privacy leaderboard maybe", "privacy off now", "privacy @ana", "privacy on off"]
)
def test_anything_else_after_privacy_says_how_to_write_it(typed: str) -> None:
    with pytest.raises(ParseError, match=r"Try `privacy`.*`privacy leaderboard off`"):
        parse_command(typed)


def test_a_typo_of_privacy_is_suggested() -> None:
    with pytest.raises(UnknownCommand, match="did you mean `privacy off`"):
        parse_command("privcy off")


def spans(reply: Reply) -> str:
    return repr(reply.parts)


def test_a_kudos_to_a_private_member_alone_is_a_note_naming_nobody() -> None:
    [note] = compose(TYPICAL["kudos to someone private"])
    assert note.audience == Actor()
    assert "URAJ" not in spans(note) and "Raj" not in text(note)
    assert text(note) == (
        "🤫 Given quietly: the person you thanked keeps out of public posts, so I told them "
        "directly instead of announcing it here.\nYou have 95 points left to give."
    )


def test_a_kudos_to_two_names_the_public_one_and_only_their_badge() -> None:
    post, receipt = compose(TYPICAL["kudos to two, one private"])
    assert post.audience == Conversation(thread=True) and receipt.audience == Actor()
    mentioned = [
        s.user_id for p in post.parts for s in getattr(p, "spans", ()) if isinstance(s, Mention)
    ]
    assert "URAJ" not in mentioned and "UBO" in mentioned
    assert "Raj" not in text(post) and "Raj" not in post.text
    assert text(post).startswith("🎉 Ana Lima gave Bo Chen 5 points\n")  # no "each"
    assert "🏅 Bo Chen earned" in text(post)


def test_a_kudos_from_a_private_member_is_their_note_with_their_own_badge() -> None:
    [note] = compose(TYPICAL["kudos from someone private"])
    assert note.audience == Actor()
    assert "you keep out of public posts" in text(note)
    assert "First kudos" in text(note)


def test_the_shortcut_post_is_the_note_too() -> None:
    assert kudos_post(given(private_ids=("URAJ",))).audience == Actor()
    assert kudos_post(given()).audience == Conversation(thread=True)


def test_the_recipient_still_hears_directly() -> None:
    [dm] = event_replies(TYPICAL["kudos to someone private"], CONSOLE)  # type: ignore[arg-type]
    assert text(dm).startswith("🎉 Ana Lima gave you 5 points")


def test_a_private_learning_is_the_authors_alone() -> None:
    shared = TYPICAL["private learning"]
    [told] = compose(shared)
    assert told.audience == Actor() and "stays out of the learning channel" in text(told)
    assert event_replies(shared, CONSOLE) == []  # type: ignore[arg-type]
    assert not tells_chat(shared)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("shown", "said"),
    [
        (PrivacyShown(True), "👀 You appear on the public leaderboards and posts. "),
        (PrivacyShown(True, changed=True), "👀 You're back on the public leaderboards"),
        (PrivacyShown(False), "🙈 You're off the public leaderboards and posts. "),
        (PrivacyShown(False, changed=True), "🙈 Done: you're off the public leaderboards"),
    ],
)
def test_the_setting_is_said_with_the_command_that_changes_it(
    shown: PrivacyShown, said: str
) -> None:
    [reply] = compose(shown, SLACK)
    assert reply.audience == Actor() and text(reply).startswith(said)
    assert ("`/kudos privacy leaderboard off`" in text(reply)) is shown.public
    assert ("`/kudos privacy leaderboard on`" in text(reply)) is not shown.public


def test_every_renderer_shows_the_setting() -> None:
    [reply] = compose(PrivacyShown(False, changed=True), SLACK)
    assert "off the public leaderboards" in json.dumps(slack_render(reply), ensure_ascii=False)
    assert "off the public leaderboards" in json.dumps(teams_card(reply), ensure_ascii=False)
    assert "off the public leaderboards" in text(reply)


def test_help_tells_how() -> None:
    assert "privacy leaderboard [off|on]" in help_text(())


def test_a_badge_of_a_private_member_is_never_announced_publicly() -> None:
    mine = BadgeEarned("URAJ", "Raj Patel", "mentor")
    post, _ = compose(given(recipients=("Raj Patel", "Bo Chen"), recipient_ids=("URAJ", "UBO"),
                            private_ids=("URAJ",), badges=(mine,)))  # fmt: skip
    assert "Raj" not in text(post)
