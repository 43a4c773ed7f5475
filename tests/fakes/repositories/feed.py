"""The dashboard's kudos feed in memory (see bot/store/repositories/feed.py)."""

from __future__ import annotations

from typing import Any

from bot.domain.feed import FeedItem, FeedPage, KudosFilter
from bot.domain.model import Workspace
from tests.fakes.repositories.base import (
    FakeRepository,
    ascii_lower,
    at_or_after,
    before,
    like_contains,
    newest_first,
)
from tests.fakes.repositories.kudos import load_kudos
from tests.fakes.tables import Row


class FakeFeedQueries(FakeRepository):
    async def kudos(
        self, workspace: Workspace, wanted: KudosFilter, older: int | None, limit: int
    ) -> FeedPage:
        people: set[int] | None = None
        received: set[int] = set()
        if wanted.person:
            people = {
                m["id"]
                for m in self.tables["members"].where(workspace_id=workspace.id)
                if like_contains(ascii_lower(m["display_name"]), wanted.person.casefold())
                or m["external_id"] == wanted.person
            }
            received = {
                r["kudos_id"] for r in self.tables["kudos_recipients"] if r["member_id"] in people
            }
        start: Any = None
        if older is not None:
            row = self.tables["kudos"].get(older)
            start = row["created_at"] if row and row["workspace_id"] == workspace.id else None

        def selected(r: Row) -> bool:
            if r["workspace_id"] != workspace.id:
                return False
            if people is not None and r["giver_id"] not in people and r["id"] not in received:
                return False
            if wanted.value and not like_contains(f" {r['tags']} ", f" {wanted.value} "):
                return False
            if wanted.channel and r["channel"] != wanted.channel:
                return False
            if not (
                at_or_after(r["created_at"], wanted.since) and before(r["created_at"], wanted.until)
            ):
                return False
            if older is not None:
                if start is None:  # SQL: a comparison with NULL selects nothing
                    return False
                return r["created_at"] < start or (r["created_at"] == start and r["id"] < older)
            return True

        found = load_kudos(self.tables, selected, limit=limit + 1)
        page, more = found[:limit], len(found) > limit
        members = self.tables["members"].rows
        names = {
            i: (members[i]["external_id"], members[i]["display_name"])
            for k in page
            for i in (k.giver_id, *k.recipient_ids)
            if i in members
        }
        items = tuple(
            FeedItem(
                kudos_id=k.id,
                giver=names.get(k.giver_id, ("?", "?"))[1],
                giver_id=names.get(k.giver_id, ("?", "?"))[0],
                recipients=tuple(names.get(m, ("?", "?"))[1] for m in k.recipient_ids),
                amount_each=k.amount_each,
                reason=k.reason,
                tags=k.tags,
                channel=k.channel,
                created_at=k.created_at,
                reversed=k.reversed_at is not None,
            )
            for k in page
        )
        return FeedPage(items, page[-1].id if more and page else None)

    async def learnings(
        self, workspace: Workspace, member_id: int, limit: int
    ) -> list[tuple[str, tuple[str, ...], Any]]:
        rows = newest_first(
            self.tables["learnings"].where(workspace_id=workspace.id, member_id=member_id)
        )
        return [
            (r["text"], tuple((r["tags"] or "").split()), r["created_at"]) for r in rows[:limit]
        ]
