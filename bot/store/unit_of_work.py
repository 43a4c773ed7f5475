"""The unit of work: one connection, one transaction; rolls back unless committed.

`SqlUnitOfWorkFactory.shared()` joins several units into one transaction, each unit a savepoint
in it, committed once at the end: the worker runs a chat request's whole effect, the replies it
decided and the end of its inbox row as one commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from bot.domain.model import WorkspaceRef
from bot.services.context import JoinedTransaction
from bot.services.delivery import WEBHOOK_NAMES, WEBHOOK_PLATFORM, Event, Outgoing, tells_chat
from bot.services.ports import SharedConflict, TransientConflict
from bot.services.webhooks import webhook_body
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
from bot.store.repositories.access import SqlApiTokenRepository, SqlWebhookRepository
from bot.store.repositories.browse import SqlBrowseQueries
from bot.store.repositories.privacy import SqlPrivacyRepository
from bot.store.repositories.queues import SqlInboxRepository, SqlOutboxRepository
from bot.store.repositories.signin import SqlSignInLinkRepository

SILENT_PLATFORMS = frozenset({"console"})
"""Platforms with no one to tell: the person reads the reply themselves."""


class _Repositories:
    workspaces: SqlWorkspaceRepository
    members: SqlMemberRepository
    ledger: SqlLedgerRepository
    kudos: SqlKudosRepository
    learnings: SqlLearningRepository
    queries: SqlReadQueries
    conversations: SqlConversationRepository
    schedules: SqlScheduleRepository
    badges: SqlBadgeRepository
    privacy: SqlPrivacyRepository
    catalog: SqlCatalogRepository
    redemptions: SqlRedemptionRepository
    admins: SqlAdminRepository
    audit: SqlAuditRepository
    exports: SqlExportQueries
    inbox: SqlInboxRepository
    outbox: SqlOutboxRepository
    approval_messages: SqlApprovalMessageRepository
    sign_in_links: SqlSignInLinkRepository
    browse: SqlBrowseQueries
    api_tokens: SqlApiTokenRepository
    webhooks: SqlWebhookRepository

    def _bind(self, conn: SqlConnection, database: Database) -> None:
        self.workspaces = SqlWorkspaceRepository(conn, database.workspace_cache)
        self.members = SqlMemberRepository(conn)
        self.ledger = SqlLedgerRepository(conn)
        self.kudos = SqlKudosRepository(conn)
        self.learnings = SqlLearningRepository(conn)
        self.queries = SqlReadQueries(conn)
        self.conversations = SqlConversationRepository(conn)
        self.schedules = SqlScheduleRepository(conn)
        self.badges = SqlBadgeRepository(conn)
        self.privacy = SqlPrivacyRepository(conn)
        self.catalog = SqlCatalogRepository(conn)
        self.redemptions = SqlRedemptionRepository(conn)
        self.admins = SqlAdminRepository(conn)
        self.audit = SqlAuditRepository(conn)
        self.exports = SqlExportQueries(conn)
        self.inbox = SqlInboxRepository(conn)
        self.outbox = SqlOutboxRepository(conn)
        self.approval_messages = SqlApprovalMessageRepository(conn)
        self.sign_in_links = SqlSignInLinkRepository(conn)
        self.browse = SqlBrowseQueries(conn)
        self.api_tokens = SqlApiTokenRepository(conn)
        self.webhooks = SqlWebhookRepository(conn, database.webhook_cache)

    def _share(self, other: _Repositories) -> None:
        for name in _REPOSITORIES:
            setattr(self, name, getattr(other, name))


_REPOSITORIES = tuple(_Repositories.__annotations__)
Published = list[tuple[WorkspaceRef, Event]]


class SqlUnitOfWork(_Repositories):
    """Implements `bot.services.ports.UnitOfWork` on a `Database`."""

    def __init__(
        self,
        database: Database,
        *,
        write: bool,
        silent: Collection[str] = SILENT_PLATFORMS,
    ) -> None:
        self._database = database
        self._write = write
        self._silent = silent
        self._conn: SqlConnection | None = None
        self._committed = False
        self._locked = False
        self.published: Published = []

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
        self._bind(self._conn, self._database)
        return self

    @property
    def connection(self) -> SqlConnection:
        assert self._conn is not None, "the unit of work is not open"
        return self._conn

    def publish(self, workspace: WorkspaceRef, event: Event) -> None:
        self.published.append((workspace, event))

    async def commit(self) -> None:
        assert self._conn is not None
        if self.published:
            published, self.published = self.published, []
            now = datetime.now(UTC)
            rows = [
                Outgoing.event(workspace, event)
                for workspace, event in published
                if workspace.platform not in self._silent and tells_chat(event)
            ]
            rows += await self._webhook_deliveries(published, now)
            await self.outbox.add(rows, now)
        await self._conn.commit()
        self._committed = True
        self.workspaces.committed()
        self.webhooks.committed()

    async def _webhook_deliveries(
        self, published: Sequence[tuple[WorkspaceRef, Event]], now: datetime
    ) -> list[Outgoing]:
        """One delivery per event and webhook that takes it, recorded in this transaction, so
        each is made exactly once and is as durable as the change that caused it. A workspace
        without webhooks costs a cache lookup."""
        rows: list[Outgoing] = []
        for ref, event in published:
            name = WEBHOOK_NAMES.get(type(event))
            workspace = await self.workspaces.get(ref) if name else None
            if name is None or workspace is None:
                continue
            if name not in await self.webhooks.subscribed_events(workspace):
                continue
            deliveries = []
            for webhook_id in await self.webhooks.subscribers(workspace, name):
                delivery_id = str(uuid.uuid4())
                body = webhook_body(delivery_id, name, ref, event, now)
                deliveries.append(
                    {
                        "webhook_id": webhook_id,
                        "delivery_id": delivery_id,
                        "event": name,
                        "body": body,
                        "created_at": now,
                    }
                )
                rows.append(
                    Outgoing(
                        platform=WEBHOOK_PLATFORM,
                        workspace=ref.external_id,
                        method=name,
                        payload={"delivery": delivery_id},
                    )
                )
            if deliveries:
                await self.webhooks.add_deliveries(workspace, deliveries)
        return rows

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


class _SavepointUnit(_Repositories):
    """A unit of work inside a shared transaction: a savepoint, released by `commit()`, rolled
    back to if the block is left without it. Its events join the shared transaction's."""

    def __init__(self, outer: SqlUnitOfWork) -> None:
        self._outer = outer
        self._savepoint: Any = None
        self._committed = False
        self.published: Published = []

    async def __aenter__(self) -> Self:
        self._savepoint = await self._outer.connection.begin_nested()
        self._share(self._outer)
        return self

    def publish(self, workspace: WorkspaceRef, event: Event) -> None:
        self.published.append((workspace, event))

    async def commit(self) -> None:
        await self._savepoint.commit()
        self._outer.published.extend(self.published)
        self._committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            try:
                await self._savepoint.rollback()
            except Exception as failed:  # the connection itself is gone: the whole must go
                raise SharedConflict(str(failed)) from exc
        if exc is not None and is_retryable(exc):
            raise SharedConflict(str(exc)) from exc


class SqlUnitOfWorkFactory:
    """Makes units of work on one database; what `bootstrap` hands the services."""

    def __init__(self, database: Database, silent: Collection[str] = SILENT_PLATFORMS) -> None:
        self.database = database
        self.silent = silent

    def __call__(self, *, write: bool) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database, write=write, silent=self.silent)

    def shared(self) -> JoinedTransaction[SqlUnitOfWork]:
        """One transaction that units join as savepoints (see `run_as_one`)."""
        return JoinedTransaction(self, _SavepointUnit)
