"""Malformed and unauthenticated requests, through the real endpoints: each gets its 4xx,
is counted in `kudos_rejected_requests_total` by reason, logs no error, counts no error, and
writes nothing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from urllib.parse import quote, urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.web.app import MAX_BODY_BYTES
from tests.adapters.conftest import SlackHarness, TeamsHarness, running, running_teams
from tests.conftest import FakeClock
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_sender import SIGNING_SECRET
from tests.fakes.teams_sender import RAJ, activity, mention
from tests.support import quiet, snapshot

SLACK = "/slack/events"
TEAMS = "/api/messages"
JSON = b"application/json"
FORM = b"application/x-www-form-urlencoded"
DEEP = b"[" * 5000 + b"]" * 5000
DEEP_OBJECT = b'{"a":' * 5000 + b"1" + b"}" * 5000
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def now() -> bytes:
    return str(int(time.time())).encode()


def sign(timestamp: bytes, body: bytes, secret: str = SIGNING_SECRET) -> bytes:
    """Slack's v0 signature, computed here from Slack's documentation over the raw bytes."""
    digest = hmac.new(secret.encode(), b"v0:" + timestamp + b":" + body, hashlib.sha256)
    return b"v0=" + digest.hexdigest().encode()


async def post(
    http: httpx.AsyncClient,
    url: str,
    body: bytes,
    *,
    content_type: bytes | None = JSON,
    timestamp: bytes | None = None,
    signature: bytes | None = None,
    signed: bool = False,
) -> httpx.Response:
    """POST raw bytes to Slack's endpoint with exactly these headers (none left out is added)."""
    headers: list[tuple[bytes, bytes]] = []
    if content_type is not None:
        headers.append((b"Content-Type", content_type))
    if timestamp is not None:
        headers.append((b"X-Slack-Request-Timestamp", timestamp))
    if signed:
        assert timestamp is not None
        signature = sign(timestamp, body)
    if signature is not None:
        headers.append((b"X-Slack-Signature", signature))
    return await http.post(f"{url}{SLACK}", content=body, headers=headers)


async def read_metrics(http: httpx.AsyncClient, url: str) -> dict[tuple[str, str, str], float]:
    """(metric, route, reason) -> value, from GET /metrics, for the two metrics watched here."""
    text = (await http.get(f"{url}/metrics")).text
    found: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "kudos_rejected_requests_total":
                key = (sample.name, sample.labels["route"], sample.labels["reason"])
                found[key] = sample.value
            elif sample.name == "kudos_errors_total":
                key = (sample.name, sample.labels["platform"], "")
                found[key] = sample.value
    return found


@pytest.fixture
def errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog, also hearing uvicorn (whose loggers do not propagate to the root logger), where
    an exception escaping the app is logged with its traceback."""
    uvicorn_log = logging.getLogger("uvicorn")
    uvicorn_log.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        uvicorn_log.removeHandler(caplog.handler)


@asynccontextmanager
async def refused(
    harness: SlackHarness | TeamsHarness,
    caplog: pytest.LogCaptureFixture,
    route: str,
    reason: str,
    times: int,
) -> AsyncIterator[None]:
    """Around requests that must each be refused for `reason`: the rejection counter went up by
    `times`, the error counter did not move, nothing was logged at ERROR, no table changed and
    nothing was sent to Slack or Teams."""
    tables = await snapshot(harness.app)
    before = await read_metrics(harness.http, harness.url)
    caplog.clear()
    yield
    if isinstance(harness, SlackHarness):
        await harness.fake.settle(0.1)
        assert harness.fake.calls == []
    else:
        await asyncio.sleep(0.1)
        assert harness.connector.sent == []
    after = await read_metrics(harness.http, harness.url)
    key = ("kudos_rejected_requests_total", route, reason)
    assert after.get(key, 0) - before.get(key, 0) == times
    errors = {k: v for k, v in after.items() if k[0] == "kudos_errors_total"}
    assert errors == {k: v for k, v in before.items() if k[0] == "kudos_errors_total"}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await snapshot(harness.app) == tables


async def warm_up(slack: SlackHarness) -> None:
    """A real give first, so that the workspace, its members and the ledger have rows a stray
    write would change."""
    await slack.slack.command("<@URAJ> 1 for warming up", user="UANA")
    await slack.fake.wait_for("response_url", 2)
    await quiet(slack.app)
    slack.fake.calls.clear()


# ---------------------------------------------------------------------- Slack: timestamps


BAD_TIMESTAMPS = {
    "letters": b"abc",
    "empty": b"",
    "exponent": b"1e9",
    "NaN": b"NaN",
    "fraction": None,  # now, with a fractional part
    "full-width digits": None,  # now, in full-width digits
    "negative": b"-1",
    "far too many digits": b"9" * 5000,
    "missing": None,
}


@pytest.mark.parametrize("case", BAD_TIMESTAMPS)
async def test_a_bad_timestamp_is_400_however_it_is_signed(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture, case: str
) -> None:
    slack = slack_sqlite
    await warm_up(slack)
    timestamp = {
        "fraction": now() + b".5",
        "full-width digits": now().decode().translate(FULL_WIDTH).encode(),
    }.get(case, BAD_TIMESTAMPS[case])
    body = slack.slack.command_body("<@URAJ> 5 for the review", user="UANA").encode()
    async with refused(slack, errors_logged, SLACK, "bad_timestamp", 2):
        for signature in (sign(timestamp or b"", body), b"v0=" + b"0" * 64):
            response = await post(
                slack.http,
                slack.url,
                body,
                content_type=FORM,
                timestamp=timestamp,
                signature=signature,
            )
            assert response.status_code == 400, response.text


@pytest.mark.parametrize("offset", [-6 * 60, 6 * 60, -(10**9)])
async def test_a_correctly_signed_request_outside_the_five_minute_window_is_401(
    slack: SlackHarness, errors_logged: pytest.LogCaptureFixture, offset: int
) -> None:
    await warm_up(slack)
    timestamp = str(max(int(time.time()) + offset, 0)).encode()
    body = slack.slack.command_body("<@URAJ> 5 for replaying", user="UANA").encode()
    async with refused(slack, errors_logged, SLACK, "stale_timestamp", 1):
        response = await post(
            slack.http, slack.url, body, content_type=FORM, timestamp=timestamp, signed=True
        )
        assert response.status_code == 401


async def test_a_request_just_inside_the_window_is_accepted(slack_sqlite: SlackHarness) -> None:
    slack = slack_sqlite
    body = slack.slack.command_body("<@URAJ> 5 for being on time", user="UANA").encode()
    timestamp = str(int(time.time()) - 4 * 60).encode()
    response = await post(
        slack.http, slack.url, body, content_type=FORM, timestamp=timestamp, signed=True
    )
    assert response.status_code == 200
    await slack.fake.wait_for("response_url", 2)


# ---------------------------------------------------------------------- Slack: signatures


BAD_SIGNATURES = {
    "missing": None,
    "empty": b"",
    "zeros": b"v0=" + b"0" * 64,
    "another version": b"v1=" + b"0" * 64,
    "another secret": b"signed with another secret",
    "another body": b"signed over another body",
    "upper-case hex": b"the right one in upper case",
    "not ASCII": "v0=ｆｆ".encode(),
    "truncated": b"the right one without its last character",
}


@pytest.mark.parametrize("case", BAD_SIGNATURES)
async def test_a_missing_or_wrong_signature_is_401(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture, case: str
) -> None:
    slack = slack_sqlite
    await warm_up(slack)
    timestamp = now()
    body = slack.slack.command_body("<@URAJ> 5 for the forgery", user="UANA").encode()
    right = sign(timestamp, body)
    signature = {
        "another secret": sign(timestamp, body, "not-our-signing-secret"),
        "another body": sign(timestamp, body + b"&x=1"),
        "upper-case hex": b"v0=" + right[3:].upper(),
        "truncated": right[:-1],
    }.get(case, BAD_SIGNATURES[case])
    async with refused(slack, errors_logged, SLACK, "bad_signature", 1):
        response = await post(
            slack.http,
            slack.url,
            body,
            content_type=FORM,
            timestamp=timestamp,
            signature=signature,
        )
        assert response.status_code == 401


SSL_CHECKS = {
    "as Slack sends it": (b"ssl_check=1&token=legacy-verification-token", 200),
    "fields the other way round": (b"token=legacy-verification-token&ssl_check=1", 200),
    "with a short command smuggled in": (
        b"ssl_check=1&command=%2Fkudos&text=%3C%40URAJ%3E+5&user_id=UANA&team_id=T1",
        200,
    ),
    "not 1": (b"ssl_check=0&token=legacy-verification-token", 401),
    "with a real command smuggled in": (None, 401),
}


@pytest.mark.parametrize("case", SSL_CHECKS)
async def test_slacks_unsigned_certificate_check_gets_a_200_and_does_nothing(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture, case: str
) -> None:
    """Slack sends `ssl_check=1` without a signature; it is answered and never dispatched."""
    slack = slack_sqlite
    await warm_up(slack)
    body, status = SSL_CHECKS[case]
    if body is None:
        command = slack.slack.command_body("<@URAJ> 5 for sneaking in", user="UANA")
        body = b"ssl_check=1&" + command.encode()
    async with refused(slack, errors_logged, SLACK, "bad_signature", int(status == 401)):
        response = await post(slack.http, slack.url, body, content_type=FORM)
        assert response.status_code == status


# ---------------------------------------------------------------------- Slack: bodies


MALFORMED_BODIES = {
    "a list": (b"[]", JSON),
    "unclosed": (b"{", JSON),
    "null": (b"null", JSON),
    "random bytes": (os.urandom(64), JSON),
    "random bytes as a form": (b"\xff\xfe" + os.urandom(64), FORM),
    "a payload that is not JSON": (b"payload={not json", FORM),
    "a payload that is a list": (b"payload=[]", FORM),
    "5,000-deep lists": (DEEP, JSON),
    "5,000-deep objects": (DEEP_OBJECT, JSON),
    "a 5,000-deep payload": (b"payload=" + quote(DEEP).encode(), FORM),
    "an event that is a list": (b'{"type": "event_callback", "event": []}', JSON),
    "an event that is text": (b'{"type": "event_callback", "event": "message"}', JSON),
    "actions that are a number": (
        b"payload=" + quote('{"type": "block_actions", "actions": 5}').encode(),
        FORM,
    ),
    "no actions at all": (
        b"payload=" + quote('{"type": "block_actions", "actions": []}').encode(),
        FORM,
    ),
    "a view that is a number": (
        b"payload=" + quote('{"type": "view_submission", "view": 5}').encode(),
        FORM,
    ),
    "authorizations that are a number": (b'{"authorizations": 5}', JSON),
    "a team id that is an object": (b'{"team": {"id": {"nested": true}}}', JSON),
}


@pytest.mark.parametrize("case", MALFORMED_BODIES)
async def test_a_wrongly_signed_malformed_body_is_401_before_it_is_parsed(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture, case: str
) -> None:
    slack = slack_sqlite
    await warm_up(slack)
    body, content_type = MALFORMED_BODIES[case]
    async with refused(slack, errors_logged, SLACK, "bad_signature", 1):
        response = await post(
            slack.http,
            slack.url,
            body,
            content_type=content_type,
            timestamp=now(),
            signature=b"v0=" + b"0" * 64,
        )
        assert response.status_code == 401


@pytest.mark.parametrize("case", MALFORMED_BODIES)
async def test_a_correctly_signed_malformed_body_is_400(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture, case: str
) -> None:
    slack = slack_sqlite
    await warm_up(slack)
    body, content_type = MALFORMED_BODIES[case]
    async with refused(slack, errors_logged, SLACK, "malformed_body", 1):
        response = await post(
            slack.http, slack.url, body, content_type=content_type, timestamp=now(), signed=True
        )
        assert response.status_code == 400, response.text


# ---------------------------------------------------------------------- content types


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        b"",
        b"text/plain",
        b"application/xml",
        b"multipart/form-data; boundary=x",
        b"application/jsonx",
        b"application",
    ],
)
async def test_a_wrong_content_type_is_415(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture, content_type: bytes
) -> None:
    slack = slack_sqlite
    await warm_up(slack)
    body = slack.slack.command_body("<@URAJ> 5 for the review", user="UANA").encode()
    async with refused(slack, errors_logged, SLACK, "unsupported_media_type", 1):
        response = await post(
            slack.http, slack.url, body, content_type=content_type, timestamp=now(), signed=True
        )
        assert response.status_code == 415


async def test_content_types_with_parameters_and_any_case_are_accepted(
    slack_sqlite: SlackHarness,
) -> None:
    slack = slack_sqlite
    body = slack.slack.command_body("<@URAJ> 5 for the review", user="UANA").encode()
    for content_type in (
        b"application/x-www-form-urlencoded; charset=utf-8",
        b"Application/X-WWW-Form-URLEncoded",
    ):
        response = await post(
            slack.http, slack.url, body, content_type=content_type, timestamp=now(), signed=True
        )
        assert response.status_code == 200


# ---------------------------------------------------------------------- sizes


def over_the_cap() -> Iterator[bytes]:
    """The cap and one 64 KiB chunk more."""
    chunk = b"x" * 65536
    for _ in range(MAX_BODY_BYTES // len(chunk) + 1):
        yield chunk


async def streamed() -> AsyncIterator[bytes]:
    """The same as a stream, which httpx sends chunked (without a Content-Length)."""
    for chunk in over_the_cap():
        yield chunk


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "with Content-Length"])
async def test_a_body_over_the_cap_is_413_chunked_or_not(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture, chunked: bool
) -> None:
    slack = slack_sqlite
    await warm_up(slack)
    timestamp = now()
    body = b"".join(over_the_cap())
    async with refused(slack, errors_logged, SLACK, "too_large", 1):
        response = await slack.http.post(
            f"{slack.url}{SLACK}",
            content=streamed() if chunked else body,
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": timestamp.decode(),
                "X-Slack-Signature": sign(timestamp, body).decode(),
            },
        )
        assert response.status_code == 413
        assert ("content-length" in response.request.headers) is not chunked


@pytest.mark.parametrize("route", [SLACK, "/healthz"])
async def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture, route: str
) -> None:
    """Raw HTTP: send the cap plus one chunk, never the rest or the final chunk, and the 413
    comes anyway, so the server read no more than that."""
    slack = slack_sqlite
    address = urlsplit(slack.url)
    async with refused(slack, errors_logged, route, "too_large", 1):
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        method = b"POST" if route == SLACK else b"GET"
        writer.write(
            method + b" " + route.encode() + b" HTTP/1.1\r\nHost: kudos\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            b"X-Slack-Request-Timestamp: " + now() + b"\r\nX-Slack-Signature: v0=00\r\n\r\n"
        )
        for chunk in over_the_cap():
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 10)
        writer.close()
        assert status.startswith(b"HTTP/1.1 413 "), status


# ---------------------------------------------------------------------- Teams


@pytest.fixture
async def teams_sqlite(sqlite_url: str, clock: FakeClock) -> AsyncIterator[TeamsHarness]:
    """Teams in the Emulator's mode (no app id) on SQLite: activities need no token."""
    async for harness in running_teams(sqlite_url, clock):
        yield harness


async def teams_warm_up(teams: TeamsHarness) -> None:
    text, _ = mention(RAJ)
    sent = activity(teams.connector.url, f"kudos {text} 1 for warming up", mentions=[RAJ])
    assert (await teams.send(sent)).status_code in (200, 201)
    await teams.connector.wait_for(1)
    await quiet(teams.app)
    teams.connector.sent.clear()


def _activity_without(*fields: str) -> bytes:
    sent = activity("http://127.0.0.1:9/", "kudos <at>Raj Patel</at> 5 for nothing")
    for field in fields:
        sent.pop(field)
    return json.dumps(sent).encode()


NOT_ACTIVITIES = {
    "unclosed": b"{",
    "a list": b"[]",
    "null": b"null",
    "a number": b"5",
    "random bytes": os.urandom(64),
    "5,000-deep lists": DEEP,
    "5,000-deep objects": DEEP_OBJECT,
    "only a type": b'{"type": "message"}',
    "no sender": _activity_without("from"),
    "no recipient": _activity_without("recipient"),
    "no conversation": _activity_without("conversation"),
    "no service url": _activity_without("serviceUrl"),
    "fields of the wrong type": b'{"type": 5, "conversation": "c", "serviceUrl": []}',
}


@pytest.mark.parametrize("case", NOT_ACTIVITIES)
async def test_a_teams_body_that_is_not_an_activity_is_400(
    teams_sqlite: TeamsHarness, errors_logged: pytest.LogCaptureFixture, case: str
) -> None:
    teams = teams_sqlite
    await teams_warm_up(teams)
    async with refused(teams, errors_logged, TEAMS, "malformed_body", 1):
        response = await teams.http.post(
            f"{teams.url}{TEAMS}",
            content=NOT_ACTIVITIES[case],
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        assert response.status_code == 400


@pytest.mark.parametrize("case", ["random bytes", "5,000-deep objects", "no sender"])
async def test_a_teams_body_that_is_not_an_activity_is_400_on_both_databases(
    teams: TeamsHarness, errors_logged: pytest.LogCaptureFixture, case: str
) -> None:
    await teams_warm_up(teams)
    async with refused(teams, errors_logged, TEAMS, "malformed_body", 1):
        response = await teams.http.post(
            f"{teams.url}{TEAMS}",
            content=NOT_ACTIVITIES[case],
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "text/json"]
)
async def test_a_teams_request_of_another_content_type_is_415(
    teams_sqlite: TeamsHarness, errors_logged: pytest.LogCaptureFixture, content_type: str | None
) -> None:
    teams = teams_sqlite
    await teams_warm_up(teams)
    text, _ = mention(RAJ)
    body = json.dumps(activity(teams.connector.url, f"kudos {text} 5 for it", mentions=[RAJ]))
    async with refused(teams, errors_logged, TEAMS, "unsupported_media_type", 1):
        response = await teams.http.post(
            f"{teams.url}{TEAMS}",
            content=body.encode(),
            headers={"Content-Type": content_type} if content_type else {},
        )
        assert response.status_code == 415


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "with Content-Length"])
async def test_a_teams_body_over_the_cap_is_413(
    teams_sqlite: TeamsHarness, errors_logged: pytest.LogCaptureFixture, chunked: bool
) -> None:
    teams = teams_sqlite
    await teams_warm_up(teams)
    async with refused(teams, errors_logged, TEAMS, "too_large", 1):
        response = await teams.http.post(
            f"{teams.url}{TEAMS}",
            content=streamed() if chunked else b"".join(over_the_cap()),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413


@pytest.mark.parametrize("authorization", [None, "Bearer garbage", "Basic YTpi"])
async def test_a_teams_request_without_a_valid_token_is_counted_as_unauthorized(
    sqlite_url: str,
    clock: FakeClock,
    errors_logged: pytest.LogCaptureFixture,
    authorization: str | None,
) -> None:
    async for teams in running_teams(
        sqlite_url,
        clock,
        MICROSOFT_APP_ID="00000000-0000-0000-0000-00000000b07",
        MICROSOFT_APP_PASSWORD="not-a-real-secret",
    ):
        text, _ = mention(RAJ)
        sent = activity(teams.connector.url, f"kudos {text} 5 for sneaking in", mentions=[RAJ])
        async with refused(teams, errors_logged, TEAMS, "unauthorized", 1):
            response = await teams.http.post(
                f"{teams.url}{TEAMS}",
                json=sent,
                headers={"Authorization": authorization} if authorization else {},
            )
            assert response.status_code == 401


# ---------------------------------------------------------------------- every other route


OTHER_REQUESTS = [
    ("GET", "/healthz", 200),
    ("HEAD", "/healthz", 200),
    ("POST", "/healthz", 405),
    ("GET", "/metrics?name=%ff%fe", 200),
    ("DELETE", "/metrics", 405),
    ("GET", "/api/v1/openapi.json", 200),
    ("PUT", "/api/v1/openapi.json", 405),
    ("GET", "/api/v1/", 401),  # the JSON API: a token first
    ("GET", "/nowhere", 404),
    ("POST", "/nowhere", 404),
    ("GET", "/%ff%fe/..%2f..%2fetc/passwd", 404),
    ("GET", SLACK, 405),
    ("PUT", SLACK, 405),
    ("GET", TEAMS, 405),
    ("GET", "/slack/install", 404),  # no OAuth in this setup
    ("GET", "/slack/oauth_redirect?code=x&state=y", 404),
]


async def test_no_other_request_yields_a_server_error(
    slack_sqlite: SlackHarness, errors_logged: pytest.LogCaptureFixture
) -> None:
    slack = slack_sqlite
    await warm_up(slack)
    tables = await snapshot(slack.app)
    before = await read_metrics(slack.http, slack.url)
    errors_logged.clear()
    for method, path, status in OTHER_REQUESTS:
        for body in (b"", b"\xff\xfe not UTF-8"):
            response = await slack.http.request(method, f"{slack.url}{path}", content=body)
            assert response.status_code == status, (method, path, response.text)
    assert [r.getMessage() for r in errors_logged.records if r.levelno >= logging.ERROR] == []
    after = await read_metrics(slack.http, slack.url)
    assert {k: v for k, v in after.items() if k[0] == "kudos_errors_total"} == {
        k: v for k, v in before.items() if k[0] == "kudos_errors_total"
    }
    await slack.fake.settle(0.1)
    assert slack.fake.calls == []
    assert await snapshot(slack.app) == tables


BAD_OAUTH_QUERIES = [
    "",
    "?code=",
    "?state=",
    "?code=x&state=",
    "?code=x&state=forged",
    "?code=x&code=y&state=z&state=w",
    "?code=%ff%fe&state=%ff%fe",
    "?%ff%fe=1",
    "?state=" + "a" * 5000,
    "?error=access_denied",
    "?error=%3Cscript%3Ealert(1)%3C/script%3E",
    "?error=%ff",
]


@pytest.mark.parametrize(
    "cookie", [None, "slack-app-oauth-state=%ff%fe", "slack-app-oauth-state=" + "x" * 3000, ";;=;"]
)
async def test_the_oauth_pages_answer_bad_query_strings_with_a_4xx(
    sqlite_url: str,
    clock: FakeClock,
    fake_slack: FakeSlack,
    errors_logged: pytest.LogCaptureFixture,
    cookie: str | None,
) -> None:
    async for slack in running(
        sqlite_url,
        clock,
        fake_slack,
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="client-secret",
    ):
        tables = await snapshot(slack.app)
        errors_logged.clear()
        headers = {"Cookie": cookie} if cookie else {}
        for query in BAD_OAUTH_QUERIES:
            response = await slack.http.get(
                f"{slack.url}/slack/oauth_redirect{query}", headers=headers
            )
            assert 400 <= response.status_code < 500 or (
                query.startswith("?error=") and response.status_code == 200
            ), (query, response.status_code)
            assert "<script>" not in response.text
        assert (await slack.http.get(f"{slack.url}/slack/install?%ff=%fe")).status_code == 200
        assert [r.getMessage() for r in errors_logged.records if r.levelno >= logging.ERROR] == []
        assert slack.fake.calls_to("oauth.v2.access") == []
        after = await snapshot(slack.app)
        after.pop("slack_oauth_states", None)  # the install page above issued one
        tables.pop("slack_oauth_states", None)
        assert after == tables
