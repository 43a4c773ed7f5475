"""The dashboard as an ASGI app, mounted at `/` of `kudos serve` after every other route."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from bot.services.context import ServiceContext
from bot.web.dashboard import access, admin, member, signin
from bot.web.dashboard.core import (
    STATIC,
    BadForm,
    Dashboard,
    DashboardConfig,
    Forbidden,
    SignInNeeded,
    make_templates,
    render,
)
from bot.web.dashboard.sessions import Sessions

ASGIApp = Any
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
YEAR = b"public, max-age=31536000, immutable"


class SecurityHeaders:
    """Every dashboard answer forbids framing, sniffing, other sites' scripts and styles; the
    vendored libraries (versioned file names) may be cached for a year."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith("/static/")

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or []) + SECURITY_HEADERS
                if cacheable and message["status"] == 200:
                    headers.append((b"cache-control", YEAR))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def create_dashboard(services: ServiceContext, config: DashboardConfig) -> ASGIApp:
    """The dashboard's pages, sign-in routes and static files, with sessions and the
    security headers around them."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.dashboard = Dashboard(services, config, make_templates())
    app.mount("/static", GZipMiddleware(StaticFiles(directory=STATIC)), name="static")
    for module in (signin, member, admin, access):
        app.include_router(module.router)

    @app.exception_handler(SignInNeeded)
    async def sign_in_first(request: Request, exc: SignInNeeded) -> Response:
        if request.method == "GET" and "hx-request" not in request.headers:
            return RedirectResponse("/signin", status_code=303)
        return render(
            request,
            "error.html",
            status=401,
            title="Signed out",
            message=("Your sign-in has ended: sign in again to carry on."),
            signin_link=True,
        )

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(
            request, "error.html", exc.seen, status=403, title="Not for you", message=exc.message
        )

    @app.exception_handler(BadForm)
    async def bad_form(request: Request, exc: BadForm) -> Response:
        return render(
            request,
            "error.html",
            status=403,
            title="Form refused",
            message=(
                "This form was refused because it expired or came from another site; nothing "
                "was changed. Go back, reload the page and try again."
            ),
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return render(
                request,
                "error.html",
                status=404,
                title="Not found",
                message="There is no such page here.",
            )
        return HTMLResponse(str(exc.detail), status_code=exc.status_code)

    return Sessions(SecurityHeaders(app), config.sessions)
