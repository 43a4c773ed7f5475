"""Where the API's handlers find the services' context: on the app, put there by `install`."""

from __future__ import annotations

from fastapi import Request

from bot.services.context import ServiceContext

STATE = "kudos_services"


def services_of(request: Request) -> ServiceContext:
    services: ServiceContext = getattr(request.app.state, STATE)
    return services
