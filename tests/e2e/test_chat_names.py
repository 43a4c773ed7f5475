"""`kudos chat --as NAME` as a user runs it: an empty name is refused before anything happens."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli import kudos


@pytest.mark.parametrize("name", ["", "   ", "@"])
def test_chat_as_an_empty_name_is_refused_in_one_sentence(tmp_path: Path, name: str) -> None:
    url = f"sqlite:///{tmp_path / 'kudos.db'}"
    chat = kudos("chat", "--as", name, url=url, stdin="@bob 5\n")
    assert chat.returncode == 1
    assert chat.stderr == "kudos: Say who you are with a name, e.g. `kudos chat --as ana`.\n"
    assert chat.stdout == ""
    assert not (tmp_path / "kudos.db").exists()
