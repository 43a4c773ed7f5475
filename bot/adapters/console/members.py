"""Who a console name is: the platform `console` names people by what they type."""

from __future__ import annotations

import unicodedata

from bot.domain.errors import NameRequired
from bot.domain.model import MemberRef

PLATFORM = "console"


def name_key(name: str) -> str:
    """Who a console name is: `Zoë`, `zoë` and `ZOË` are one person."""
    return unicodedata.normalize("NFC", name).casefold()


def member_ref(name: str) -> MemberRef:
    """The speaker (`--as`): identified by the case-folded name, shown as they typed it.
    An empty name is refused."""
    name = name.strip().lstrip("@").strip()
    if not name:
        raise NameRequired()
    return MemberRef(external_id=name_key(name), display_name=name)
