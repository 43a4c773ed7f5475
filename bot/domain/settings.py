"""Changing workspace settings from text (`allowance_amount=50`), with every value checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import InvalidSetting
from bot.domain.model import WorkspaceSettings

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_VALUE = re.compile(r"^[\w][\w-]{0,63}$")
_EMOJI = re.compile(r"^[a-z0-9_+'-]{1,100}$")
_CHANNEL_LINK = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[\w:@.-]{1,128}$")


def _parse(name: str, raw: str, current: Any) -> Any:
    raw = raw.strip()
    if name == "reaction_emoji":
        emoji = raw.strip(":").casefold()
        if not _EMOJI.match(emoji):
            raise InvalidSetting(
                f"reaction_emoji is an emoji name like clap or :tada:, not {raw!r}."
            )
        return emoji
    if name in {"learning_channel", "approvals_channel"}:
        link = _CHANNEL_LINK.match(raw)
        channel = link.group(1) if link else raw
        if channel.casefold() in {"", "none", "off", "-"}:
            return ""
        if not _CHANNEL_ID.match(channel):
            raise InvalidSetting(
                f"{name} is a channel (mention it, like #learning) or none, not {raw!r}."
            )
        return channel
    if isinstance(current, bool):
        if raw.casefold() in _TRUE | _FALSE:
            return raw.casefold() in _TRUE
        raise InvalidSetting(f"{name} is yes or no, not {raw!r}.")
    if isinstance(current, int):
        if not re.fullmatch(r"\d{1,9}", raw):
            raise InvalidSetting(f"{name} is a whole number, not {raw!r}.")
        return int(raw)
    if isinstance(current, tuple):
        values = tuple(dict.fromkeys(v.strip().lstrip("#").casefold() for v in raw.split(",")))
        values = tuple(v for v in values if v)
        bad = [v for v in values if not _VALUE.match(v)]
        if bad or not values:
            raise InvalidSetting(
                f"{name} is a comma-separated list of hashtag words, like learning,mentoring."
            )
        return values
    return raw


def change_settings(settings: WorkspaceSettings, changes: Mapping[str, str]) -> WorkspaceSettings:
    """Apply textual changes and refuse any value that would break the rules."""
    known = {f.name: f for f in fields(WorkspaceSettings)}
    parsed: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in known:
            raise InvalidSetting(f"There is no setting called {name!r}. Known: {', '.join(known)}.")
        parsed[name] = _parse(name, raw, getattr(settings, name))
    new = replace(settings, **parsed)
    _check(new)
    return new


def _check(s: WorkspaceSettings) -> None:
    if s.allowance_period not in ("week", "month"):
        raise InvalidSetting("allowance_period is week or month.")
    if s.min_amount < 1:
        raise InvalidSetting("min_amount is at least 1: kudos always give something.")
    if s.max_amount < s.min_amount:
        raise InvalidSetting("max_amount can't be below min_amount.")
    if not s.min_amount <= s.default_amount <= s.max_amount:
        raise InvalidSetting("default_amount must lie between min_amount and max_amount.")
    if s.max_recipients < 1:
        raise InvalidSetting("max_recipients is at least 1.")
    if not 1 <= s.max_reason_length <= 3000:
        raise InvalidSetting("max_reason_length is between 1 and 3000.")
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSetting(
            f"{s.timezone!r} isn't a time zone I know; use a name like Europe/Berlin."
        ) from None
