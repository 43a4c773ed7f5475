"""Repositories: the services' ports implemented with SQLAlchemy Core on one connection.

Every statement filters by workspace; none crosses workspaces.
"""

from bot.store.repositories.admins import SqlAdminRepository, SqlAuditRepository
from bot.store.repositories.approvals import SqlApprovalMessageRepository
from bot.store.repositories.badges import SqlBadgeRepository
from bot.store.repositories.catalog import SqlCatalogRepository
from bot.store.repositories.conversations import SqlConversationRepository
from bot.store.repositories.exports import SqlExportQueries
from bot.store.repositories.kudos import SqlKudosRepository
from bot.store.repositories.learnings import SqlLearningRepository
from bot.store.repositories.ledger import SqlLedgerRepository
from bot.store.repositories.members import SqlMemberRepository
from bot.store.repositories.queries import SqlReadQueries
from bot.store.repositories.redemptions import SqlRedemptionRepository
from bot.store.repositories.schedules import SqlScheduleRepository
from bot.store.repositories.workspaces import SqlWorkspaceRepository

__all__ = [
    "SqlAdminRepository",
    "SqlApprovalMessageRepository",
    "SqlAuditRepository",
    "SqlBadgeRepository",
    "SqlCatalogRepository",
    "SqlConversationRepository",
    "SqlExportQueries",
    "SqlKudosRepository",
    "SqlLearningRepository",
    "SqlLedgerRepository",
    "SqlMemberRepository",
    "SqlReadQueries",
    "SqlRedemptionRepository",
    "SqlScheduleRepository",
    "SqlWorkspaceRepository",
]
