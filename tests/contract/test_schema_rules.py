"""The fake keeps up with the real store: a fake for every repository of the unit of work, a
contract test for every fake, and every CHECK constraint of the schema written again."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from sqlalchemy import CheckConstraint

from bot.services.ports import UnitOfWork
from bot.store.models import Base
from tests.fakes.tables import CHECKS, SCHEMAS
from tests.fakes.unit_of_work import REPOSITORIES

HERE = Path(__file__).parent


def test_every_repository_of_the_unit_of_work_has_a_fake() -> None:
    ports = {name for name, value in vars(UnitOfWork).items() if isinstance(value, property)}
    assert set(REPOSITORIES) == ports


def test_every_fake_repository_is_held_to_its_contract_here() -> None:
    text = "\n".join(path.read_text() for path in HERE.glob("test_*.py"))
    used = set(re.findall(r"uow\.([a-z_]+)\.", text))
    assert set(REPOSITORIES) - used == set(), "add contract tests for these to tests/contract/"


def test_every_fake_repository_has_the_methods_of_its_port() -> None:
    for name, fake in REPOSITORIES.items():
        port = typing.get_type_hints(getattr(UnitOfWork, name).fget)["return"]
        wanted = {method for method in vars(port) if not method.startswith("_")}
        assert wanted <= set(dir(fake)), (name, wanted - set(dir(fake)))


def test_every_check_of_the_schema_is_written_again_for_the_fake() -> None:
    real = {
        table.name: {
            str(c.name).removeprefix(f"ck_{table.name}_")
            for c in table.constraints
            if isinstance(c, CheckConstraint)
        }
        for table in Base.metadata.sorted_tables
    }
    assert {t: set(checks) for t, checks in CHECKS.items()} == {t: c for t, c in real.items() if c}


def test_the_fake_has_every_table_and_column() -> None:
    for table in Base.metadata.sorted_tables:
        assert SCHEMAS[table.name].columns == tuple(c.name for c in table.columns)
