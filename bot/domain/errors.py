"""Named refusals. Each carries one friendly sentence a person can read and act on."""

from __future__ import annotations


class KudosError(Exception):
    """Base of every refusal the bot explains to a person instead of crashing."""

    code = "kudos_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParseError(KudosError):
    code = "parse_error"


KUDOS_EXAMPLE = "`@ana 5 for pairing on the flaky-test hunt #learning`"
_ECHO_LIMIT = 40


def _echo(typed: str) -> str:
    """What a person typed, shortened for a one-sentence reply."""
    return typed if len(typed) <= _ECHO_LIMIT else typed[: _ECHO_LIMIT - 1] + "…"


class MessageTooLong(KudosError):
    code = "message_too_long"


class NoRecipients(ParseError):
    code = "no_recipients"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or f"Who are these kudos for? Mention someone, e.g. {KUDOS_EXAMPLE}."
        )


class InvalidAmount(ParseError):
    """A token in the amount's place that is not a whole number of points (`-5`, `2.5`, `1e9`,
    `--`, `1/2`): refused rather than read as the default amount."""

    code = "invalid_amount"

    def __init__(self, typed: str) -> None:
        if typed[:1] in "-\u2212":
            fix = "kudos only add points, so use a whole number above 0"
        elif "e" in typed.casefold():
            fix = "write the whole number of points in digits"
        else:
            fix = "use a whole number of points"
        super().__init__(f"{_echo(typed)} isn't an amount I can give: {fix}, like {KUDOS_EXAMPLE}.")
        self.typed = typed


class TwoAmounts(ParseError):
    """`@bob 5 @carol 10`: everyone in one kudos gets the same amount, so this is refused rather
    than guessed."""

    code = "two_amounts"

    def __init__(self, first: str, second: str) -> None:
        super().__init__(
            f"I see two amounts ({_echo(first)} and {_echo(second)}), and everyone in one kudos "
            "gets the same: write one, like `@bob @carol 10`, or give them separately."
        )


class UnknownCommand(ParseError):
    """A near miss of a command word (`balanse`, `tpo week`)."""

    code = "unknown_command"

    def __init__(self, typed: str, suggestions: tuple[str, ...]) -> None:
        options = " or ".join(f"`{_echo(s)}`" for s in suggestions)
        super().__init__(f"I don't know `{_echo(typed)}`; did you mean {options}?")
        self.suggestions = suggestions


class NotUnderstood(ParseError):
    """Text that is neither a command nor a kudos (emoji alone, a stray sentence)."""

    code = "not_understood"

    def __init__(self) -> None:
        super().__init__(
            "I can't read that as a command or a kudos: type `help` to see what I understand, "
            f"or give kudos like {KUDOS_EXAMPLE}."
        )


class NameRequired(KudosError):
    code = "name_required"

    def __init__(self) -> None:
        super().__init__("Say who you are with a name, e.g. `kudos chat --as ana`.")


class SelfKudos(KudosError):
    code = "self_kudos"

    def __init__(self) -> None:
        super().__init__(
            "Kudos are for others, so you can't give them to yourself. "
            "Who helped you lately? Mention them instead."
        )


class BotRecipient(KudosError):
    code = "bot_recipient"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is a bot, and bots can't receive kudos. Thank a human instead.")


class InactiveRecipient(KudosError):
    code = "inactive_recipient"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is deactivated here, so they can't receive kudos.")


class InactiveGiver(KudosError):
    code = "inactive_giver"

    def __init__(self) -> None:
        super().__init__("Your account is deactivated here, so you can't give kudos.")


class TooManyRecipients(KudosError):
    code = "too_many_recipients"

    def __init__(self, limit: int) -> None:
        super().__init__(f"One kudos can go to at most {limit} people. Split it into a few.")


class AmountOutOfBounds(KudosError):
    code = "amount_out_of_bounds"

    def __init__(self, amount: int, minimum: int, maximum: int) -> None:
        super().__init__(
            f"{_echo(str(amount))} isn't a valid amount: give between {minimum} and {maximum} "
            "points to each person."
        )
        self.amount, self.minimum, self.maximum = amount, minimum, maximum


class InsufficientAllowance(KudosError):
    code = "insufficient_allowance"

    def __init__(self, needed: int, available: int, renews: str) -> None:
        super().__init__(
            f"That needs {needed} points but you have {available} left to give; "
            f"your allowance renews {renews}. Try a smaller amount."
        )
        self.needed, self.available = needed, available


class ReasonRequired(KudosError):
    code = "reason_required"

    def __init__(self) -> None:
        super().__init__(
            "This workspace asks for a reason with every kudos. "
            "Add one after `for`, e.g. `@ana 5 for the thorough review`."
        )


class ReasonTooLong(KudosError):
    code = "reason_too_long"

    def __init__(self, limit: int) -> None:
        super().__init__(f"That reason is too long; keep it under {limit} characters.")


class ValueRequired(KudosError):
    code = "value_required"

    def __init__(self, values: tuple[str, ...]) -> None:
        listed = " ".join(f"#{v}" for v in values)
        super().__init__(f"This workspace asks for a company value with every kudos: {listed}.")


class UnknownWorkspace(KudosError):
    code = "unknown_workspace"

    def __init__(
        self, workspace: str, platform: str | None = None, elsewhere: tuple[str, ...] = ()
    ) -> None:
        kind = f"{platform} workspace" if platform else "workspace"
        if elsewhere:
            fix = f"; there is one on {' and on '.join(elsewhere)}: pass " + " or ".join(
                f"--platform {p}" for p in elsewhere
            )
        else:
            fix = " yet"
        super().__init__(f"I don't know a {kind} called {workspace!r}{fix}.")


class AmbiguousWorkspace(KudosError):
    code = "ambiguous_workspace"

    def __init__(self, workspace: str, platforms: tuple[str, ...]) -> None:
        super().__init__(
            f"There is a workspace called {workspace!r} on {' and on '.join(platforms)}: "
            f"say which with {' or '.join(f'--platform {p}' for p in platforms)}."
        )


class UnknownMember(KudosError):
    code = "unknown_member"

    def __init__(self, name: str) -> None:
        super().__init__(f"I don't know anyone called {name!r} here yet.")


class UnknownPerson(KudosError):
    """`kudos people forget` was given an id the workspace has never seen."""

    code = "unknown_person"

    def __init__(self, external_id: str, workspace: str) -> None:
        super().__init__(
            f"Nobody with the id {external_id!r} is known in {workspace!r}, so nothing was "
            "changed. Give the platform's user id (Slack: U0123ABCD; Teams: 29:…; the console: "
            "the name in lower case), as `kudos export kudos` lists them."
        )


class NothingToUndo(KudosError):
    code = "nothing_to_undo"

    def __init__(self) -> None:
        super().__init__("You have no recent kudos to undo.")


class UndoWindowExpired(KudosError):
    code = "undo_window_expired"

    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"Kudos can only be undone within {minutes} minutes of giving them, "
            "and your last one is older than that."
        )


class PointsAlreadySpent(KudosError):
    code = "points_already_spent"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} has already spent those points, so this kudos can't be undone.")


class LearningTooLong(KudosError):
    code = "learning_too_long"

    def __init__(self, limit: int) -> None:
        super().__init__(f"That's a lot to share! Keep it under {limit} characters.")


class InvalidSetting(KudosError):
    code = "invalid_setting"


class AdminOnly(KudosError):
    code = "admin_only"

    def __init__(self, what: str = "do that") -> None:
        super().__init__(
            f"Only Kudos admins can {what}. Ask one of them (or whoever runs the server) for help."
        )


class InvalidItem(KudosError):
    code = "invalid_item"


class UnknownItem(KudosError):
    code = "unknown_item"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The catalog has no item called {name!r}. Type `shop` to see what there is."
        )


class DuplicateItem(KudosError):
    code = "duplicate_item"

    def __init__(self, name: str) -> None:
        super().__init__(f"The catalog already has an item called {name!r}; pick another name.")


class ItemUnavailable(KudosError):
    code = "item_unavailable"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} isn't available right now. Type `shop` to see what is.")


class OutOfStock(KudosError):
    code = "out_of_stock"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is sold out, sorry. Type `shop` to see what is in stock.")


class NotEnoughPoints(KudosError):
    code = "not_enough_points"

    def __init__(self, name: str, cost: int, earned: int) -> None:
        super().__init__(
            f"{name} costs {cost} points and you have {earned} to spend. "
            "Keep helping people: the points you receive are yours to redeem."
        )
        self.cost, self.earned = cost, earned


class UnknownRedemption(KudosError):
    code = "unknown_redemption"

    def __init__(self, redemption_id: int) -> None:
        super().__init__(f"There is no redemption #{redemption_id} here.")


class AlreadyDecided(KudosError):
    code = "already_decided"

    def __init__(self, redemption_id: int, status: str, by: str | None) -> None:
        who = f" by {by}" if by else ""
        super().__init__(f"Redemption #{redemption_id} was already {status}{who}.")
        self.status = status


class NotAnAdjustment(KudosError):
    code = "not_an_adjustment"


class UnknownChannel(KudosError):
    code = "unknown_channel"


class LastAdmin(KudosError):
    code = "last_admin"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} is the last Kudos admin here, so they stay on the list: add another admin "
            "first, so someone can still approve redemptions and change settings."
        )


class RejectReasonRequired(KudosError):
    code = "reject_reason_required"

    def __init__(self) -> None:
        super().__init__(
            "Rejecting needs a reason, because the member reads it: say why, "
            "e.g. “the budget is spent this quarter”."
        )


class SignInRefused(KudosError):
    """A dashboard sign-in that cannot go ahead: a link expired or used, an account Kudos does
    not know. The message says what to do instead."""

    code = "sign_in_refused"


class UnknownToken(KudosError):
    code = "unknown_token"

    def __init__(self, prefix: str) -> None:
        super().__init__(
            f"There is no API token {prefix!r} here: `kudos api-token list` shows the others."
        )


class TokenRefused(KudosError):
    """An API request whose token is missing, malformed, unknown, revoked or expired."""

    code = "token_refused"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class UnknownWebhook(KudosError):
    code = "unknown_webhook"

    def __init__(self, webhook_id: int) -> None:
        super().__init__(
            f"There is no webhook #{webhook_id} here: `kudos webhooks list` shows the others."
        )
