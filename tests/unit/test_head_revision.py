"""`kudos chat` skips Alembic when the schema is at the newest revision, which it reads from
the scripts' text: that must be the head Alembic itself finds."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from bot.migrations import alembic_config, head_revision


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    assert head_revision() == scripts.get_current_head()
