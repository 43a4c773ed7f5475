"""Plain-text renderings every chat adapter shares."""

from __future__ import annotations

from bot.services.results import SchedulesShown


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
