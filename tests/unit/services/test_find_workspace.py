"""The CLI names a workspace by its id alone: found on the one platform that has it, refused
with the fix when unknown or when several platforms use the id. Finding never creates."""

from __future__ import annotations

import pytest

from bot.domain import errors
from bot.domain.model import WorkspaceRef
from bot.services.settings import change_settings
from bot.services.workspaces import find_workspace
from tests.fakes.unit_of_work import FakeApp
from tests.support import OPERATOR, snapshot


async def workspace(app: FakeApp, platform: str, external_id: str) -> None:
    """A workspace as its first admin command makes it."""
    ref = WorkspaceRef(platform, external_id)
    await change_settings(app.services, ref, {"max_amount": "20"}, OPERATOR)


async def test_an_id_only_one_platform_has_is_found_without_naming_the_platform(
    app: FakeApp,
) -> None:
    await workspace(app, "slack", "T0123")

    found = await find_workspace(app.services, "T0123")

    assert (found.platform, found.external_id) == ("slack", "T0123")
    assert (await find_workspace(app.services, "T0123", "slack")).platform == "slack"


async def test_an_id_on_several_platforms_needs_the_platform_and_says_which(app: FakeApp) -> None:
    await workspace(app, "slack", "acme")
    await workspace(app, "console", "acme")

    with pytest.raises(errors.AmbiguousWorkspace) as caught:
        await find_workspace(app.services, "acme")

    assert caught.value.message == (
        "There is a workspace called 'acme' on console and on slack: "
        "say which with --platform console or --platform slack."
    )
    assert (await find_workspace(app.services, "acme", "console")).platform == "console"


async def test_an_unknown_workspace_is_refused_and_nothing_is_created(app: FakeApp) -> None:
    await workspace(app, "slack", "T0123")
    before = await snapshot(app)

    with pytest.raises(errors.UnknownWorkspace) as unknown:
        await find_workspace(app.services, "nosuch")
    with pytest.raises(errors.UnknownWorkspace) as elsewhere:
        await find_workspace(app.services, "T0123", "teams")

    assert unknown.value.message == "I don't know a workspace called 'nosuch' yet."
    assert elsewhere.value.message == (
        "I don't know a teams workspace called 'T0123'; there is one on slack: pass "
        "--platform slack."
    )
    assert await snapshot(app) == before
