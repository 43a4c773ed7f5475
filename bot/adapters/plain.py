"""Plain-text renderings every chat adapter shares."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.rewards import CANCELLED, FULFILLED, PENDING, Redemption, RewardItem
from bot.services.results import (
    AdminsShown,
    CatalogShown,
    HistoryShown,
    Redeemed,
    RedemptionDecided,
    RedemptionsShown,
    SchedulesShown,
    SettingsShown,
    ShopShown,
)


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


def hashtags(tags: Sequence[str], lead: str = " ") -> str:
    """`  #python #testing` after a text (nothing when there are no tags)."""
    return lead + " ".join(f"#{t}" for t in tags) if tags else ""


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


# ---------------------------------------------------------------------------- rewards


def item_line(item: RewardItem) -> str:
    """`#3 Book voucher — 200 points (10 left, needs approval)`."""
    terms = [item.describe_stock()]
    if item.needs_approval:
        terms.append("needs approval")
    if not item.active:
        terms.append("inactive")
    return f"#{item.id} {item.name} — {points(item.cost)} ({', '.join(terms)})"


def paged(
    pages: Sequence[Sequence[RewardItem]], asked: int
) -> tuple[Sequence[RewardItem], int, int]:
    """The items of page `asked` (from 1; past the end: the last page), its number, and how
    many pages there are."""
    page = min(max(asked, 1), len(pages))
    return pages[page - 1], page, len(pages)


def split(items: Sequence[RewardItem], per_page: int) -> list[Sequence[RewardItem]]:
    """`items` in pages of `per_page`; one empty page when there are none."""
    return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [()]


def shop_heading(result: ShopShown, page: int, pages: int) -> str:
    """`🎁 Rewards: you have 30 points to spend (page 2 of 3)`."""
    where = f" (page {page} of {pages})" if pages > 1 else ""
    return f"🎁 Rewards: you have {points(result.earned)} to spend{where}."


def more_pages(page: int, pages: int, command: str = "shop") -> str | None:
    """How to see the next page, when there is one."""
    return f"More rewards: `{command} {page + 1}`." if page < pages else None


SHOP_TEXT_PAGE = 20


def shop_text(result: ShopShown) -> str:
    if not result.items:
        return (
            "The shop is empty for now. Admins add rewards with "
            "`admin catalog add Book voucher cost=200`."
        )
    items, page, pages = paged(split(result.items, SHOP_TEXT_PAGE), result.page)
    lines = [shop_heading(result, page, pages)]
    for item in items:
        mark = "✓" if item.cost <= result.earned and item.stock != 0 else "·"
        lines.append(f"{mark} {item_line(item)}")
        if item.description:
            lines.append(f"    {cap(item.description, 200)}")
    lines.append("Redeem with `redeem <name or number>`.")
    lines += filter(None, [more_pages(page, pages)])
    return "\n".join(lines)


def redeemed_text(result: Redeemed) -> str:
    """What the person who redeemed is told."""
    r = result.redemption
    if result.duplicate:
        return f"You redeemed {r.item_name} already (#{r.id}, {r.status}); it counted once."
    if r.status == FULFILLED:
        return (
            f"🎁 {r.item_name} is yours, for {points(r.cost)} (redemption #{r.id}). "
            f"You have {points(result.earned_left)} left to spend."
        )
    return (
        f"🎁 You redeemed {r.item_name} for {points(r.cost)} (redemption #{r.id}). The points "
        f"are held until an admin approves it; you have {points(result.earned_left)} left."
    )


def request_text(result: Redeemed) -> str:
    """What admins are asked."""
    r = result.redemption
    return f"🎁 {r.member_name} redeemed {r.item_name} for {points(r.cost)} (#{r.id})."


def redemption_line(r: Redemption, *, who: bool = False) -> str:
    person = f"{r.member_name}: " if who else ""
    line = f"#{r.id} {person}{r.item_name}, {points(r.cost)} — {r.status} {r.created_at:%b %-d}"
    if r.status != PENDING and r.decided_by:
        line += f" by {r.decided_by}"
    if r.reason:
        line += f" ({cap(r.reason, 200)})"
    return line


def redemptions_text(result: RedemptionsShown) -> str:
    lines: list[str] = []
    if result.queue is None or result.own:
        lines.append("Your redemptions:" if result.own else "You haven't redeemed anything yet.")
        lines += [f"• {redemption_line(r)}" for r in result.own]
    if result.queue is not None:
        if result.queue:
            lines.append("Awaiting a decision (`admin approve N`, `admin reject N <reason>`):")
            lines += [f"• {redemption_line(r, who=True)}" for r in result.queue]
        else:
            lines.append("No redemptions are waiting for a decision.")
    return "\n".join(lines)


def decided_text(result: RedemptionDecided) -> str:
    """What the deciding admin is told."""
    r = result.redemption
    if r.status == CANCELLED:
        return (
            f"Cancelled #{r.id}: {r.item_name}. {points(r.cost)} went back to you: you have "
            f"{points(result.earned_after)} to spend."
        )
    verb = "Approved" if r.status == FULFILLED else "Rejected"
    return f"{verb} #{r.id}: {r.item_name} for {r.member_name}."


def decision_text(result: RedemptionDecided) -> str:
    """What the member is told."""
    r = result.redemption
    if r.status == FULFILLED:
        return (
            f"✅ Your redemption of {r.item_name} (#{r.id}) was approved by {r.decided_by}. Enjoy!"
        )
    why = f": {r.reason}" if r.reason else ""
    return (
        f"↩ Your redemption of {r.item_name} (#{r.id}) was declined by {r.decided_by}{why}. "
        f"{points(r.cost)} went back to you: you have {points(result.earned_after)} to spend."
    )


def catalog_text(result: CatalogShown) -> str:
    if not result.items:
        return "The catalog is empty. Try `admin catalog add Book voucher cost=200 stock=10`."
    return "\n".join(f"• {item_line(item)}" for item in result.items)


def settings_text(result: SettingsShown) -> str:
    lines = []
    for name, value in result.settings.to_dict().items():
        shown = ", ".join(value) if isinstance(value, list) else (value if value != "" else "—")
        mark = " (changed)" if name in result.changed else ""
        lines.append(f"{name}: {shown}{mark}")
    lines.append("Change one with `admin settings name=value`.")
    return "\n".join(lines)


def admins_text(result: AdminsShown) -> str:
    builtin = (
        "Slack workspace admins and owners are Kudos admins. " if result.platform == "slack" else ""
    )
    if not result.admins:
        return (
            builtin + "No one else is on the admin list. Add someone with `admin admins add @name`."
        )
    return builtin + "On the admin list: " + joined([name for _, name in result.admins]) + "."
