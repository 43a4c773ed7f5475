"""The one place that wires concrete pieces together."""

from __future__ import annotations

from dataclasses import dataclass, replace

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from bot.adapters.slack.app import SlackBot, SlackConfig, create_slack_bot
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.teams.app import TeamsBot, TeamsConfig, create_teams_bot
from bot.config import Settings
from bot.metrics import CountingNotifier
from bot.migrations import upgrade_async
from bot.services.context import ServiceContext
from bot.services.ports import Clock, Notifier, PlatformNotifier, SystemClock
from bot.store.database import Database
from bot.store.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES
from bot.store.unit_of_work import SqlUnitOfWorkFactory

OAUTH_STATE_SECONDS = 600


@dataclass
class App:
    """A running Kudos: settings, the database, the services' context and the chat platforms
    that are switched on."""

    settings: Settings
    database: Database
    services: ServiceContext
    slack: SlackBot | None = None
    teams: TeamsBot | None = None

    async def close(self) -> None:
        if self.slack is not None:
            await self.slack.close()
        if self.teams is not None:
            await self.teams.close()
        await self.database.dispose()


def slack_config(settings: Settings, database: Database) -> SlackConfig:
    """Slack settings, with slack_sdk's stores on our database when installing via OAuth."""
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
) -> App:
    """Build the app from settings; upgrade the schema first unless told not to. `notifier`
    replaces the platforms' own (tests that watch notifications)."""
    settings = settings or Settings()
    if migrate:
        await upgrade_async(settings.database_url)
    database = Database(settings.database_url)
    platforms = PlatformNotifier()
    services = ServiceContext(
        uow=SqlUnitOfWorkFactory(database),
        clock=clock or SystemClock(),
        notifier=CountingNotifier(notifier or platforms),
    )
    app = App(settings=settings, database=database, services=services)
    if settings.slack_enabled:
        app.slack = create_slack_bot(slack_config(settings, database), services, slack_directory)
        platforms.register("slack", app.slack.notifier)
    if settings.teams_enabled:
        teams = TeamsConfig(
            app_id=settings.microsoft_app_id,
            app_password=settings.microsoft_app_password,
            tenant_id=settings.microsoft_app_tenant_id,
        )
        if settings.service_url_hosts:
            teams = replace(teams, service_url_hosts=settings.service_url_hosts)
        app.teams = create_teams_bot(teams, services)
        platforms.register("teams", app.teams.notifier)
    return app
