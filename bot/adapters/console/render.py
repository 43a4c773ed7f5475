"""Replies as terminal text (a thin renderer of `bot.replies`), and the CLI's tables (rich is
imported only to draw one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.model import Drift
from bot.replies import model
from bot.replies.compose import compose
from bot.services.results import LeaderboardShown, Result

if TYPE_CHECKING:
    from rich.console import Console


def _words(spans: model.Spans) -> str:
    """Names for mentions, `#name` for channels (a console channel is its name)."""
    return "".join(
        f"#{s.channel_id}" if isinstance(s, model.ChannelRef) else model.words((s,)) for s in spans
    )


def _lines(part: model.Part) -> list[str]:
    match part:
        case model.Heading(spans) | model.Text(spans) | model.Context(spans):
            return [_words(spans)]
        case model.Facts(facts):
            return [f"{label}: {value}" for label, value in facts]
        case model.Items(entries):
            return [
                line
                for e in entries
                for line in [_words(e.spans), *([f"    {e.detail}"] if e.detail else [])]
            ]
        case model.Divider():
            return [""]
        case model.Actions():
            return []  # no buttons on a terminal: the reply says what to type instead
    raise AssertionError(f"no text for {part!r}")


def text(reply: model.Reply) -> str:
    """A reply as the lines a person reads."""
    return "\n".join(line for part in reply.parts for line in _lines(part))


def describe(result: Result) -> str:
    """The replies to a result, one after another."""
    return "\n".join(text(reply) for reply in compose(result))


def print_leaderboard(console: Console, result: LeaderboardShown) -> None:
    """The leaderboard as a table (as the chat says it when it is empty)."""
    from rich.table import Table

    if not result.rows:
        console.print(describe(result), markup=False)
        return
    title = describe(result).splitlines()[0]
    table = Table(title=title)
    table.add_column("Rank", justify="right")
    table.add_column("Who")
    table.add_column("Points", justify="right", style="bold green")
    for row in result.rows:
        table.add_row(str(row.rank), row.display_name, str(row.points))
    console.print(table)


def print_drifts(console: Console, drifts: list[Drift]) -> None:
    """`kudos ledger verify`'s report: a table of what drifted, or one line when nothing did."""
    from rich.table import Table

    if not drifts:
        console.print("[green]Ledger clean:[/green] every balance matches its entries.")
        return
    table = Table(title=f"Ledger drift: {len(drifts)} problem(s)")
    for column in ("Workspace", "Account", "Cached", "Computed", "What"):
        table.add_column(column)
    for d in drifts:
        table.add_row(
            str(d.workspace_id), str(d.account_id or "-"), str(d.cached), str(d.computed), d.detail
        )
    console.print(table)
