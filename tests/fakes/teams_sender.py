"""Activities shaped as Teams sends them."""

from __future__ import annotations

import itertools
import time
from typing import Any

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = {"id": "28:kudos-bot-app-id", "name": "Kudos"}
_ids = itertools.count(1)

ANA = {"id": "29:1ana-AAD", "name": "Ana Lima", "aadObjectId": "aad-ana"}
RAJ = {"id": "29:1raj-AAD", "name": "Raj Patel", "aadObjectId": "aad-raj"}
BO = {"id": "29:1bo-AAD", "name": "Bo Chen", "aadObjectId": "aad-bo"}
OTHER_BOT = {"id": "28:deploy-bot", "name": "Deploy Bot"}


def mention(person: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(text to put in the message, the mention entity)."""
    text = f"<at>{person['name']}</at>"
    return text, {
        "type": "mention",
        "text": text,
        "mentioned": {"id": person["id"], "name": person["name"]},
    }


def activity(
    service_url: str,
    text: str = "",
    *,
    sender: dict[str, Any] = ANA,
    mentions: list[dict[str, Any]] = (),  # type: ignore[assignment]
    channel: bool = True,
    value: dict[str, Any] | None = None,
    activity_id: str | None = None,
    kind: str = "message",
    tenant: str = TENANT,
    **extra: Any,
) -> dict[str, Any]:
    """A Teams message activity: in a team channel (mentioning the bot first) or a personal
    chat. `mentions` are people mentioned in `text` with `<at>Name</at>`."""
    n = next(_ids)
    entities = [mention(p)[1] for p in mentions]
    if channel and kind == "message" and value is None:
        bot_text, bot_entity = mention(BOT)
        text = f"{bot_text} {text}"
        entities.insert(0, bot_entity)
    conversation: dict[str, Any] = (
        {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": tenant,
            "id": "19:general-channel@thread.tacv2;messageid=1700000000000",
        }
        if channel
        else {
            "conversationType": "personal",
            "tenantId": tenant,
            # real personal chat ids are this long: longer than some columns they end up in
            "id": f"a:1{sender['id']}-" + "u9TAQXv7Cm2Lhhm1wbXl0eB24JcvYZo9Hb5d6SbsKVdi3d80" * 3,
        }
    )
    body: dict[str, Any] = {
        "type": kind,
        "id": activity_id or f"{int(time.time() * 1000)}{n}",
        "timestamp": "2026-11-18T12:00:00.000Z",
        "localTimestamp": "2026-11-18T13:00:00.000+01:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender,
        "conversation": conversation,
        "recipient": BOT,
        "textFormat": "plain",
        "locale": "en-US",
        "entities": [*entities, {"type": "clientInfo", "locale": "en-US", "platform": "Web"}],
        "channelData": {"tenant": {"id": tenant}}
        | (
            {
                "teamsChannelId": "19:general-channel@thread.tacv2",
                "team": {"id": "19:team@thread.tacv2"},
                "channel": {"id": "19:general-channel@thread.tacv2"},
            }
            if channel
            else {}
        ),
        **extra,
    }
    if text:
        body["text"] = text
    if value is not None:
        body["value"] = value
    return body
