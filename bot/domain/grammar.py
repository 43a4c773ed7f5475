"""One command grammar for every platform.

Adapters turn platform mentions into neutral tokens `<@ID>` before parsing (plain `@name` is
understood too and left for the adapter to resolve). `parse_command` reads what a person
addressed to the bot (`/kudos ...`); `parse_ambient` reads a message typed in a channel and
only recognises kudos with an explicit `+N` or `++`.

Any text yields a command or a `ParseError` with a friendly sentence; nothing else escapes.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass

from bot.domain.commands import (
    AdminAdjust,
    AdminAdmins,
    AdminCatalog,
    AdminDecide,
    AdminQueue,
    AdminSchedule,
    AdminSettings,
    Badges,
    Balance,
    CancelRedemption,
    Command,
    Fields,
    Give,
    Help,
    History,
    Mention,
    Redeem,
    Redemptions,
    Shop,
    Til,
    Top,
    Undo,
)
from bot.domain.errors import KudosError, MessageTooLong, ParseError

MAX_MESSAGE_LENGTH = 4000
_AMOUNT_DIGITS_LIMIT = 9
_TOO_LARGE = 10**_AMOUNT_DIGITS_LIMIT

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_TOKEN = re.compile(r"\S+")
_NEUTRAL_MENTION = re.compile(r"<@([^<>\s|]+)(?:\|[^<>]*)?>")
_NAME_MENTION = re.compile(r"@([^\s@<>+,:;!?()\[\]{}\"'`]+)")
_HASHTAG = re.compile(r"#([\w][\w-]*)")
_SIGNED_NUMBER = re.compile(r"([+-]?)(\d+(?:[.,]\d+)?)")
_FILLER = {"points", "point", "pts", "pt", "kudos"}
_PERIODS = {
    "week": "week",
    "weekly": "week",
    "month": "month",
    "monthly": "month",
    "all": "all",
    "all-time": "all",
    "alltime": "all",
    "ever": "all",
}

EXAMPLE = "`@ana 5 for pairing on the flaky-test hunt #learning`"


@dataclass
class _Token:
    text: str
    norm: str
    start: int
    end: int
    in_code: bool


def _normalise(text: str) -> str:
    """Unify look-alike characters without touching names or emoji in the text itself."""
    out = []
    for ch in text:
        if ch in "\u00a0\u2007\u202f\u3000" or (ch.isspace() and ch not in "\n\t "):
            out.append(" ")
        elif ch in "\uff0b\u2795":  # full-width plus, heavy plus sign
            out.append("+")
        elif ch in "\uff03":
            out.append("#")
        elif ch in "\uff20":
            out.append("@")
        elif ch in "\u200b\u200c\u200d\u2060\ufeff" and not out:
            continue
        else:
            out.append(ch)
    return "".join(out)


def _tokens(text: str) -> list[_Token]:
    code_spans = [m.span() for m in _CODE.finditer(text)]
    tokens = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        in_code = "`" in m.group() or any(s < end and start < e for s, e in code_spans)
        tokens.append(
            _Token(m.group(), unicodedata.normalize("NFKC", m.group()), start, end, in_code)
        )
    return tokens


def _split_mentions(token: str) -> tuple[list[Mention], str] | None:
    """Mentions glued in one token (`<@U1><@U2>`, `@ana++`, `@ana:`) and what trails them."""
    mentions: list[Mention] = []
    rest = token
    while rest:
        m = _NEUTRAL_MENTION.match(rest)
        if m:
            mentions.append(Mention(user_id=m.group(1)))
            rest = rest[m.end() :]
            continue
        m = _NAME_MENTION.match(rest)
        if m:
            name = m.group(1).rstrip(".")
            if not name:
                break
            mentions.append(Mention(name=name))
            rest = rest[1 + len(name) :]
            continue
        break
    return (mentions, rest) if mentions else None


def _amount(norm: str) -> tuple[int | None, bool] | None:
    """(amount, explicit_plus) for a number token, None when the token is not a number."""
    if norm.strip("+") == "" and norm.count("+") >= 2:
        return None, True
    m = _SIGNED_NUMBER.fullmatch(norm.rstrip(":!.,"))
    if not m:
        return None
    sign, digits = m.groups()
    if sign == "-" or not digits.isdigit():
        raise ParseError(
            f"{norm.rstrip(':!.,')} isn't an amount I can give: use a whole number of points, "
            f"like {EXAMPLE}."
        )
    value = int(digits) if len(digits) <= _AMOUNT_DIGITS_LIMIT else _TOO_LARGE
    return value, sign == "+"


def _tags(tokens: list[_Token]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for token in tokens:
        if token.in_code:
            continue
        for m in _HASHTAG.finditer(token.norm):
            if m.start() == 0 or token.norm[m.start() - 1] in "(\"'":
                seen.setdefault(m.group(1).strip("-").casefold(), None)
    return tuple(t for t in seen if t)


def _reason(text: str, tokens: list[_Token]) -> str | None:
    """The text from the first reason token, minus a leading `for`/`:` and trailing hashtags."""
    while tokens and not tokens[-1].in_code and _HASHTAG.fullmatch(tokens[-1].norm.rstrip(".!,")):
        tokens = tokens[:-1]
    if not tokens:
        return None
    first = tokens[0]
    if not first.in_code and first.norm.casefold() in {"for", ":", "-", "—"}:
        tokens = tokens[1:]
        if not tokens:
            return None
    reason = text[tokens[0].start : tokens[-1].end].strip()
    return reason or None


def _parse_give(text: str, tokens: list[_Token], ambient: bool) -> Give | None:
    recipients: dict[str, Mention] = {}
    amount: int | None = None
    explicit = False
    index = 0
    for index, token in enumerate(tokens):
        if token.in_code:
            break
        norm = token.norm
        if _HASHTAG.fullmatch(norm):
            continue
        if norm in {":", "-", "—"} or norm.casefold() == "for":
            break
        split = _split_mentions(token.text)
        if split is not None:
            mentions, trailing = split
            trailing = unicodedata.normalize("NFKC", trailing)
            for mention in mentions:
                recipients.setdefault(mention.key, mention)
            if trailing in {"", ":", ",", "!", "."}:
                if trailing == ":":
                    index += 1
                    break
                continue
            parsed = _amount(trailing)
            if parsed is None or amount is not None:
                index += 1
                break
            amount, plus = parsed
            explicit = explicit or plus
            continue
        if norm.casefold() in _FILLER and amount is not None:
            continue
        parsed = _amount(norm) if amount is None else None
        if parsed is not None:
            amount, plus = parsed
            explicit = explicit or plus
            if norm.endswith(":"):
                index += 1
                break
            continue
        break
    else:
        index = len(tokens)

    if ambient and not (recipients and explicit):
        return None
    if not recipients:
        raise ParseError(f"Who are these kudos for? Mention someone, e.g. {EXAMPLE}.")
    return Give(
        recipients=tuple(recipients.values()),
        amount=amount,
        reason=_reason(text, tokens[index:]),
        tags=_tags(tokens),
    )


def _parse_top(tokens: list[_Token]) -> Top:
    period = "week"
    tag: str | None = None
    for token in tokens:
        word = token.norm.casefold()
        if word in _PERIODS:
            period = _PERIODS[word]
        elif _HASHTAG.fullmatch(word):
            tag = word[1:].strip("-")
        else:
            raise ParseError(
                f"I don't know the leaderboard {token.text!r}. "
                "Try `top week`, `top month`, `top all` or `top week #learning`."
            )
    return Top(period=period, tag=tag)  # type: ignore[arg-type]


def _parse_til(text: str, tokens: list[_Token]) -> Til:
    topic = next(iter(_tags(tokens)), None)
    body = _reason(text, tokens) or ""
    if not body.strip():
        raise ParseError(
            "Tell me what you learned, e.g. `til how to bisect a flaky test #testing`."
        )
    return Til(text=body, topic=topic)


def _parse_badges(tokens: list[_Token]) -> Badges:
    if not tokens:
        return Badges()
    split = _split_mentions(tokens[0].text) if len(tokens) == 1 else None
    if split is None or len(split[0]) != 1 or split[1].strip(".,!") != "":
        raise ParseError("Ask for `badges` (yours) or `badges @someone`.")
    return Badges(split[0][0])


_SCHEDULE_KINDS = {
    "weekly": "weekly_leaderboard",
    "weekly_leaderboard": "weekly_leaderboard",
    "leaderboard": "weekly_leaderboard",
    "monthly": "monthly_leaderboard",
    "monthly_leaderboard": "monthly_leaderboard",
    "learning": "learning_shoutouts",
    "learning_shoutouts": "learning_shoutouts",
    "shoutouts": "learning_shoutouts",
}
_CHANNEL = re.compile(r"<#([A-Za-z0-9]+)(?:\|[^<>]*)?>")
SCHEDULE_HELP = (
    "Try `admin schedule list`, `admin schedule add weekly #team fri 16:00` (also `monthly`, "
    "`learning`) or `admin schedule remove weekly #team`."
)
CATALOG_HELP = (
    "Try `admin catalog list`, `admin catalog add Book voucher cost=200 stock=10 approval=no "
    'description="Any book up to 30 EUR"`, `admin catalog edit Book voucher cost=150 '
    "active=no` or `admin catalog remove Book voucher`."
)
ADMIN_HELP = (
    "Admin commands: `admin settings [name=value …]`, `admin catalog …`, `admin redemptions`, "
    "`admin approve 12`, `admin reject 12 <reason>`, `admin adjust @ana +10 <reason>`, "
    "`admin admins [add|remove @who]`, `admin schedule …`."
)
_ID = re.compile(r"#?(\d{1,12})")
_PAGE = re.compile(r"([0-9]{1,4})")
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})


def _parse_schedule(words: list[str]) -> AdminSchedule:
    action = words[0].casefold() if words else "list"
    if action not in {"list", "add", "remove"} or (action == "list" and len(words) > 1):
        raise ParseError(SCHEDULE_HELP)
    if action == "list":
        return AdminSchedule("list")
    if len(words) < 2 or words[1].casefold() not in _SCHEDULE_KINDS:
        raise ParseError(SCHEDULE_HELP)
    kind = _SCHEDULE_KINDS[words[1].casefold()]
    channel, when = None, []
    for word in words[2:]:
        link = _CHANNEL.fullmatch(word)
        if link:
            channel = link.group(1)
        else:
            when.append(word)
    if action == "remove" and when:
        raise ParseError(SCHEDULE_HELP)
    return AdminSchedule(action, kind, channel, " ".join(when) or None)  # type: ignore[arg-type]


def _fields(text: str, example: str) -> tuple[list[str], Fields]:
    """Split `Book voucher cost=200 description="Any book"` into the leading words and the
    `name=value` pairs (double quotes keep spaces together)."""
    lexer = shlex.shlex(text.translate(_QUOTES), posix=True)
    lexer.quotes, lexer.escape, lexer.whitespace_split = '"', "", True
    lexer.commenters = ""
    try:
        words = list(lexer)
    except ValueError:
        raise ParseError(f"A quote is not closed. {example}") from None
    head: list[str] = []
    pairs: list[tuple[str, str]] = []
    for word in words:
        name, sep, value = word.partition("=")
        if sep and re.fullmatch(r"[A-Za-z_]+", name):
            pairs.append((name.casefold(), value))
        elif pairs:
            raise ParseError(
                f"I can't tell where {word!r} belongs: quote values with spaces. {example}"
            )
        else:
            head.append(word)
    return head, tuple(pairs)


def _parse_catalog(text: str, tokens: list[_Token]) -> AdminCatalog:
    action = tokens[0].norm.casefold() if tokens else "list"
    rest = text[tokens[1].start :] if len(tokens) > 1 else ""
    if action == "list" and len(tokens) <= 1:
        return AdminCatalog("list")
    if action not in {"add", "edit", "remove"}:
        raise ParseError(CATALOG_HELP)
    head, pairs = _fields(rest, CATALOG_HELP)
    item = " ".join(head) or None
    if action == "add":
        if item:
            pairs = (("name", item), *pairs)
        return AdminCatalog("add", None, pairs)
    if not item or (action == "remove" and pairs) or (action == "edit" and not pairs):
        raise ParseError(CATALOG_HELP)
    return AdminCatalog(action, item, pairs)  # type: ignore[arg-type]


def _one_mention(token: _Token | None, example: str) -> Mention:
    split = _split_mentions(token.text) if token else None
    if split is None or len(split[0]) != 1 or split[1].strip(".,!:") != "":
        raise ParseError(example)
    return split[0][0]


def _parse_admin(text: str, tokens: list[_Token]) -> Command:
    if not tokens:
        raise ParseError(ADMIN_HELP)
    head = tokens[0].norm.casefold()
    rest = tokens[1:]
    if head == "schedule":
        return _parse_schedule([t.text for t in rest])
    if head == "catalog":
        return _parse_catalog(text, rest)
    if head == "settings":
        if not rest:
            return AdminSettings()
        words, pairs = _fields(text[rest[0].start :], "Try `admin settings max_amount=20`.")
        if words:
            raise ParseError(
                "Write each change as name=value, e.g. `admin settings max_amount=20`."
            )
        return AdminSettings(pairs)
    if head in {"redemptions", "queue"} and not rest:
        return AdminQueue()
    if head in {"approve", "reject"}:
        found = _ID.fullmatch(rest[0].norm) if rest else None
        if found is None:
            raise ParseError(f"Say which redemption, e.g. `admin {head} 12`.")
        reason = text[rest[1].start :].strip() if len(rest) > 1 else None
        if head == "approve" and reason:
            raise ParseError("Approving needs no reason: `admin approve 12`.")
        return AdminDecide(int(found.group(1)), head == "approve", reason or None)
    if head == "admins":
        action = rest[0].norm.casefold() if rest else "list"
        if action == "list" and len(rest) <= 1:
            return AdminAdmins("list")
        example = "Try `admin admins add @ana`, `admin admins remove @ana` or `admin admins`."
        if action not in {"add", "remove"} or len(rest) != 2:
            raise ParseError(example)
        return AdminAdmins(action, _one_mention(rest[1], example))  # type: ignore[arg-type]
    if head == "adjust":
        example = "Try `admin adjust @ana +10 for the conference talk` (or -10)."
        who = _one_mention(rest[0] if rest else None, example)
        number = _SIGNED_NUMBER.fullmatch(rest[1].norm) if len(rest) > 1 else None
        if number is None or not number.group(2).isdigit() or len(number.group(2)) > 9:
            raise ParseError(example)
        amount = int(number.group(2)) * (-1 if number.group(1) == "-" else 1)
        reason = _reason(text, rest[2:])
        if not reason:
            raise ParseError("Say why, so the audit log can tell: " + example[4:])
        return AdminAdjust(who, amount, reason)
    raise ParseError(ADMIN_HELP)


def _prepare(text: str) -> tuple[str, list[_Token]]:
    if not isinstance(text, str):
        raise ParseError("I can only read text messages.")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise MessageTooLong(
            f"That message is too long for me ({len(text)} characters); "
            f"keep it under {MAX_MESSAGE_LENGTH}."
        )
    text = _normalise(text)
    return text, _tokens(text)


def parse_command(text: str) -> Command:
    """Parse text addressed to the bot (`/kudos ...`, a DM, `kudos chat`) into a command."""
    text, tokens = _prepare(text)
    if tokens and tokens[0].norm.casefold() in {"/kudos", "kudos"}:
        tokens = tokens[1:]
    if not tokens:
        return Help()
    head = tokens[0].norm.casefold()
    rest = tokens[1:]
    if not tokens[0].in_code:
        if head in {"help", "?", "-h", "--help"}:
            return Help()
        if head in {"balance", "bal", "me"} and not rest:
            return Balance()
        if head in {"top", "leaderboard", "leaders"}:
            return _parse_top(rest)
        if head in {"history", "log"} and not rest:
            return History()
        if head == "undo" and not rest:
            return Undo()
        if head in {"til", "/til"}:
            return _parse_til(text, rest)
        if head in {"badges", "badge"}:
            return _parse_badges(rest)
        if head == "admin":
            return _parse_admin(text, rest)
        if head in {"shop", "catalog", "rewards", "store"}:
            if not rest:
                return Shop()
            page = _PAGE.fullmatch(rest[-1].norm) if len(rest) <= 2 else None
            if (
                page is None
                or int(page.group(1)) < 1
                or (len(rest) == 2 and rest[0].norm.casefold() != "page")
            ):
                raise ParseError("Try `shop`, or `shop 2` for the next page of rewards.")
            return Shop(int(page.group(1)))
        if head in {"redemptions", "orders"} and not rest:
            return Redemptions()
        if head == "cancel" or (head in {"redemptions", "redemption"} and rest):
            if head != "cancel":
                if rest[0].norm.casefold() != "cancel":
                    raise ParseError("Try `redemptions`, or `cancel 12` to withdraw one.")
                rest = rest[1:]
            found = _ID.fullmatch(rest[0].norm) if len(rest) == 1 else None
            if found is None:
                raise ParseError("Say which redemption to cancel, e.g. `cancel 12`.")
            return CancelRedemption(int(found.group(1)))
        if head in {"redeem", "buy"}:
            item = text[rest[0].start :].strip() if rest else ""
            if not item:
                raise ParseError("Say what to redeem, e.g. `redeem Book voucher` (see `shop`).")
            return Redeem(item.strip('"'))
    give = _parse_give(text, tokens, ambient=False)
    assert give is not None
    return give


def parse_ambient(text: str) -> Give | None:
    """Parse a message typed in a channel: a kudos only with `+N @who` or `@who ++`, else None."""
    try:
        text, tokens = _prepare(text)
    except KudosError:
        return None
    for start, token in enumerate(tokens):
        if token.in_code or not (token.norm.startswith(("@", "<@", "+"))):
            continue
        try:
            give = _parse_give(text, tokens[start:], ambient=True)
        except ParseError:
            continue
        if give is not None:
            return give
    return None


def parse_til(text: str) -> Til:
    """Parse the text of `/til <what I learned> #topic`."""
    text, tokens = _prepare(text)
    return _parse_til(text, tokens)
