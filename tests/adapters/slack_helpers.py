"""Reading the ledger back in Slack tests."""

from __future__ import annotations

import json
from typing import Any

from bot.bootstrap import App
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.queries import show_balance
from tests.fakes.slack_api import Call


def ws(team: str = "T1") -> WorkspaceRef:
    return WorkspaceRef("slack", team)


async def earned(app: App, user: str, team: str = "T1") -> int:
    return (await show_balance(app.services, ws(team), MemberRef(user), newcomer_ok=True)).earned


async def left(app: App, user: str, team: str = "T1") -> int:
    shown = await show_balance(app.services, ws(team), MemberRef(user), newcomer_ok=True)
    return shown.allowance_left


def everything(call: Call) -> str:
    """All the text of a recorded call (text plus blocks), for asserting what people read."""
    return json.dumps(
        {k: call.params.get(k) for k in ("text", "blocks", "view")}, ensure_ascii=False
    )


def mrkdwn_and_text(payload: dict[str, Any]) -> list[str]:
    """Every string Slack would interpret as markup: `text` and every mrkdwn object."""
    found = [str(payload.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload.get("blocks"))
    return found
