"""Plain-text renderings every chat adapter shares."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.results import HistoryShown, SchedulesShown


def schedules_text(result: SchedulesShown) -> str:
    """The scheduled posts, one per line (shared by every chat platform)."""
    if not result.items:
        return "Nothing scheduled yet. Try `admin schedule add weekly #team fri 16:00`."
    lines = []
    for st in result.items:
        line = (
            f"• {st.schedule.describe()} in {st.schedule.channel}; "
            f"next {st.next_run:%a %b %-d %H:%M} UTC"
        )
        if st.last_run is not None:
            line += f"; last: {st.last_run.status}"
        lines.append(line)
    return "\n".join(lines)


MAX_ECHO = 500


def cap(text: str, limit: int = MAX_ECHO) -> str:
    """Shorten text to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def points(n: int) -> str:
    """`1 point`, `5 points`."""
    return f"{n} point{'s' if n != 1 else ''}"


def joined(names: Sequence[str]) -> str:
    """`Ana`, `Ana and Raj`, `Ana, Raj and Bo`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def history_lines(result: HistoryShown) -> list[str]:
    """A person's recent kudos, one line each."""
    lines = []
    for item in result.items:
        who = (
            f"to {joined(list(item.recipients))}"
            if item.direction == "given"
            else f"from {item.giver}"
        )
        reason = f" for {item.reason}" if item.reason else ""
        mark = "↩ undone: " if item.reversed else ""
        lines.append(
            f"{item.created_at:%b %-d}  {mark}{item.direction} "
            f"{points(item.amount_each)} {who}{reason}"
        )
    return lines
