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
)


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
    assert settings(KUDOS_ENV="production", **env).environment == "production"


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
