"""What every dashboard page shares: its configuration, the signed-in viewer, rendering, and
the checks a form post passes before any service is called."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

import bot
from bot.domain import errors
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.context import ServiceContext
from bot.services.signin import Identity, standing
from bot.web.dashboard.sessions import (
    SessionSettings,
    csrf_matches,
    csrf_token,
    expired,
    same_origin,
)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

PlatformLookup = Callable[[str, str], Awaitable[MemberRef | None]]
"""(workspace id, user id) -> the member as the platform describes them now (name, and
whether it calls them an admin), or None when it cannot say."""


@dataclass(frozen=True)
class OidcClient:
    """An OpenID Connect client registration: Slack's or Entra ID's."""

    client_id: str
    client_secret: str
    issuer: str


@dataclass(frozen=True)
class DashboardConfig:
    sessions: SessionSettings
    public_url: str | None = None
    slack: OidcClient | None = None
    entra: OidcClient | None = None
    entra_tenant: str | None = None
    """Only this Entra ID tenant may sign in (MICROSOFT_APP_TENANT_ID)."""
    lookups: dict[str, PlatformLookup] = field(default_factory=dict)
    """By platform: how to ask it who someone is (Slack's users.info, when Slack is on)."""


@dataclass
class Dashboard:
    """The dashboard's state: the services it calls, its settings, and its templates."""

    services: ServiceContext
    config: DashboardConfig
    templates: Environment


@dataclass(frozen=True)
class Viewer:
    """The person behind a request, as the session and the admin rules say."""

    workspace: WorkspaceRef
    actor: MemberRef
    via: str
    admin: bool
    tz: ZoneInfo
    values: tuple[str, ...]
    csrf: str


class SignInNeeded(Exception):
    """No valid session: the page sends the person to the sign-in page."""


class Forbidden(Exception):
    """Signed in, but this page is not theirs to see (admins only)."""

    def __init__(self, message: str, seen: Viewer | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.seen = seen


class BadForm(Exception):
    """A post without its CSRF token, or from another site: refused before anything runs."""


def dashboard_of(request: Request) -> Dashboard:
    found: Dashboard = request.app.state.dashboard
    return found


def remember(request: Request, identity: Identity) -> None:
    """Start a session for `identity` (a fresh CSRF token: nothing from before sign-in
    carries over)."""
    session = request.session
    session.clear()
    ws = identity.workspace
    session["user"] = {
        "ws": [ws.platform, ws.external_id, ws.name or ws.external_id],
        "id": identity.member.external_id,
        "name": identity.member.display_name or identity.member.external_id,
        "admin": bool(identity.member.is_admin),
        "via": identity.via,
        "at": int(time.time()),
    }
    csrf_token(session)


async def viewer(request: Request) -> Viewer:
    """The signed-in person, or SignInNeeded (also when the sign-in is older than the
    session lifetime or its workspace is gone)."""
    dashboard = dashboard_of(request)
    session = request.session
    user = session.get("user")
    if not isinstance(user, dict) or expired(session, dashboard.config.sessions.lifetime_seconds):
        session.pop("user", None)
        raise SignInNeeded()
    platform, external_id, name = user["ws"]
    workspace = WorkspaceRef(platform, external_id, name)
    actor = MemberRef(user["id"], user["name"], is_admin=True if user.get("admin") else None)
    found = await standing(dashboard.services, workspace, actor)
    if not found.workspace_exists:
        session.clear()
        raise SignInNeeded()
    return Viewer(
        workspace,
        actor,
        str(user.get("via", "")),
        found.admin,
        found.settings.tz,
        found.settings.values,
        csrf_token(session),
    )


async def admin_viewer(request: Request) -> Viewer:
    """The signed-in person if they are an admin; Forbidden otherwise."""
    seen = await viewer(request)
    if not seen.admin:
        raise Forbidden(
            "This page is for Kudos admins. Your own points and rewards are under My kudos.",
            seen,
        )
    return seen


def own_origins(request: Request) -> set[str]:
    """The origins our own pages are served from: this request's, and KUDOS_PUBLIC_URL's."""
    origins = {f"{request.url.scheme}://{request.url.netloc}".lower()}
    public = dashboard_of(request).config.public_url
    if public:
        parts = urlsplit(public)
        origins.add(f"{parts.scheme}://{parts.netloc}".lower())
    return origins


async def checked_form(request: Request) -> FormData:
    """The posted form, if it carries the session's CSRF token and comes from our own pages
    (its Origin); BadForm otherwise, before anything is read or written."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    if not same_origin(headers, own_origins(request)):
        raise BadForm()
    form = await request.form()
    given = form.get("csrf")
    if not isinstance(given, str):
        given = headers.get("x-csrf-token")
    if not csrf_matches(request.session, given):
        raise BadForm()
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message for the next page shown (after a redirect)."""
    request.session.setdefault("flash", []).append([kind, message])


def back(path: str) -> RedirectResponse:
    """After a post: see the page again (303, so a reload does not post twice)."""
    return RedirectResponse(path, status_code=303)


async def outcome(request: Request, path: str, action: Awaitable[str]) -> RedirectResponse:
    """Run a form's action, then back to `path`, which says what it did, or why it was refused
    (a refusal has written nothing)."""
    try:
        done = await action
    except errors.KudosError as refusal:
        flash(request, refusal.message, "error")
    else:
        flash(request, done)
    return back(path)


@cache
def static_version(name: str) -> str:
    """A short digest of a static file, for cache-busting its URL."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    if name.startswith("vendor/"):
        return f"/static/{name}"  # the version is in the name
    return f"/static/{name}?v={static_version(name)}"


def make_templates() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["static_url"] = static_url
    environment.globals["version"] = bot.__version__
    return environment


def when(value: datetime | None, tz: ZoneInfo, with_time: bool = True) -> str:
    """A moment in the workspace's zone, as people read it: `18 Nov 2026, 13:00 CET`."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    if not with_time:
        return f"{local.day} {local:%b %Y}"
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".rstrip()


def render(
    request: Request,
    template: str,
    seen: Viewer | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page: the template with the viewer, their CSRF token, the message left for them, and
    dates in their workspace's zone."""
    dashboard = dashboard_of(request)
    session = request.session
    messages = session.pop("flash", [])
    tz = seen.tz if seen else ZoneInfo("UTC")
    page = dashboard.templates.get_template(template).render(
        request=request,
        viewer=seen,
        csrf=seen.csrf if seen else csrf_token(session),
        messages=messages,
        when=lambda value, with_time=True: when(value, tz, with_time),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})
