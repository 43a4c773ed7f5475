"""Run the web app under uvicorn after upgrading the database."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from bot.bootstrap import build
from bot.config import Settings
from bot.web.app import create_app

log = logging.getLogger("kudos.web")


def serve(settings: Settings, host: str, port: int) -> int:
    """Upgrade the schema, then serve until interrupted."""

    async def main() -> None:
        app = await build(settings)
        try:
            if not (settings.slack_bot_token or settings.slack_app_token):
                log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable it")
            log.info(
                "Kudos listening on http://%s:%d (database: %s)",
                host,
                port,
                settings.database_url.split("://")[0],
            )
            config = uvicorn.Config(
                create_app(app.database.ping),
                host=host,
                port=port,
                log_level=settings.log_level.lower(),
                lifespan="on",
            )
            await uvicorn.Server(config).serve()
        finally:
            await app.close()

    asyncio.run(main())
    return 0
