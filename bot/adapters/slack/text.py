"""Slack's text markup, in and out.

In: Slack sends `<@U1>`, `<#C1|general>`, `<!here>`, `<!subteam^S1|@eng>`, `<https://x|label>`
and escapes a typed `<`, `>` and `&`. What we store and echo is plain text.
Out: anything a person typed is echoed as Block Kit `plain_text` (no mentions, no formatting,
no links) or, in mrkdwn, escaped; and capped in length.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

SUBTEAM = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|[^<>]*)?>")
_MARKUP = re.compile(r"<([^<>]*)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def escape(text: str) -> str:
    """Make text safe inside mrkdwn: `<!channel>` or `<@U1>` can no longer ping anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unescape(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def to_plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack markup as a person reads it: `<@U1>` becomes `@Ana` (or `@someone`), channel and
    group references their names, links their labels; entities unescaped."""
    names = names or {}

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or names.get(target[1:], "someone"))
        if target.startswith("#"):
            return "#" + (label or "channel")
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date"):
            return label
        if target.startswith("!"):
            return "@" + target[1:]
        return f"{label} ({target})" if label and label != target else target

    return _unescape(_MARKUP.sub(replace, text))
