"""The unit of work: one connection, one transaction; rolls back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from bot.services.ports import TransientConflict
from bot.store.database import Database, SqlConnection, is_retryable
from bot.store.repositories import (
    SqlAdminRepository,
    SqlApprovalMessageRepository,
    SqlAuditRepository,
    SqlBadgeRepository,
    SqlCatalogRepository,
    SqlConversationRepository,
    SqlExportQueries,
    SqlKudosRepository,
    SqlLearningRepository,
    SqlLedgerRepository,
    SqlMemberRepository,
    SqlReadQueries,
    SqlRedemptionRepository,
    SqlScheduleRepository,
    SqlWorkspaceRepository,
)


class SqlUnitOfWork:
    """Implements `bot.services.ports.UnitOfWork` on a `Database`."""

    workspaces: SqlWorkspaceRepository
    members: SqlMemberRepository
    ledger: SqlLedgerRepository
    kudos: SqlKudosRepository
    learnings: SqlLearningRepository
    queries: SqlReadQueries
    conversations: SqlConversationRepository
    schedules: SqlScheduleRepository
    badges: SqlBadgeRepository
    catalog: SqlCatalogRepository
    redemptions: SqlRedemptionRepository
    admins: SqlAdminRepository
    audit: SqlAuditRepository
    exports: SqlExportQueries
    approval_messages: SqlApprovalMessageRepository

    def __init__(self, database: Database, *, write: bool) -> None:
        self._database = database
        self._write = write
        self._conn: SqlConnection | None = None
        self._committed = False
        self._locked = False

    async def __aenter__(self) -> Self:
        lock = self._database.write_lock if self._write else None
        if lock is not None:
            await lock.acquire()
            self._locked = True
        try:
            self._conn = await self._database.connect(write=self._write)
            await self._conn.begin()
        except BaseException as exc:
            await self._release()
            if is_retryable(exc):  # e.g. SQLite still locked by another process at BEGIN
                raise TransientConflict(str(exc)) from exc
            raise
        conn = self._conn
        self.workspaces = SqlWorkspaceRepository(conn, self._database.workspace_cache)
        self.members = SqlMemberRepository(conn)
        self.ledger = SqlLedgerRepository(conn)
        self.kudos = SqlKudosRepository(conn)
        self.learnings = SqlLearningRepository(conn)
        self.queries = SqlReadQueries(conn)
        self.conversations = SqlConversationRepository(conn)
        self.schedules = SqlScheduleRepository(conn)
        self.badges = SqlBadgeRepository(conn)
        self.catalog = SqlCatalogRepository(conn)
        self.redemptions = SqlRedemptionRepository(conn)
        self.admins = SqlAdminRepository(conn)
        self.audit = SqlAuditRepository(conn)
        self.exports = SqlExportQueries(conn)
        self.approval_messages = SqlApprovalMessageRepository(conn)
        return self

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
        self._committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._release()
        if exc is not None and is_retryable(exc):
            raise TransientConflict(str(exc)) from exc

    async def _release(self) -> None:
        try:
            if self._conn is not None:
                if not self._committed and self._conn.in_transaction():
                    await self._conn.rollback()
                await self._conn.close()
        finally:
            self._conn = None
            if self._locked:
                self._locked = False
                lock = self._database.write_lock
                assert lock is not None
                lock.release()


class SqlUnitOfWorkFactory:
    """Makes units of work on one database; what `bootstrap` hands the services."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def __call__(self, *, write: bool) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database, write=write)
