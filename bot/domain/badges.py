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


@dataclass(frozen=True)
class BadgeStats:
    """What the milestones are measured on, for one member."""

    kudos_given: int = 0
    learnings_shared: int = 0
    mentoring_givers: int = 0
    channels_given_in: int = 0


def earned(stats: BadgeStats) -> set[str]:
    """Every badge these numbers have earned (awarding is idempotent: each once)."""
    out = set()
    if stats.kudos_given >= 1:
        out.add("first-kudos")
    if stats.learnings_shared >= 1:
        out.add("first-learning")
    if stats.mentoring_givers >= MENTOR_PEOPLE:
        out.add("mentor")
    if stats.channels_given_in >= CONNECTOR_CHANNELS:
        out.add("connector")
    if stats.learnings_shared >= CURIOUS_LEARNINGS:
        out.add("curious-mind")
    return out


def label(badge_id: str) -> str:
    """`🧭 Mentor`."""
    kind = BADGES[badge_id]
    return f"{kind.emoji} {kind.name}"
