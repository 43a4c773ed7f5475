"""A local HTTP server playing Slack's Web API (and the `response_url`s of slash commands).

It records every call and answers as Slack does, from a small directory of teams and users.
Point the real slack_sdk clients at `url` (SLACK_API_URL).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    answer: dict[str, Any] | None = None
    """What the fake answered (e.g. the `channel` and `ts` of a posted message)."""


@dataclass
class Team:
    id: str
    name: str
    bot_user: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    """Public channels: id -> name (conversations.list)."""
    can_list_channels: bool = True
    """False: the app was installed without channels:read."""


def token_for(team_id: str) -> str:
    return f"xoxb-{team_id}-token"


class FakeSlack:
    """Teams, users and user groups to answer from; `calls` in arrival order; `fail(...)`
    makes the next calls of a method answer with an HTTP error (e.g. 429 with Retry-After)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.teams: dict[str, Team] = {}
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.installs: dict[str, tuple[str, str]] = {}  # OAuth code -> (team id, name)
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self.url = ""
        self.sockets: list[web.WebSocketResponse] = []
        self.gate: asyncio.Event | None = None
        """When set and closed, Web API calls wait for it to open (to show the ack comes first)."""
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ directory
    def team(self, team_id: str, name: str | None = None) -> Team:
        if team_id not in self.teams:
            team = Team(team_id, name or team_id, bot_user=f"UBOT{team_id}")
            self.teams[team_id] = team
            self.user(team_id, team.bot_user, "kudos", bot=True)
        return self.teams[team_id]

    def user(
        self,
        team_id: str,
        user_id: str,
        name: str,
        *,
        bot: bool = False,
        deleted: bool = False,
        display_name: str | None = None,
        admin: bool = False,
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "team_id": team_id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "deleted": deleted,
            "is_bot": bot,
            "is_app_user": False,
            "is_admin": admin,
            "is_owner": False,
            "profile": {"display_name": display_name or name, "real_name": name},
        }
        self.team(team_id).users[user_id] = user
        return user

    def fail(self, method: str, status: int, times: int = 1, **headers: str) -> None:
        self.failures.setdefault(method, []).extend([(status, headers)] * times)

    # ------------------------------------------------------------------ what was called
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 10) -> list[Call]:
        """Wait until `method` was called at least `count` times (replies come after the ack)."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)

        try:
            await asyncio.wait_for(enough(), within)
        except TimeoutError:
            raise AssertionError(
                f"{method} called {len(self.calls_to(method))} times, expected {count}: "
                f"{[c.method for c in self.calls]}"
            ) from None
        return self.calls_to(method)

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until nothing new has been called for `quiet` seconds."""
        while True:
            seen = len(self.calls)
            await asyncio.sleep(quiet)
            if len(self.calls) == seen:
                return

    # ------------------------------------------------------------------ server
    async def start(self) -> str:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self.url

    def response_url(self, key: str) -> str:
        return self.url.replace("/api/", f"/response/{key}")

    async def stop(self) -> None:
        if self.gate is not None:
            self.gate.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        body = await request.read()
        if body:
            if request.content_type == "application/json":
                params.update(json.loads(body))
            else:
                params.update(dict(parse_qsl(body.decode())))
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _team_of(self, token: str | None) -> Team | None:
        for team in self.teams.values():
            if token == token_for(team.id):
                return team
        return None

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        await self._record(Call("response_url", params, None))
        return web.json_response({"ok": True})

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or params.get("token")
        failures = self.failures.get(method)
        if failures:
            status, headers = failures.pop(0)
            await self._record(Call(f"{method}!{status}", params, token))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=status, headers=headers
            )
        call = Call(method, params, token)
        await self._record(call)
        if self.gate is not None:
            await self.gate.wait()
        if method == "oauth.v2.access":
            return self._oauth(params)
        if method == "apps.connections.open" and (token or "").startswith("xapp-"):
            return web.json_response(
                {"ok": True, "url": self.url.replace("http", "ws", 1).replace("/api/", "/socket")}
            )
        team = self._team_of(token)
        if team is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        call.answer = self._answer(method, params, team)
        return web.json_response(call.answer)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then relay envelopes the test sends; record the acks."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "AKUDOS"}}
        )
        async with self._changed:
            self.sockets.append(ws)
            self._changed.notify_all()
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                await self._record(Call("socket_ack", json.loads(message.data), None))
        return ws

    async def send_envelope(self, envelope: dict[str, Any], within: float = 10) -> None:
        """Send a Socket Mode envelope once the app has connected."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self.sockets)), within)
        await self.sockets[-1].send_json(envelope)

    def _oauth(self, params: dict[str, Any]) -> web.Response:
        if params.get("code") not in self.installs:
            return web.json_response({"ok": False, "error": "invalid_code"})
        team_id, name = self.installs[params["code"]]
        team = self.team(team_id, name)
        return web.json_response(
            {
                "ok": True,
                "app_id": "AKUDOS",
                "authed_user": {"id": "UINSTALLER"},
                "scope": "chat:write,commands",
                "token_type": "bot",
                "access_token": token_for(team_id),
                "bot_user_id": team.bot_user,
                "team": {"id": team_id, "name": name},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        )

    def _answer(self, method: str, params: dict[str, Any], team: Team) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": f"https://{team.id.lower()}.slack.com/",
                "team": team.name,
                "user": "kudos",
                "team_id": team.id,
                "user_id": team.bot_user,
                "bot_id": f"B{team.id}",
                "is_enterprise_install": False,
            }
        if method == "users.info":
            user = team.users.get(params.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.list":
            return {
                "ok": True,
                "members": list(team.users.values()),
                "response_metadata": {"next_cursor": ""},
            }
        if method == "usergroups.users.list":
            users = team.groups.get(params.get("usergroup", ""))
            if users is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": users}
        if method == "conversations.list":
            if not team.can_list_channels:
                return {"ok": False, "error": "missing_scope", "needed": "channels:read"}
            listed = [{"id": i, "name": n, "is_channel": True} for i, n in team.channels.items()]
            return {"ok": True, "channels": listed, "response_metadata": {"next_cursor": ""}}
        if method in {"chat.postMessage", "chat.postEphemeral"}:
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            channel = str(params.get("channel") or "")
            if method == "chat.postMessage" and channel[:1] in {"U", "W"}:
                channel = "D" + channel[1:]  # a message to a user lands in their DM channel
            return {"ok": True, "channel": channel, "ts": ts, "message_ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method in {"views.publish", "views.open"}:
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **(params.get("view") or {})}}
        return {"ok": False, "error": "unknown_method"}
