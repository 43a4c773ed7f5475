"""`kudos people forget` as an operator runs it: a real process on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.e2e.test_cli import kudos


def test_people_forget_erases_keeps_the_ledger_and_refuses_a_stranger(sqlite_url: str) -> None:
    """Many processes in a row: on SQLite only (the service is tested on both databases)."""
    url = sqlite_url
    chat = kudos(
        "chat", "--as", "raj", url=url, stdin="@ana 5 for the pairing #learning\nprivacy off\n"
    )
    assert chat.returncode == 0, chat.stderr
    assert "off the public leaderboards" in chat.stdout
    assert kudos("chat", "--as", "ana", url=url, stdin="@raj 3 for the review\n").returncode == 0

    stranger = kudos("people", "forget", "--workspace", "local", "--user", "zed", url=url)
    assert stranger.returncode == 1
    assert stranger.stderr.startswith("kudos: Nobody with the id 'zed' is known in 'local'")

    done = kudos("people", "forget", "--workspace", "local", "--user", "Raj", "--json", url=url)
    assert done.returncode == 0, done.stderr
    forgotten = json.loads(done.stdout)
    assert forgotten["already"] is False and forgotten["pseudonym"].startswith("former member ")
    assert forgotten["erased"]["reasons"] == 1

    again = kudos("people", "forget", "--workspace", "local", "--user", "raj", url=url)
    assert again.returncode == 0 and "was forgotten already; nothing to do" in again.stdout

    verify = kudos("ledger", "verify", "--workspace", "local", url=url)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    exported = kudos(
        "export", "--workspace", "local", "--what", "kudos", "--format", "json", url=url
    )
    rows = json.loads(exported.stdout)
    assert [(r["giver"], r["reason"]) for r in rows] == [
        (forgotten["pseudonym"], ""),
        ("ana", "the review"),
    ]
    audit = json.loads(kudos("audit", "--workspace", "local", "--json", url=url).stdout)
    assert [(a["action"], a["target"], a["details"]) for a in audit][:1] == [
        ("member.forget", forgotten["pseudonym"], {})
    ]
