"""The ASGI app served by `kudos serve`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse

import bot


def create_app(ping: Callable[[], Awaitable[None]]) -> FastAPI:
    """The HTTP app; `ping` checks that the database answers."""
    app = FastAPI(
        title="Kudos",
        version=bot.__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> JSONResponse:
        """200 when the service and its database answer, 503 otherwise."""
        try:
            await ping()
        except Exception as exc:  # any database failure means "not healthy"
            return JSONResponse({"status": "unhealthy", "database": str(exc)[:200]}, 503)
        return JSONResponse({"status": "ok", "version": bot.__version__})

    return app
