"""Issue 12, findings 7, 11 and 12, through the real app: bodies nested past the decoder's stack
and times past datetime's range answer 4xx, the CSP keeps sockets on the service's own origin, an
invitation token never rides in a query string, and text fields refuse the characters that change
how the text around them is shown (bidirectional controls, line separators).

The fuzz test over every route is `test_fuzz_routes.py`; file modes are `test_file_modes.py`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from tests.foundation.test_http import assert_error
from tests.hearings.kit import draft_body
from tests.helpers import StaffSession, staff
from vc_service.accounts.models import Role
from vc_service.errors import BadRequest
from vc_service.hearings.models import OutboxMessage
from vc_service.http.middleware import SECURITY_HEADERS
from vc_service.http.validation import MAX_JSON_DEPTH, json_depth, parse_json
from vc_service.services import Services

Client = TestClient[Any, Any]

# A Wednesday 10:00 in Strasbourg, a month after the clock the tests give the service.
START = datetime(2031, 4, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
NOW = START - timedelta(days=30)

# Each character that reorders or splits the text around it when shown.
HIDDEN = [
    "\u061c",  # ARABIC LETTER MARK
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u202a",  # LEFT-TO-RIGHT EMBEDDING
    "\u202b",  # RIGHT-TO-LEFT EMBEDDING
    "\u202c",  # POP DIRECTIONAL FORMATTING
    "\u202d",  # LEFT-TO-RIGHT OVERRIDE
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u2067",  # RIGHT-TO-LEFT ISOLATE
    "\u2068",  # FIRST STRONG ISOLATE
    "\u2069",  # POP DIRECTIONAL ISOLATE
    "\u2028",  # LINE SEPARATOR
    "\u2029",  # PARAGRAPH SEPARATOR
    "\u0085",  # NEXT LINE (C1)
    "\u007f",  # DELETE
    "\r",
]


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
async def judge(client: Client, services: Services) -> StaffSession:
    services.hearings.schedule.clock = lambda: NOW
    return await staff(services, client, "judge", Role.JUDGE)


async def create(judge: StaffSession, **overrides: Any) -> dict[str, Any]:
    body = draft_body(starts_at=iso(START), **overrides)
    response = await judge.client.post("/api/hearings", json=body, headers=judge.headers())
    created: dict[str, Any] = await response.json()
    assert response.status == 201, created
    return created


# -- finding 7: nesting, numbers and times -------------------------------------------------------


def test_depth_is_counted_without_recursion_and_ignores_strings() -> None:
    assert json_depth("[" * 100_000) == 100_000
    assert json_depth('{"a": [1, {"b": "[[[{{{"}], "c": "\\"[["}') == 3
    # An unterminated string full of escaped quotes: one pass, not one pass per quote.
    assert json_depth('"' + '\\"[' * 200_000) == 0
    assert json_depth("[]" * 1000) == 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"[" * 100_000, "request.too_deep"),
        (b'{"a":' * 50_000, "request.too_deep"),
        (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "request.too_deep"),
        (b'{"version": NaN}', "request.malformed_json"),
        (b'{"version": -Infinity}', "request.malformed_json"),
        (b'{"version": 1e999}', "request.malformed_json"),
        (b'{"version": ' + b"9" * 5000 + b"}", "request.malformed_json"),
        (b'{"venue": "\xff"}', "request.malformed_json"),
        (b'{"venue": "\\ud800"}', "request.malformed_json"),
        (b'{"a": {"b": ["x\\udfffy"]}}', "request.malformed_json"),
    ],
)
def test_hostile_json_is_a_typed_400(raw: bytes, code: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_json(raw)
    assert caught.value.status == 400 and caught.value.code == code


def test_depth_at_the_limit_and_brackets_in_strings_pass() -> None:
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(nested.encode()) == json.loads(nested)
    assert parse_json(json.dumps({"venue": "[" * 10_000}).encode()) == {"venue": "[" * 10_000}
    # An escaped pair is one character (an emoji), not a lone surrogate.
    assert parse_json(b'{"name": "\\ud83d\\ude00"}') == {"name": "\U0001f600"}


async def test_deeply_nested_body_is_400_not_500(client: Client, judge: StaffSession) -> None:
    for raw in (b"[" * 100_000, b'{"a":' * 100_000):
        response = await judge.client.post(
            "/api/hearings",
            data=raw,
            headers={**judge.headers(), "Content-Type": "application/json"},
        )
        assert response.status == 400
        assert_error(await response.json(), "request.too_deep")


@pytest.mark.parametrize(
    "times",
    [
        {"starts_at": "0001-01-01T00:00:00+14:00", "duration_minutes": 90},
        {"starts_at": "9999-12-31T23:00:00Z", "duration_minutes": 720},
        {"starts_at": "9999-12-31T23:59:59.999999-14:00", "duration_minutes": 720},
        {"starts_at": iso(START), "ends_at": "9999-12-31T23:59:59-14:00", "duration_minutes": None},
        {"starts_at": None, "local_start": "0001-01-01T00:00", "time_zone": "Pacific/Kiritimati"},
        {"starts_at": None, "local_start": "9999-12-31T23:59", "time_zone": "Etc/GMT+12"},
    ],
    ids=["year1+14", "year9999+720min", "year9999-14", "end9999", "local-year1", "local-year9999"],
)
async def test_times_out_of_range_are_422_naming_the_field(
    judge: StaffSession, times: dict[str, Any]
) -> None:
    field = next(name for name in ("ends_at", "local_start", "starts_at") if times.get(name))
    body = {**draft_body(), **times}
    response = await judge.client.post("/api/hearings", json=body, headers=judge.headers())
    answer = await response.json()
    assert response.status == 422, answer
    assert_error(answer, "request.invalid_fields")
    assert "years 2000 to 2199" in answer["error"]["details"]["fields"][field]

    created = await create(judge)
    changes = {"version": created["version"], **{k: v for k, v in times.items() if v is not None}}
    response = await judge.client.patch(
        f"/api/hearings/{created['id']}", json=changes, headers=judge.headers()
    )
    answer = await response.json()
    assert response.status == 422, answer
    assert field in answer["error"]["details"]["fields"]


# -- finding 11: CSP and the token in the fragment only ------------------------------------------


async def test_csp_keeps_sockets_on_the_services_own_origin(client: Client) -> None:
    for path in ("/join", "/sign-in", "/healthz", "/api/hearings"):
        csp = (await client.get(path)).headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["connect-src"] == "'self'", csp
        assert "ws:" not in csp and "wss:" not in csp
    assert "connect-src 'self';" in SECURITY_HEADERS["Content-Security-Policy"]


async def test_a_token_in_the_query_string_is_refused_everywhere(
    judge: StaffSession, services: Services
) -> None:
    created = await create(judge)
    hid, witness = created["id"], created["person_heard"]["id"]
    issued = await judge.client.post(
        f"/api/hearings/{hid}/participants/{witness}/invitation", headers=judge.headers()
    )
    invitation = await issued.json()
    assert issued.status == 201, invitation
    token = invitation["token"]
    assert invitation["link"].endswith(f"/join/{hid}#{token}")

    participant = judge.client  # the same browser, now holding the link
    for path in (
        f"/api/invite/{hid}/calendar.ics",
        f"/api/invite/{hid}",
        f"/join/{hid}",
        f"/api/hearings/{hid}",
    ):
        response = await participant.get(path, params={"token": token})
        assert response.status == 400, path
        answer = await response.json()
        assert_error(answer, "request.secret_in_query")
        assert "#" in answer["error"]["message"] and token not in json.dumps(answer)

    # The header still works, and what the service hands out carries the token after '#' only.
    ics = await participant.get(
        f"/api/invite/{hid}/calendar.ics", headers={"X-Invitation-Token": token}
    )
    assert ics.status == 200
    unfolded = (await ics.text()).replace("\r\n ", "")
    assert "?token=" not in unfolded and f"/join/{hid}#{token}" in unfolded
    async with services.db.session() as s:
        rows = (await s.scalars(select(OutboxMessage))).all()
    letters = [services.hearings.outbox.letter(row) for row in rows]
    assert letters, "the invitation queued no letter"
    for letter in letters:
        text = letter.body + (letter.attachment or b"").decode().replace("\r\n ", "")
        assert "?token=" not in text and "token=" not in text


# -- finding 12: bidirectional and line-separator characters -------------------------------------

# Every human-readable field of the hearing and invitation bodies: (method, path, body builder).
# `{hid}` and `{pid}` are filled in from a created hearing.
HUMAN_FIELDS: list[tuple[str, str, str]] = [
    ("venue", "POST", "/api/hearings"),
    ("case_reference", "POST", "/api/hearings"),
    ("person_heard.name", "POST", "/api/hearings"),
    ("participants[0].name", "POST", "/api/hearings"),
    ("working_hours_override", "POST", "/api/hearings"),
    ("venue", "PATCH", "/api/hearings/{hid}"),
    ("working_hours_override", "PATCH", "/api/hearings/{hid}"),
    ("participant.name", "POST", "/api/hearings/{hid}/participants"),
    ("reason", "POST", "/api/hearings/{hid}/cancel"),
    ("note", "POST", "/api/hearings/{hid}/legal-review"),
    ("note", "POST", "/api/hearings/{hid}/conditions/any"),
    ("reason", "POST", "/api/hearings/{hid}/participants/{pid}/invitation/revoke"),
]


def body_for(method: str, path: str, field: str, text: str, version: int) -> dict[str, Any]:
    if path == "/api/hearings":
        body = draft_body(starts_at=iso(START))
    elif path.endswith("/participants"):
        body = {"version": version, "participant": {"role": "expert", "name": "Dr Weber"}}
    elif path.endswith("/legal-review"):
        body = {"version": version, "outcome": "cleared", "note": "checked with the authority"}
    elif method == "PATCH":
        body = {"version": version}
    else:
        body = {"version": version, "reason": "a plain reason", "note": "a plain note"}
    # Put `text` at the dotted / indexed field path.
    target: Any = body
    parts = field.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    target[parts[-1]] = text
    return body


@pytest.mark.parametrize(
    ("field", "method", "path"),
    HUMAN_FIELDS,
    ids=[f"{m} {p} {f}" for f, m, p in HUMAN_FIELDS],
)
async def test_hidden_characters_are_refused_in_every_human_readable_field(
    judge: StaffSession, field: str, method: str, path: str
) -> None:
    created = await create(judge)
    url = path.format(hid=created["id"], pid=created["person_heard"]["id"])
    for char in HIDDEN:
        text = f"Tribunal {char}de Strasbourg, salle 3"
        body = body_for(method, path, field, text, created["version"])
        response = await judge.client.request(method, url, json=body, headers=judge.headers())
        answer = await response.json()
        assert response.status == 422, (repr(char), answer)
        assert_error(answer, "request.invalid_fields")
        problem = answer["error"]["details"]["fields"][field]
        assert f"U+{ord(char):04X}" in problem, problem
    # Nothing was changed by any of them.
    again = await judge.client.get(f"/api/hearings/{created['id']}")
    assert (await again.json())["version"] == created["version"]


@pytest.mark.parametrize("field", ["venue", "case_reference", "person_heard.name"])
async def test_one_line_fields_refuse_line_feeds_and_tabs(judge: StaffSession, field: str) -> None:
    for char in ("\n", "\t"):
        body = body_for("POST", "/api/hearings", field, f"Camille{char}Martin", 1)
        response = await judge.client.post("/api/hearings", json=body, headers=judge.headers())
        answer = await response.json()
        assert response.status == 422, answer
        assert field in answer["error"]["details"]["fields"]


async def test_notes_may_still_span_lines_and_scripts_keep_their_joiners(
    judge: StaffSession,
) -> None:
    # Persian names need ZERO WIDTH NON-JOINER (U+200C); it is not a direction control.
    person = {"role": "witness", "name": "\u0645\u06cc\u200c\u0631\u0648\u06cc", "language": "fa"}
    created = await create(judge, person_heard={**person, "consent": "yes"})
    assert created["person_heard"]["name"] == person["name"]
    response = await judge.client.post(
        f"/api/hearings/{created['id']}/cancel",
        json={"version": created["version"], "reason": "the witness moved.\nA new date follows."},
        headers=judge.headers(),
    )
    assert response.status == 200, await response.text()
