"""The composer: for every result, event and scheduled post, who is told what, in one wording
for every platform. Read as a person would, through the console renderer, whose text is the
composer's words with nothing added."""

from __future__ import annotations

import typing
from dataclasses import replace

import pytest

from bot.adapters.console.render import text
from bot.replies.compose import (
    APPROVE,
    GIVE_FORM,
    REDEEM,
    REJECT,
    SHOP_PAGE,
    Surface,
    compose,
    event_replies,
    for_reason,
    help_text,
    reacted,
    refusal,
    refused_edit,
    scheduled,
)
from bot.replies.model import (
    Actions,
    Actor,
    Admins,
    ApprovalCopies,
    Channel,
    ChannelRef,
    Conversation,
    DirectMessage,
    Items,
    Mention,
    Reply,
)
from bot.services.give import NUDGE
from bot.services.results import KudosRevised, KudosUndone, Result
from tests.unit.reply_examples import (
    EVENTS,
    POSTS,
    SETTINGS,
    TYPICAL,
    WORST,
    every_reply,
    given,
)

SLACK = Surface(command="/kudos ", til="/til", actions=frozenset({REDEEM, APPROVE, REJECT}))
TEAMS = Surface(actions=frozenset({REDEEM, APPROVE, REJECT, SHOP_PAGE, GIVE_FORM}))


def said(replies: list[Reply]) -> str:
    return "\n".join(text(r) for r in replies)


def audiences(replies: list[Reply]) -> list[object]:
    return [r.audience for r in replies]


@pytest.mark.parametrize("kind", typing.get_args(Result), ids=lambda k: k.__name__)
def test_every_kind_of_result_has_an_example_and_a_reply(kind: type) -> None:
    examples = [r for r in (*TYPICAL.values(), *WORST.values()) if isinstance(r, kind)]
    assert examples, f"add an example of {kind.__name__} to reply_examples"
    for result in examples:
        for reply in compose(result):
            assert reply.parts and reply.text.strip(), result


def test_every_reply_says_something_in_every_part() -> None:
    for name, reply in every_reply(SLACK).items():
        assert reply.text.strip(), name
        assert text(reply).strip(), name


# ---------------------------------------------------------------------------- kudos


def test_a_kudos_is_a_public_post_in_the_thread_and_a_receipt_for_the_giver_alone() -> None:
    post, receipt = compose(given())
    assert post.audience == Conversation(thread=True)
    assert receipt.audience == Actor()
    assert text(post) == "🎉 Ana Lima gave Raj Patel 5 points\n“the review”\n#learning"
    assert text(receipt) == "You have 95 points left to give."


def test_the_post_mentions_the_recipients_and_names_the_giver() -> None:
    post, _ = compose(given(recipients=("Raj", "Bo"), recipient_ids=("URAJ", "UBO")))
    headline = post.parts[0].spans  # type: ignore[union-attr]
    mentions = [s for s in headline if isinstance(s, Mention)]
    assert [(m.user_id, m.alert) for m in mentions] == [
        ("UANA", False),
        ("URAJ", True),
        ("UBO", True),
    ]
    assert text(post).startswith("🎉 Ana Lima gave Raj and Bo 5 points each")


def test_a_kudos_counted_already_is_only_a_receipt_saying_so() -> None:
    [only] = compose(given(duplicate=True))
    assert only.audience == Actor()
    assert "already counted" in text(only)


def test_a_reason_is_quoted_so_that_for_is_never_doubled() -> None:
    """Was "gave ana 5 points for thanks for the review"."""
    post, _ = compose(given(recipients=("ana",), reason="thanks for the review"))
    assert "for thanks" not in said([post])
    assert text(post).splitlines()[:2] == [
        "🎉 Ana Lima gave ana 5 points",
        "“thanks for the review”",
    ]


def test_history_adds_for_only_where_the_reason_does_not_say_it() -> None:
    assert for_reason("the review") == " for the review"
    assert for_reason("thanks for the review") == ": thanks for the review"
    assert for_reason("Thank you!") == ": Thank you!"
    assert for_reason(None) == ""
    history = said(compose(TYPICAL["history"]))
    assert "given 3 points to Raj Patel for pairing" in history


def test_the_giver_is_nudged_without_markup() -> None:
    """Was "*why*" with its asterisks in the console."""
    _, receipt = compose(given(reason=None, nudge=NUDGE))
    assert "why" in text(receipt) and "*" not in text(receipt)


def test_one_point_is_one_point_everywhere() -> None:
    """Was "1 points earned" in the console."""
    balance = said(compose(TYPICAL["balance"]))
    assert "1 point earned" in balance and "1 points" not in balance
    assert "*" not in balance  # bold words are the renderer's, never asterisks on a terminal
    assert "You gave Raj Patel 1 point for their message." in said(reacted(given(amount_each=1)))


def test_undoing_kudos_to_one_person_says_the_unit_and_no_each() -> None:
    """Was "Undone: 20 each to erin"."""
    assert said(compose(TYPICAL["undo"])).startswith("↩ Undone: 20 points to erin.")
    several = KudosUndone(7, ("Raj", "Bo"), 1, 98)
    assert said(compose(several)).startswith("↩ Undone: 1 point each to Raj and Bo.")


def test_an_edit_says_what_it_changed() -> None:
    """Was "Updated." in Teams."""
    [edit] = compose(TYPICAL["edit"])
    assert edit.audience == Actor()
    assert text(edit) == (
        "↩ Your kudos to Raj Patel were taken back (message edited). ✏️ Counted the new "
        "version: 4 points to Bo Chen. You have 96 points left to give."
    )
    assert said(compose(TYPICAL["deletion"])) == (
        "↩ Your kudos to Raj Patel were taken back (message deleted)."
    )


def test_an_edit_that_makes_a_message_kudos_is_posted_like_any_kudos() -> None:
    assert audiences(compose(TYPICAL["edit into kudos"])) == [Conversation(thread=True), Actor()]


def test_an_edit_that_changed_nothing_or_came_again_says_nothing() -> None:
    assert compose(KudosRevised((), None)) == []
    assert compose(replace(TYPICAL["edit"], duplicate=True)) == []  # type: ignore[type-var]


def test_a_refused_edit_says_the_old_kudos_stand() -> None:
    reply = refused_edit("500 isn't a valid amount.")
    assert reply.audience == Actor()
    assert (
        text(reply)
        == "✋ I kept your kudos as they were before the edit. 500 isn't a valid amount."
    )


def test_a_kudos_by_reaction_tells_the_giver_alone() -> None:
    [told] = reacted(given(amount_each=1))
    assert told.audience == Actor()
    assert reacted(given(duplicate=True)) == []


def test_each_recipient_hears_of_their_kudos_where_it_was_given() -> None:
    dms = event_replies(EVENTS["kudos"], SLACK)
    assert audiences(dms) == [DirectMessage("URAJ"), DirectMessage("UBO")]
    assert text(dms[0]).startswith("🎉 Ana Lima gave you 5 points in #C1\n“the review”")
    where = [s for s in dms[0].parts[0].spans if isinstance(s, ChannelRef)]  # type: ignore[union-attr]
    assert where == [ChannelRef("C1", "a direct message")]


def test_badges_are_announced_with_the_kudos_that_earned_them() -> None:
    post, _ = compose(TYPICAL["kudos to two, with badges"])
    assert "🏅 Ana Lima earned 🌱 First kudos: gave their first kudos" in text(post)


# ---------------------------------------------------------------------------- learning


def test_a_learning_is_posted_where_it_was_shared_when_there_is_no_learning_channel() -> None:
    [post] = compose(TYPICAL["learning"])
    assert post.audience == Conversation()
    assert text(post) == "📚 Ana Lima learned:\ngit bisect finds the bad commit  #git"
    assert event_replies(TYPICAL["learning"], SLACK) == []  # type: ignore[arg-type]


def test_a_learning_goes_to_the_learning_channel_and_the_sharer_gets_a_receipt() -> None:
    shared = TYPICAL["learning for the learning channel"]
    [receipt] = compose(shared)
    assert receipt.audience == Actor()
    assert text(receipt) == (
        "📚 Thanks for sharing (#testing)! Posted in #CLEARN for the weekly learning shoutouts."
    )
    [post] = event_replies(shared, SLACK)  # type: ignore[arg-type]
    assert post.audience == Channel("CLEARN") and "tmp_path is per test" in text(post)


# ---------------------------------------------------------------------------- rewards


def test_the_shop_has_redeem_buttons_only_for_what_one_can_afford() -> None:
    [shop] = compose(TYPICAL["shop"], SLACK)
    [items] = [p for p in shop.parts if isinstance(p, Items)]
    assert [e.action.value if e.action else None for e in items.entries] == ["1", "2", None]
    assert "Redeem with" not in text(shop)


def test_without_buttons_the_shop_marks_what_one_can_afford_and_says_how_to_redeem() -> None:
    shop = said(compose(TYPICAL["shop"]))
    assert "✓ #1 Reward 1 — 10 points (unlimited)" in shop
    assert "· #3 Reward 3 — 30 points (sold out)" in shop
    assert shop.endswith("Redeem with `redeem <name or number>`.")


def test_the_next_page_of_the_shop_is_a_button_where_there_are_buttons_else_a_hint() -> None:
    page = TYPICAL["shop, page 2 of 3"]
    assert said(compose(page, SLACK)).endswith("More rewards: `/kudos shop 3`.")
    [teams] = compose(page, TEAMS)
    assert isinstance(teams.parts[-1], Actions)
    assert [(a.label, a.value) for a in teams.parts[-1].actions] == [
        ("◀ Previous", "1"),
        ("More rewards ▶", "3"),
    ]
    assert "page 2 of 3" in teams.text


def test_a_redemption_asks_the_admins_with_buttons_where_they_can_answer() -> None:
    [asked] = event_replies(EVENTS["redemption to the admins"], SLACK)
    assert asked.audience == Admins(12, None, ("UBOSS",))
    assert text(asked) == "🎁 Raj Patel redeemed Book for 20 points (#12)."
    assert [a.action_id for a in asked.parts[-1].actions] == [APPROVE, REJECT]  # type: ignore[union-attr]
    [in_channel] = event_replies(EVENTS["redemption to an approvals channel"], SLACK)
    assert in_channel.audience == Admins(12, "CAPPROVE", ("UBOSS",))
    [no_buttons] = event_replies(EVENTS["redemption to the admins"], Surface())
    assert not any(isinstance(p, Actions) for p in no_buttons.parts)


def test_a_decision_replaces_the_approval_requests_and_tells_the_member() -> None:
    copies, member = event_replies(EVENTS["approved"], SLACK)
    assert copies.audience == ApprovalCopies(12)
    assert text(copies) == "✅ #12 Raj Patel: Book, 20 points — fulfilled Nov 20 by Kim"
    assert copies.text == "Approved #12: Book for Raj Patel."
    assert member.audience == DirectMessage("URAJ")
    assert text(member) == "✅ Your redemption of Book (#12) was approved by Kim. Enjoy!"
    _, declined = event_replies(EVENTS["rejected"], SLACK)
    assert text(declined) == (
        "↩ Your redemption of Book (#12) was declined by Kim: out of budget. 20 points went "
        "back to you: you have 30 points to spend."
    )


def test_who_redeemed_and_who_decided_are_told_in_a_sentence() -> None:
    assert said(compose(TYPICAL["redeemed, awaiting approval"])).startswith(
        "🎁 You redeemed Book for 20 points (redemption #12)."
    )
    assert said(compose(TYPICAL["redeemed already"])) == (
        "You redeemed Book already (#12, pending); it counted once."
    )
    assert said(compose(TYPICAL["rejected"])) == "Rejected #12: Book for Raj Patel."
    assert said(compose(TYPICAL["cancelled"])).startswith("Cancelled #12: Book. 20 points")


def test_the_queue_says_how_to_decide_as_typed_on_the_platform() -> None:
    queue = said(compose(TYPICAL["redemptions and the queue"], SLACK))
    assert "`/kudos admin approve N`, `/kudos admin reject N <reason>`" in queue
    assert "• #13 Raj Patel: Book, 20 points — pending Nov 20" in queue


# ---------------------------------------------------------------------------- admin


def test_settings_read_as_yes_or_no_and_comma_lists() -> None:
    """Were `True`/`False` and Python lists."""
    rollover = replace(SETTINGS, allowance_rollover=True)
    shown = said(compose(replace(TYPICAL["settings"], settings=rollover)))  # type: ignore[type-var]
    assert "allowance_rollover: yes" in shown and "reason_required: no" in shown
    assert "values: learning, mentoring, knowledge-sharing" in shown
    assert "learning_channel: CLEARN (changed)" in shown and "approvals_channel: —" in shown
    for python in ("True", "False", "[", "(", "'"):
        assert python not in shown.replace("(changed)", ""), python


def test_help_lists_every_command_including_the_admins() -> None:
    """Left out approve, reject, adjust and schedule."""
    shown = help_text(("learning",))
    for command in (
        "admin approve N",
        "admin reject N <reason>",
        "admin adjust @ana +10 <reason>",
        "admin schedule",
        "admin settings",
        "redeem <item>",
        "til how git bisect",
    ):
        assert command in shown, command
    assert shown.endswith("Values:          #learning")


def test_help_is_typed_as_on_each_platform_and_teams_offers_the_give_form() -> None:
    slack = said(compose(TYPICAL["help"], SLACK))
    assert "/kudos balance" in slack and "/til how git bisect" in slack
    assert "+5 @ana thanks for the review" in slack  # typed in a channel, not a command
    [teams] = compose(TYPICAL["help"], TEAMS)
    assert [a.action_id for a in teams.parts[-1].actions] == [GIVE_FORM]  # type: ignore[union-attr]
    assert not any(isinstance(p, Actions) for p in compose(TYPICAL["help"], SLACK)[0].parts)


def test_every_admin_reply_is_for_the_admin_alone() -> None:
    for name in ("settings", "catalog", "admins in slack", "schedules", "admin done"):
        assert audiences(compose(TYPICAL[name])) == [Actor()], name


def test_a_refusal_is_one_sentence_for_the_person_who_asked() -> None:
    reply = refusal("Kudos are for others.")
    assert (reply.audience, text(reply)) == (Actor(), "✋ Kudos are for others.")


def test_empty_lists_say_what_to_do_as_typed_on_the_platform() -> None:
    assert said(compose(TYPICAL["empty history"], SLACK)) == (
        "No kudos yet: give some with `/kudos @name 5 for …`."
    )
    assert said(compose(TYPICAL["empty shop"], SLACK)).endswith(
        "`/kudos admin catalog add Book voucher cost=200`."
    )
    assert said(compose(TYPICAL["no badges"], SLACK)).endswith("share a `/til`!")
    assert "No kudos #learning of all time yet" in said(compose(TYPICAL["empty leaderboard"]))


# ---------------------------------------------------------------------------- posts


def test_the_leaderboard_post_shows_how_places_moved() -> None:
    post = text(scheduled(POSTS["leaderboard"], "CTEAM"))
    assert post.splitlines()[:2] == ["🏆 Week 47, 2026", "Most recognised"]
    for line in (
        "🥇 Raj Patel — 7 points (▲2)",
        "🥈 Bo Chen — 5 points (▼1)",
        "🥉 Ana Lima — 2 points (=)",
        "4. Zed — 1 point (new)",
        "Ana Lima — 12 points",
        "#learning: Raj Patel",
        "Recognised for the first time: Zed 🎉",
    ):
        assert line in post, line
    assert scheduled(POSTS["leaderboard"], "CTEAM").audience == Channel("CTEAM")


def test_quiet_weeks_invite_people_rather_than_post_nothing() -> None:
    assert "A quiet month for kudos" in text(scheduled(POSTS["quiet leaderboard"], "C", SLACK))
    quiet = text(scheduled(POSTS["quiet learning shoutouts"], "C", SLACK))
    assert "Share it with `/til …`" in quiet


def test_the_learning_shoutouts_thank_who_helped_others_learn() -> None:
    post = text(scheduled(POSTS["learning shoutouts"], "C"))
    assert "• Ana Lima: git bisect  #git" in post
    assert "• Bo Chen → Raj Patel: the pairing  #mentoring" in post
    assert "Raj Patel — thanked by 2 people" in post


def test_long_posts_list_thirty_and_count_the_rest() -> None:
    post = text(scheduled(POSTS["worst learning shoutouts"], "C"))
    assert post.count("\n• ") == 60
    assert "…and 270 more." in post and "…and 1970 more." in post
    assert all(len(line) <= 300 for line in post.splitlines())
