"""The JSON API fuzzed from its own OpenAPI document (schemathesis): whatever a caller sends,
no operation answers 5xx, and every answer is one the document describes (status, content
type, body schema). A bounded number of examples per operation, the same ones every run."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.bootstrap import build
from bot.config import Settings
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.api_tokens import create_api_token
from bot.services.catalog import add_item
from bot.services.learning import share_learning
from bot.services.rewards import adjust_points, redeem
from bot.services.schedules import add_schedule
from bot.web.api import Api
from bot.web.app import create_app
from tests.adapters.conftest import serve
from tests.support import OPERATOR, give, person

WS = WorkspaceRef("slack", "T1", "Acme")
EXAMPLES = 12


async def _seed(app: Any) -> str:
    """A workspace with something in every list, and an admin token for it."""
    for n in range(3):
        await give(app, "ana", "raj", amount=2, tags=("learning",), workspace=WS)
        await give(app, "raj", "bo", amount=1, reason=f"review {n}", workspace=WS)
    await share_learning(app.services, WS, person("ana"), "git bisect finds it", ("git",))
    await add_item(app.services, WS, OPERATOR, {"name": "Book", "cost": "3", "stock": "5"})
    await adjust_points(app.services, WS, OPERATOR, person("bo"), 50, "prize", "seed-adjust")
    await redeem(app.services, WS, MemberRef("bo", "Bo"), "Book", "seed-redeem")
    await add_schedule(app.services, WS, "weekly_leaderboard", "C1", None, actor=OPERATOR)
    _, text = await create_api_token(app.services, WS, OPERATOR, "admin", timedelta(days=1))
    return text


@pytest.fixture(scope="module")
def api(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """`kudos serve`'s app on a loopback port, in a thread of its own (schemathesis calls it
    synchronously), on a seeded SQLite file."""
    path = tmp_path_factory.mktemp("api") / "kudos.db"
    shutil.copy(sqlite_template, path)
    found: dict[str, str] = {}
    ready, stop = threading.Event(), threading.Event()

    async def main() -> None:
        app = await build(
            Settings(
                DATABASE_URL=f"sqlite+aiosqlite:///{path}",
                KUDOS_API_RATE_LIMIT=100_000,
                KUDOS_API_BURST=100_000,
            ),
            migrate=False,
        )
        try:
            found["token"] = await _seed(app)
            server, task, found["url"] = await serve(app)
            ready.set()
            await asyncio.to_thread(stop.wait)
            server.should_exit = True
            await task
        finally:
            ready.set()
            await app.close()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert ready.wait(60) and "url" in found, "the API server did not start"
    yield found
    stop.set()
    thread.join(30)


def _document() -> dict[str, Any]:
    """The OpenAPI document `kudos serve` answers (an app built without a database: the
    document does not depend on one)."""

    async def ping() -> None:
        return None

    guard = create_app(ping, api=Api(cast(Any, None)))
    document: dict[str, Any] = guard.app.app.openapi()
    return document


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(max_examples=EXAMPLES)


async def test_the_served_document_is_the_one_fuzzed(api: dict[str, str]) -> None:
    async with httpx.AsyncClient() as http:
        served = (await http.get(f"{api['url']}/api/v1/openapi.json")).json()
    assert served == DOCUMENT
    assert {"/api/v1/kudos", "/api/v1/catalog/{item_id}", "/api/v1/audit"} <= set(served["paths"])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_strays_from_its_document(case: Any, api: dict[str, str]) -> None:
    case.call_and_validate(
        base_url=api["url"],
        headers={"Authorization": f"Bearer {api['token']}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
