"""The one place that wires concrete pieces together: the server `kudos serve` runs.

The database and the services come from `bot.core` (all the other `kudos` commands need);
this adds the chat platforms that are switched on (each SDK is imported only then), the inbox
worker, the outbox deliverer and the webhook sender.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.adapters.webhooks import WebhookSender
from bot.adapters.webhooks.sender import BACKOFF
from bot.config import Settings
from bot.core import open_core
from bot.services.context import ServiceContext
from bot.services.delivery import WEBHOOK_PLATFORM
from bot.services.ports import Clock, Notifier, PlatformNotifier
from bot.store.database import Database
from bot.store.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES
from bot.store.recorder import SqlInboxRecorder
from bot.store.unit_of_work import SqlUnitOfWorkFactory
from bot.worker.inbox import InboxHandler, InboxWorker
from bot.worker.outbox import OutboxDeliverer, Sender
from bot.worker.timing import QueueTiming

if TYPE_CHECKING:
    from bot.adapters.slack.app import SlackBot, SlackConfig
    from bot.adapters.slack.directory import SlackDirectory
    from bot.adapters.teams.app import TeamsBot, TeamsConfig

OAUTH_STATE_SECONDS = 600


@dataclass
class App:
    """A running Kudos: settings, the database, the services' context, the chat platforms
    that are switched on, and the background work that finishes what they acknowledge."""

    settings: Settings
    database: Database
    front: Database
    health: Database
    services: ServiceContext
    worker: InboxWorker
    deliverer: OutboxDeliverer
    slack: SlackBot | None = None
    teams: TeamsBot | None = None
    webhooks: WebhookSender | None = None
    _started: bool = field(default=False, repr=False)

    def start(self) -> None:
        """Start the inbox worker and the outbox deliverer (inside the running loop)."""
        if not self._started:
            self._started = True
            self.worker.start()
            self.deliverer.start()

    async def ping(self) -> None:
        """Check that the database answers, on a connection of its own (PostgreSQL): neither
        background work nor a burst of acks can keep /healthz waiting."""
        await self.health.ping()

    async def close(self) -> None:
        await self.worker.stop()
        await self.deliverer.stop()
        if self.slack is not None:
            await self.slack.close()
        if self.teams is not None:
            await self.teams.close()
        if self.webhooks is not None:
            await self.webhooks.close()
        for database in {id(d): d for d in (self.database, self.front, self.health)}.values():
            await database.dispose()


def slack_config(settings: Settings, database: Database) -> SlackConfig:
    """Slack settings, with slack_sdk's stores on our database when installing via OAuth."""
    from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

    from bot.adapters.slack.app import SlackConfig

    installations = states = None
    if settings.slack_client_id:
        installations = AsyncSQLAlchemyInstallationStore(
            client_id=settings.slack_client_id,
            engine=database.engine,
            installations_table_name=SLACK_INSTALLATIONS.name,
            bots_table_name=SLACK_BOTS.name,
        )
        states = AsyncSQLAlchemyOAuthStateStore(
            expiration_seconds=OAUTH_STATE_SECONDS,
            engine=database.engine,
            table_name=SLACK_OAUTH_STATES.name,
        )
    return SlackConfig(
        api_url=settings.slack_api_url,
        bot_token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        app_token=settings.slack_app_token,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        installation_store=installations,
        state_store=states,
    )


async def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    notifier: Notifier | None = None,
    migrate: bool = True,
    slack_directory: SlackDirectory | None = None,
    timing: QueueTiming | None = None,
    teams_config: TeamsConfig | None = None,
    webhook_backoff: Sequence[float] | None = None,
) -> App:
    """Build the app from settings; upgrade the schema first unless told not to. `notifier`
    replaces the platforms' own for scheduled posts (tests that watch them); `teams_config`
    replaces what the settings say of Teams (another cloud's keys, a certificate);
    `webhook_backoff` the seconds between webhook attempts. Background work starts with
    `App.start()`."""
    settings = settings or Settings()
    platforms = PlatformNotifier()
    core = await open_core(settings, migrate=migrate, clock=clock, notifier=notifier or platforms)
    services, front = core.services, core.front
    timing = timing or QueueTiming(concurrency=settings.worker_concurrency)
    handlers: dict[str, InboxHandler] = {}
    senders: dict[str, Sender] = {}
    slack = teams = None
    if settings.slack_enabled:
        from bot.adapters.slack.app import create_slack_bot

        slack = create_slack_bot(slack_config(settings, core.database), services, slack_directory)
        platforms.register("slack", slack.sender)
        handlers["slack"], senders["slack"] = slack.inbox, slack.sender
    if settings.teams_enabled or teams_config is not None:
        from bot.adapters.teams.app import TeamsConfig, create_teams_bot

        if teams_config is None:
            teams_config = TeamsConfig(
                app_id=settings.microsoft_app_id,
                app_password=settings.microsoft_app_password,
                tenant_id=settings.microsoft_app_tenant_id,
            )
            if settings.service_url_hosts:
                teams_config = replace(teams_config, service_url_hosts=settings.service_url_hosts)
        teams = create_teams_bot(teams_config, services)
        platforms.register("teams", teams.sender)
        handlers["teams"], senders["teams"] = teams.inbox, teams.sender
    webhooks = WebhookSender(
        services,
        backoff=BACKOFF if webhook_backoff is None else webhook_backoff,
        max_attempts=timing.outbox_attempts,
    )
    senders[WEBHOOK_PLATFORM] = webhooks
    deliverer = OutboxDeliverer(services, senders, timing=timing)
    front_services = ServiceContext(uow=SqlUnitOfWorkFactory(front), clock=services.clock)
    worker = InboxWorker(
        services,
        SqlInboxRecorder(front),
        handlers,
        timing=timing,
        poke_outbox=deliverer.poke,
    )
    wire: Any
    for wire in (slack.runtime if slack else None, teams):
        if wire is not None:
            wire.record = worker.record
    if slack is not None:
        slack.runtime.poke = deliverer.poke
        slack.runtime.front = front_services
    return App(
        settings,
        core.database,
        front,
        core.health,
        services,
        worker,
        deliverer,
        slack,
        teams,
        webhooks,
    )
