"""Settings from the environment: what production needs, and refusals as plain sentences."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings, explain

CHAT_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "KUDOS_ENV",
    "PORT",
    "KUDOS_SESSION_SECRET",
    "KUDOS_PUBLIC_URL",
    "MICROSOFT_APP_TENANT_ID",
    "ENTRA_SIGNIN_CLIENT_ID",
    "ENTRA_SIGNIN_ISSUER",
)
SECRET = "kP3v9QyX1bZr7LwT2nHc8fJd5sGm4aEu6Ro0"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CHAT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, **env)


def refusal(**env: str) -> str:
    with pytest.raises(ValidationError) as caught:
        settings(**env)
    return explain(caught.value)


def test_production_with_only_slack_oauth_settings_starts() -> None:
    started = settings(
        KUDOS_ENV="production",
        KUDOS_SESSION_SECRET=SECRET,
        SLACK_CLIENT_ID="123.456",
        SLACK_CLIENT_SECRET="secret",
        SLACK_SIGNING_SECRET="signing",
    )
    assert started.slack_enabled and not started.teams_enabled


@pytest.mark.parametrize(
    "env",
    [
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"},
        {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "pw"},
    ],
)
def test_production_with_a_bot_token_or_a_teams_app_starts(env: dict[str, str]) -> None:
    assert settings(KUDOS_ENV="production", KUDOS_SESSION_SECRET=SECRET, **env).environment == (
        "production"
    )


def test_production_without_credentials_says_what_to_set_in_one_sentence() -> None:
    assert refusal(KUDOS_ENV="production") == (
        "KUDOS_ENV=production needs chat credentials: SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET "
        "(or SLACK_APP_TOKEN), SLACK_CLIENT_ID with SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET, "
        "or MICROSOFT_APP_ID with MICROSOFT_APP_PASSWORD."
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"KUDOS_ENV": "prod"},
            "KUDOS_ENV='prod' is not valid: input should be 'development' or 'production'.",
        ),
        ({"PORT": "web"}, "PORT='web' is not valid: input should be a valid integer"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a SQLite (sqlite:///path.db)"),
    ],
)
def test_a_wrong_value_is_named_without_pydantic_internals(
    env: dict[str, str], expected: str
) -> None:
    text = refusal(**env)
    assert text.startswith(expected)
    for internal in ("pydantic", "http", "[type=", "validation error", "Value error"):
        assert internal not in text


def test_production_refuses_to_start_without_a_session_secret_in_one_sentence() -> None:
    text = refusal(KUDOS_ENV="production", SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    assert text.startswith("KUDOS_ENV=production needs KUDOS_SESSION_SECRET to sign dashboard")
    assert text.endswith(".") and ". " not in text and "\n" not in text


@pytest.mark.parametrize(
    "secret", ["short", "change-me", "x" * 64, "changeme", "abcabcabcabcabcabcabcabcabcabcabcabc"]
)
def test_a_short_or_example_session_secret_is_refused_everywhere(secret: str) -> None:
    for env in (
        {},
        {"KUDOS_ENV": "production", "SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s"},
    ):
        assert refusal(KUDOS_SESSION_SECRET=secret, **env).startswith(
            "KUDOS_SESSION_SECRET must be 32 random characters or more"
        )


def test_sign_in_settings_fall_back_to_the_chat_apps_and_a_public_url_is_checked() -> None:
    plain = settings(
        MICROSOFT_APP_ID="app", MICROSOFT_APP_PASSWORD="pw", KUDOS_PUBLIC_URL="https://k.example/"
    )
    assert plain.entra_signin == ("app", "pw") and plain.slack_signin is None
    assert plain.public_url == "https://k.example"
    assert plain.entra_issuer == "https://login.microsoftonline.com/organizations/v2.0"
    one_tenant = settings(MICROSOFT_APP_TENANT_ID="t-1", ENTRA_SIGNIN_CLIENT_ID="web")
    assert one_tenant.entra_issuer == "https://login.microsoftonline.com/t-1/v2.0"
    assert one_tenant.entra_signin is None, "an id without a secret signs no one in"
    assert refusal(KUDOS_PUBLIC_URL="kudos.example.com").startswith(
        "KUDOS_PUBLIC_URL is where people reach Kudos"
    )
