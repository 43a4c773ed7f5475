"""What the services need from the outside world, as Protocols the store and adapters implement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from bot.domain.access import ApiToken, OutgoingDelivery, Webhook, WebhookDelivery
from bot.domain.browse import KudosFilter, KudosRecord, LearningRecord, Position
from bot.domain.model import (
    AccountKind,
    AuditEntry,
    Drift,
    HistoryItem,
    Kudos,
    LeaderboardRow,
    Member,
    MemberRef,
    TotalsDelta,
    Transfer,
    Workspace,
    WorkspaceRef,
    WorkspaceSettings,
)
from bot.domain.privacy import Erased, Erasure
from bot.domain.rewards import Redemption, RewardItem
from bot.domain.schedule import Schedule, ScheduleRun
from bot.services.delivery import Event, InboxItem, Incoming, OutboxItem, Outgoing
from bot.services.results import ScheduledPost


class InsufficientFunds(Exception):
    """A conditional debit found less than it needed; the unit of work must roll back."""

    def __init__(self, account_id: int) -> None:
        super().__init__(f"account {account_id} has too little to debit")
        self.account_id = account_id


class DuplicateDelivery(Exception):
    """The idempotency key was seen before: this delivery already counted."""


class TransientConflict(Exception):
    """The database aborted the transaction (deadlock, serialization); running it again is safe."""


class Unavailable(Exception):
    """The database cannot take a request right now (every connection busy past the wait, or
    not answering). Nothing was recorded: the caller answers 503 with Retry-After, so the
    platform sends the request again instead of being told "OK"."""


class SharedConflict(Exception):
    """A transient conflict inside a shared transaction: only the whole transaction can be run
    again, so the unit that hit it does not retry on its own (see `run_as_one`)."""


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class Notifier(Protocol):
    """Posts what the scheduler composed (a leaderboard, the learning shoutouts) in a channel,
    now, and raises if it could not (the scheduler retries). Everything else the bot says
    leaves through the outbox (see `UnitOfWork.publish`)."""

    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None: ...


class SilentNotifier:
    """Posts nowhere: the console, where the person reads the reply themselves."""

    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None:
        return None


class PlatformNotifier:
    """Hands each scheduled post to the notifier of the workspace's platform (Slack, Teams)."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Notifier] = {}

    def register(self, platform: str, notifier: Notifier) -> None:
        self._by_platform[platform] = notifier

    async def scheduled_post(
        self, workspace: WorkspaceRef, channel: str, post: ScheduledPost
    ) -> None:
        notifier = self._by_platform.get(workspace.platform)
        if notifier is None:
            raise LookupError(f"no way to post to {workspace.platform} is configured")
        await notifier.scheduled_post(workspace, channel, post)


class WorkspaceRepository(Protocol):
    async def get(self, ref: WorkspaceRef) -> Workspace | None: ...
    async def ensure(self, ref: WorkspaceRef) -> Workspace: ...
    async def save_settings(self, workspace: Workspace, settings: WorkspaceSettings) -> None: ...
    async def called(self, external_id: str) -> list[WorkspaceRef]:
        """Every workspace with this id, whatever its platform (by platform)."""
        ...


class MemberRepository(Protocol):
    async def ensure(self, workspace: Workspace, refs: Sequence[MemberRef]) -> dict[str, Member]:
        """Members by external id, created on first sight, refreshed where the ref knows more."""
        ...

    async def get(self, workspace: Workspace, external_id: str) -> Member | None: ...
    async def by_ids(self, workspace: Workspace, ids: Sequence[int]) -> dict[int, Member]: ...
    async def by_directory_id(self, workspace: Workspace, directory_id: str) -> Member | None:
        """The member the platform's directory (Entra ID for Teams) knows by this id."""
        ...

    async def names(self, workspace: Workspace, limit: int) -> list[str]:
        """Display names of the workspace's active people (no bots), alphabetical."""
        ...


class LedgerRepository(Protocol):
    async def claim_period(self, account_id: int, new: str) -> int | None:
        """Move an allowance account to a new period. Exactly one caller gets the balance it
        had (and holds its row until the end of the transaction); the others get None."""
        ...

    async def post(
        self,
        workspace: Workspace,
        transfers: Sequence[Transfer],
        at: datetime,
        totals: Sequence[TotalsDelta] = (),
    ) -> dict[int, int]:
        """Write the entries, move the cached balances and apply the leaderboard deltas, all or
        nothing; return the new balance of every account that moved. Raise InsufficientFunds
        or DuplicateDelivery (an entry's idempotency key was used before)."""
        ...

    async def verify(self, workspace_id: int | None) -> list[Drift]: ...
    async def shared_account(self, workspace: Workspace, kind: AccountKind) -> int:
        """The id of the workspace's own account of `kind` (escrow, rewards), made on first
        use."""
        ...


class KudosRepository(Protocol):
    async def add(
        self,
        workspace: Workspace,
        giver: Member,
        recipients: Sequence[Member],
        amount_each: int,
        reason: str | None,
        tags: Sequence[str],
        channel: str | None,
        message_ref: str | None,
        idempotency_key: str,
        at: datetime,
    ) -> int:
        """Record a kudos and return its id; raise DuplicateDelivery for a known key."""
        ...

    async def by_key(self, workspace: Workspace, idempotency_key: str) -> Kudos | None: ...
    async def last_given(self, workspace: Workspace, giver_id: int) -> Kudos | None: ...
    async def active_for_message(self, workspace: Workspace, message_ref: str) -> list[Kudos]:
        """The kudos a chat message (or a reaction on it) carries and that still count."""
        ...

    async def mark_reversed(self, kudos_id: int, at: datetime, why: str) -> bool: ...


class LearningRepository(Protocol):
    async def add(
        self,
        workspace: Workspace,
        member: Member,
        text: str,
        tags: Sequence[str],
        channel: str | None,
        at: datetime,
    ) -> int: ...


class ConversationRepository(Protocol):
    """Conversations the bot may post to unprompted (a platform's conversation reference)."""

    async def remember(
        self,
        workspace: Workspace,
        conversation_id: str,
        kind: str,
        reference: dict[str, Any],
        at: datetime,
    ) -> None: ...
    async def forget(self, workspace: Workspace, conversation_id: str) -> bool: ...
    async def all(self, workspace: Workspace) -> list[tuple[str, str, dict[str, Any]]]: ...


class ScheduleRepository(Protocol):
    """Scheduled posts and their exactly-once claims."""

    async def add(
        self,
        workspace: Workspace,
        kind: str,
        channel: str,
        when: tuple[int, int, int],
        at: datetime,
    ) -> Schedule: ...
    async def remove(self, workspace: Workspace, kind: str, channel: str) -> bool: ...
    async def of(self, workspace: Workspace) -> list[Schedule]: ...
    async def everywhere(self) -> list[tuple[WorkspaceRef, Schedule]]: ...
    async def claim(
        self, workspace: Workspace, kind: str, channel: str, period: str, at: datetime
    ) -> int | None:
        """Insert the run's unique key; the id if this caller won, None if it ran already."""
        ...

    async def has_run(self, workspace: Workspace, kind: str, channel: str, period: str) -> bool:
        """Whether this period's run was claimed already."""
        ...

    async def retries_due(self, at: datetime) -> list[tuple[WorkspaceRef, ScheduleRun]]: ...
    async def claim_retry(self, run_id: int, at: datetime) -> bool: ...
    async def finish(
        self,
        run_id: int,
        status: str,
        at: datetime,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None: ...
    async def runs(self, workspace: Workspace, limit: int) -> list[ScheduleRun]: ...


class BadgeRepository(Protocol):
    async def of(
        self, workspace: Workspace, member_ids: list[int]
    ) -> dict[int, list[tuple[str, datetime]]]: ...
    async def channels_given_in(
        self, workspace: Workspace, member: Member, limit: int
    ) -> set[str]: ...
    async def mentoring_givers(self, workspace: Workspace, member: Member) -> int: ...
    async def learnings_shared(self, workspace: Workspace, member: Member, limit: int) -> int: ...
    async def award(
        self, workspace: Workspace, member: Member, badge: str, channel: str | None, at: datetime
    ) -> bool:
        """True if this call awarded it (a badge is awarded once per member)."""
        ...


class ReadQueries(Protocol):
    """Read models. Everything meant for a public post (top givers, newcomers, learnings)
    leaves out the members who left the public boards (`Member.is_private`)."""

    async def leaderboard(
        self, workspace: Workspace, bucket: str, tag: str, limit: int, *, public: bool = True
    ) -> list[LeaderboardRow]:
        """The top `limit` receivers, ranked among those shown: with `public`, without the
        members who left the public boards; otherwise everyone, those marked `private`."""
        ...

    async def history(
        self, workspace: Workspace, member: Member, limit: int
    ) -> list[HistoryItem]: ...
    async def top_givers(
        self, workspace: Workspace, bucket: str, limit: int
    ) -> list[LeaderboardRow]: ...
    async def newcomers(self, workspace: Workspace, bucket: str) -> list[str]:
        """Display names of people first recognised in this bucket's period."""
        ...

    async def learnings_between(
        self, workspace: Workspace, start: datetime, end: datetime
    ) -> list[tuple[str, str, tuple[str, ...]]]:
        """(author, text, tags) shared in [start, end), oldest first."""
        ...

    async def kudos_between(
        self, workspace: Workspace, start: datetime, end: datetime
    ) -> list[tuple[Kudos, dict[int, tuple[str, str, bool]]]]:
        """Kudos given in [start, end) that still count, with (external id, name, private) by
        member (private: left the public boards, so a post must not name them)."""
        ...


class PrivacyRepository(Protocol):
    """Who appears in public posts, and erasing a person (`kudos people forget`)."""

    async def set_private(self, workspace: Workspace, member: Member, private: bool) -> bool:
        """Leave (or rejoin) the public boards; False when it was so already."""
        ...

    async def forget(self, workspace: Workspace, member: Member, erasure: Erasure) -> Erased:
        """Erase the member's personal data (see `Erasure`), leaving the ledger as it is."""
        ...

    async def pseudonym_taken(self, workspace: Workspace, name: str) -> bool: ...
    async def was_forgotten(self, workspace: Workspace, digest: str) -> bool:
        """Whether someone whose platform id has this digest was forgotten."""
        ...


class CatalogRepository(Protocol):
    async def add(self, workspace: Workspace, fields: dict[str, Any], at: datetime) -> RewardItem:
        """Add an item; raise DuplicateDelivery when the name is taken."""
        ...

    async def find(self, workspace: Workspace, ref: str) -> RewardItem | None:
        """An item not removed, by number (`3`, `#3`) or by name (any case)."""
        ...

    async def all(self, workspace: Workspace, *, active_only: bool) -> list[RewardItem]: ...
    async def update(
        self, workspace: Workspace, item_id: int, fields: dict[str, Any]
    ) -> RewardItem:
        """Change an item; raise DuplicateDelivery when the new name is taken."""
        ...

    async def remove(self, workspace: Workspace, item_id: int, at: datetime) -> None: ...
    async def take_one(self, workspace: Workspace, item_id: int) -> bool:
        """Reserve one unit (always possible for unlimited stock) of an active item; False
        when none is left. Concurrent callers can never take the same last unit."""
        ...

    async def give_back(self, workspace: Workspace, item_id: int) -> None:
        """Return a reserved unit to stock (unlimited stock stays unlimited)."""
        ...


class RedemptionRepository(Protocol):
    async def add(
        self,
        workspace: Workspace,
        item: RewardItem,
        member: Member,
        status: str,
        idempotency_key: str,
        at: datetime,
    ) -> int:
        """Record a redemption and return its id; raise DuplicateDelivery for a known key."""
        ...

    async def get(self, workspace: Workspace, redemption_id: int) -> Redemption | None: ...
    async def by_key(self, workspace: Workspace, idempotency_key: str) -> Redemption | None: ...
    async def decide(
        self,
        workspace: Workspace,
        redemption_id: int,
        status: str,
        by: str,
        reason: str | None,
        at: datetime,
    ) -> bool:
        """Move a pending redemption to `status`; False when it was no longer pending (someone
        decided first)."""
        ...

    async def of_member(
        self, workspace: Workspace, member_id: int, limit: int
    ) -> list[Redemption]: ...
    async def pending(self, workspace: Workspace, limit: int) -> list[Redemption]: ...
    async def since(self, workspace: Workspace, since: datetime | None) -> list[Redemption]: ...


class AdminRepository(Protocol):
    async def add(self, workspace: Workspace, who: Member, by: str, at: datetime) -> bool:
        """False when they were an admin already."""
        ...

    async def remove(self, workspace: Workspace, external_id: str) -> bool: ...
    async def contains(self, workspace: Workspace, external_id: str) -> bool: ...
    async def all(self, workspace: Workspace, *, lock: bool = False) -> list[tuple[str, str]]:
        """(external id, display name) of every listed admin; `lock` holds their rows until the
        transaction ends (so two admins removing each other cannot empty the list)."""
        ...


class ApprovalMessageRepository(Protocol):
    """Where each copy of a redemption's approval request was posted."""

    async def remember(
        self,
        workspace: Workspace,
        redemption_id: int,
        conversation_id: str,
        message_id: str,
        at: datetime,
    ) -> bool:
        """False when the redemption is not this workspace's, or the copy is known already."""
        ...

    async def of(self, workspace: Workspace, redemption_id: int) -> list[tuple[str, str]]:
        """(conversation id, message id) of every copy, in the order they were posted."""
        ...


class AuditRepository(Protocol):
    async def record(
        self,
        workspace: Workspace,
        actor: MemberRef,
        action: str,
        target: str,
        details: dict[str, Any],
        at: datetime,
    ) -> None: ...
    async def recent(
        self,
        workspace: Workspace,
        since: datetime | None,
        limit: int,
        before_id: int | None = None,
    ) -> list[AuditEntry]:
        """Newest first; with `before_id`, only entries older than that one."""
        ...


class SignInLinkRepository(Protocol):
    """One-time dashboard sign-in links, by the SHA-256 of their token."""

    async def add(
        self,
        workspace: Workspace,
        external_id: str,
        token_hash: str,
        by: str,
        at: datetime,
        expires_at: datetime,
    ) -> None: ...
    async def use(self, token_hash: str, at: datetime) -> tuple[WorkspaceRef, str] | None:
        """(workspace, user id) for the one caller that uses an unused, unexpired link."""
        ...

    async def state(self, token_hash: str, at: datetime) -> str:
        """`valid`, `used`, `expired` or `unknown`, changing nothing."""
        ...


class ExportQueries(Protocol):
    """Whole tables of one workspace as plain rows, for `kudos export`."""

    async def kudos(self, workspace: Workspace, since: datetime | None) -> list[dict[str, Any]]: ...
    async def ledger(
        self, workspace: Workspace, since: datetime | None
    ) -> list[dict[str, Any]]: ...
    async def learnings(
        self, workspace: Workspace, since: datetime | None
    ) -> list[dict[str, Any]]: ...


class BrowseQueries(Protocol):
    """Lists for the JSON API and the dashboard, a page at a time from a position, newest first
    where rows have a time; `limit` rows at most."""

    async def kudos(
        self, workspace: Workspace, where: KudosFilter, after: Position | None, limit: int
    ) -> list[KudosRecord]: ...
    async def members(
        self, workspace: Workspace, active: bool | None, after: Position | None, limit: int
    ) -> list[tuple[Member, datetime]]:
        """Members by id, each with when the bot first saw them."""
        ...

    async def member_since(self, workspace: Workspace, external_id: str) -> datetime | None: ...
    async def learnings(
        self,
        workspace: Workspace,
        since: datetime | None,
        until: datetime | None,
        person: str | None,
        value: str | None,
        after: Position | None,
        limit: int,
    ) -> list[LearningRecord]: ...
    async def redemptions(
        self, workspace: Workspace, statuses: Sequence[str], after: Position | None, limit: int
    ) -> list[Redemption]:
        """Newest first (by id)."""
        ...

    async def audit(
        self,
        workspace: Workspace,
        since: datetime | None,
        action: str | None,
        after: Position | None,
        limit: int,
    ) -> list[AuditEntry]: ...


class ApiTokenRepository(Protocol):
    async def add(
        self,
        workspace: Workspace,
        prefix: str,
        digest: str,
        name: str,
        scope: str,
        by: str,
        at: datetime,
        expires_at: datetime,
    ) -> ApiToken:
        """Raise DuplicateDelivery when the prefix is taken."""
        ...

    async def by_prefix(self, prefix: str) -> tuple[ApiToken, str, WorkspaceRef] | None:
        """The token with this prefix, its stored digest, and its workspace."""
        ...

    async def all(self, workspace: Workspace) -> list[ApiToken]: ...
    async def revoke(self, workspace: Workspace, prefix: str, at: datetime) -> bool:
        """False when there is no such token, or it was revoked already."""
        ...


class WebhookRepository(Protocol):
    async def add(
        self,
        workspace: Workspace,
        url: str,
        events: Sequence[str],
        secret: str,
        by: str,
        at: datetime,
    ) -> Webhook: ...
    async def remove(
        self, workspace: Workspace, webhook_id: int, at: datetime
    ) -> Webhook | None: ...
    async def all(self, workspace: Workspace) -> list[Webhook]: ...
    async def outgoing(self, delivery_id: str) -> OutgoingDelivery | None: ...
    async def attempted(
        self,
        delivery_id: str,
        at: datetime,
        state: str,
        status: int | None,
        error: str | None,
    ) -> None:
        """Log one attempt: its outcome, and the delivery's state after it."""
        ...

    async def deliveries(
        self, workspace: Workspace, failed_only: bool, limit: int
    ) -> list[WebhookDelivery]:
        """Newest first; `failed_only`: given up, or retrying after a failed attempt."""
        ...


class InboxRepository(Protocol):
    """Acknowledged requests waiting for their work (see `bot.services.delivery`)."""

    async def add(
        self, incoming: Incoming, now: datetime, lease: str | None, until: datetime
    ) -> int | None:
        """Record a request: its id, or None when its delivery key was recorded before."""
        ...

    async def claim(
        self, platforms: Sequence[str], now: datetime, until: datetime, limit: int
    ) -> list[InboxItem]:
        """Lease up to `limit` due rows until `until`, oldest first."""
        ...

    async def complete(
        self,
        item: InboxItem,
        outcome: str,
        now: datetime,
        *,
        failed: bool = False,
        error: str | None = None,
    ) -> bool:
        """Finish a row still leased under the item's token; False when the lease was lost."""
        ...

    async def retry_later(self, item: InboxItem, at: datetime, error: str) -> bool: ...
    async def backlog(self) -> tuple[int, datetime | None]:
        """How many rows wait, and when the oldest of them was received."""
        ...

    async def purge(self, before: datetime, limit: int) -> int: ...


class InboxRecorder(Protocol):
    """Records a verified request before its ack, on connections kept for that (see
    `InboxRepository.add`): as few round trips as the database allows."""

    async def record(
        self, incoming: Incoming, now: datetime, lease: str | None, until: datetime
    ) -> int | None: ...


class OutboxRepository(Protocol):
    """What the bot says, waiting to be sent (see `bot.services.delivery`)."""

    async def add(self, items: Sequence[Outgoing], now: datetime) -> None: ...
    async def claim(
        self, platforms: Sequence[str], now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]: ...
    async def finish(
        self, item: OutboxItem, now: datetime, *, failed: bool = False, error: str | None = None
    ) -> bool:
        """Mark a row sent (or failed for good); False when the lease was lost."""
        ...

    async def retry_later(self, item: OutboxItem, at: datetime, error: str) -> bool: ...
    async def backlog(self) -> tuple[int, datetime | None]: ...
    async def purge(self, before: datetime, limit: int) -> int: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without `commit()` rolls everything back. Events
    published in it are written to the outbox by its commit, so they happen exactly when the
    change that caused them does."""

    @property
    def workspaces(self) -> WorkspaceRepository: ...
    @property
    def members(self) -> MemberRepository: ...
    @property
    def ledger(self) -> LedgerRepository: ...
    @property
    def kudos(self) -> KudosRepository: ...
    @property
    def learnings(self) -> LearningRepository: ...
    @property
    def queries(self) -> ReadQueries: ...
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def schedules(self) -> ScheduleRepository: ...
    @property
    def badges(self) -> BadgeRepository: ...
    @property
    def privacy(self) -> PrivacyRepository: ...
    @property
    def catalog(self) -> CatalogRepository: ...
    @property
    def redemptions(self) -> RedemptionRepository: ...
    @property
    def admins(self) -> AdminRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def exports(self) -> ExportQueries: ...
    @property
    def inbox(self) -> InboxRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def approval_messages(self) -> ApprovalMessageRepository: ...
    @property
    def sign_in_links(self) -> SignInLinkRepository: ...
    @property
    def browse(self) -> BrowseQueries: ...
    @property
    def api_tokens(self) -> ApiTokenRepository: ...
    @property
    def webhooks(self) -> WebhookRepository: ...

    def publish(self, workspace: WorkspaceRef, event: Event) -> None:
        """Tell the people concerned (recipients, admins, a channel) and the workspace's
        webhooks once this commits."""
        ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...


class SharedTransaction(Protocol):
    """One transaction that several units of work join, each as a savepoint, committed once at
    the end (see `run_as_one`). Calling it makes a unit; units that only read, made before
    anything was written, run on their own."""

    def __call__(self, *, write: bool) -> UnitOfWork: ...
    async def outer(self) -> UnitOfWork:
        """The shared transaction itself, begun (for writing) if no unit has begun it yet."""
        ...

    async def commit(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool) -> UnitOfWork: ...
    def shared(self) -> SharedTransaction: ...
