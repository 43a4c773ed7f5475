"""Every chat example the README's grammar table, `help`, docs/rewards.md and the admin
commands' own hints (in refusals and replies) show runs as written: each through the console
chat, on the fake store (tests/fakes), in a workspace where it can succeed (an admin with points, a
catalog, a kudos to undo).

Templates are expanded: `[a|b]` is each alternative and neither, `<reason>`-style placeholders
take a sample value, and an optional part or a trailing word that is only `…` is left out. A
refusal fails the test, except that a redemption or item the example names by number
(`cancel 12`, `redeem #3`) does not exist.
"""

from __future__ import annotations

import itertools
import re
import uuid
from pathlib import Path

import pytest

from bot.adapters.console.chat import run_line
from bot.domain import grammar
from bot.domain.errors import KudosError
from bot.domain.model import MemberRef, WorkspaceRef
from bot.replies.compose import help_text
from bot.services.admins import change_admins
from bot.services.catalog import add_item
from bot.services.rewards import adjust_points, redeem
from bot.services.schedules import add_schedule
from tests.fakes.unit_of_work import FakeApp
from tests.support import OPERATOR

ROOT = Path(__file__).resolve().parents[3]
ACTOR = "kim"
SAMPLES = {
    "<reason>": "the budget is spent this quarter",
    "<item>": "Book voucher",
    "<number>": "12",
    "#value": "#learning",
    "name=value": "max_amount=20",
}
BY_NUMBER = {"unknown_redemption", "unknown_item"}
"""Refusals about a number in the example, not its words: there is no redemption #12 here."""


def _expand(template: str) -> list[str]:
    """Every concrete command a template in the docs stands for."""
    template = re.sub(r"\s+…$", "", template.replace("\\|", "|").strip())
    for placeholder, value in SAMPLES.items():
        template = template.replace(placeholder, value)
    template = re.sub(r"(?<= )N\b", SAMPLES["<number>"], template)
    unknown = re.findall(r"<[a-z ]+>", template)
    assert not unknown, f"give {unknown} a sample value in SAMPLES ({template!r})"
    parts = re.split(r"(\[[^\[\]]*\])", template)
    choices: list[list[str]] = []
    for part in parts:
        if part.startswith("["):
            inner = part[1:-1]
            *alternatives, last = inner.split("|")
            shared = last.partition(" ")[2]  # `[add|remove @ana]`: both take `@ana`
            alternatives = [f"{a} {shared}" if " " not in a else a for a in alternatives]
            choices.append([""] if "…" in inner else ["", *alternatives, last])
        else:
            choices.append([part])
    return [" ".join("".join(combo).split()) for combo in itertools.product(*choices)]


def _readme_grammar() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## The grammar", 1)[1].split("\n## ", 1)[0]
    found = []
    for line in table.splitlines():
        if line.startswith("| `"):
            first_column = re.split(r"(?<!\\)\|", line)[1]
            found += re.findall(r"`([^`]+)`", first_column)
    return found


def _help() -> list[str]:
    found = []
    for line in help_text(()).splitlines():
        label, sep, rest = line.partition(":")
        if label.strip() == "Values":
            continue
        body = rest if sep and re.match(r"\s{2,}", rest) else line
        for example in body.split("·"):
            found.append(re.sub(r"\s*\([^)]*\)$", "", example.strip()))
    return found


def _hints() -> list[str]:
    """The admin commands that refusals and replies suggest (templates with `{…}` aside)."""
    sources = ("bot/domain/grammar.py", "bot/services/dispatch.py", "bot/replies/compose.py")
    text = "\n".join((ROOT / source).read_text(encoding="utf-8") for source in sources)
    text = text.replace("{s.command}", "").replace("{c}", "")  # as typed in the console
    text += "\n".join((grammar.ADMIN_HELP, grammar.SCHEDULE_HELP, grammar.CATALOG_HELP))
    return re.findall(r"`(admin [^`{}\n]*)`", text)  # one line: split literals come whole above


def _rewards_doc() -> list[str]:
    text = (ROOT / "docs" / "rewards.md").read_text(encoding="utf-8").split("## The audit log")[0]
    block = re.search(r"In chat \(admins\):\n\n```\n(.*?)```", text, re.S)
    assert block is not None
    spans = re.findall(r"`((?:admin|redeem|cancel|shop|redemptions)\b[^`]*)`", text)
    return block.group(1).splitlines() + spans


EXAMPLES = sorted(
    {
        command
        for source in (_readme_grammar, _help, _hints, _rewards_doc)
        for template in source()
        for command in _expand(template)
    }
)


def test_the_docs_yield_the_examples_this_test_relies_on() -> None:
    for expected in (
        "admin schedule add weekly #team fri 16:00",
        "admin schedule remove weekly #team",
        "admin reject 12 the budget is spent this quarter",
        "admin settings approvals_channel=#rewards",
        "top month #learning",
        "redeem Book voucher",
        "@ana ++",
    ):
        assert expected in EXAMPLES


async def _workspace_for(app: FakeApp, example: str) -> str:
    """A fresh workspace where `example` can succeed."""
    name = f"docs-{uuid.uuid4().hex[:8]}"
    ws = WorkspaceRef("console", name, name)
    ctx = app.services
    await change_admins(ctx, ws, OPERATOR, True, MemberRef(ACTOR, ACTOR))
    await adjust_points(ctx, ws, OPERATOR, MemberRef(ACTOR), 100, "seed", uuid.uuid4().hex)
    await adjust_points(ctx, ws, OPERATOR, MemberRef("raj"), 100, "seed", uuid.uuid4().hex)
    await run_line(ctx, name, ACTOR, "@raj 5 for the review")  # something to undo
    if not example.startswith("admin catalog add"):
        await add_item(ctx, ws, OPERATOR, {"name": "Book voucher", "cost": "20", "stock": "10"})
        await redeem(ctx, ws, MemberRef("raj"), "Book voucher", uuid.uuid4().hex)
    if example.startswith("admin schedule remove"):
        for kind in ("weekly_leaderboard", "monthly_leaderboard", "learning_shoutouts"):
            await add_schedule(ctx, ws, kind, "team", actor=OPERATOR)
    return name


@pytest.mark.parametrize("example", EXAMPLES)
async def test_a_documented_example_runs_as_written(app: FakeApp, example: str) -> None:
    workspace = await _workspace_for(app, example)
    try:
        await run_line(app.services, workspace, ACTOR, example)
    except KudosError as refusal:
        by_number = refusal.code in BY_NUMBER and re.search(r"#?\b\d+\b", example)
        assert by_number, f"{example!r} was refused: {refusal.message}"
