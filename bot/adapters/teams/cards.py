"""Adaptive Cards (schema 1.5) for every reply. What people typed goes into `TextRun`s, which
Teams shows as plain text (no markdown, no links); only ids we resolved become mentions."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from bot.adapters.plain import (
    admins_text,
    catalog_text,
    decided_text,
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
)
from bot.adapters.teams.text import safe
from bot.domain.badges import BADGES, label
from bot.domain.model import WorkspaceSettings
from bot.domain.rewards import FULFILLED, RewardItem
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

Card = dict[str, Any]
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
GIVE_ACTION = "give_kudos"
REDEEM_ACTION = "redeem"
DECIDE_ACTION = "decide_redemption"
SHOP_ACTION = "shop_page"
TEAMS_MESSAGE_LIMIT = 40 * 1024
"""Teams refuses a bot message over 40 KB, counted as UTF-16 (413, MessageSizeTooBig)."""
SHOP_ITEMS_BUDGET = 22 * 1024
"""Bytes one shop card spends on its rewards, by `message_bytes`. With the heading, the page
buttons and the activity around them, a shop message stays under 28 KB: well inside the limit,
whatever script or emoji the descriptions are written in."""
SHOP_PAGE_MAX = 10


def message_bytes(payload: Any) -> int:
    """The larger of a payload's two sizes: as Teams counts it (UTF-16) and as the connector
    client sends it (JSON with non-ASCII escaped, so an emoji takes 12 bytes)."""
    return max(
        len(json.dumps(payload)), len(json.dumps(payload, ensure_ascii=False).encode("utf-16-le"))
    )


_PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "of all time"}


def card(
    body: list[dict[str, Any]],
    *,
    mentions: Sequence[tuple[str, str]] = (),
    actions: list[dict[str, Any]] | None = None,
) -> Card:
    """A card; `mentions` are (id, name) pairs written as `<at>name</at>` in the body."""
    out: Card = {"$schema": SCHEMA, "type": "AdaptiveCard", "version": VERSION, "body": body}
    if actions:
        out["actions"] = actions
    if mentions:
        out["msteams"] = {
            "entities": [
                {
                    "type": "mention",
                    "text": f"<at>{safe(name, 100)}</at>",
                    "mentioned": {"id": uid, "name": safe(name, 100)},
                }
                for uid, name in mentions
            ]
        }
    return out


def plain(text: str, **style: Any) -> dict[str, Any]:
    """A block of plain text: Teams applies no markdown inside a TextRun."""
    return {
        "type": "RichTextBlock",
        "inlines": [{"type": "TextRun", "text": safe(text, 2000), **style}],
    }


def heading(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "size": "Medium", "wrap": True}


def _badge_blocks(badges: Sequence[BadgeEarned]) -> list[dict[str, Any]]:
    return [
        plain(f"🏅 {b.display_name} earned {label(b.badge)}: {BADGES[b.badge].why}") for b in badges
    ]


def badges_card(result: BadgesShown) -> Card:
    if not result.badges:
        return card([plain(f"{result.display_name} has no badges yet. Give kudos or share a til!")])
    facts = [{"title": label(b), "value": BADGES[b].why} for b in result.badges]
    return card(
        [heading(f"{safe(result.display_name, 100)}'s badges"), {"type": "FactSet", "facts": facts}]
    )


def kudos_card(given: KudosGiven) -> Card:
    """The public card: giver, recipients (mentioned), amount, reason and values."""
    each = points(given.amount_each) + (" each" if len(given.recipients) > 1 else "")
    names = [safe(n, 100) for n in given.recipients]
    body = [
        heading(
            f"🎉 {safe(given.giver, 100)} gave {joined([f'<at>{n}</at>' for n in names])} {each}"
        )
    ]
    if given.reason:
        body.append(plain(f"“{given.reason}”", italic=True))
    if given.tags:
        body.append(plain("  ".join(f"#{t}" for t in given.tags), color="Accent"))
    body += _badge_blocks(given.badges)
    return card(body, mentions=list(zip(given.recipient_ids, given.recipients, strict=True)))


def receipt_text(given: KudosGiven) -> str:
    if given.duplicate:
        return "👍 That one was already counted; I didn't give it twice."
    text = f"You have {points(given.allowance_left)} left to give."
    return f"{text} {given.nudge}" if given.nudge else text


def balance_card(result: BalanceShown) -> Card:
    return card(
        [
            heading("Your kudos"),
            {
                "type": "FactSet",
                "facts": [
                    {"title": "Left to give", "value": points(result.allowance_left)},
                    {"title": "Renews", "value": f"{result.renews_at:%a %b %-d}"},
                    {"title": "Earned", "value": points(result.earned)},
                    {
                        "title": "Badges",
                        "value": ", ".join(label(b) for b in result.badges) or "none yet",
                    },
                ],
            },
        ]
    )


def leaderboard_card(result: LeaderboardShown) -> Card:
    tag = f" #{result.tag}" if result.tag else ""
    title = f"🏆 Top{tag} {_PERIOD_TITLE[result.period]}"
    if not result.rows:
        return card(
            [
                plain(
                    f"No kudos{tag} {_PERIOD_TITLE[result.period]} yet. "
                    "Be the first to thank someone!"
                )
            ]
        )
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    facts = [
        {
            "title": f"{medals.get(r.rank, f'{r.rank}.')} {safe(r.display_name, 100)}",
            "value": points(r.points),
        }
        for r in result.rows
    ]
    return card([heading(title), {"type": "FactSet", "facts": facts}])


def history_card(result: HistoryShown) -> Card:
    if not result.items:
        return card([plain("No kudos yet: give some with `kudos @name 5 for ...`.")])
    lines = history_lines(result)
    return card([heading("Your recent kudos"), plain("\n".join(lines))])


def help_card(result: HelpShown, settings: WorkspaceSettings | None = None) -> Card:
    return card(
        [heading("How to use Kudos"), plain(result.text.replace("@ana", "@Kudos kudos @ana", 1))],
        actions=[
            {"type": "Action.Submit", "title": "Give kudos", "data": {"action": "open_give_card"}}
        ],
    )


def learning_card(result: LearningShared) -> Card:
    return card(
        [
            heading(f"📚 {safe(result.author, 100)} learned"),
            plain(result.text + hashtags(result.tags, "  ")),
            *_badge_blocks(result.badges),
        ]
    )


def give_card(settings: WorkspaceSettings) -> Card:
    """The "Give kudos" form: a people picker, amount, reason and value; its submit gives."""
    return card(
        [
            heading("Give kudos"),
            {
                "type": "Input.ChoiceSet",
                "id": "recipients",
                "label": "Who?",
                "isMultiSelect": True,
                "isRequired": True,
                "errorMessage": "Pick at least one person.",
                "choices": [],
                "choices.data": {"type": "Data.Query", "dataset": "graph.microsoft.com/users"},
            },
            {
                "type": "Input.Number",
                "id": "amount",
                "label": "Points each",
                "value": settings.default_amount,
                "min": settings.min_amount,
                "max": settings.max_amount,
            },
            {
                "type": "Input.Text",
                "id": "reason",
                "label": "What for?",
                "isMultiline": True,
                "maxLength": settings.max_reason_length,
                "isRequired": settings.reason_required,
            },
            {
                "type": "Input.ChoiceSet",
                "id": "value",
                "label": "Which value?",
                "isRequired": settings.value_required,
                "choices": [{"title": f"#{v}", "value": v} for v in settings.values[:100]],
            },
        ],
        actions=[
            {
                "type": "Action.Submit",
                "title": "Give",
                # one id per card: a double click or a re-sent submit counts once
                "data": {"action": GIVE_ACTION, "card_id": uuid.uuid4().hex},
            }
        ],
    )


def scheduled_card(post: ScheduledPost) -> Card:
    """A scheduled leaderboard or learning shoutouts, as a card."""
    if isinstance(post, LeaderboardPost):
        if post.empty:
            return card(
                [
                    heading(f"🏆 {post.title}"),
                    plain(
                        f"A quiet {post.period} for kudos. Who helped you learn something? "
                        "A few words of thanks go a long way."
                    ),
                ]
            )
        medals = {1: "🥇", 2: "🥈", 3: "🥉"}
        facts = [
            {
                "title": f"{medals.get(r.rank, f'{r.rank}.')} {safe(r.display_name, 100)}",
                "value": points(r.points)
                + ("  🆕" if r.previous_rank is None else f"  (was {r.previous_rank})"),
            }
            for r in post.receivers
        ]
        body = [heading(f"🏆 {post.title}"), {"type": "FactSet", "facts": facts}]
        if post.givers:
            body.append(
                plain(
                    "Most generous: "
                    + ", ".join(f"{g.display_name} ({g.points})" for g in post.givers)
                )
            )
        if post.value_leaders:
            body.append(
                plain(
                    "By value: "
                    + ", ".join(f"#{v} {row.display_name}" for v, row in post.value_leaders)
                )
            )
        if post.newcomers:
            body.append(
                plain("Recognised for the first time: " + joined(list(post.newcomers)) + " 🎉")
            )
        return card(body)
    if post.empty:
        return card(
            [
                heading(f"📚 {post.title}"),
                plain("No learnings shared this week. What did you learn? Share it with til."),
            ]
        )
    body = [heading(f"📚 {post.title}")]
    if post.learnings:
        body.append(
            plain("\n".join(f"• {w}: {t}" + hashtags(g, "  ") for w, t, g in post.learnings))
        )
    if post.kudos:
        body.append(
            plain(
                "\n".join(
                    f"• {k.giver} → {joined(list(k.recipients))}"
                    + (f": {k.reason}" if k.reason else "")
                    for k in post.kudos[:30]
                )
            )
        )
    if post.helpers:
        body.append(
            plain(
                "Helped the most people learn: "
                + ", ".join(f"{name} ({n})" for _, name, n in post.helpers)
            )
        )
    return card(body)


def render(result: Result) -> Card | str:
    """The reply to a command: a card, or one line of text."""
    match result:
        case KudosGiven():
            return kudos_card(result)
        case BalanceShown():
            return balance_card(result)
        case LeaderboardShown():
            return leaderboard_card(result)
        case HistoryShown():
            return history_card(result)
        case KudosUndone():
            return (
                f"↩ Undone: {points(result.amount_each)} each to "
                f"{joined(list(result.recipients))}. "
                f"You have {points(result.allowance_left)} left to give."
            )
        case KudosRevised():
            return "Updated."
        case LearningShared():
            return learning_card(result)
        case HelpShown():
            return help_card(result)
        case BadgesShown():
            return badges_card(result)
        case SchedulesShown():
            return card([heading("Scheduled posts"), plain(schedules_text(result))])
        case ScheduleChanged():
            return f"🗓 {result.text}"
        case ShopShown():
            return shop_card(result)
        case Redeemed():
            return redeemed_text(result)
        case RedemptionDecided():
            return decided_text(result)
        case RedemptionsShown():
            return card([heading("Redemptions"), plain(redemptions_text(result))])
        case CatalogShown():
            return card([heading("Catalog"), plain(catalog_text(result))])
        case SettingsShown():
            return card([heading("Settings"), plain(settings_text(result))])
        case AdminsShown():
            return admins_text(result)
        case AdminDone():
            return f"✔ {result.text}"
    raise AssertionError(f"unrendered result {result!r}")


def _shop_item(item: RewardItem, card_id: str, affordable: bool) -> dict[str, Any]:
    container: dict[str, Any] = {
        "type": "Container",
        "separator": True,
        "items": [plain(item_line(item), weight="Bolder")]
        + ([plain(item.description)] if item.description else []),
    }
    if affordable:
        container["items"].append(
            {
                "type": "ActionSet",
                "actions": [
                    {
                        "type": "Action.Submit",
                        "title": f"Redeem for {points(item.cost)}",
                        "data": {"action": REDEEM_ACTION, "item": item.id, "card_id": card_id},
                    }
                ],
            }
        )
    return container


def shop_pages(items: Sequence[RewardItem]) -> list[Sequence[RewardItem]]:
    """The items in pages that each fit one card: at most SHOP_PAGE_MAX rewards and
    SHOP_ITEMS_BUDGET bytes, counted as if every item had its Redeem button (so
    the pages do not shift with the reader's points). Always at least one item per page.
    SHOP_ITEMS_BUDGET is measured with `message_bytes`."""
    pages: list[Sequence[RewardItem]] = []
    current: list[RewardItem] = []
    used = 0
    for item in items:
        size = message_bytes(_shop_item(item, "0" * 32, affordable=True))
        if current and (used + size > SHOP_ITEMS_BUDGET or len(current) == SHOP_PAGE_MAX):
            pages.append(current)
            current, used = [], 0
        current.append(item)
        used += size
    return [*pages, current] if current else pages or [()]


def shop_card(result: ShopShown) -> Card:
    """One page of the rewards, each affordable one with a Redeem button, and buttons to the
    pages before and after. The card's id makes a double click (or a re-sent submit) redeem
    once."""
    if not result.items:
        return card(
            [
                plain(
                    "The shop is empty for now. Admins add rewards with "
                    "`admin catalog add Book voucher cost=200`."
                )
            ]
        )
    items, page, pages = paged(shop_pages(result.items), result.page)
    card_id = uuid.uuid4().hex
    title = f"🎁 Rewards · you have {points(result.earned)} to spend"
    if pages > 1:
        title += f" · page {page} of {pages}"
    body: list[dict[str, Any]] = [heading(title)]
    for item in items:
        affordable = item.cost <= result.earned and item.stock != 0
        body.append(_shop_item(item, card_id, affordable))
    actions = [
        {"type": "Action.Submit", "title": text, "data": {"action": SHOP_ACTION, "page": to}}
        for text, to, shown in (
            ("◀ Previous", page - 1, page > 1),
            ("More rewards ▶", page + 1, more_pages(page, pages) is not None),
        )
        if shown
    ]
    return card(body, actions=actions or None)


def approval_card(redeemed: Redeemed) -> Card:
    """Sent to admins: approve, or reject with a reason the member reads."""
    r = redeemed.redemption
    return card(
        [
            plain(request_text(redeemed)),
            {
                "type": "Input.Text",
                "id": "reason",
                "label": "Reason (required to reject; they will read it)",
                "isMultiline": True,
                "maxLength": 500,
            },
        ],
        actions=[
            {
                "type": "Action.Submit",
                "title": "Approve",
                "style": "positive",
                "data": {"action": DECIDE_ACTION, "redemption": r.id, "approve": True},
            },
            {
                "type": "Action.Submit",
                "title": "Reject",
                "style": "destructive",
                "data": {"action": DECIDE_ACTION, "redemption": r.id, "approve": False},
            },
        ],
    )


def decided_card(result: RedemptionDecided) -> Card:
    """The approval request once decided: the buttons give way to the outcome."""
    r = result.redemption
    mark = "✅" if r.status == FULFILLED else "↩"
    return card([plain(f"{mark} {redemption_line(r, who=True)}")])
