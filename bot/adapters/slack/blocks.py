"""Block Kit for every reply. Whatever a person typed (reasons, learnings, names) goes out as
`plain_text` or escaped mrkdwn, never as markup; only ids we resolved become mentions."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from bot.adapters.plain import (
    admins_text,
    cap,
    catalog_text,
    decided_text,
    decision_text,
    hashtags,
    history_lines,
    item_line,
    joined,
    more_pages,
    paged,
    points,
    redeemed_text,
    redemption_line,
    redemptions_text,
    request_text,
    schedules_text,
    settings_text,
    shop_heading,
    split,
)
from bot.adapters.slack.text import escape
from bot.domain.badges import BADGES, label
from bot.domain.model import WorkspaceSettings
from bot.domain.rewards import FULFILLED
from bot.services.results import (
    AdminDone,
    AdminsShown,
    BadgeEarned,
    BadgesShown,
    BalanceShown,
    CatalogShown,
    HelpShown,
    HistoryShown,
    KudosGiven,
    KudosRevised,
    KudosUndone,
    LeaderboardPost,
    LeaderboardShown,
    LearningPost,
    LearningShared,
    Redeemed,
    RedemptionDecided,
    RedemptionsShown,
    Result,
    ScheduleChanged,
    ScheduledPost,
    SchedulesShown,
    SettingsShown,
    ShopShown,
)

Blocks = list[dict[str, Any]]
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "of all time"}

GIVE_CALLBACK = "give_kudos_modal"
MESSAGE_SHORTCUT = "give_kudos_for_message"
GLOBAL_SHORTCUT = "give_kudos"
REDEEM_ACTION = "redeem_item"
APPROVE_ACTION = "approve_redemption"
REJECT_ACTION = "reject_redemption"
REJECT_CALLBACK = "reject_redemption_modal"
SHOP_PAGE = 20
"""Rewards per shop message: with the heading and the footer, well inside Slack's 50 blocks."""


def mention(user_id: str, fallback: str) -> str:
    """`<@U…>` for a real user id, else the escaped name."""
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(fallback)


def plain(text: str, limit: int = 2900) -> dict[str, Any]:
    return {"type": "plain_text", "text": cap(text, limit), "emoji": True}


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cap(mrkdwn, 2900)}}


def _context_plain(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [plain(text, 1900)]}


def message(text: str, blocks: Blocks | None = None) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / respond: notification text plus blocks."""
    out: dict[str, Any] = {"text": cap(text, 3000)}
    if blocks:
        out["blocks"] = blocks
    return out


def refusal(text: str) -> dict[str, Any]:
    """A refusal the giver alone sees: one friendly sentence with the fix."""
    return message(f"✋ {escape(text)}")


def _recipients(given: KudosGiven) -> str:
    return joined(
        [
            mention(uid, name)
            for uid, name in zip(given.recipient_ids, given.recipients, strict=True)
        ]
    )


def badge_lines(badges: Sequence[BadgeEarned]) -> list[dict[str, Any]]:
    """Badges earned just now, announced where they were earned."""
    return [
        _section(
            f"🏅 {mention(b.external_id, b.display_name)} earned *{escape(label(b.badge))}*: "
            f"{BADGES[b.badge].why}"
        )
        for b in badges
    ]


def badges_shown(result: BadgesShown) -> dict[str, Any]:
    if not result.badges:
        return message(
            f"{escape(result.display_name)} has no badges yet. Give kudos or share a `/til`!"
        )
    lines = [f"{label(b)}: {BADGES[b].why}" for b in result.badges]
    return message(
        f"{escape(result.display_name)}'s badges",
        [
            _section(f"*{escape(result.display_name)}'s badges*"),
            {"type": "section", "text": plain("\n".join(lines))},
        ],
    )


def kudos_post(given: KudosGiven) -> dict[str, Any]:
    """The public post: giver, recipients, amount, reason and values."""
    each = points(given.amount_each) + (" each" if len(given.recipients) > 1 else "")
    headline = f"🎉 {mention(given.giver_id, given.giver)} gave {_recipients(given)} *{each}*"
    blocks: Blocks = [_section(headline)]
    if given.reason:
        blocks.append({"type": "section", "text": plain(f"“{given.reason}”")})
    if given.tags:
        blocks.append(_context_plain("  ".join(f"#{t}" for t in given.tags)))
    blocks += badge_lines(given.badges)
    return message(
        f"{escape(given.giver)} gave {escape(', '.join(given.recipients))} {each}", blocks
    )


def kudos_receipt(given: KudosGiven) -> dict[str, Any]:
    """What the giver alone reads after giving: what is left, and a nudge for a reason."""
    if given.duplicate:
        return message("👍 That one was already counted; I didn't give it twice.")
    text = f"You have {points(given.allowance_left)} left to give."
    if given.nudge:
        text += " " + given.nudge
    return message(text)


def kudos_dm(given: KudosGiven) -> dict[str, Any]:
    """The note a recipient gets."""
    where = f" in <#{given.channel}>" if given.channel and given.channel[:1] in "CG" else ""
    headline = (
        f"🎉 {mention(given.giver_id, given.giver)} gave you *{points(given.amount_each)}*{where}"
    )
    blocks: Blocks = [_section(headline)]
    if given.reason:
        blocks.append({"type": "section", "text": plain(f"“{given.reason}”")})
    if given.tags:
        blocks.append(_context_plain("  ".join(f"#{t}" for t in given.tags)))
    return message(f"{escape(given.giver)} gave you {points(given.amount_each)}", blocks)


def undone(result: KudosUndone) -> dict[str, Any]:
    return message(
        f"↩ Undone: {points(result.amount_each)} each to "
        f"{escape(joined(list(result.recipients)))}. "
        f"You have {points(result.allowance_left)} left to give."
    )


def revised(result: KudosRevised, why: str) -> dict[str, Any]:
    """What an edit or deletion did, for the giver."""
    parts = []
    if result.undone:
        names = sorted({n for u in result.undone for n in u.recipients})
        parts.append(f"↩ Your kudos to {escape(joined(names))} were taken back ({why}).")
    if result.given:
        parts.append(
            f"✏️ Counted the new version: {points(result.given.amount_each)} to "
            f"{escape(joined(list(result.given.recipients)))}. "
            f"You have {points(result.given.allowance_left)} left to give."
        )
    return message(" ".join(parts))


def balance(result: BalanceShown) -> dict[str, Any]:
    text = (
        f"*{points(result.allowance_left)}* left to give (renews {result.renews_at:%a %b %-d}), "
        f"*{points(result.earned)}* earned."
    )
    if result.badges:
        text += "\nBadges: " + ", ".join(label(b) for b in result.badges)
    return message(text.replace("*", ""), [_section(text)])


def _leaderboard_lines(result: LeaderboardShown) -> list[str]:
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    return [
        f"{medals.get(r.rank, f'{r.rank}.')} {mention(r.external_id, r.display_name)} — "
        f"{points(r.points)}"
        for r in result.rows
    ]


def leaderboard(result: LeaderboardShown) -> dict[str, Any]:
    tag = f" #{escape(result.tag)}" if result.tag else ""
    title = f"Top{tag} {_PERIOD_TITLE[result.period]}"
    if not result.rows:
        return message(
            f"No kudos{tag} {_PERIOD_TITLE[result.period]} yet. Be the first to thank someone!"
        )
    return message(
        f"🏆 {title}",
        [
            {"type": "header", "text": plain(f"🏆 {title}", 150)},
            _section("\n".join(_leaderboard_lines(result))),
        ],
    )


def history(result: HistoryShown) -> dict[str, Any]:
    if not result.items:
        return message("No kudos yet: give some with `/kudos @name 5 for ...`.")
    lines = history_lines(result)
    return message("Your recent kudos", [{"type": "section", "text": plain("\n".join(lines))}])


def learning(result: LearningShared) -> dict[str, Any]:
    return message(
        f"📚 {escape(result.author)} learned something",
        [
            _section(f"📚 *{escape(result.author)}* learned:"),
            {"type": "section", "text": plain(result.text + hashtags(result.tags, "  "))},
            *badge_lines(result.badges),
        ],
    )


def learning_receipt(result: LearningShared, channel: str | None) -> dict[str, Any]:
    where = f" in <#{channel}>" if channel else ""
    tags = f" ({escape(hashtags(result.tags, ''))})" if result.tags else ""
    return message(f"📚 Thanks for sharing{tags}! Posted{where} for the weekly learning shoutouts.")


def help_text(result: HelpShown) -> dict[str, Any]:
    text = result.text.replace("@ana", "/kudos @ana", 1)
    return message("How to use Kudos", [{"type": "section", "text": plain(text)}])


def render(result: Result) -> dict[str, Any]:
    """The reply to a command, for the person who asked."""
    match result:
        case KudosGiven():
            return kudos_post(result)
        case BalanceShown():
            return balance(result)
        case LeaderboardShown():
            return leaderboard(result)
        case HistoryShown():
            return history(result)
        case KudosUndone():
            return undone(result)
        case KudosRevised():
            return revised(result, "edited")
        case LearningShared():
            return learning(result)
        case HelpShown():
            return help_text(result)
        case BadgesShown():
            return badges_shown(result)
        case SchedulesShown():
            return message(
                "Scheduled posts", [{"type": "section", "text": plain(schedules_text(result))}]
            )
        case ScheduleChanged():
            return message(f"🗓 {escape(result.text)}")
        case ShopShown():
            return shop(result)
        case Redeemed():
            return message(escape(redeemed_text(result)))
        case RedemptionDecided():
            return message(escape(decided_text(result)))
        case RedemptionsShown():
            return _plain_message("Redemptions", redemptions_text(result))
        case CatalogShown():
            return _plain_message("Catalog", catalog_text(result))
        case SettingsShown():
            return _plain_message("Settings", settings_text(result))
        case AdminsShown():
            return _plain_message("Admins", admins_text(result))
        case AdminDone():
            return message(f"✔ {escape(result.text)}")
    raise AssertionError(f"unrendered result {result!r}")


def _movement(previous: int | None, rank: int) -> str:
    if previous is None:
        return "🆕"
    if previous == rank:
        return "＝"
    return f"▲{previous - rank}" if previous > rank else f"▼{rank - previous}"


def leaderboard_post(post: LeaderboardPost) -> dict[str, Any]:
    """The scheduled leaderboard in Block Kit."""
    header = {"type": "header", "text": plain(f"🏆 {post.title}", 150)}
    if post.empty:
        return message(
            f"🏆 {post.title}",
            [
                header,
                _section(
                    f"A quiet {post.period} for kudos. Who helped you learn something? "
                    "A few words of thanks go a long way: `/kudos @name for …`"
                ),
            ],
        )
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = [
        f"{medals.get(r.rank, f'{r.rank}.')} {mention(r.external_id, r.display_name)} — "
        f"{points(r.points)}  {_movement(r.previous_rank, r.rank)}"
        for r in post.receivers
    ]
    blocks: Blocks = [header, _section("*Most recognised*\n" + "\n".join(lines))]
    if post.givers:
        blocks.append(
            _section(
                "*Most generous*\n"
                + "\n".join(
                    f"{mention(g.external_id, g.display_name)} — {points(g.points)}"
                    for g in post.givers
                )
            )
        )
    if post.value_leaders:
        blocks.append(
            _section(
                "*By value*\n"
                + "\n".join(
                    f"#{escape(v)}: {mention(row.external_id, row.display_name)}"
                    for v, row in post.value_leaders
                )
            )
        )
    if post.newcomers:
        blocks.append(
            _context_plain("Recognised for the first time: " + joined(list(post.newcomers)) + " 🎉")
        )
    return message(f"🏆 {post.title}", blocks)


def learning_post(post: LearningPost) -> dict[str, Any]:
    """The weekly learning shoutouts in Block Kit."""
    header = {"type": "header", "text": plain(f"📚 {post.title}", 150)}
    if post.empty:
        return message(
            f"📚 {post.title}",
            [
                header,
                _section(
                    "No learnings shared this week. What did you learn? Share it with `/til …`, "
                    "and thank whoever taught you."
                ),
            ],
        )
    blocks: Blocks = [header]
    if post.learnings:
        text = "\n".join(
            f"• {who}: {what}" + hashtags(tags, "  ") for who, what, tags in post.learnings
        )
        blocks += [_section("*Learned this week*"), {"type": "section", "text": plain(text)}]
    if post.kudos:
        text = "\n".join(
            f"• {k.giver} → {joined(list(k.recipients))}"
            + (f": {k.reason}" if k.reason else "")
            + "".join(f"  #{t}" for t in k.tags)
            for k in post.kudos[:30]
        )
        blocks += [
            _section("*Thanks for helping others learn*"),
            {"type": "section", "text": plain(text)},
        ]
    if post.helpers:
        blocks.append(
            _section(
                "*Helped the most people learn* (mentoring kudos from the most people)\n"
                + "\n".join(
                    f"{mention(uid, name)} — thanked by {n} {'person' if n == 1 else 'people'}"
                    for uid, name, n in post.helpers
                )
            )
        )
    return message(f"📚 {post.title}", blocks)


def scheduled(post: ScheduledPost) -> dict[str, Any]:
    return leaderboard_post(post) if isinstance(post, LeaderboardPost) else learning_post(post)


def home(
    user_id: str, bal: BalanceShown, recent: HistoryShown, top: LeaderboardShown
) -> dict[str, Any]:
    """The App Home tab."""
    given = HistoryShown(tuple(i for i in recent.items if i.direction == "given")[:5])
    received = HistoryShown(tuple(i for i in recent.items if i.direction == "received")[:5])
    blocks: Blocks = [
        {"type": "header", "text": plain("Your kudos", 150)},
        _section(
            f"*{points(bal.allowance_left)}* left to give, renewing "
            f"{bal.renews_at:%A %B %-d}.\n*{points(bal.earned)}* earned from others: "
            "spend them on a reward with `/kudos shop`."
        ),
        {"type": "divider"},
        _section("*Recently received*"),
        {
            "type": "section",
            "text": plain("\n".join(history_lines(received)) or "Nothing yet."),
        },
        _section("*Recently given*"),
        {
            "type": "section",
            "text": plain(
                "\n".join(history_lines(given))
                or "Nothing yet. Who helped you learn something this week?"
            ),
        },
        _section(
            "*Your badges*\n"
            + (
                "  ".join(label(b) for b in bal.badges)
                or "None yet: give kudos or share a `/til` to earn your first."
            )
        ),
        {"type": "divider"},
        _section("*🏆 Top 5 this week*"),
        _section("\n".join(_leaderboard_lines(top)) or "No kudos this week yet."),
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Give kudos with `/kudos @name 5 for ... #learning`, "
                    "share what you learned with `/til`.",
                }
            ],
        },
    ]
    return {"type": "home", "blocks": blocks, "private_metadata": user_id}


def give_modal(
    settings: WorkspaceSettings,
    *,
    recipients: Sequence[str] = (),
    reason: str = "",
    channel: str | None = None,
    message_ts: str | None = None,
) -> dict[str, Any]:
    """The "Give kudos" modal: people, amount, reason, value and (from the global shortcut)
    where to share it."""
    people: dict[str, Any] = {"type": "multi_users_select", "action_id": "users"}
    if recipients:
        people["initial_users"] = list(recipients)
    blocks: Blocks = [
        {
            "type": "input",
            "block_id": "recipients",
            "label": plain("Who?"),
            "element": people,
        },
        {
            "type": "input",
            "block_id": "amount",
            "label": plain("Points each"),
            "element": {
                "type": "number_input",
                "action_id": "amount",
                "is_decimal_allowed": False,
                "initial_value": str(settings.default_amount),
                "min_value": str(settings.min_amount),
                "max_value": str(settings.max_amount),
            },
        },
        {
            "type": "input",
            "block_id": "reason",
            "optional": not settings.reason_required,
            "label": plain("What for?"),
            "element": {
                "type": "plain_text_input",
                "action_id": "reason",
                "multiline": True,
                "max_length": settings.max_reason_length,
                **({"initial_value": cap(reason, settings.max_reason_length)} if reason else {}),
            },
        },
        {
            "type": "input",
            "block_id": "value",
            "optional": not settings.value_required,
            "label": plain("Which value?"),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": [
                    {"text": plain(f"#{v}", 75), "value": v} for v in settings.values[:100]
                ],
            },
        },
    ]
    if channel is None:
        blocks.append(
            {
                "type": "input",
                "block_id": "channel",
                "optional": True,
                "label": plain("Share in channel"),
                "element": {"type": "conversations_select", "action_id": "channel"},
            }
        )
    return {
        "type": "modal",
        "callback_id": GIVE_CALLBACK,
        "title": plain("Give kudos", 24),
        "submit": plain("Give", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"channel": channel, "message_ts": message_ts}),
        "blocks": blocks,
    }


def _plain_message(title: str, text: str) -> dict[str, Any]:
    return message(title, [{"type": "section", "text": plain(text)}])


def shop(result: ShopShown) -> dict[str, Any]:
    """The rewards, each with a Redeem button when the person can afford it."""
    if not result.items:
        return message(
            "The shop is empty for now. Admins add rewards with "
            "`/kudos admin catalog add Book voucher cost=200`."
        )
    items, page, pages = paged(split(result.items, SHOP_PAGE), result.page)
    heading = f"*🎁 Rewards* · you have *{points(result.earned)}* to spend"
    if pages > 1:
        heading += f" · page {page} of {pages}"
    blocks: Blocks = [_section(heading)]
    for item in items:
        section: dict[str, Any] = {"type": "section", "text": plain(item_line(item))}
        if item.description:
            section["text"] = plain(f"{item_line(item)}\n{cap(item.description, 300)}")
        if item.cost <= result.earned and item.stock != 0:
            section["accessory"] = {
                "type": "button",
                "action_id": REDEEM_ACTION,
                "text": plain("Redeem", 75),
                "value": str(item.id),
                "confirm": {
                    "title": plain("Redeem?", 100),
                    "text": plain(f"Spend {points(item.cost)} on {item.name}?", 300),
                    "confirm": plain("Redeem", 30),
                    "deny": plain("Not now", 30),
                },
            }
        blocks.append(section)
    more = more_pages(page, pages, "/kudos shop")
    if more:
        blocks.append(_context_plain(more))
    return message(shop_heading(result, page, pages), blocks)


def approval_request(redeemed: Redeemed) -> dict[str, Any]:
    """What admins get: the redemption, with Approve and Reject."""
    r = redeemed.redemption
    text = request_text(redeemed)
    value = str(r.id)
    return message(
        escape(text),
        [
            {"type": "section", "text": plain(text)},
            {
                "type": "actions",
                "block_id": f"redemption_{r.id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": APPROVE_ACTION,
                        "style": "primary",
                        "text": plain("Approve", 75),
                        "value": value,
                    },
                    {
                        "type": "button",
                        "action_id": REJECT_ACTION,
                        "style": "danger",
                        "text": plain("Reject…", 75),
                        "value": value,
                    },
                ],
            },
        ],
    )


def decided(result: RedemptionDecided) -> dict[str, Any]:
    """The approval request once decided: the buttons give way to the outcome."""
    r = result.redemption
    mark = "✅" if r.status == FULFILLED else "↩"
    return message(
        escape(decided_text(result)), [_context_plain(f"{mark} {redemption_line(r, who=True)}")]
    )


def decision_dm(result: RedemptionDecided) -> dict[str, Any]:
    return message(escape(decision_text(result)))


def reject_modal(redemption_id: int, metadata: dict[str, Any]) -> dict[str, Any]:
    """Asks the rejecting admin why (the member is told). The reason is required: Slack refuses
    an empty field, and the service a blank one (shown as the field's error)."""
    return {
        "type": "modal",
        "callback_id": REJECT_CALLBACK,
        "title": plain(f"Reject #{redemption_id}", 24),
        "submit": plain("Reject", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"redemption": redemption_id, **metadata}),
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": plain("Why? They will read this."),
                "optional": False,
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "min_length": 1,
                    "max_length": 500,
                },
            }
        ],
    }
