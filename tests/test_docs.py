"""The README's two commands are the ones CI and the Dockerfile run, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> tuple[str, str]:
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    start, test = blocks[0].strip(), blocks[1].strip()
    return start, test


def test_readme_opens_with_a_start_and_a_test_command() -> None:
    start, test = readme_commands()
    assert start.endswith("kudos serve")
    assert test.endswith(".venv/bin/pytest")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    _, test = readme_commands()
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in lines


def test_dockerfile_installs_exactly_as_the_readme_does() -> None:
    start, _ = readme_commands()
    install = start.rsplit(" && ", 1)[0]
    assert f"RUN {install}" in (ROOT / "Dockerfile").read_text().splitlines()
