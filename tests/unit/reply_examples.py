"""Every service result, event and scheduled post the composer writes replies for, as people
meet them and at their worst (the longest names and texts the rules allow, the most entries),
for the composer's and the renderers' tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.domain.model import HistoryItem, LeaderboardRow, WorkspaceSettings
from bot.domain.rewards import MAX_DESCRIPTION, MAX_NAME, Redemption, RewardItem
from bot.domain.schedule import Schedule, ScheduleRun
from bot.replies.compose import (
    Surface,
    compose,
    event_replies,
    gave_up,
    home,
    reacted,
    refusal,
    scheduled,
)
from bot.replies.model import Reply
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
    LearningKudos,
    LearningPost,
    LearningShared,
    PrivacyShown,
    Redeemed,
    RedemptionDecided,
    RedemptionsShown,
    Result,
    ScheduleChanged,
    SchedulesShown,
    ScheduleStatus,
    SettingsShown,
    ShopShown,
    Standing,
)

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
SCRIPTS = ("x", "李", "🚀")
"""ASCII, CJK and an emoji: a character takes 1, 3 and 4 bytes in UTF-8, 1, 1 and 2 in UTF-16."""
LONG_NAME = "Zoë O'Brien-李 🚀 " * 5  # 85 characters, as long as a Slack display name gets


def given(**changes: Any) -> KudosGiven:
    """Ana gives Raj 5 points for the review."""
    base = KudosGiven(
        kudos_id=7,
        giver="Ana Lima",
        recipients=("Raj Patel",),
        recipient_ids=("URAJ",),
        amount_each=5,
        reason="the review",
        tags=("learning",),
        allowance_left=95,
        giver_id="UANA",
        channel="C1",
    )
    return replace(base, **changes)


def redemption(**changes: Any) -> Redemption:
    """Raj's pending redemption #12 of a Book for 20 points."""
    base = Redemption(12, 3, "Book", "URAJ", "Raj Patel", 20, "pending", NOW)
    return replace(base, **changes)


def item(n: int, **changes: Any) -> RewardItem:
    return replace(RewardItem(n, f"Reward {n}", "", 10 * n, None, False, True), **changes)


def worst_item(n: int) -> RewardItem:
    script = SCRIPTS[n % len(SCRIPTS)]
    name = f"{n:02d} " + script * (MAX_NAME - 3)
    return RewardItem(n, name, script * MAX_DESCRIPTION, 10, 5, True, True)


def history(n: int, reason: str | None = "pairing") -> HistoryItem:
    return HistoryItem(n, "given" if n % 2 else "received", "Bo Chen", ("Raj Patel",), 3,
                       reason, (), NOW, n % 3 == 0)  # fmt: skip


def rows(count: int, name: str = "Raj Patel") -> tuple[LeaderboardRow, ...]:
    return tuple(
        LeaderboardRow(n, n, f"U{n:04d}", f"{name} {n}", 100 - n) for n in range(1, count + 1)
    )


SCHEDULE = Schedule(1, 1, "weekly_leaderboard", "CTEAM", 4, 16, 0)
WORST_REASON = "🚀" * 3000  # max_reason_length is at most 3000
SETTINGS = WorkspaceSettings(learning_channel="CLEARN")

TYPICAL: dict[str, Result] = {
    "kudos": given(),
    "kudos to two, with badges": given(
        recipients=("Raj Patel", "Bo Chen"),
        recipient_ids=("URAJ", "UBO"),
        badges=(BadgeEarned("UANA", "Ana Lima", "first-kudos"),),
    ),
    "kudos without a reason": given(reason=None, tags=(), nudge="Tip: say why."),
    "kudos counted already": given(duplicate=True),
    "balance": BalanceShown("UANA", "Ana Lima", 99, 1, NOW, ("first-kudos",)),
    "leaderboard": LeaderboardShown("week", None, rows(3)),
    "empty leaderboard": LeaderboardShown("all", "learning", ()),
    "history": HistoryShown(tuple(history(n) for n in range(1, 4))),
    "empty history": HistoryShown(()),
    "undo": KudosUndone(7, ("erin",), 20, 80),
    "edit": KudosRevised(
        (KudosUndone(7, ("Raj Patel",), 10, 100),),
        given(recipients=("Bo Chen",), recipient_ids=("UBO",), amount_each=4, allowance_left=96),
        why="message edited",
    ),
    "edit into kudos": KudosRevised((), given(), why="message edited"),
    "deletion": KudosRevised(
        (KudosUndone(7, ("Raj Patel",), 10, 100),), None, why="message deleted"
    ),
    "learning": LearningShared(4, "Ana Lima", "git bisect finds the bad commit", ("git",)),
    "learning for the learning channel": LearningShared(
        4, "Ana Lima", "tmp_path is per test", ("testing",), learning_channel="CLEARN"
    ),
    "help": HelpShown(("learning", "mentoring")),
    "badges": BadgesShown("UANA", "Ana Lima", ("first-kudos", "mentor")),
    "no badges": BadgesShown("UBO", "Bo Chen", ()),
    "badges kept private": BadgesShown("URAJ", "Raj Patel", (), private=True),
    "schedules": SchedulesShown(
        (
            ScheduleStatus(
                SCHEDULE,
                NOW,
                ScheduleRun(1, "weekly_leaderboard", "CTEAM", "2026-W46", "posted", 1, NOW),
            ),
        )
    ),
    "no schedules": SchedulesShown(()),
    "schedule changed": ScheduleChanged("Scheduled: weekly leaderboard, Fri at 16:00."),
    "shop": ShopShown((item(1), item(2, description="A mug"), item(3, stock=0)), earned=25),
    "shop, page 2 of 3": ShopShown(tuple(item(n) for n in range(1, 46)), earned=100, page=2),
    "empty shop": ShopShown((), earned=0),
    "redeemed, awaiting approval": Redeemed(redemption(), item(3), 10, ("UBOSS",)),
    "redeemed at once": Redeemed(redemption(status="fulfilled"), item(3), 10),
    "redeemed already": Redeemed(redemption(), item(3), 10, duplicate=True),
    "approved": RedemptionDecided(redemption(status="fulfilled", decided_by="Kim"), 10),
    "rejected": RedemptionDecided(
        redemption(status="rejected", decided_by="Kim", reason="out of budget"), 30
    ),
    "cancelled": RedemptionDecided(redemption(status="cancelled", decided_by="Raj Patel"), 30),
    "redemptions and the queue": RedemptionsShown((redemption(),), (redemption(id=13),)),
    "no redemptions": RedemptionsShown(()),
    "an empty queue": RedemptionsShown((), ()),
    "catalog": CatalogShown((item(1), item(2, active=False, needs_approval=True))),
    "empty catalog": CatalogShown(()),
    "settings": SettingsShown(SETTINGS, ("learning_channel",)),
    "admins in slack": AdminsShown((("UANA", "Ana Lima"),), "slack"),
    "no admins in teams": AdminsShown((), "teams"),
    "admin done": AdminDone("Added #4 Mug."),
    "privacy: public": PrivacyShown(public=True),
    "privacy: just left": PrivacyShown(public=False, changed=True),
    "privacy: private already": PrivacyShown(public=False),
    "privacy: back": PrivacyShown(public=True, changed=True),
    "kudos to someone private": given(private_ids=("URAJ",)),
    "kudos from someone private": given(
        private_ids=("UANA",), badges=(BadgeEarned("UANA", "Ana Lima", "first-kudos"),)
    ),
    "kudos to two, one private": given(
        recipients=("Raj Patel", "Bo Chen"),
        recipient_ids=("URAJ", "UBO"),
        private_ids=("URAJ",),
        badges=(
            BadgeEarned("URAJ", "Raj Patel", "mentor"),
            BadgeEarned("UBO", "Bo Chen", "mentor"),
        ),
    ),
    "private learning": LearningShared(
        4, "Ana Lima", "tmp_path is per test", ("testing",), learning_channel="CLEARN", private=True
    ),
}

WORST: dict[str, Result] = {
    "kudos": given(
        giver=LONG_NAME,
        recipients=tuple(f"{LONG_NAME}{n}" for n in range(50)),
        recipient_ids=tuple(f"U{n:04d}" for n in range(50)),
        reason=WORST_REASON,
        tags=tuple(f"value-{n:02d}" + "x" * 55 for n in range(40)),
        badges=tuple(BadgeEarned(f"U{n:04d}", LONG_NAME, "mentor") for n in range(5)),
    ),
    "leaderboard": LeaderboardShown("all", "x" * 64, rows(50, LONG_NAME)),
    "history": HistoryShown(tuple(history(n, WORST_REASON) for n in range(10))),
    "learning": LearningShared(4, LONG_NAME, "🚀" * 1000, tuple(f"t{n}" * 20 for n in range(30))),
    "shop": ShopShown(tuple(worst_item(n) for n in range(45)), earned=10**9),
    "redemptions": RedemptionsShown(
        tuple(redemption(id=n, item_name="🚀" * MAX_NAME, reason="李" * 500) for n in range(20)),
        tuple(redemption(id=n, member_name=LONG_NAME) for n in range(50)),
    ),
    "catalog": CatalogShown(tuple(worst_item(n) for n in range(200))),
    "settings": SettingsShown(
        replace(SETTINGS, values=tuple(f"v{n:02d}" + "x" * 60 for n in range(100))), ("values",)
    ),
    "admins": AdminsShown(tuple((f"U{n}", LONG_NAME) for n in range(100)), "slack"),
}

EVENTS = {
    "kudos": given(recipients=("Raj Patel", "Bo Chen"), recipient_ids=("URAJ", "UBO")),
    "kudos given in a DM": given(channel="D1"),
    "learning": TYPICAL["learning for the learning channel"],
    "learning nowhere": TYPICAL["learning"],
    "private learning": TYPICAL["private learning"],
    "kudos to someone private": TYPICAL["kudos to someone private"],
    "redemption to an approvals channel": Redeemed(
        redemption(), item(3), 10, ("UBOSS",), approvals_channel="CAPPROVE"
    ),
    "redemption to the admins": TYPICAL["redeemed, awaiting approval"],
    "approved": TYPICAL["approved"],
    "rejected": TYPICAL["rejected"],
    "worst kudos": WORST["kudos"],
}

POSTS = {
    "leaderboard": LeaderboardPost(
        "week",
        "Week 47, 2026",
        (
            Standing(1, "URAJ", "Raj Patel", 7, 3),
            Standing(2, "UBO", "Bo Chen", 5, 1),
            Standing(3, "UANA", "Ana Lima", 2, 3),
            Standing(4, "UZED", "Zed", 1, None),
        ),
        (LeaderboardRow(1, 1, "UANA", "Ana Lima", 12),),
        (("learning", LeaderboardRow(1, 1, "URAJ", "Raj Patel", 7)),),
        ("Zed",),
    ),
    "quiet leaderboard": LeaderboardPost("month", "October 2026", (), (), (), ()),
    "learning shoutouts": LearningPost(
        "Learning shoutouts, week 47",
        (("Ana Lima", "git bisect", ("git",)),),
        (LearningKudos("Bo Chen", ("Raj Patel",), "the pairing", ("mentoring",)),),
        (("URAJ", "Raj Patel", 2),),
    ),
    "quiet learning shoutouts": LearningPost("Learning shoutouts, week 47", (), (), ()),
    "worst leaderboard": LeaderboardPost(
        "week",
        "Week 47, 2026",
        tuple(Standing(n, f"U{n}", LONG_NAME, 10**9, None) for n in range(1, 11)),
        rows(5, LONG_NAME),
        tuple((f"value-{n}" + "x" * 55, rows(1, LONG_NAME)[0]) for n in range(100)),
        tuple(LONG_NAME for _ in range(200)),
    ),
    "worst learning shoutouts": LearningPost(
        "Learning shoutouts, week 47",
        tuple((LONG_NAME, "🚀" * 1000, ("t" * 60,) * 10) for _ in range(300)),
        tuple(
            LearningKudos(LONG_NAME, (LONG_NAME,) * 50, WORST_REASON, ("mentoring",))
            for _ in range(2000)
        ),
        tuple((f"U{n}", LONG_NAME, 50) for n in range(3)),
    ),
}


def every_reply(surface: Surface) -> dict[str, Reply]:
    """Every reply the composer writes for these examples, by name."""
    found: dict[str, Reply] = {}
    for kind, examples in (("typical", TYPICAL), ("worst", WORST)):
        for name, result in examples.items():
            for n, said in enumerate(compose(result, surface)):
                found[f"{kind} {name} #{n}"] = said
    for name, event in EVENTS.items():
        for n, said in enumerate(event_replies(event, surface)):
            found[f"event {name} #{n}"] = said
    for name, post in POSTS.items():
        found[f"post {name}"] = scheduled(post, "CTEAM", surface)
    found["refusal"] = refusal("Kudos are for others, so you can't give them to yourself.")
    found["gave up"] = gave_up()
    found["reaction"] = reacted(given(amount_each=1))[0]
    found["home"] = home_page(surface)
    found["worst home"] = home(
        replace(TYPICAL["balance"], badges=("first-kudos", "mentor", "connector")),  # type: ignore[arg-type]
        WORST["history"],  # type: ignore[arg-type]
        LeaderboardShown("week", None, rows(5, LONG_NAME)),
        surface,
    )
    return found


def home_page(surface: Surface) -> Reply:
    return home(
        TYPICAL["balance"],  # type: ignore[arg-type]
        TYPICAL["history"],  # type: ignore[arg-type]
        TYPICAL["leaderboard"],  # type: ignore[arg-type]
        surface,
    )
