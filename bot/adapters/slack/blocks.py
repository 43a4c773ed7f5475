"""Block Kit: every reply of `bot.replies`, thinly rendered, and the two modals (give kudos,
reject a redemption). What people typed (reasons, learnings, names) goes out as `plain_text` or
escaped mrkdwn, never as markup; only ids we resolved become mentions. Within Slack's limits:
50 blocks, 3000 characters of text, 75 on a button."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from bot.adapters.slack.text import escape
from bot.domain.model import WorkspaceSettings
from bot.replies import model
from bot.replies.compose import APPROVE, REDEEM, REJECT, Surface, cap

Blocks = list[dict[str, Any]]
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,20}$")

GIVE_CALLBACK = "give_kudos_modal"
MESSAGE_SHORTCUT = "give_kudos_for_message"
GLOBAL_SHORTCUT = "give_kudos"
REDEEM_ACTION = REDEEM
APPROVE_ACTION = APPROVE
REJECT_ACTION = REJECT
REJECT_CALLBACK = "reject_redemption_modal"
SURFACE = Surface(command="/kudos ", til="/til", actions=frozenset({REDEEM, APPROVE, REJECT}))
MAX_BLOCKS = 50
SECTION_TEXT = 2900
"""Characters in one text object (Slack allows 3000; the rest is room for an ellipsis)."""


def mention(user_id: str, fallback: str) -> str:
    """`<@U…>` for a real user id, else the escaped name."""
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(fallback)


def plain(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": cap(text, limit), "emoji": True}


def _mrkdwn(spans: model.Spans, *, strong: bool = True) -> str:
    out = []
    for span in spans:
        if isinstance(span, str):
            out.append(escape(span))
        elif isinstance(span, model.Strong):
            out.append(f"*{escape(span.text)}*" if strong else escape(span.text))
        elif isinstance(span, model.Mention):
            out.append(mention(span.user_id, span.name))
        elif _CHANNEL_ID.match(span.channel_id):
            out.append(f"<#{span.channel_id}>")
        else:
            out.append(escape(span.label))
    return "".join(out)


def _text(spans: model.Spans) -> dict[str, Any]:
    """Plain text unless the spans need markup (a mention, bold words, a channel link)."""
    if all(isinstance(s, str) for s in spans):
        return plain(model.words(spans))
    return {"type": "mrkdwn", "text": cap(_mrkdwn(spans), SECTION_TEXT)}


def _section(spans: model.Spans) -> dict[str, Any]:
    return {"type": "section", "text": _text(spans)}


def _button(action: model.Action) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action.action_id,
        "text": plain(action.label, 75),
        "value": action.value[:150],
    }
    if action.style:
        button["style"] = action.style
    if action.confirm:
        c = action.confirm
        button["confirm"] = {
            "title": plain(c.title, 100),
            "text": plain(c.text, 300),
            "confirm": plain(c.yes, 30),
            "deny": plain(c.no, 30),
        }
    return button


def _entry(entry: model.Entry) -> dict[str, Any]:
    section = _section(entry.spans + ((f"\n{entry.detail}",) if entry.detail else ()))
    if entry.action:
        section["accessory"] = _button(entry.action)
    return section


def _lines(entries: Sequence[model.Entry]) -> Blocks:
    """A list as few sections as fit its lines."""
    sections: Blocks = []
    lines: list[model.Spans] = []
    size = 0
    for entry in entries:
        length = max(len(_mrkdwn(entry.spans)), len(model.words(entry.spans))) + 1
        if lines and size + length > SECTION_TEXT:
            sections.append(_section(_joined(lines)))
            lines, size = [], 0
        lines.append(entry.spans)
        size += length
    return sections + ([_section(_joined(lines))] if lines else [])


def _joined(lines: list[model.Spans]) -> model.Spans:
    return tuple(span for n, line in enumerate(lines) for span in ((("\n",) if n else ()) + line))


def _blocks(part: model.Part) -> Blocks:
    match part:
        case model.Heading(spans):
            return [
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": cap(f"*{_mrkdwn(spans, strong=False)}*", SECTION_TEXT),
                    },
                }
            ]
        case model.Text(spans):
            return [_section(spans)]
        case model.Facts(facts):
            return [{"type": "section", "text": plain("\n".join(f"{k}: {v}" for k, v in facts))}]
        case model.Items(entries) if any(e.detail or e.action for e in entries):
            return [_entry(e) for e in entries]
        case model.Items(entries):
            return _lines(entries)
        case model.Context(spans):
            return [{"type": "context", "elements": [_text(spans)]}]
        case model.Actions(actions):
            return [{"type": "actions", "elements": [_button(a) for a in actions[:25]]}]
        case model.Divider():
            return [{"type": "divider"}]
    raise AssertionError(f"no blocks for {part!r}")


def _all(reply: model.Reply, limit: int = MAX_BLOCKS) -> Blocks:
    """The reply's blocks, at most `limit` (50 in a message, 100 on the Home tab)."""
    found = [block for part in reply.parts for block in _blocks(part)]
    if len(found) > limit:
        found = [*found[: limit - 1], {"type": "context", "elements": [plain("…and more.")]}]
    return found


def render(reply: model.Reply) -> dict[str, Any]:
    """Arguments for chat.postMessage, chat.update or a `response_url`: the notification text,
    and blocks unless the reply is one line of text."""
    line = reply.one_line
    if line is not None:
        return {"text": cap(_mrkdwn(line.spans), 3000)}
    return {"text": cap(escape(reply.text), 3000), "blocks": _all(reply)}


def home_view(user_id: str, reply: model.Reply) -> dict[str, Any]:
    """The App Home tab."""
    return {"type": "home", "blocks": _all(reply, 100), "private_metadata": user_id}


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
