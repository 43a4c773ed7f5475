"""One command grammar for every platform.

Adapters turn platform mentions into neutral tokens `<@ID>` before parsing (plain `@name` is
understood too and left for the adapter to resolve). `parse_command` reads what a person
addressed to the bot (`/kudos ...`); `parse_ambient` reads a message typed in a channel and
only recognises kudos with an explicit `+N` or `++`.

Any text yields a command or a `ParseError` with a friendly sentence; nothing else escapes.
The grammar never guesses: a token in the amount's place that is not a whole number (`2.5`,
`1e9`, `--`) and two different amounts in one kudos are refused, not read as the default.

Every parser runs in time linear in the text: each token is looked at a bounded number of times
(`parse_ambient` resumes after the tokens an attempt consumed instead of restarting at each).
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass, field

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
    Privacy,
    Redeem,
    Redemptions,
    Shop,
    Til,
    Top,
    Undo,
)
from bot.domain.errors import (
    KUDOS_EXAMPLE,
    InvalidAmount,
    KudosError,
    MessageTooLong,
    NoRecipients,
    NotUnderstood,
    ParseError,
    TwoAmounts,
    UnknownCommand,
)

MAX_MESSAGE_LENGTH = 4000
_AMOUNT_DIGITS_KEPT = 60

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_TOKEN = re.compile(r"\S+")
_NEUTRAL_MENTION = re.compile(r"<@([^<>\s|]+)(?:\|[^<>]*)?>")
_NAME_MENTION = re.compile(r"@([^\s@<>+,:;!?()\[\]{}\"'`]+)")
_HASHTAG = re.compile(r"#([\w][\w-]*)")
_SIGNED_NUMBER = re.compile(r"([+-]?)(\d+(?:[.,]\d+)?)")
_UNITS = r"(?:points|point|pts|pt|p|kudos)?"
_WHOLE = re.compile(rf"(\+?)(\d+){_UNITS}", re.IGNORECASE)
_NOT_WHOLE = re.compile(
    rf"(?:\d+(?:[.,]\d+)?e[+\-\u2212]?\d+|\d+(?:[.,]\d+)+){_UNITS}", re.IGNORECASE
)
_FRACTION = re.compile(rf"0*(\d+)([/\u2044])0*(\d+){_UNITS}", re.IGNORECASE)
_MINUS = "-\u2212"
_FILLER = {"points", "point", "pts", "pt", "kudos"}
_SEPARATORS = {":", "-", "—"}
_SMALL_NUMBERS = {
    word: n
    for n, word in enumerate(
        [
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen"),
        ]
    )
}
_TENS = {
    word: 10 * n
    for n, word in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2
    )
}
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
_COMMAND_WORDS = (
    "help",
    "balance",
    "top",
    "leaderboard",
    "history",
    "undo",
    "til",
    "badges",
    "admin",
    "shop",
    "rewards",
    "redeem",
    "redemptions",
    "cancel",
    "privacy",
)
_THANKS = {
    "thanks",
    "thank",
    "thx",
    "ty",
    "cheers",
    "props",
    "shoutout",
    "shout-out",
    "bravo",
    "congrats",
    "congratulations",
    "merci",
    "danke",
    "gracias",
}


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
    span = 0  # tokens and spans both run left to right: one pass over each
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        while span < len(code_spans) and code_spans[span][1] <= start:
            span += 1
        in_code = "`" in m.group() or (span < len(code_spans) and code_spans[span][0] < end)
        tokens.append(
            _Token(m.group(), unicodedata.normalize("NFKC", m.group()), start, end, in_code)
        )
    return tokens


def _split_mentions(token: str) -> tuple[list[Mention], str] | None:
    """Mentions glued in one token (`<@U1><@U2>`, `@ana++`, `@ana:`) and what trails them."""
    mentions: list[Mention] = []
    pos = 0
    while pos < len(token):
        m = _NEUTRAL_MENTION.match(token, pos)
        if m:
            mentions.append(Mention(user_id=m.group(1)))
            pos = m.end()
            continue
        m = _NAME_MENTION.match(token, pos)
        if m:
            name = m.group(1).rstrip(".")
            if not name:
                break
            mentions.append(Mention(name=name))
            pos += 1 + len(name)
            continue
        break
    return (mentions, token[pos:]) if mentions else None


@dataclass(frozen=True)
class _Amount:
    """A token in the amount's place: `value` None is the default amount (`++`); `invalid`
    when it looks like an amount but is not a whole number of points."""

    typed: str
    value: int | None
    explicit: bool
    invalid: bool = False


def _number_word(word: str) -> int | None:
    """`five` -> 5, `twenty-five` -> 25; None for anything else."""
    word = word.casefold()
    if word in _SMALL_NUMBERS:
        return _SMALL_NUMBERS[word]
    if word in _TENS:
        return _TENS[word]
    if word == "hundred":
        return 100
    tens, dash, unit = word.partition("-")
    if dash and tens in _TENS and 1 <= _SMALL_NUMBERS.get(unit, 0) <= 9:
        return _TENS[tens] + _SMALL_NUMBERS[unit]
    return None


def _ends_amount(token: _Token | None) -> bool:
    """Whether a number word before this token stands alone as an amount (`five for …`,
    `five points`, `five #learning`, `five @raj`), rather than starting a reason (`one of …`)."""
    if token is None or token.in_code:
        return True
    norm = token.norm.casefold()
    return (
        norm in _SEPARATORS
        or norm == "for"
        or norm.rstrip(".!,:") in _FILLER
        or _HASHTAG.fullmatch(norm.rstrip(".!,")) is not None
        or norm.startswith(("@", "<@"))
    )


def _whole(digits: str) -> int:
    """The number, exact up to far beyond any allowed amount (the rules refuse it, echoing it)."""
    digits = digits.lstrip("0") or "0"
    return int(digits[:_AMOUNT_DIGITS_KEPT])


def _proper_fraction(body: str) -> bool:
    """`1/2`, `3/4` or `½` (which NFKC spells `1⁄2`); not `24/7`, which is prose."""
    m = _FRACTION.fullmatch(body)
    if m is None:
        return False
    top, slash, bottom = m.groups()
    return slash != "/" or (len(top), top) < (len(bottom), bottom)


def _classify(norm: str, shown: str, following: _Token | None) -> _Amount | None:
    """What a token in the amount's place is: an amount, an invalid amount, or (None) the
    start of the reason. `norm` is read; `shown` (as typed) is what a refusal echoes."""
    typed = norm.rstrip(":!.,")
    if not typed:
        return None
    echo = shown.rstrip(":!.,") or typed
    if len(typed) >= 2 and typed.strip("+") == "":
        return _Amount(echo, None, explicit=True)
    if len(typed) >= 2 and typed.strip(_MINUS) == "":
        return _Amount(echo, None, explicit=False, invalid=True)
    whole = _WHOLE.fullmatch(typed)
    if whole:
        return _Amount(echo, _whole(whole.group(2)), explicit=whole.group(1) == "+")
    signed = typed[0] in "+" + _MINUS
    body = typed[1:] if signed else typed
    word = _number_word(body)
    if word is not None:
        if typed[0] in _MINUS:
            return _Amount(echo, None, explicit=False, invalid=True)
        if typed[0] == "+" or norm[len(typed) :][:1] in {":", "!"} or _ends_amount(following):
            return _Amount(echo, word, explicit=typed[0] == "+")
        return None
    if body[:1].isdigit() and (signed or _NOT_WHOLE.fullmatch(body) or _proper_fraction(body)):
        return _Amount(echo, None, explicit=typed[0] == "+", invalid=True)
    return None


@dataclass
class _Scan:
    """One left-to-right reading of a give's leading part: who, how much, and where the
    reason starts (`end`, the first token not consumed)."""

    recipients: dict[str, Mention] = field(default_factory=dict)
    amount: int | None = None
    amount_typed: str = ""
    marked: bool = False
    explicit: bool = False
    error: KudosError | None = None
    end: int = 0


def _take(scan: _Scan, amount: _Amount, mention_since: bool) -> bool:
    """Apply an amount token; False when it starts the reason instead (`@ana 5 10 reasons`)."""
    if scan.marked and not mention_since and not amount.explicit:
        return False
    scan.explicit = scan.explicit or amount.explicit
    if scan.error is not None:
        return True
    if amount.invalid:
        scan.error = InvalidAmount(amount.typed)
    elif not scan.marked:
        scan.amount, scan.amount_typed = amount.value, amount.typed
    elif amount.value != scan.amount:
        scan.error = TwoAmounts(scan.amount_typed, amount.typed)
    scan.marked = True
    return True


def _scan(tokens: list[_Token], start: int) -> _Scan:
    """Read mentions, the amount, fillers and hashtags from `start` until the reason begins.
    Each token is looked at once, so the cost is the number of tokens consumed."""
    scan = _Scan()
    mention_since = False
    i, count = start, len(tokens)
    while i < count:
        token = tokens[i]
        if token.in_code:
            break
        norm = token.norm
        following = tokens[i + 1] if i + 1 < count else None
        if _HASHTAG.fullmatch(norm):
            i += 1
            continue
        if norm in _SEPARATORS or norm.casefold() == "for":
            break
        split = _split_mentions(token.text)
        if split is not None:
            mentions, shown = split
            for mention in mentions:
                scan.recipients.setdefault(mention.key, mention)
            mention_since = scan.marked
            trailing = unicodedata.normalize("NFKC", shown)
            i += 1
            if trailing in {"", ",", "!", "."}:
                continue
            if trailing == ":":
                break
            glued = _classify(trailing, shown, following)
            if glued is None or not _take(scan, glued, mention_since):
                break
            mention_since = False
            continue
        if scan.marked and norm.casefold() in _FILLER:
            i += 1
            continue
        amount = _classify(norm, token.text, following)
        if amount is None or not _take(scan, amount, mention_since):
            break
        mention_since = False
        i += 1
        if norm.endswith(":"):
            break
    scan.end = i
    return scan


def _tags(tokens: list[_Token]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for token in tokens:
        if token.in_code:
            continue
        for m in _HASHTAG.finditer(token.norm):
            if m.start() == 0 or token.norm[m.start() - 1] in "(\"'":
                seen.setdefault(m.group(1).strip("-").casefold(), None)
    return tuple(t for t in seen if t)


def _reason(text: str, tokens: list[_Token], start: int = 0) -> str | None:
    """The text from `tokens[start]`, minus a leading `for`/`:` and trailing hashtags."""
    end = len(tokens)
    while (
        end > start
        and not tokens[end - 1].in_code
        and _HASHTAG.fullmatch(tokens[end - 1].norm.rstrip(".!,"))
    ):
        end -= 1
    if end <= start:
        return None
    first = tokens[start]
    if not first.in_code and first.norm.casefold() in {"for", ":", "-", "—"}:
        start += 1
        if end <= start:
            return None
    reason = text[tokens[start].start : tokens[end - 1].end].strip()
    return reason or None


def _give(text: str, tokens: list[_Token], start: int, scan: _Scan) -> Give:
    return Give(
        recipients=tuple(scan.recipients.values()),
        amount=scan.amount,
        reason=_reason(text, tokens, scan.end),
        tags=_tags(tokens[start:]),
    )


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap counts once), or limit + 1 when larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > limit:
            return limit + 1
    return row[-1]


def _near_commands(word: str) -> list[str]:
    """Command words within a typo of `word` (one edit for short words, two for longer)."""
    if not 3 <= len(word) <= 20 or not word.replace("-", "").isalpha():
        return []
    limit = 1 if len(word) <= 4 else 2
    distances = {c: _edit_distance(word, c, limit) for c in _COMMAND_WORDS}
    best = min(distances.values())
    return [c for c, d in distances.items() if d == best] if best <= limit else []


def _not_a_kudos(text: str, tokens: list[_Token], scan: _Scan) -> KudosError:
    """The refusal for text that is neither a command nor a kudos: a near-miss of a command
    word, a kudos without anyone to give it to, or a pointer to `help`."""
    head = tokens[0]
    word = head.norm.casefold().rstrip("?!.,:")
    if not head.in_code and not scan.marked and word not in _THANKS:
        near = _near_commands(word)
        if word in near:
            return UnknownCommand(text[head.start :].strip(), (word,))
        if near:
            rest = text[tokens[1].start :].strip() if len(tokens) > 1 else ""
            return UnknownCommand(head.text, tuple(f"{c} {rest}".strip() for c in near[:2]))
    if any(not t.in_code and _split_mentions(t.text) is not None for t in tokens):
        return NoRecipients(f"Start with who the kudos are for, like {KUDOS_EXAMPLE}.")
    if scan.marked or word in _THANKS:
        return NoRecipients()
    return NotUnderstood()


def _parse_give(text: str, tokens: list[_Token]) -> Give:
    scan = _scan(tokens, 0)
    if scan.error is not None:
        raise scan.error
    if not scan.recipients:
        raise _not_a_kudos(text, tokens, scan)
    return _give(text, tokens, 0, scan)


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
    body = _reason(text, tokens) or ""
    if not body.strip():
        raise ParseError(
            "Tell me what you learned, e.g. `til how to bisect a flaky test #testing`."
        )
    return Til(text=body, tags=_tags(tokens))


PRIVACY_HELP = (
    "Try `privacy` (where you stand), `privacy leaderboard off` (stay out of the public "
    "leaderboards and posts) or `privacy leaderboard on`."
)
_SWITCH = {"off": False, "on": True}


def _parse_privacy(tokens: list[_Token]) -> Privacy:
    """`privacy [leaderboard]` shows the setting; `privacy leaderboard off|on` changes it (or,
    there being one setting, `privacy off|on`)."""
    words = [t.norm.casefold().rstrip(".!") for t in tokens]
    if words[:1] in (["leaderboard"], ["leaderboards"]):
        words = words[1:]
    if not words:
        return Privacy()
    if len(words) != 1 or words[0] not in _SWITCH:
        raise ParseError(PRIVACY_HELP)
    return Privacy(public=_SWITCH[words[0]])


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
CHANNEL_NAME = re.compile(r"#([\w][\w.-]{0,79})")
"""A channel typed as plain text (`#team`), not picked from the platform's menu."""
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
_WHY = "the budget is spent this quarter"
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
    channel: str | None = None
    name: str | None = None
    when = []
    for word in words[2:]:
        link = _CHANNEL.fullmatch(word)
        named = CHANNEL_NAME.fullmatch(word)
        if (link or named) and (channel or name):
            raise ParseError("Name one channel per schedule. " + SCHEDULE_HELP)
        if link:
            channel = link.group(1)
        elif named:
            name = named.group(1)
        else:
            when.append(word)
    if action == "remove" and when:
        raise ParseError(SCHEDULE_HELP)
    return AdminSchedule(
        action,  # type: ignore[arg-type]
        kind,
        channel,
        " ".join(when) or None,
        name,
    )


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
            example = "admin approve 12" if head == "approve" else f"admin reject 12 {_WHY}"
            raise ParseError(f"Say which redemption, e.g. `{example}`.")
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
        if head == "privacy":
            return _parse_privacy(rest)
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
    return _parse_give(text, tokens)


def parse_ambient(text: str) -> Give | None:
    """Parse a message typed in a channel: a kudos only with `+N @who` or `@who ++`, else None.

    A message that is plainly a kudos (someone mentioned, with `+N` or `++`) but cannot be
    given as written (`@bob +5 @carol +10`, `+2.5 @ana`) raises its refusal instead of being
    guessed at; anything else that is not a kudos is None."""
    try:
        text, tokens = _prepare(text)
    except KudosError:
        return None
    start = 0
    while start < len(tokens):
        token = tokens[start]
        if token.in_code or not token.norm.startswith(("@", "<@", "+")):
            start += 1
            continue
        scan = _scan(tokens, start)
        if scan.recipients and scan.explicit:
            if scan.error is not None:
                raise scan.error
            return _give(text, tokens, start, scan)
        start = max(scan.end, start + 1)
    return None


def parse_til(text: str) -> Til:
    """Parse the text of `/til <what I learned> #topic`."""
    text, tokens = _prepare(text)
    return _parse_til(text, tokens)
