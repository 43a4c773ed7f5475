"""The schema exists only through Alembic, and the models never drift from the revisions."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bot import migrations
from bot.store.models import Base


async def _inspect(url: str) -> tuple[set[str], list[object]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()
    return tables, diff


def test_upgrade_downgrade_upgrade_and_no_drift(database_url: str) -> None:
    expected = set(Base.metadata.tables)
    tables, diff = asyncio.run(_inspect(database_url))
    assert expected <= tables
    assert diff == []

    migrations.downgrade(database_url, "base")
    tables, _ = asyncio.run(_inspect(database_url))
    assert tables & expected == set()

    migrations.upgrade(database_url)
    tables, diff = asyncio.run(_inspect(database_url))
    assert expected <= tables
    assert diff == [], f"models and migrations drifted: {diff}"


def test_replicas_upgrading_at_once_all_succeed(database_url: str) -> None:
    """Several `kudos serve` starting together each run the upgrade; none may fail."""
    kudos = str(Path(sys.executable).parent / "kudos")
    migrations.downgrade(database_url, "base")
    env = {**os.environ, "DATABASE_URL": database_url}
    processes = [
        subprocess.Popen([kudos, "db", "upgrade"], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    tables, diff = asyncio.run(_inspect(database_url))
    assert set(Base.metadata.tables) <= tables
    assert diff == []
