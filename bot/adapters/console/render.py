"""Plain-text and rich renderings of service results for terminals."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from bot.domain.model import Drift
from bot.services.results import (
    BalanceShown,
    HelpShown,
    HistoryShown,
    KudosGiven,
    KudosRevised,
    KudosUndone,
    LeaderboardShown,
    LearningShared,
    Result,
)


def _names(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def describe(result: Result) -> str:
    """One reply a person reads, for any result."""
    match result:
        case KudosGiven():
            each = f"{result.amount_each} point{'s' if result.amount_each != 1 else ''}"
            line = f"🎉 {result.giver} gave {_names(result.recipients)} {each}"
            if len(result.recipients) > 1:
                line += " each"
            if result.reason:
                line += f" for {result.reason}"
            if result.tags:
                line += " " + " ".join(f"#{t}" for t in result.tags)
            if result.duplicate:
                return line + " (already counted; not given twice)"
            line += f"\nYou have {result.allowance_left} points left to give."
            if result.nudge:
                line += f"\n{result.nudge}"
            return line
        case BalanceShown():
            return (
                f"{result.display_name}: {result.allowance_left} points left to give "
                f"(renews {result.renews_at:%a %b %-d}), {result.earned} points earned."
            )
        case LeaderboardShown():
            title = {"week": "this week", "month": "this month", "all": "of all time"}[
                result.period
            ]
            tag = f" #{result.tag}" if result.tag else ""
            if not result.rows:
                return f"No kudos{tag} {title} yet. Be the first to thank someone!"
            lines = [f"🏆 Top{tag} {title}"]
            lines += [f"{r.rank:>3}. {r.display_name} — {r.points}" for r in result.rows]
            return "\n".join(lines)
        case HistoryShown():
            if not result.items:
                return "No kudos yet: give some with `@name 5 for ...`."
            lines = []
            for item in result.items:
                mark = "↩ undone " if item.reversed else ""
                who = (
                    f"to {_names(item.recipients)}"
                    if item.direction == "given"
                    else f"from {item.giver}"
                )
                reason = f" for {item.reason}" if item.reason else ""
                lines.append(
                    f"{item.created_at:%b %-d %H:%M}  {mark}{item.direction} "
                    f"{item.amount_each} {who}{reason}"
                )
            return "\n".join(lines)
        case KudosRevised():
            lines = [describe(u) for u in result.undone]
            if result.given:
                lines.append(describe(result.given))
            return "\n".join(lines) or "Nothing changed."
        case KudosUndone():
            return (
                f"↩ Undone: {result.amount_each} each to {_names(result.recipients)}. "
                f"You have {result.allowance_left} points left to give."
            )
        case LearningShared():
            topic = f" #{result.topic}" if result.topic else ""
            return f"📚 {result.author} learned: {result.text}{topic}"
        case HelpShown():
            return result.text
    raise AssertionError(f"unrendered result {result!r}")


def balance_json(platform: str, workspace: str, result: BalanceShown) -> dict[str, Any]:
    return {
        "platform": platform,
        "workspace": workspace,
        "user": result.user,
        "allowance_left": result.allowance_left,
        "earned": result.earned,
    }


def leaderboard_json(result: LeaderboardShown) -> list[dict[str, Any]]:
    return [
        {"rank": r.rank, "user": r.external_id, "display_name": r.display_name, "points": r.points}
        for r in result.rows
    ]


def print_leaderboard(console: Console, result: LeaderboardShown) -> None:
    if not result.rows:
        console.print(describe(result))
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
