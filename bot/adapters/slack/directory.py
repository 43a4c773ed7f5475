"""Who is who in a Slack workspace: users.info, users.list, user groups and channel names,
cached with expiry."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, cast

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.refs import SLACKBOT
from bot.domain import errors
from bot.domain.commands import Mention
from bot.domain.model import MemberRef

USER_TTL_SECONDS = 600.0
MAX_CACHED = 50_000
_USERS_LIST_PAGE = 200


def member_from_user(user: dict[str, Any]) -> MemberRef:
    """A Slack user object as a member: bots, app users and Slackbot are bots."""
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user["id"]
    )
    return MemberRef(
        external_id=user["id"],
        display_name=str(name)[:200],
        is_bot=bool(user.get("is_bot") or user.get("is_app_user") or user["id"] == SLACKBOT),
        is_active=not user.get("deleted", False),
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
    )


class _Expiring:
    """A small LRU cache whose entries expire."""

    def __init__(self, ttl: float, size: int) -> None:
        self.ttl, self.size = ttl, size
        self._items: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()

    def get(self, key: tuple[str, str]) -> Any | None:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        self._items.move_to_end(key)
        return item[1]

    def put(self, key: tuple[str, str], value: Any) -> None:
        self._items[key] = (time.monotonic() + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class SlackDirectory:
    """Resolves Slack users to members, per team, with a cache so that a busy channel does not
    call users.info for every message."""

    def __init__(self, ttl: float = USER_TTL_SECONDS) -> None:
        self._users = _Expiring(ttl, MAX_CACHED)
        self._names = _Expiring(ttl, 1_000)

    async def member(self, client: AsyncWebClient, team_id: str, user_id: str) -> MemberRef:
        """The member for a user id; an unknown id is refused with a friendly error."""
        cached = self._users.get((team_id, user_id))
        if cached is not None:
            return cast(MemberRef, cached)
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as exc:
            if exc.response.get("error") in {"user_not_found", "users_not_found"}:
                raise errors.UnknownMember(f"<{user_id}>") from None
            raise
        member = member_from_user(response["user"])
        self._users.put((team_id, user_id), member)
        return member

    async def resolve(self, client: AsyncWebClient, team_id: str, mention: Mention) -> MemberRef:
        """A mention as the grammar read it: a user id, or a typed `@name`."""
        if mention.user_id is not None:
            return await self.member(client, team_id, mention.user_id)
        return await self.by_name(client, team_id, mention.name or "")

    async def by_name(self, client: AsyncWebClient, team_id: str, name: str) -> MemberRef:
        """A plain `@name`: the user whose handle, display name or real name it is."""
        wanted = name.lstrip("@").casefold()
        index: dict[str, list[MemberRef]] | None = self._names.get((team_id, ""))
        if index is None:
            index = await self._name_index(client, team_id)
            self._names.put((team_id, ""), index)
        found = index.get(wanted, [])
        if len(found) == 1:
            return found[0]
        if not found:
            raise errors.UnknownMember(f"@{name}")
        raise errors.ParseError(
            f"More than one person here is called @{name}; pick them from Slack's @-menu instead."
        )

    async def _name_index(self, client: AsyncWebClient, team_id: str) -> dict[str, list[MemberRef]]:
        index: dict[str, list[MemberRef]] = {}
        cursor: str | None = None
        while True:
            page = await client.users_list(limit=_USERS_LIST_PAGE, cursor=cursor)
            users: list[dict[str, Any]] = page.get("members") or []
            for user in users:
                member = member_from_user(user)
                self._users.put((team_id, member.external_id), member)
                profile = user.get("profile") or {}
                names = {
                    str(n).casefold()
                    for n in (
                        user.get("name"),
                        profile.get("display_name"),
                        profile.get("real_name"),
                        user.get("real_name"),
                    )
                    if n
                }
                for n in names:
                    index.setdefault(n, []).append(member)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return index

    async def channel(self, client: AsyncWebClient, team_id: str, name: str) -> str:
        """The id of a public channel typed as a plain `#name` (Slack sends a channel picked
        from its menu as `<#C…|name>`, which needs no lookup)."""
        wanted = name.lstrip("#").casefold()
        index: dict[str, str] | None = self._names.get((team_id, "#channels"))
        if index is None or wanted not in index:  # unknown, or created since: ask again
            index = await self._channel_index(client, name)
            self._names.put((team_id, "#channels"), index)
        if wanted not in index:
            raise errors.UnknownChannel(
                f"I can't find a public channel called #{name}: pick it from Slack's # menu, "
                "so it arrives as a link (private channels too)."
            )
        return index[wanted]

    async def _channel_index(self, client: AsyncWebClient, name: str) -> dict[str, str]:
        index: dict[str, str] = {}
        cursor: str | None = None
        while True:
            try:
                page = await client.conversations_list(
                    types="public_channel",
                    exclude_archived=True,
                    limit=_USERS_LIST_PAGE,
                    cursor=cursor,
                )
            except SlackApiError as exc:
                if exc.response.get("error") != "missing_scope":
                    raise
                raise errors.UnknownChannel(
                    f"I can't look up #{name} by name, because this Slack app may not list "
                    "channels (reinstall it from slack/manifest.yml to grant channels:read): "
                    "pick the channel from Slack's # menu so it arrives as a link."
                ) from None
            for found in page.get("channels") or []:
                index[str(found["name"]).casefold()] = str(found["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return index

    async def group_members(self, client: AsyncWebClient, team_id: str, group_id: str) -> list[str]:
        """The user ids of a user group (`<!subteam^S…>`)."""
        cached = self._names.get((team_id, f"group:{group_id}"))
        if cached is not None:
            return cast(list[str], cached)
        try:
            response = await client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as exc:
            raise errors.ParseError(
                "I couldn't read the members of that user group; mention the people instead."
            ) from exc
        listed: list[str] = response.get("users") or []
        users = [str(u) for u in listed]
        self._names.put((team_id, f"group:{group_id}"), users)
        return users
