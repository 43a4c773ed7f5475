"""A/B benchmark: this checkout against another commit, back to back in one run, alternating,
on the two figures that must not regress: gives per second through the service layer
(`benchmarks.ledger`) and the Slack load benchmark's p99 ack at 200 requests/s
(`benchmarks.slack_load`).

    git -C . worktree add --detach /work/wt/bench-old f7c0210
    cd /work/wt/bench-old && python3 -m venv .venv
    .venv/bin/pip install -q -c requirements.lock -e '.[test]' && cd -
    .venv/bin/python -m benchmarks.ab --old /work/wt/bench-old             # ~15 minutes
    .venv/bin/python -m benchmarks.ab --old /work/wt/bench-old --quick     # one short round

Each checkout runs its own copy of the two benchmarks with its own virtualenv (both benchmarks
are unchanged since f7c0210), one after the other, in the order old-new, new-old, old-new, …
so that a drift of the machine's speed during the run falls on both alike. Reported: each
figure's median over the rounds, for old and new, and the ratio new/old. For the Slack
benchmark also the server process's CPU time per request (from /proc, warm-up included),
which other load on the machine disturbs far less than latency. The machines these
run on are shared and vary up to 2x between sessions: only ratios within one run mean much.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
from collections import defaultdict
from pathlib import Path

from benchmarks.harness import machine

HERE = Path(__file__).resolve().parent.parent


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command's name: state, ppid, …, utime, stime, …"""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rsplit(")", 1)[1].split()


def server_cpu(parent: int) -> float:
    """CPU seconds (user + system) used so far by the `kudos serve` started by `parent`."""
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError):
            fields = _stat(int(entry.name))
            if int(fields[1]) == parent and b"serve" in (entry / "cmdline").read_bytes():
                return (int(fields[11]) + int(fields[12])) / ticks
    return 0.0


async def run(tree: Path, *args: str, cpu: list[float] | None = None) -> str:
    """Run `python -m …` in `tree` with its own virtualenv; with `cpu`, note there the CPU
    seconds its `kudos serve` child has used, as last seen while it ran."""
    python = tree / ".venv" / "bin" / "python"
    process = await asyncio.create_subprocess_exec(
        str(python),
        *args,
        cwd=tree,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = asyncio.create_task(process.communicate())
    while cpu is not None and not output.done():
        seen = await asyncio.to_thread(server_cpu, process.pid)
        if seen:
            cpu[:] = [seen]
        await asyncio.wait([output], timeout=0.25)
    out, _ = await output
    text = out.decode(errors="replace")
    if process.returncode:
        raise RuntimeError(f"{python} {' '.join(args)} failed in {tree}:\n{text[-3000:]}")
    return text


async def gives(tree: Path, backend: str, count: int) -> dict[str, float]:
    """gives/s per shape, one round of `count` gives."""
    out = await run(
        tree,
        "-m",
        "benchmarks.ledger",
        "--backend",
        backend,
        "--gives",
        str(count),
        "--rounds",
        "1",
        "--redeems",
        "0",
        "--entries",
        "0",
    )
    found = {}
    for line in out.splitlines():
        m = re.match(rf"{backend}\s+gives/s (.+?)\s+(\d+)$", line.strip())
        if m:
            found[f"{backend} gives/s {m.group(1).strip()}"] = float(m.group(2))
    return found


async def slack(tree: Path, backend: str, seconds: float) -> dict[str, float]:
    """The target row of the Slack load benchmark: p50/p99 ack at 200/s, kudos/s done, and
    the server's CPU per request (over the warm-up's 500 requests and the 200/s ones)."""
    cpu: list[float] = []
    out = await run(
        tree,
        "-m",
        "benchmarks.slack_load",
        "--backend",
        backend,
        "--seconds",
        str(seconds),
        "--sweep",
        "",
        cpu=cpu,
    )
    for line in out.splitlines():
        if line.startswith("| target |"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            return {
                f"{backend} slack 200/s p50 ms": float(cells[4]),
                f"{backend} slack 200/s p99 ms": float(cells[5]),
                f"{backend} slack 200/s max ms": float(cells[6]),
                f"{backend} slack 200/s kudos/s": float(cells[7]),
                f"{backend} slack server CPU ms/request": round(
                    1000 * (cpu[0] if cpu else 0) / (500 + 200 * seconds), 2
                ),
            }
    raise RuntimeError(f"no target row in:\n{out[-2000:]}")


async def measure(args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    """Run the rounds and print each figure's medians and ratio; every value, by checkout."""
    backends = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    print(f"# {machine()}")
    print(f"# old: {trees['old']}, new: {trees['new']}")
    values: dict[str, dict[str, list[float]]] = {"old": defaultdict(list), "new": defaultdict(list)}
    for round_number in range(args.rounds):
        order = ["old", "new"] if round_number % 2 == 0 else ["new", "old"]
        for backend in backends:
            for which in order:
                measured: dict[str, float] = {}
                for skip, figure, extra in (
                    ("gives", gives, args.gives),
                    ("slack", slack, args.slack_seconds),
                ):
                    if skip in args.skip:
                        continue
                    try:
                        measured |= await figure(trees[which], backend, extra)
                    except RuntimeError as failed:  # e.g. the work did not drain within 300 s
                        print(f"round {round_number + 1} {which}: {str(failed)[:300]}")
                for name, value in measured.items():
                    values[which][name].append(value)
                print(
                    f"round {round_number + 1} {which}: "
                    + ", ".join(f"{k} {v:g}" for k, v in measured.items()),
                    flush=True,
                )
    print("\n| measure | old (median) | new (median) | new/old | old runs | new runs |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for name in values["old"]:
        if not values["new"].get(name):
            continue
        old, new = statistics.median(values["old"][name]), statistics.median(values["new"][name])
        ratio = new / old if old else float("nan")
        print(
            f"| {name} | {old:g} | {new:g} | {ratio:.2f} "
            f"| {', '.join(f'{v:g}' for v in values['old'][name])} "
            f"| {', '.join(f'{v:g}' for v in values['new'][name])} |"
        )
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, type=Path, help="the other checkout (with .venv)")
    parser.add_argument("--new", default=HERE, type=Path, help="default: this checkout")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=4, help="alternations; medians reported")
    parser.add_argument("--gives", type=int, default=3000, help="gives per ledger round")
    parser.add_argument("--slack-seconds", type=float, default=15)
    parser.add_argument("--skip", choices=["gives", "slack"], action="append", default=[])
    parser.add_argument("--quick", action="store_true", help="one round, 1,000 gives, 5 s")
    parser.add_argument("--json", help="also write every measurement to this file")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.gives, args.slack_seconds = 1, 1000, 5
    values = asyncio.run(measure(args))
    if args.json:
        Path(args.json).write_text(json.dumps(values, indent=2))


if __name__ == "__main__":
    main()
