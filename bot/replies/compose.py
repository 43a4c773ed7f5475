"""The one composer: every service result, refusal, event and scheduled post as the replies
people read, in one wording for every platform. Who sees what is decided here once: a kudos
is a public post plus a receipt for the giver alone; a learning is posted where the workspace
collects them, else where it was shared; admins are asked, members told. Nothing meant for
everyone names someone who left the public boards (`privacy leaderboard off`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.badges import BADGES, label
from bot.domain.model import HistoryItem, LeaderboardRow
from bot.domain.rewards import CANCELLED, FULFILLED, PENDING, Redemption, RewardItem
from bot.replies.model import (
    Action,
    Actions,
    Actor,
    Admins,
    ApprovalCopies,
    Audience,
    Channel,
    ChannelRef,
    Confirm,
    Context,
    Conversation,
    DirectMessage,
    Divider,
    Entry,
    Facts,
    Heading,
    Items,
    Mention,
    Part,
    Reply,
    Span,
    Strong,
    Text,
    words,
)
from bot.services.delivery import Event
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
    LearningPost,
    LearningShared,
    PrivacyShown,
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

REDEEM = "redeem_item"
APPROVE = "approve_redemption"
REJECT = "reject_redemption"
SHOP_PAGE = "shop_page"
GIVE_FORM = "open_give_card"
"""The buttons replies may carry; a platform lists those it answers in its `Surface`."""

MAX_ECHO = 500
POST_LINES = 30
"""Entries of a list in a scheduled post; the rest are counted, not listed."""
LINE = 300
"""Characters of one listed line (a learning, a reason) in a post or the shop."""
GAVE_UP = (
    "Sorry, something went wrong on my side and I couldn't do that. Nothing was changed; "
    "please try again."
)
ACTOR = Actor()
_PERIOD = {"week": "this week", "month": "this month", "all": "of all time"}
_MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
_OWN_FOR = re.compile(r"^(thanks|thank you|thx|ty|cheers|kudos)\b|\bfor\b", re.IGNORECASE)


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


def hashtags(tags: Sequence[str], lead: str = " ") -> str:
    """`  #python #testing` after a text (nothing when there are no tags)."""
    return lead + " ".join(f"#{t}" for t in tags) if tags else ""


def for_reason(reason: str | None) -> str:
    """` for the review`; a reason that says what it is for on its own follows a colon
    (`: thanks for the review`), so that "for" is never doubled."""
    if not reason:
        return ""
    return f": {reason}" if _OWN_FOR.search(reason) else f" for {reason}"


def by_twenty(items: Sequence[RewardItem]) -> list[Sequence[RewardItem]]:
    """Rewards in pages of twenty; one empty page when there are none."""
    return [items[i : i + 20] for i in range(0, len(items), 20)] or [()]


@dataclass(frozen=True)
class Surface:
    """What the composer needs to know of where its replies are read: how a command is typed
    there, which buttons the platform answers, and how many rewards fit one shop message."""

    command: str = ""
    til: str = "til"
    actions: frozenset[str] = frozenset()
    note: str = ""
    """A line the help adds (how to address the bot where that is not obvious)."""
    shop_pages: Callable[[Sequence[RewardItem]], list[Sequence[RewardItem]]] = field(
        default=by_twenty
    )


CONSOLE = Surface()


def _text(*spans: Span) -> Text:
    return Text(spans)


def _title(*spans: Span) -> Heading:
    return Heading(spans)


def _small(*spans: Span) -> Context:
    return Context(spans)


def _reply(audience: Audience, *parts: Part, text: str = "") -> Reply:
    first = parts[0] if parts else None
    spans = getattr(first, "spans", ())
    return Reply(audience, parts, text or words(spans))


def _say(audience: Audience, *spans: Span) -> Reply:
    return _reply(audience, _text(*spans))


def _spans_joined(spans: Sequence[Span]) -> tuple[Span, ...]:
    """Spans as `a`, `a and b`, `a, b and c`."""
    out: list[Span] = []
    for n, span in enumerate(spans):
        if n:
            out.append(" and " if n == len(spans) - 1 else ", ")
        out.append(span)
    return tuple(out)


def _quoted(reason: str | None, tags: Sequence[str]) -> list[Part]:
    parts: list[Part] = [_text(f"“{reason}”")] if reason else []
    return parts + ([_small("  ".join(f"#{t}" for t in tags))] if tags else [])


def _badges(badges: Iterable[BadgeEarned]) -> list[Part]:
    return [
        _text(
            "🏅 ",
            Mention(b.external_id, b.display_name, alert=False),
            " earned ",
            Strong(label(b.badge)),
            f": {BADGES[b.badge].why}",
        )
        for b in badges
    ]


def refusal(message: str) -> Reply:
    """A refusal, for the person who asked alone: one friendly sentence with the fix."""
    return _say(ACTOR, f"✋ {message}")


def refused_edit(message: str) -> Reply:
    """An edited message whose new kudos were refused: the old ones stand."""
    return refusal(f"I kept your kudos as they were before the edit. {message}")


def gave_up() -> Reply:
    """A request that failed on every attempt (nothing was changed)."""
    return refusal(GAVE_UP)


# ---------------------------------------------------------------------------- kudos


def _each(given: KudosGiven | KudosUndone) -> str:
    return points(given.amount_each) + (" each" if len(given.recipients) > 1 else "")


def _in_public(given: KudosGiven) -> list[tuple[str, str]]:
    """(id, name) of the recipients a post for everyone may name: none when the giver left
    the public posts, and never one who did."""
    if given.giver_id in given.private_ids:
        return []
    return [
        (uid, name)
        for uid, name in zip(given.recipient_ids, given.recipients, strict=True)
        if uid not in given.private_ids
    ]


def _quietly(given: KudosGiven) -> Reply:
    """A kudos from or only to people who left the public posts: the giver alone is told,
    in words that name none of them (in Teams, a reply is read by the whole conversation)."""
    if given.giver_id in given.private_ids:
        why = "you keep out of public posts, so I told the people you thanked directly"
    elif len(given.recipients) > 1:
        why = "the people you thanked keep out of public posts, so I told them directly"
    else:
        why = "the person you thanked keeps out of public posts, so I told them directly"
    own = [b for b in given.badges if b.external_id == given.giver_id]
    return _reply(
        ACTOR,
        _text(f"🤫 Given quietly: {why} instead of announcing it here."),
        *_badges(own),
    )


def kudos_post(given: KudosGiven) -> Reply:
    """The public post: giver, recipients (mentioned), amount, reason, values, badges. Nobody
    who left the public posts is named or congratulated in it; a kudos from them, or to them
    alone, is a note for the giver instead."""
    named = _in_public(given)
    if not named:
        return _quietly(given)
    people = [Mention(uid, name) for uid, name in named]
    each = points(given.amount_each) + (" each" if len(named) > 1 else "")
    headline = _text(
        "🎉 ",
        Mention(given.giver_id, given.giver, alert=False),
        " gave ",
        *_spans_joined(people),
        " ",
        Strong(each),
    )
    return _reply(
        Conversation(thread=True),
        headline,
        *_quoted(given.reason, given.tags),
        *_badges(b for b in given.badges if b.external_id not in given.private_ids),
        text=f"{given.giver} gave {joined([name for _, name in named])} {each}",
    )


def _left(given: KudosGiven) -> str:
    left = f"You have {points(given.allowance_left)} left to give."
    return f"{left} {given.nudge}" if given.nudge else left


def _given(given: KudosGiven) -> list[Reply]:
    if given.duplicate:
        return [_say(ACTOR, "👍 That one was already counted; I didn't give it twice.")]
    post = kudos_post(given)
    if post.audience == ACTOR:
        return [_reply(ACTOR, *post.parts, _text(_left(given)), text=post.text)]
    return [post, _say(ACTOR, _left(given))]


def reacted(given: KudosGiven) -> list[Reply]:
    """A kudos given with a reaction: the giver alone is told (the message is the post)."""
    if given.duplicate:
        return []
    author = Mention(given.recipient_ids[0], given.recipients[0], alert=False)
    return [
        _say(
            ACTOR,
            "You gave ",
            author,
            f" {points(given.amount_each)} for their message. {_left(given)}",
        )
    ]


def _revised(result: KudosRevised) -> list[Reply]:
    if result.duplicate or not result.changed:
        return []
    if result.given and not result.undone:  # an edit that turned a message into kudos
        return _given(result.given)
    said = []
    if result.undone:
        names = sorted({name for undone in result.undone for name in undone.recipients})
        why = f" ({result.why})" if result.why else ""
        said.append(f"↩ Your kudos to {joined(names)} were taken back{why}.")
    if result.given:
        g = result.given
        said.append(
            f"✏️ Counted the new version: {_each(g)} to {joined(g.recipients)}. "
            f"You have {points(g.allowance_left)} left to give."
        )
    return [_say(ACTOR, " ".join(said))]


def _learning(shared: LearningShared, audience: Audience) -> Reply:
    return _reply(
        audience,
        _text("📚 ", Strong(shared.author), " learned:"),
        _text(shared.text + hashtags(shared.tags, "  ")),
        *_badges(shared.badges),
        text=f"📚 {shared.author} learned something",
    )


def _shared(shared: LearningShared) -> list[Reply]:
    if shared.private:
        return [
            _reply(
                ACTOR,
                _text(
                    "📚 Thanks for sharing! You keep out of public posts, so it stays out of "
                    "the learning channel and the weekly shoutouts."
                ),
                *_badges(shared.badges),
            )
        ]
    if not shared.learning_channel:
        return [_learning(shared, Conversation())]
    tags = f" ({hashtags(shared.tags, '')})" if shared.tags else ""
    where = ChannelRef(shared.learning_channel, "the learning channel")
    return [
        _say(
            ACTOR,
            f"📚 Thanks for sharing{tags}! Posted in ",
            where,
            " for the weekly learning shoutouts.",
        )
    ]


def _history_line(item: HistoryItem) -> Entry:
    who = f"to {joined(item.recipients)}" if item.direction == "given" else f"from {item.giver}"
    mark = "↩ undone: " if item.reversed else ""
    return Entry(
        (
            f"{item.created_at:%b %-d}  {mark}{item.direction} {points(item.amount_each)} "
            f"{who}{for_reason(item.reason)}",
        )
    )


def _row(rank: int, user_id: str, name: str, score: int, after: str = "") -> Entry:
    medal = _MEDALS.get(rank, f"{rank}.")
    person = Mention(user_id, name, alert=False)
    return Entry((f"{medal} ", person, f" — {points(score)}{after}"))


def _rows(rows: Iterable[LeaderboardRow]) -> Items:
    return Items(tuple(_row(r.rank, r.external_id, r.display_name, r.points) for r in rows))


# ---------------------------------------------------------------------------- rewards


def item_line(item: RewardItem) -> str:
    """`#3 Book voucher — 200 points (10 left, needs approval)`."""
    terms = [item.describe_stock()]
    if item.needs_approval:
        terms.append("needs approval")
    if not item.active:
        terms.append("inactive")
    return f"#{item.id} {item.name} — {points(item.cost)} ({', '.join(terms)})"


def reward(item: RewardItem, affordable: bool, buttons: bool) -> Entry:
    """A reward in the shop: with a Redeem button where there are buttons and the person can
    afford it; marked ✓ (affordable) or · where there are none."""
    mark = "" if buttons else ("✓ " if affordable else "· ")
    redeem = Action(
        "Redeem",
        REDEEM,
        str(item.id),
        "primary",
        Confirm(
            "Redeem?", f"Spend {points(item.cost)} on {cap(item.name, 200)}?", "Redeem", "Not now"
        ),
    )
    return Entry(
        (mark + item_line(item),),
        cap(item.description, LINE),
        redeem if buttons and affordable else None,
    )


def _shop(result: ShopShown, s: Surface) -> Reply:
    c = s.command
    if not result.items:
        return _say(
            ACTOR,
            "The shop is empty for now. Admins add rewards with "
            f"`{c}admin catalog add Book voucher cost=200`.",
        )
    pages = s.shop_pages(result.items)
    page, count = min(max(result.page, 1), len(pages)), len(pages)
    buttons = REDEEM in s.actions
    where = f" · page {page} of {count}" if count > 1 else ""
    parts: list[Part] = [
        _text(
            Strong("🎁 Rewards"), " · you have ", Strong(points(result.earned)), f" to spend{where}"
        ),
        Items(
            tuple(
                reward(item, item.cost <= result.earned and item.stock != 0, buttons)
                for item in pages[page - 1]
            )
        ),
    ]
    if not buttons:
        parts.append(_small(f"Redeem with `{c}redeem <name or number>`."))
    if SHOP_PAGE in s.actions and count > 1:
        turns = [("◀ Previous", page - 1, page > 1), ("More rewards ▶", page + 1, page < count)]
        parts.append(Actions(tuple(Action(t, SHOP_PAGE, str(to)) for t, to, on in turns if on)))
    elif page < count:
        parts.append(_small(f"More rewards: `{c}shop {page + 1}`."))
    of = f" (page {page} of {count})" if count > 1 else ""
    return _reply(ACTOR, *parts, text=f"🎁 Rewards: you have {points(result.earned)} to spend{of}.")


def _redeemed(result: Redeemed) -> str:
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


def redemption_line(r: Redemption, *, who: bool = False) -> str:
    """`#12 Raj: Book, 20 points — fulfilled Nov 20 by Ana (reason)`."""
    person = f"{r.member_name}: " if who else ""
    line = f"#{r.id} {person}{r.item_name}, {points(r.cost)} — {r.status} {r.created_at:%b %-d}"
    if r.status != PENDING and r.decided_by:
        line += f" by {r.decided_by}"
    if r.reason:
        line += f" ({cap(r.reason, 200)})"
    return line


def _redemptions(result: RedemptionsShown, s: Surface) -> list[Part]:
    parts: list[Part] = []
    if result.queue is None or result.own:
        if result.own:
            parts += [
                _title("Your redemptions"),
                _bullets(redemption_line(r) for r in result.own),
            ]
        else:
            parts.append(_text("You haven't redeemed anything yet."))
    if result.queue:
        how = f"`{s.command}admin approve N`, `{s.command}admin reject N <reason>`"
        parts += [
            _title("Awaiting a decision"),
            _small(how),
            _bullets(redemption_line(r, who=True) for r in result.queue),
        ]
    elif result.queue is not None:
        parts.append(_text("No redemptions are waiting for a decision."))
    return parts


def _decided(result: RedemptionDecided) -> str:
    """What the one who decided (or cancelled) is told."""
    r = result.redemption
    if r.status == CANCELLED:
        return (
            f"Cancelled #{r.id}: {r.item_name}. {points(r.cost)} went back to you: you have "
            f"{points(result.earned_after)} to spend."
        )
    verb = "Approved" if r.status == FULFILLED else "Rejected"
    return f"{verb} #{r.id}: {r.item_name} for {r.member_name}."


def decided(result: RedemptionDecided) -> Reply:
    """The approval request once decided: its buttons give way to the outcome."""
    mark = "✅" if result.redemption.status == FULFILLED else "↩"
    outcome = _small(f"{mark} {redemption_line(result.redemption, who=True)}")
    return _reply(ApprovalCopies(result.redemption.id), outcome, text=_decided(result))


def _decision(result: RedemptionDecided) -> Reply:
    r = result.redemption
    if r.status == FULFILLED:
        said = (
            f"✅ Your redemption of {r.item_name} (#{r.id}) was approved by {r.decided_by}. Enjoy!"
        )
    else:
        why = f": {r.reason}" if r.reason else ""
        said = (
            f"↩ Your redemption of {r.item_name} (#{r.id}) was declined by {r.decided_by}{why}. "
            f"{points(r.cost)} went back to you: you have {points(result.earned_after)} to spend."
        )
    return _say(DirectMessage(r.member_external_id), said)


def _approval(result: Redeemed, s: Surface) -> Reply:
    r = result.redemption
    asked = f"🎁 {r.member_name} redeemed {r.item_name} for {points(r.cost)} (#{r.id})."
    parts: list[Part] = [_text(asked)]
    if {APPROVE, REJECT} <= s.actions:
        approve = Action("Approve", APPROVE, str(r.id), "primary")
        parts.append(Actions((approve, Action("Reject", REJECT, str(r.id), "danger"))))
    return _reply(Admins(r.id, result.approvals_channel or None, result.admins), *parts)


# ---------------------------------------------------------------------------- admin


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value) if value not in ("", None) else "—"


def _settings(result: SettingsShown, s: Surface) -> list[Part]:
    facts = tuple(
        (name, _shown(value) + (" (changed)" if name in result.changed else ""))
        for name, value in result.settings.to_dict().items()
    )
    hint = f"Change one with `{s.command}admin settings name=value`."
    return [_title("Settings"), Facts(facts), _small(hint)]


def _schedules(result: SchedulesShown, s: Surface) -> list[Part]:
    if not result.items:
        hint = f"`{s.command}admin schedule add weekly #team fri 16:00`"
        return [_text(f"Nothing scheduled yet. Try {hint}.")]
    lines = []
    for st in result.items:
        line = (
            f"{st.schedule.describe()} in {st.schedule.channel}; "
            f"next {st.next_run:%a %b %-d %H:%M} UTC"
        )
        lines.append(line + (f"; last: {st.last_run.status}" if st.last_run else ""))
    return [_title("Scheduled posts"), _bullets(lines)]


def _admins(result: AdminsShown, s: Surface) -> str:
    builtin = (
        "Slack workspace admins and owners are Kudos admins. " if result.platform == "slack" else ""
    )
    if not result.admins:
        return (
            f"{builtin}No one else is on the admin list. "
            f"Add someone with `{s.command}admin admins add @name`."
        )
    return f"{builtin}On the admin list: {joined([name for _, name in result.admins])}."


def help_text(values: Sequence[str], s: Surface = CONSOLE) -> str:
    """Every command, typed as on this surface."""
    c, pad = s.command, " " * 17
    lines = [
        f"Give kudos:      {c}@ana @raj 10 for pairing on the flaky-test hunt #learning",
        f"{pad}+5 @ana thanks for the review   ·   @ana ++",
        f"Your points:     {c}balance",
        f"Leaderboards:    {c}top [week|month|all] [#value]",
        f"Your kudos:      {c}history   ·   {c}undo (your last kudos, within 10 minutes)",
        f"Share learning:  {s.til} how git bisect finds the bad commit #git",
        f"Badges:          {c}badges   ·   {c}badges @ana",
        f"Privacy:         {c}privacy leaderboard [off|on] (off: out of public boards and posts)",
        f"Rewards:         {c}shop   ·   {c}redeem <item>   ·   {c}redemptions   ·   "
        f"{c}cancel <number>",
        f"Admins:          {c}admin settings · {c}admin catalog · {c}admin redemptions · "
        f"{c}admin admins",
        f"{pad}{c}admin approve N · {c}admin reject N <reason> · {c}admin adjust @ana +10 <reason>",
        f"{pad}{c}admin schedule …",
        f"Values:          {' '.join(f'#{v}' for v in values)}",
    ]
    return "\n".join([*lines, *([s.note] if s.note else [])])


# ---------------------------------------------------------------------------- results


def _bullets(lines: Iterable[str]) -> Items:
    return Items(tuple(Entry((f"• {line}",)) for line in lines))


def compose(result: Result, s: Surface = CONSOLE) -> list[Reply]:
    """The replies to a command: what the person who asked reads and, where the command is
    public (a kudos, a learning), what everyone in the conversation reads."""
    match result:
        case KudosGiven():
            return _given(result)
        case KudosRevised():
            return _revised(result)
        case LearningShared():
            return _shared(result)
        case ShopShown():
            return [_shop(result, s)]
    return [_reply(ACTOR, *_parts(result, s))]


def _parts(result: Result, s: Surface) -> list[Part]:
    """The parts of a reply for the person who asked alone."""
    match result:
        case BalanceShown():
            badges = ", ".join(label(b) for b in result.badges) or "none yet"
            return [
                _text(
                    f"{result.display_name}: ",
                    Strong(points(result.allowance_left)),
                    " left to give, ",
                    Strong(points(result.earned)),
                    " earned.",
                ),
                Facts((("Renews", f"{result.renews_at:%a %b %-d}"), ("Badges", badges))),
            ]
        case LeaderboardShown():
            tag = f" #{result.tag}" if result.tag else ""
            if not result.rows:
                when = _PERIOD[result.period]
                return [_text(f"No kudos{tag} {when} yet. Be the first to thank someone!")]
            return [_title(f"🏆 Top{tag} {_PERIOD[result.period]}"), _rows(result.rows)]
        case HistoryShown():
            if not result.items:
                return [_text(f"No kudos yet: give some with `{s.command}@name 5 for …`.")]
            return [
                _title("Your recent kudos"),
                Items(tuple(_history_line(item) for item in result.items)),
            ]
        case KudosUndone():
            return [
                _text(
                    f"↩ Undone: {_each(result)} to {joined(result.recipients)}. "
                    f"You have {points(result.allowance_left)} left to give."
                )
            ]
        case HelpShown():
            give = Actions((Action("Give kudos", GIVE_FORM, "give"),))
            return [
                _title("How to use Kudos"),
                _text(help_text(result.values, s)),
                *([give] if GIVE_FORM in s.actions else []),
            ]
        case BadgesShown():
            if result.private:
                return [_text(f"{result.display_name} keeps their badges to themselves.")]
            if not result.badges:
                return [
                    _text(
                        f"{result.display_name} has no badges yet. Give kudos or share a `{s.til}`!"
                    )
                ]
            facts = tuple((label(b), BADGES[b].why) for b in result.badges)
            return [_title(f"{result.display_name}'s badges"), Facts(facts)]
        case SchedulesShown():
            return _schedules(result, s)
        case ScheduleChanged():
            return [_text(f"🗓 {result.text}")]
        case Redeemed():
            return [_text(_redeemed(result))]
        case RedemptionDecided():
            return [_text(_decided(result))]
        case RedemptionsShown():
            return _redemptions(result, s)
        case CatalogShown():
            if not result.items:
                hint = f"`{s.command}admin catalog add Book voucher cost=200 stock=10`"
                return [_text(f"The catalog is empty. Try {hint}.")]
            return [_title("Catalog"), _bullets(item_line(i) for i in result.items)]
        case SettingsShown():
            return _settings(result, s)
        case AdminsShown():
            return [_text(_admins(result, s))]
        case AdminDone():
            return [_text(f"✔ {result.text}")]
        case PrivacyShown():
            return [_text(_privacy(result, s))]
    raise AssertionError(f"no reply for {result!r}")


def _privacy(result: PrivacyShown, s: Surface) -> str:
    """Where the person stands, and the command that changes it."""
    c = s.command
    if result.public:
        where = "You're back on" if result.changed else "You appear on"
        return (
            f"👀 {where} the public leaderboards and posts. `{c}privacy leaderboard off` takes "
            "you off them; you'd still give and receive kudos."
        )
    where = "Done: you're off" if result.changed else "You're off"
    return (
        f"🙈 {where} the public leaderboards and posts. You still give and receive kudos, and "
        f"the people involved hear of it directly. `{c}privacy leaderboard on` brings you back."
    )


def event_replies(event: Event, s: Surface) -> list[Reply]:
    """What a published event tells the people concerned: each recipient of a kudos, the
    learning channel, the admins who decide, the member decided about (and every copy of the
    approval request, replaced by the outcome)."""
    match event:
        case KudosGiven():
            return [_kudos_dm(event, uid) for uid in event.recipient_ids]
        case LearningShared():
            channel = event.learning_channel
            return [_learning(event, Channel(channel))] if channel and not event.private else []
        case Redeemed():
            return [_approval(event, s)]
        case RedemptionDecided():
            return [decided(event), _decision(event)]
    raise AssertionError(f"no replies for {event!r}")


def _kudos_dm(given: KudosGiven, recipient: str) -> Reply:
    where: tuple[Span, ...] = ()
    if given.channel:
        where = (" in ", ChannelRef(given.channel, "a direct message"))
    headline = (
        "🎉 ",
        Mention(given.giver_id, given.giver, alert=False),
        " gave you ",
        Strong(points(given.amount_each)),
        *where,
    )
    return _reply(
        DirectMessage(recipient),
        Text(headline),
        *_quoted(given.reason, given.tags),
        text=f"{given.giver} gave you {points(given.amount_each)}",
    )


# ---------------------------------------------------------------------------- posts


def _movement(previous: int | None, rank: int) -> str:
    if previous is None:
        return "new"
    if previous == rank:
        return "="
    return f"▲{previous - rank}" if previous > rank else f"▼{rank - previous}"


def _listed(entries: Sequence[Entry]) -> list[Part]:
    """At most POST_LINES entries, and how many more there were."""
    more = len(entries) - POST_LINES
    extra: list[Part] = [_small(f"…and {more} more.")] if more > 0 else []
    return [Items(tuple(entries[:POST_LINES])), *extra]


def _leaderboard_post(post: LeaderboardPost, s: Surface) -> list[Part]:
    if post.empty:
        return [
            _text(
                f"A quiet {post.period} for kudos. Who helped you learn something? A few "
                f"words of thanks go a long way: `{s.command}@name for …`"
            )
        ]
    rows = [
        _row(
            r.rank,
            r.external_id,
            r.display_name,
            r.points,
            f" ({_movement(r.previous_rank, r.rank)})",
        )
        for r in post.receivers
    ]
    parts: list[Part] = [_title("Most recognised"), Items(tuple(rows))]
    if post.givers:
        givers = [
            Entry((Mention(g.external_id, g.display_name, alert=False), f" — {points(g.points)}"))
            for g in post.givers
        ]
        parts += [_title("Most generous"), Items(tuple(givers))]
    if post.value_leaders:
        leaders = [
            Entry((f"#{v}: ", Mention(row.external_id, row.display_name, alert=False)))
            for v, row in post.value_leaders
        ]
        parts += [_title("By value"), *_listed(leaders)]
    if post.newcomers:
        first = cap(joined(post.newcomers), 1000)
        parts.append(_small(f"Recognised for the first time: {first} 🎉"))
    return parts


def _learning_post(post: LearningPost, s: Surface) -> list[Part]:
    if post.empty:
        return [
            _text(
                "No learnings shared this week. What did you learn? Share it with "
                f"`{s.til} …`, and thank whoever taught you."
            )
        ]
    parts: list[Part] = []
    if post.learnings:
        learned = [
            Entry((cap(f"• {who}: {what}{hashtags(tags, '  ')}", LINE),))
            for who, what, tags in post.learnings
        ]
        parts += [_title("Learned this week"), *_listed(learned)]
    if post.kudos:
        thanked = [
            Entry(
                (
                    cap(
                        f"• {k.giver} → {joined(k.recipients)}"
                        + (f": {k.reason}" if k.reason else "")
                        + hashtags(k.tags, "  "),
                        LINE,
                    ),
                )
            )
            for k in post.kudos
        ]
        parts += [_title("Thanks for helping others learn"), *_listed(thanked)]
    if post.helpers:
        helpers = [
            Entry(
                (
                    Mention(uid, name, alert=False),
                    f" — thanked by {n} {'person' if n == 1 else 'people'}",
                )
            )
            for uid, name, n in post.helpers
        ]
        parts += [
            _title("Helped the most people learn"),
            _small("Mentoring kudos from the most people"),
            Items(tuple(helpers)),
        ]
    return parts


def scheduled(post: ScheduledPost, channel: str, s: Surface = CONSOLE) -> Reply:
    """A scheduled leaderboard or learning shoutouts, for `channel`."""
    if isinstance(post, LeaderboardPost):
        title, parts = f"🏆 {post.title}", _leaderboard_post(post, s)
    else:
        title, parts = f"📚 {post.title}", _learning_post(post, s)
    return _reply(Channel(channel), _title(title), *parts)


def home(balance: BalanceShown, recent: HistoryShown, top: LeaderboardShown, s: Surface) -> Reply:
    """A person's own page (Slack's App Home): allowance, earned, recent kudos, badges and the
    week's top."""
    c = s.command
    given = [_history_line(i) for i in recent.items if i.direction == "given"][:5]
    received = [_history_line(i) for i in recent.items if i.direction == "received"][:5]
    badges = "  ".join(label(b) for b in balance.badges)
    return _reply(
        ACTOR,
        _title("Your kudos"),
        _text(
            Strong(points(balance.allowance_left)),
            f" left to give, renewing {balance.renews_at:%A %B %-d}.\n",
            Strong(points(balance.earned)),
            f" earned from others: spend them on a reward with `{c}shop`.",
        ),
        Divider(),
        _title("Recently received"),
        Items(tuple(received)) if received else _text("Nothing yet."),
        _title("Recently given"),
        Items(tuple(given))
        if given
        else _text("Nothing yet. Who helped you learn something this week?"),
        _title("Your badges"),
        _text(badges or f"None yet: give kudos or share a `{s.til}` to earn your first."),
        Divider(),
        _title("🏆 Top 5 this week"),
        _rows(top.rows) if top.rows else _text("No kudos this week yet."),
        _small(
            f"Give kudos with `{c}@name 5 for … #learning`, share what you learned with `{s.til}`."
        ),
        text="Your kudos",
    )
