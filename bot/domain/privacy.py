"""Privacy: leaving the public boards, and forgetting a person.

A member who leaves the public boards (`privacy leaderboard off`) keeps giving and receiving;
nothing the bot posts for everyone names them. Forgetting (`kudos people forget`) erases what
identifies a person while the ledger keeps every entry: their accounts stay, under a
pseudonym, so balances and `kudos ledger verify` do not change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

FORGOTTEN_PREFIX = "forgotten:"
"""The `external_id` a forgotten member's row carries instead of the platform's id."""
PSEUDONYM = "former member {}"


@dataclass(frozen=True)
class Erasure:
    """What forgetting writes in place of a person: a pseudonym for their name and for their
    platform id, and when. `external_id` and `names` are what it erases, wherever the bot
    copied them (the audit log, who added an admin, a stored conversation)."""

    pseudonym: str
    pseudonymous_id: str
    digest: str
    at: datetime
    external_id: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Erased:
    """How much forgetting erased, by kind (counts only: never what it was)."""

    reasons: int = 0
    learnings: int = 0
    admin_rows: int = 0
    sign_in_links: int = 0
    conversations: int = 0
    audit_entries: int = 0
    request_log: int = 0
    webhook_deliveries: int = 0


def pseudonym(token: str) -> tuple[str, str]:
    """(display name, external id) for a forgotten member, from a random hex `token`:
    `former member 7f3a`, `forgotten:7f3a…`."""
    return PSEUDONYM.format(token[:4]), FORGOTTEN_PREFIX + token


def is_pseudonymous(external_id: str) -> bool:
    """Whether an external id names a forgotten member rather than a platform's user."""
    return external_id.startswith(FORGOTTEN_PREFIX)


def forgotten_digest(platform: str, workspace: str, external_id: str) -> str:
    """What is kept of a forgotten person's platform id: enough to recognise a second request
    to forget the same id, not enough to read the id back or to find their pseudonym."""
    return hashlib.sha256(f"{platform}\0{workspace}\0{external_id}".encode()).hexdigest()
