"""How long a `kudos` command takes from the shell, against the bare `import sqlalchemy` that
every command needs: `kudos --help`, `kudos balance --json`, one piped `kudos chat` line, and
`python -c "import sqlalchemy"`, each run as a fresh process, median of `--runs` (10). One more
row, the floor, imports what any command on the database needs before it does anything: the
settings, SQLAlchemy's async engine and ORM, and our models.

Target (issue 12): each `kudos` command within 2x the bare SQLAlchemy import.

`--old PATH` runs another checkout's `kudos` (PATH/.venv/bin/kudos, with its own database)
back to back: each round runs every command of both checkouts, alternating which goes first,
so a change in the machine's load falls on both alike. Besides the wall time it reads the
processes' CPU time (user + system, from the kernel's accounting of finished children), which
other work on a shared machine disturbs far less.

    .venv/bin/python -m benchmarks.startup
    .venv/bin/python -m benchmarks.startup --old /work/wt/cli-old --runs 10
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import machine

HERE = Path(__file__).resolve().parent.parent
SEED = "@bob 5 for teaching me SQL #learning\n@bob @carol 10: pairing on the flaky test\n"
CHAT_LINE = "@bob 1 for the benchmark\n"
FLOOR = "import bot.config; bot.config.Settings(); import sqlalchemy.ext.asyncio, bot.store.models"
"""What every command on the database loads whatever the CLI does: the settings (pydantic),
SQLAlchemy's async engine (which brings its ORM) and our models."""


@dataclass(frozen=True)
class Step:
    """One command line to time, with what it reads on standard input."""

    name: str
    argv: tuple[str, ...]
    stdin: str = ""
    baseline: bool = False


@dataclass
class Checkout:
    """A tree with its own virtualenv, and the SQLite database its `kudos` runs against."""

    label: str
    root: Path
    database: Path
    wall: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)

    @property
    def kudos(self) -> str:
        return str(self.root / ".venv" / "bin" / "kudos")

    @property
    def python(self) -> str:
        return str(self.root / ".venv" / "bin" / "python")

    def env(self) -> dict[str, str]:
        """No chat platform, and bytecode cached as on an ordinary install (a shell that sets
        PYTHONDONTWRITEBYTECODE would otherwise compile every module of ours on every run)."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "MICROSOFT_")) and k != "PYTHONDONTWRITEBYTECODE"
        }
        return {**env, "DATABASE_URL": f"sqlite:///{self.database}", "NO_COLOR": "1"}

    def steps(self) -> list[Step]:
        return [
            Step("import sqlalchemy", (self.python, "-c", "import sqlalchemy"), baseline=True),
            Step("kudos --help", (self.kudos, "--help")),
            Step(
                "kudos balance --json",
                (self.kudos, "balance", "--workspace", "local", "--user", "bob", "--json"),
            ),
            Step("kudos chat (1 line)", (self.kudos, "chat", "--as", "ana"), stdin=CHAT_LINE),
            Step("floor: settings+models", (self.python, "-c", FLOOR)),
        ]

    def prepare(self) -> None:
        """Create the schema and a few kudos (the first chat upgrades the new database), then
        run each step once, unrecorded, so that every module's bytecode is cached."""
        self.run(Step("seed", (self.kudos, "chat", "--as", "ana"), stdin=SEED))
        for step in self.steps():
            self.run(step)
        self.wall.clear()
        self.cpu.clear()

    def run(self, step: Step) -> None:
        """Run `step` once; record its wall time and CPU time."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            step.argv,
            input=step.stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            check=False,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{self.label}: {step.name} failed: {done.stderr.strip()}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.wall.setdefault(step.name, []).append(wall)
        self.cpu.setdefault(step.name, []).append(cpu)


def report(checkouts: list[Checkout]) -> None:
    """Medians, and each command's ratio to the bare import of its own checkout (wall and
    CPU time each over the same of `import sqlalchemy`)."""
    head = "".join(f"{c.label + ' wall':>14}{'x':>7}{'cpu':>8}{'x':>7}" for c in checkouts)
    print(f"{'':26}{head}")
    for step in checkouts[0].steps():
        line = f"{step.name:26}"
        for c in checkouts:
            wall, cpu = statistics.median(c.wall[step.name]), statistics.median(c.cpu[step.name])
            base_wall = statistics.median(c.wall["import sqlalchemy"])
            base_cpu = statistics.median(c.cpu["import sqlalchemy"])
            line += f"{wall:13.3f}s{wall / base_wall:6.2f}x{cpu:7.3f}s{cpu / base_cpu:6.2f}x"
        print(line)


def main() -> None:
    """Time the commands and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (median)")
    parser.add_argument("--old", type=Path, help="another checkout, with its own .venv")
    args = parser.parse_args()
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="kudos-startup-") as tmp:
        checkouts = [Checkout("new", HERE, Path(tmp) / "new.db")]
        if args.old:
            checkouts.append(Checkout("old", args.old.resolve(), Path(tmp) / "old.db"))
        for checkout in checkouts:
            checkout.prepare()
        for i in range(args.runs):
            for checkout in checkouts if i % 2 == 0 else checkouts[::-1]:
                for step in checkout.steps():
                    checkout.run(step)
    report(checkouts)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
