"""The JSON API under /api/v1/: access tokens, a rate limit per token, and the operations, all
described by /api/v1/openapi.json. See docs/api.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from bot.domain.errors import KudosError
from bot.services.context import ServiceContext
from bot.web.api.errors import PREFIX, ApiError, on_api_error, on_http, on_invalid, on_refusal
from bot.web.api.gate import AdminRoute, ApiGate, RateLimiter
from bot.web.api.routes import admin, router
from bot.web.api.services import STATE

__all__ = ["Api", "install"]


def _needs_admin(dependant: Dependant) -> bool:
    return any(d.call is admin or _needs_admin(d) for d in dependant.dependencies)


@dataclass(frozen=True)
class Api:
    """What the API needs: the services, and each token's rate limit (per process)."""

    services: ServiceContext
    rate: float = 10.0
    burst: int = 60


def install(app: FastAPI, api: Api) -> Any:
    """Add the API's operations and error handlers to `app`; return the ASGI middleware that
    must wrap it (the gate that checks tokens, rate limits, scopes and bodies)."""
    setattr(app.state, STATE, api.services)
    app.include_router(router)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(KudosError, on_refusal)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http)
    admin_routes = [
        AdminRoute(frozenset(route.methods or ()), route.path_regex)
        for route in app.routes
        if isinstance(route, APIRoute)
        and route.path.startswith(PREFIX)
        and _needs_admin(route.dependant)
    ]
    limiter = RateLimiter(api.rate, api.burst)
    return lambda inner: ApiGate(inner, api.services, limiter, admin_routes)
