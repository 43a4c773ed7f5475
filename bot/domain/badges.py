"""Badges: learning milestones, each awarded once per person, automatically."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BadgeKind:
    id: str
    emoji: str
    name: str
    why: str


BADGES: dict[str, BadgeKind] = {
    b.id: b
    for b in (
        BadgeKind("first-kudos", "🌱", "First kudos", "gave their first kudos"),
        BadgeKind("first-learning", "💡", "First learning", "shared their first learning"),
        BadgeKind("mentor", "🧭", "Mentor", "received mentoring kudos from 3 different people"),
        BadgeKind("connector", "🔗", "Connector", "gave kudos in 5 different channels"),
        BadgeKind("curious-mind", "🔭", "Curious mind", "shared 5 learnings"),
    )
}
MENTOR_PEOPLE = 3
CONNECTOR_CHANNELS = 5
CURIOUS_LEARNINGS = 5


def label(badge_id: str) -> str:
    """`🧭 Mentor`."""
    kind = BADGES[badge_id]
    return f"{kind.emoji} {kind.name}"
