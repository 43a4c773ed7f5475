"""Repositories: the services' ports implemented with SQLAlchemy Core on one connection.

Every statement filters by workspace; none crosses workspaces.
"""

from bot.store.repositories.badges import SqlBadgeRepository
from bot.store.repositories.conversations import SqlConversationRepository
from bot.store.repositories.kudos import SqlKudosRepository
from bot.store.repositories.learnings import SqlLearningRepository
from bot.store.repositories.ledger import SqlLedgerRepository
from bot.store.repositories.members import SqlMemberRepository
from bot.store.repositories.queries import SqlReadQueries
from bot.store.repositories.schedules import SqlScheduleRepository
from bot.store.repositories.workspaces import SqlWorkspaceRepository

__all__ = [
    "SqlBadgeRepository",
    "SqlConversationRepository",
    "SqlKudosRepository",
    "SqlLearningRepository",
    "SqlLedgerRepository",
    "SqlMemberRepository",
    "SqlReadQueries",
    "SqlScheduleRepository",
    "SqlWorkspaceRepository",
]
