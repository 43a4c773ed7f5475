"""The services' rules on the unit of work in memory (tests/fakes/unit_of_work.py): no
database, milliseconds a test. tests/contract/ proves the fake behaves as the SQL store;
what only a database shows (concurrency, two processes, caches, migrations, PostgreSQL) stays
in tests/integration."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from tests.fakes.unit_of_work import FakeApp


@pytest.fixture
def app(clock: FakeClock) -> FakeApp:
    """The services on a fresh fake store, with the test's clock."""
    return FakeApp(clock=clock)
