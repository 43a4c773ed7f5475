"""Plain-text and rich renderings of service results for terminals."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from bot.adapters.plain import (
    admins_text,
    catalog_text,
    decided_text,
    hashtags,
    joined,
    redeemed_text,
    redemptions_text,
    schedules_text,
    settings_text,
    shop_text,
)
from bot.domain.badges import BADGES, label
from bot.domain.model import Drift
from bot.replies import model
from bot.services.results import (
    AdminDone,
    AdminsShown,
    BadgeEarned,
    BadgesShown,
    BalanceShown,
    CatalogShown,
    HelpShown,
    HistoryShown,
    KudosGiven,
    KudosRevised,
    KudosUndone,
    LeaderboardPost,
    LeaderboardShown,
    LearningShared,
    Redeemed,
    RedemptionDecided,
    RedemptionsShown,
    Result,
    ScheduleChanged,
    ScheduledPost,
    SchedulesShown,
    SettingsShown,
    ShopShown,
)


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


def _announce(badges: tuple[BadgeEarned, ...]) -> str:
    return "".join(
        f"\n🏅 {b.display_name} earned {label(b.badge)}: {BADGES[b.badge].why}" for b in badges
    )


def describe(result: Result) -> str:
    """One reply a person reads, for any result."""
    match result:
        case ShopShown():
            return shop_text(result)
        case Redeemed():
            return redeemed_text(result)
        case RedemptionDecided():
            return decided_text(result)
        case RedemptionsShown():
            return redemptions_text(result)
        case CatalogShown():
            return catalog_text(result)
        case SettingsShown():
            return settings_text(result)
        case AdminsShown():
            return admins_text(result)
        case AdminDone():
            return f"✔ {result.text}"
        case SchedulesShown():
            return schedules_text(result)
        case ScheduleChanged():
            return f"🗓 {result.text}"
        case BadgesShown():
            if not result.badges:
                return f"{result.display_name} has no badges yet. Give kudos or share a til!"
            return f"{result.display_name}: " + ", ".join(label(b) for b in result.badges)
        case KudosGiven():
            each = f"{result.amount_each} point{'s' if result.amount_each != 1 else ''}"
            line = f"🎉 {result.giver} gave {joined(result.recipients)} {each}"
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
            return line + _announce(result.badges)
        case BalanceShown():
            return (
                f"{result.display_name}: {result.allowance_left} points left to give "
                f"(renews {result.renews_at:%a %b %-d}), {result.earned} points earned."
                + (
                    f" Badges: {', '.join(label(b) for b in result.badges)}."
                    if result.badges
                    else ""
                )
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
                    f"to {joined(item.recipients)}"
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
                f"↩ Undone: {result.amount_each} each to {joined(result.recipients)}. "
                f"You have {result.allowance_left} points left to give."
            )
        case LearningShared():
            return f"📚 {result.author} learned: {result.text}{hashtags(result.tags)}" + _announce(
                result.badges
            )
        case HelpShown():
            return result.text
    raise AssertionError(f"unrendered result {result!r}")


def _movement(previous: int | None, rank: int) -> str:
    if previous is None:
        return "new"
    if previous == rank:
        return "="
    return f"▲{previous - rank}" if previous > rank else f"▼{rank - previous}"


def describe_post(post: ScheduledPost) -> str:
    """A scheduled post as plain text (`kudos post --dry-run`)."""
    if isinstance(post, LeaderboardPost):
        if post.empty:
            return (
                f"🏆 {post.title}\nA quiet {post.period} for kudos. Who helped you learn "
                "something? A few words of thanks go a long way."
            )
        lines = [f"🏆 {post.title}", "Most recognised:"]
        lines += [
            f"{r.rank:>3}. {r.display_name} — {r.points} ({_movement(r.previous_rank, r.rank)})"
            for r in post.receivers
        ]
        if post.givers:
            lines.append(
                "Most generous: " + ", ".join(f"{g.display_name} ({g.points})" for g in post.givers)
            )
        if post.value_leaders:
            lines.append(
                "By value: "
                + ", ".join(f"#{v} {row.display_name}" for v, row in post.value_leaders)
            )
        if post.newcomers:
            lines.append("Recognised for the first time: " + joined(post.newcomers) + " 🎉")
        return "\n".join(lines)
    if post.empty:
        return (
            f"📚 {post.title}\nNo learnings shared this week. What did you learn? "
            "Share it with `til …`."
        )
    lines = [f"📚 {post.title}"]
    if post.learnings:
        lines.append("Learned this week:")
        lines += [f"  • {who}: {text}{hashtags(tags)}" for who, text, tags in post.learnings]
    if post.kudos:
        lines.append("Thanks for helping others learn:")
        lines += [
            f"  • {k.giver} → {joined(k.recipients)}"
            + (f": {k.reason}" if k.reason else "")
            + "".join(f" #{t}" for t in k.tags)
            for k in post.kudos
        ]
    if post.helpers:
        lines.append(
            "Helped most people learn: "
            + ", ".join(
                f"{name} ({n} {'person' if n == 1 else 'people'})" for _, name, n in post.helpers
            )
        )
    return "\n".join(lines)


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
