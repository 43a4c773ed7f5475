"""`--json`: one line of JSON per command, the documented shapes of `balance`, `top` and
`history` kept as README.md shows them, the rest as the services return their results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.test_cli import kudos


def as_json(*args: str, url: str) -> Any:
    done = kudos(*args, "--json", url=url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1, "one line of JSON"
    return json.loads(done.stdout)


def test_json_output_keeps_the_documented_shapes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/k.db"
    chat = kudos("chat", "--as", "ana", url=url, stdin="@bob 5 for teaching me SQL #learning\n")
    assert chat.returncode == 0, chat.stderr

    assert as_json("balance", "--workspace", "local", "--user", "bob", url=url) == {
        "platform": "console",
        "workspace": "local",
        "user": "bob",
        "allowance_left": 100,
        "earned": 5,
    }
    assert as_json("top", "--workspace", "local", url=url) == [
        {"rank": 1, "user": "bob", "display_name": "bob", "points": 5}
    ]
    [given] = as_json("history", "--workspace", "local", "--user", "ana", url=url)
    assert given.pop("created_at").endswith("+00:00")
    assert given == {
        "kudos_id": 1,
        "direction": "given",
        "giver": "ana",
        "recipients": ["bob"],
        "amount_each": 5,
        "reason": "teaching me SQL",
        "tags": ["learning"],
        "reversed": False,
    }

    adjusted = as_json(
        "adjust", "--workspace", "local", "--user", "bob", "3", "--reason", "prize", url=url
    )
    assert adjusted == {"text": "Adjusted bob's points by +3 (prize); they now have 8 to spend."}
    settings = as_json("settings", "set", "--workspace", "local", "max_amount=20", url=url)
    assert settings["max_amount"] == 20 and settings["values"][0] == "learning"
    [entry, _] = as_json("audit", "--workspace", "local", url=url)
    assert entry["action"] == "settings.change" and entry["actor_id"].startswith("cli:")
    assert entry["details"]["max_amount"] == {"from": 50, "to": 20}
    assert as_json("admins", "list", "--workspace", "local", url=url) == {
        "admins": [],
        "platform": "console",
    }
