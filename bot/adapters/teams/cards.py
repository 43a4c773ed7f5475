"""Adaptive Cards (schema 1.5): every reply of `bot.replies`, thinly rendered, and the Teams
forms (the "Give kudos" card, the reason an admin types to reject). What people typed goes into
`TextRun`s, which Teams shows as plain text (no markdown, no links); only ids we resolved become
mentions. A shop card holds as many rewards as fit well inside Teams' 40 KB."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity

from bot.adapters.teams.text import safe
from bot.domain.model import WorkspaceSettings
from bot.domain.rewards import RewardItem
from bot.replies import model
from bot.replies.compose import APPROVE, GIVE_FORM, REDEEM, REJECT, SHOP_PAGE, Surface, reward

Card = dict[str, Any]
Element = dict[str, Any]
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
CARD_BUDGET = 26 * 1024
"""Bytes (by `message_bytes`) a card may take; what of its body does not fit is left out, and
it says so."""
TEXT = 2000
"""Characters in one text run or block."""


def message_bytes(payload: Any) -> int:
    """The larger of a payload's two sizes: as Teams counts it (UTF-16) and as the connector
    client sends it (JSON with non-ASCII escaped, so an emoji takes 12 bytes)."""
    return max(
        len(json.dumps(payload)), len(json.dumps(payload, ensure_ascii=False).encode("utf-16-le"))
    )


def _card(
    body: list[Element],
    *,
    mentions: Sequence[model.Mention] = (),
    actions: list[Element] | None = None,
) -> Card:
    out: Card = {"$schema": SCHEMA, "type": "AdaptiveCard", "version": VERSION, "body": body}
    if actions:
        out["actions"] = actions
    if mentions:
        out["msteams"] = {
            "entities": [
                {
                    "type": "mention",
                    "text": f"<at>{safe(m.name, 100)}</at>",
                    "mentioned": {"id": m.user_id, "name": safe(m.name, 100)},
                }
                for m in {m.user_id: m for m in mentions}.values()
            ]
        }
    return out


def _alerts(spans: model.Spans) -> list[model.Mention]:
    return [s for s in spans if isinstance(s, model.Mention) and s.alert]


def _block(spans: model.Spans, **style: Any) -> Element:
    """Spans that mention someone: a TextBlock (the only place Teams makes a mention), with
    `<at>name</at>` where each mention goes."""
    text = "".join(
        f"<at>{safe(s.name, 100)}</at>"
        if isinstance(s, model.Mention) and s.alert
        else safe(model.words((s,)), TEXT)
        for s in spans
    )
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _rich(spans: model.Spans, **style: Any) -> Element:
    """Spans as plain text runs (bold where they are strong)."""
    runs = [
        {"type": "TextRun", "text": safe(model.words((s,)), TEXT), **style}
        | ({"weight": "Bolder"} if isinstance(s, model.Strong) else {})
        for s in spans
    ]
    return {"type": "RichTextBlock", "inlines": runs}


def _submit(action: model.Action, card_id: str) -> Element:
    data: dict[str, Any] = {"action": action.action_id}
    if action.action_id in (APPROVE, REJECT):
        data = {
            "action": DECIDE_ACTION,
            "redemption": int(action.value),
            "approve": action.action_id == APPROVE,
        }
    elif action.action_id == REDEEM:
        data = {"action": REDEEM_ACTION, "item": int(action.value), "card_id": card_id}
    elif action.action_id == SHOP_PAGE:
        data = {"action": SHOP_ACTION, "page": int(action.value)}
    style = {"primary": "positive", "danger": "destructive"}.get(action.style or "")
    return {"type": "Action.Submit", "title": action.label, "data": data} | (
        {"style": style} if style else {}
    )


def _entry(entry: model.Entry, card_id: str) -> Element:
    items = [_rich(entry.spans, weight="Bolder")]
    if entry.detail:
        items.append(_rich((entry.detail,)))
    if entry.action:
        items.append({"type": "ActionSet", "actions": [_submit(entry.action, card_id)]})
    return {"type": "Container", "separator": True, "items": items}


def _elements(part: model.Part, card_id: str) -> list[Element]:
    match part:
        case model.Heading(spans):
            return [_block(spans, weight="Bolder", size="Medium")]
        case model.Text(spans) if _alerts(spans):
            return [_block(spans)]
        case model.Text(spans):
            return [_rich(spans)]
        case model.Facts(facts):
            rows = [{"title": safe(k, 200), "value": safe(v, TEXT)} for k, v in facts]
            return [{"type": "FactSet", "facts": rows}]
        case model.Items(entries) if any(e.detail or e.action for e in entries):
            return [_entry(e, card_id) for e in entries]
        case model.Items(entries):
            return [_rich(e.spans) | {"spacing": "None"} for e in entries]
        case model.Context(spans):
            return [_rich(spans, isSubtle=True, size="Small")]
        case model.Actions(actions):
            return [{"type": "ActionSet", "actions": [_submit(a, card_id) for a in actions]}]
    return []  # a model.Divider: the next element is separated


def card(reply: model.Reply) -> Card:
    """The reply as a card. Trailing buttons are the card's actions; a Reject button brings the
    field for the reason the member reads."""
    card_id = uuid.uuid4().hex  # a double click (or a re-sent submit) counts once
    parts = list(reply.parts)
    last = parts[-1] if parts else None
    trailing = last.actions if isinstance(last, model.Actions) else ()
    if trailing:
        parts.pop()
    body: list[Element] = []
    separate = False
    for part in parts:
        elements = _elements(part, card_id)
        if separate and elements:
            elements[0] = {**elements[0], "separator": True}
        separate = isinstance(part, model.Divider)
        body += elements
    mentions = [
        m for p in parts if isinstance(p, model.Heading | model.Text) for m in _alerts(p.spans)
    ]
    actions = [_submit(a, card_id) for a in trailing]
    room = CARD_BUDGET - message_bytes(_card([], mentions=mentions, actions=actions))
    body = _fitted(body, room)
    if any(a.action_id == REJECT for a in trailing):
        body.append(REJECT_REASON)
    return _card(body, mentions=mentions, actions=actions)


def _fitted(body: list[Element], room: int) -> list[Element]:
    """The body, cut where it would take more than `room` bytes."""
    kept: list[Element] = []
    used = 0
    for element in body:
        used += message_bytes(element)
        if used > room:
            return [*kept, _rich(("…and more than fits in one message.",), isSubtle=True)]
        kept.append(element)
    return kept


def message(reply: model.Reply) -> Activity:
    """A reply in the conversation: one line of text as a text message, anything more as a
    card."""
    line = reply.one_line
    if line is not None and not _alerts(line.spans):
        return MessageFactory.text(model.words(line.spans))
    return MessageFactory.attachment(CardFactory.adaptive_card(card(reply)))


REJECT_REASON: Element = {
    "type": "Input.Text",
    "id": "reason",
    "label": "Reason (required to reject; they will read it)",
    "isMultiline": True,
    "maxLength": 500,
}


def shop_pages(items: Sequence[RewardItem]) -> list[Sequence[RewardItem]]:
    """The items in pages that each fit one card: at most SHOP_PAGE_MAX rewards and
    SHOP_ITEMS_BUDGET bytes, counted as if every item had its Redeem button (so the pages do
    not shift with the reader's points). Always at least one item per page."""
    pages: list[Sequence[RewardItem]] = []
    current: list[RewardItem] = []
    used = 0
    for item in items:
        size = message_bytes(_entry(reward(item, True, True), "0" * 32))
        if current and (used + size > SHOP_ITEMS_BUDGET or len(current) == SHOP_PAGE_MAX):
            pages.append(current)
            current, used = [], 0
        current.append(item)
        used += size
    return [*pages, current] if current else pages or [()]


SURFACE = Surface(
    actions=frozenset({REDEEM, APPROVE, REJECT, SHOP_PAGE, GIVE_FORM}),
    note="In a channel, mention me first: @Kudos @ana 5 for the review.",
    shop_pages=shop_pages,
)


def give_card(settings: WorkspaceSettings) -> Card:
    """The "Give kudos" form: a people picker, amount, reason and value; its submit gives."""
    return _card(
        [
            {"type": "TextBlock", "text": "Give kudos", "weight": "Bolder", "wrap": True},
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
