"""`kudos chat` on a terminal, as a person uses it: a real process on a pseudo-terminal, keys
as a terminal sends them (arrows, Tab, Ctrl-C, Ctrl-D), and what the screen shows."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import time
from pathlib import Path

import pexpect

from tests.e2e.test_cli import kudos

KUDOS = str(Path(sys.executable).parent / "kudos")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")
UP, TAB, CTRL_C, CTRL_D = "\x1b[A", "\t", "\x03", "\x04"


class Terminal:
    """A pseudo-terminal running `kudos chat`: answers the cursor-position requests a real
    terminal answers, and reads what it shows with the control sequences taken out."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path}/kudos.db",
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "TERM": "xterm-256color",
            "NO_COLOR": "1",
        }
        self.child = pexpect.spawn(
            KUDOS, ["chat", *args], env=env, encoding="utf-8", dimensions=(40, 120), timeout=30
        )
        self.raw = ""
        self.seen = 0

    def _read(self, timeout: float) -> None:
        try:
            chunk = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return
        if "\x1b[6n" in chunk:
            self.child.send("\x1b[1;1R")
        self.raw += chunk

    @property
    def text(self) -> str:
        return ESCAPES.sub("", self.raw)

    def wait_for(self, wanted: str, within: float = 30) -> str:
        """Wait until `wanted` shows after what was waited for before; the text up to it."""
        deadline = time.monotonic() + within
        while wanted not in self.text[self.seen :]:
            assert time.monotonic() < deadline, f"{wanted!r} never showed: {self.text[-600:]!r}"
            self._read(0.2)
        end = self.text.index(wanted, self.seen) + len(wanted)
        shown, self.seen = self.text[self.seen : end], end
        return shown

    def type(self, keys: str) -> None:
        self.child.send(keys)

    def exit_status(self) -> int:
        """Wait for the process to end and return its status."""
        deadline = time.monotonic() + 30
        while self.child.isalive():
            assert time.monotonic() < deadline, f"still running: {self.text[-600:]!r}"
            try:
                self._read(0.2)
            except pexpect.EOF:
                break
        self.child.close()
        return int(self.child.exitstatus or 0) if self.child.signalstatus is None else -1


def earned(tmp_path: Path, who: str) -> int:
    shown = kudos(
        "balance",
        *("--workspace", "local", "--user", who, "--json"),
        url=f"sqlite:///{tmp_path}/kudos.db",
    )
    return int(json.loads(shown.stdout)["earned"])


def test_history_editing_completion_and_the_keys_that_leave(tmp_path: Path) -> None:
    first = Terminal(tmp_path, "--as", "ana")
    first.wait_for("ana>")
    first.type("@bob 5 for the review\r")
    first.wait_for("ana gave bob 5 points")
    first.wait_for("ana>")
    first.type(UP)  # the line just sent comes back, to be sent again
    first.wait_for("@bob 5 for the review")
    first.type("\r")
    first.wait_for("ana gave bob 5 points")
    first.wait_for("ana>")
    first.type("@bob 3 for half a thought")
    first.wait_for("half a thought")
    first.type(CTRL_C)  # drops the line: nothing given
    first.wait_for("ana>")
    first.type(f"bal{TAB}")
    first.wait_for("balance")
    first.type("\r")
    first.wait_for("left to give")
    first.wait_for("ana>")
    first.type(CTRL_D)
    assert first.exit_status() == 0
    assert first.text.endswith("\n"), "the shell's prompt starts on a line of its own"
    assert "Traceback" not in first.text and "KeyboardInterrupt" not in first.text
    assert earned(tmp_path, "bob") == 10

    history = tmp_path / "state" / "kudos" / "history"
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    assert stat.S_IMODE(history.parent.stat().st_mode) == 0o700
    assert "half a thought" not in history.read_text()

    second = Terminal(tmp_path, "--as", "ana")  # a new session remembers the last one
    second.wait_for("ana>")
    second.type(UP)
    second.wait_for("balance")
    second.type(UP)
    second.wait_for("@bob 5 for the review")
    second.type("\x15")  # Ctrl-U: the line is cleared
    second.type(f"@bo{TAB}")  # a known name completes
    second.wait_for("@bob")
    second.type(" 1 for the tab completion\r")
    second.wait_for("ana gave bob 1 point")
    second.wait_for("ana>")
    second.type(CTRL_C)
    second.wait_for("Ctrl-C again or Ctrl-D to leave")
    second.type(CTRL_C)
    assert second.exit_status() == 0
    assert earned(tmp_path, "bob") == 11


def test_a_pipe_still_reads_line_by_line_without_prompts(tmp_path: Path) -> None:
    piped = kudos(
        "chat",
        "--as",
        "ana",
        url=f"sqlite:///{tmp_path}/kudos.db",
        stdin="@bob 2 for the pipe\nbalance\n",
    )
    assert piped.returncode == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert lines[0].startswith("🎉 ana gave bob 2 points")
    assert "ana>" not in piped.stdout and "\x1b" not in piped.stdout
    assert not (tmp_path / "state").exists()


def test_history_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    """Someone who can write the state directory must not redirect what people type."""
    history = tmp_path / "state" / "kudos" / "history"
    history.parent.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    history.symlink_to(elsewhere)
    chat = Terminal(tmp_path, "--as", "ana")
    chat.wait_for("history is not kept")
    chat.wait_for("ana>")
    chat.type("balance\r")
    chat.wait_for("left to give")
    chat.wait_for("ana>")
    chat.type(CTRL_D)
    assert chat.exit_status() == 0
    assert not elsewhere.exists()
