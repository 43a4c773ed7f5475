"""Results and events survive the trip to JSON and back: the outbox keeps events as JSON for a
platform to expand later, perhaps in another process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.model import WorkspaceRef
from bot.services import codec
from bot.services.delivery import EVENT_TYPES, Outgoing, event_name
from bot.services.results import BadgeEarned, KudosGiven
from tests.unit.reply_examples import EVENTS, POSTS, TYPICAL, WORST

EXAMPLES: dict[str, Any] = {
    **{f"typical {k}": v for k, v in TYPICAL.items()},
    **{f"worst {k}": v for k, v in WORST.items()},
    **{f"post {k}": v for k, v in POSTS.items()},
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_result_comes_back_from_json_as_it_was(name: str) -> None:
    result = EXAMPLES[name]
    text = json.dumps(codec.encode(result), ensure_ascii=False)
    assert codec.decode(type(result), json.loads(text)) == result


@pytest.mark.parametrize("name", EVENTS)
def test_every_event_round_trips_through_an_outbox_row(name: str) -> None:
    event = EVENTS[name]
    row = Outgoing.event(WorkspaceRef("slack", "T1"), event)
    stored = json.loads(json.dumps(row.payload))
    assert codec.decode(EVENT_TYPES[row.method], stored) == event
    assert row.kind == "event" and row.method == event_name(event)


texts = st.text(max_size=30)


@given(
    amount=st.integers(1, 10**9),
    names=st.lists(texts, min_size=1, max_size=5),
    reason=st.none() | texts,
    tags=st.lists(texts, max_size=4),
    badges=st.lists(st.tuples(texts, texts, texts), max_size=3),
)
def test_any_kudos_given_round_trips(
    amount: int,
    names: list[str],
    reason: str | None,
    tags: list[str],
    badges: list[tuple[str, str, str]],
) -> None:
    given_ = KudosGiven(
        kudos_id=1,
        giver="ana",
        recipients=tuple(names),
        recipient_ids=tuple(f"U{n}" for n in range(len(names))),
        amount_each=amount,
        reason=reason,
        tags=tuple(tags),
        allowance_left=0,
        badges=tuple(BadgeEarned(*b) for b in badges),
    )
    assert codec.decode(KudosGiven, json.loads(json.dumps(codec.encode(given_)))) == given_


def test_a_payload_of_the_wrong_shape_is_refused_not_guessed() -> None:
    with pytest.raises((TypeError, ValueError, KeyError)):
        codec.decode(KudosGiven, {"kudos_id": "one"})
