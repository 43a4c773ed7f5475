"""Helpers the tests share: giving kudos tersely and snapshotting every table."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select, text

from bot.bootstrap import App
from bot.domain.model import MemberRef, WorkspaceRef
from bot.domain.rewards import MAX_DESCRIPTION, MAX_NAME
from bot.services.catalog import add_item
from bot.services.give import GiveKudos, give_kudos
from bot.services.results import KudosGiven
from bot.services.settings import change_settings
from bot.store.models import Base
from tests.fakes.unit_of_work import FakeApp

WS = WorkspaceRef("console", "acme", "Acme")
OPERATOR = MemberRef("cli:ops", "ops (CLI)", is_admin=True)
"""Whoever runs the CLI on the server: an admin everywhere."""


def person(name: str, **flags: Any) -> MemberRef:
    return MemberRef(external_id=name, display_name=name.title(), **flags)


async def give(
    app: App | FakeApp,
    giver: str | MemberRef,
    *recipients: str | MemberRef,
    amount: int | None = None,
    reason: str | None = "helping",
    tags: tuple[str, ...] = (),
    key: str | None = None,
    workspace: WorkspaceRef = WS,
) -> KudosGiven:
    def ref(p: str | MemberRef) -> MemberRef:
        return person(p) if isinstance(p, str) else p

    return await give_kudos(
        app.services,
        GiveKudos(
            workspace=workspace,
            giver=ref(giver),
            recipients=tuple(ref(r) for r in recipients),
            amount=amount,
            reason=reason,
            tags=tags,
            idempotency_key=key or str(uuid.uuid4()),
        ),
    )


REQUEST_LOG = frozenset({"inbox", "outbox"})
"""The requests the bot acknowledged and what it said back: a refused request is recorded and
answered, and changes nothing else."""


async def snapshot(
    app: App | FakeApp, *, requests: bool = True
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for asserting that a request wrote nothing at all; with
    `requests=False`, every table but the request log (for a request that was recorded and
    answered, and must have changed nothing else). On the fake store as on a database."""
    if isinstance(app, FakeApp):
        return app.store.snapshot(requests=requests)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with app.database.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if not requests and table.name in REQUEST_LOG:
                continue
            rows = (await conn.execute(select(table))).all()
            tables[table.name] = sorted(tuple(map(str, row)) for row in rows)
    return tables


def count(app: FakeApp, table: str, **equals: Any) -> int:
    """How many committed rows of `table` of the fake store have these values."""
    return len(app.store.rows(table, **equals))


async def scalar(app: App, sql: str, **params: Any) -> Any:
    async with app.database.engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar()


async def configure(app: App | FakeApp, workspace: WorkspaceRef = WS, **changes: object) -> None:
    """Change settings the way an admin does, through the settings service."""

    def as_text(value: object) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, tuple):
            return ",".join(map(str, value))
        return str(value)

    changes_text = {k: as_text(v) for k, v in changes.items()}
    await change_settings(app.services, workspace, changes_text, OPERATOR)


async def quiet(app: App, within: float = 10.0) -> None:
    """Wait until every acknowledged request is done and everything the bot said is sent (or
    given up): nothing pending in the inbox or the outbox."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        pending = await scalar(
            app,
            "SELECT (SELECT COUNT(*) FROM inbox WHERE state = 'pending')"
            " + (SELECT COUNT(*) FROM outbox WHERE state = 'pending')",
        )
        if pending == 0 and await app.worker.idle(0):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{pending} inbox/outbox rows still pending after {within} s")
        await asyncio.sleep(0.01)


WORST_CASE_SCRIPTS = ("x", "学", "🎓")
"""ASCII, a CJK character (BMP, 6 bytes as escaped JSON) and an emoji (outside the BMP: 4 bytes
as UTF-16, 12 as escaped JSON)."""


async def worst_case_catalog(
    app: App | FakeApp, workspace: WorkspaceRef, count: int = 45
) -> list[str]:
    """`count` rewards with names and descriptions as long as the catalog allows (80 and 500
    characters), in turn in each of WORST_CASE_SCRIPTS; their names, in catalog order."""
    names = []
    for n in range(count):
        script = WORST_CASE_SCRIPTS[n % len(WORST_CASE_SCRIPTS)]
        name = f"{n:02d} " + script * (MAX_NAME - 3)
        fields = {"name": name, "cost": "10", "description": script * MAX_DESCRIPTION}
        await add_item(app.services, workspace, OPERATOR, fields)
        names.append(name)
    return names
