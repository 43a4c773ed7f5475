"""The dashboard through its real ASGI app (httpx), signed in the way people sign in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.bootstrap import App, build
from bot.config import Settings
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import change_admins
from bot.services.signin import create_sign_in_link
from bot.services.workspaces import open_workspace
from bot.web.dashboard.core import DashboardConfig
from bot.web.dashboard.sessions import SessionSettings
from bot.web.server import asgi_app
from tests.conftest import FakeClock
from tests.support import OPERATOR, WS

BASE = "http://kudos.test"
SECRET = "test-session-secret-0123456789-abcdefghij"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def session_settings(**changes: Any) -> SessionSettings:
    options: dict[str, Any] = {"secret": SECRET, "lifetime_seconds": 3600, "always_secure": False}
    return SessionSettings(**(options | changes))


def browser(app: App, config: DashboardConfig | None = None, base: str = BASE) -> httpx.AsyncClient:
    """A client that keeps cookies like a browser, talking to the whole `kudos serve` app."""
    config = config or DashboardConfig(sessions=session_settings())
    transport = httpx.ASGITransport(app=asgi_app(app, config))
    return httpx.AsyncClient(transport=transport, base_url=base, headers={"Origin": base})


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def link_for(app: App, user: str, workspace: WorkspaceRef = WS) -> str:
    return await create_sign_in_link(app.services, workspace, MemberRef(user), OPERATOR)


async def sign_in(
    client: httpx.AsyncClient, app: App, user: str, workspace: WorkspaceRef = WS
) -> httpx.Response:
    """Sign in as a person does with `kudos dashboard link`: open the link, press the button."""
    token = await link_for(app, user, workspace)
    page = await client.get(f"/signin/link/{token}")
    assert page.status_code == 200, page.text
    return await client.post(
        "/signin/link", data={"token": token, "csrf": csrf_of(page)}, follow_redirects=False
    )


async def make_admin(app: App, user: str, workspace: WorkspaceRef = WS) -> None:
    await change_admins(app.services, workspace, OPERATOR, True, MemberRef(user, user.title()))


async def post_form(
    client: httpx.AsyncClient, page_path: str, action: str, data: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """Post a form as the page at `page_path` renders it: with the session's CSRF token."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={"csrf": csrf_of(page), **data}, **kwargs)


@dataclass
class Dash:
    app: App
    client: httpx.AsyncClient


@pytest.fixture
async def dash(app: App) -> AsyncIterator[Dash]:
    """The console workspace `acme` with an admin (ana) and a member (bob), on both databases;
    the client is not signed in."""
    await open_workspace(app.services, WS)
    await make_admin(app, "ana")
    async with browser(app) as client:
        yield Dash(app, client)


@pytest.fixture
async def sqlite_app(sqlite_url: str, clock: FakeClock) -> AsyncIterator[App]:
    built = await build(Settings(DATABASE_URL=sqlite_url), clock=clock, migrate=False)
    yield built
    await built.close()
