"""Every JSON route, enumerated from the app's router, under hostile bodies (issue 12, finding 7).

Each route that takes a body gets: nesting far past the decoder's stack, bodies at and past the
size limit, times at the edges of what datetime holds, and numbers JSON allows but Python does
not hold (NaN, 1e999, 5,000 digits). Staff routes are sent as a signed-in judge, clerk and
authority (the one the route needs gets past its role check to the body); the participant's and
the sign-in routes go without a session. A 5xx fails the test; every 4xx must carry the error shape.
Hypothesis then mixes these into bodies shaped like the real ones."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_settings
from tests.hearings.kit import draft_body
from tests.helpers import csrf_cookie, make_user, sign_in
from vc_service import migrate
from vc_service.accounts.models import Role
from vc_service.http.app import create_app
from vc_service.http.validation import MAX_JSON_DEPTH
from vc_service.services import Services

Client = TestClient[Any, Any]
MAX_BODY = 65_536  # small, so the size cases stay quick; the check is the same at 1 MiB
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
START = datetime(2031, 4, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
NOW = START - timedelta(days=30)
STAFF = ("judge", "clerk", "authority")

EXTREME_INSTANTS = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:00:00Z",
    "9999-12-31T23:59:59.999999-14:00",
    "9999-12-31T23:59:59+14:00",
    "1999-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    "2031-02-29T10:00:00Z",
    "2031-04-02T24:00:00Z",
]
EXTREME_LOCALS = ["0001-01-01T00:00", "9999-12-31T23:59", "2031-03-30T02:30", "2031-10-26T02:30"]
EXTREME_ZONES = ["Pacific/Kiritimati", "Etc/GMT+12", "Etc/GMT-14", "Europe/Paris"]
# Numbers as raw JSON text: several are JSON that Python's decoder takes but cannot hold well.
RAW_NUMBERS = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-999", "9" * 5000, "-" + "9" * 4000,
    "18446744073709551616", "-9223372036854775809", "2147483648", "-2147483649", "0", "-0",
    "1.5", "-0.0", "1E+2", "720", "721", "4", "1",
]  # fmt: skip
# Text that is valid JSON but not valid Unicode (lone surrogates), or that hides or reorders text.
HOSTILE_TEXTS = [
    "\ud800", "a\udfffb", "\udbff\udc00\udc00", "\x00", "\u202e", "\u2028", "x" * 5000, "",
    "\U0001f600", "\ufeff", "\uffff",
]  # fmt: skip
TEXT_FIELDS = [
    "venue", "case_reference", "working_hours_override", "reason", "note", "outcome", "code",
    "token", "ticket", "username", "password", "participant_id", "time_zone", "venue_time_zone",
    "requested_state", "requesting_state", "proceeding", "consent", "offence", "signature",
]  # fmt: skip
FIELD_NAMES = [
    "version", "starts_at", "ends_at", "local_start", "local_end", "time_zone", "fold",
    "duration_minutes", "venue", "venue_time_zone", "requested_state", "requesting_state",
    "proceeding", "case_reference", "person_heard", "participants", "participant", "role",
    "name", "email", "language", "consent", "username", "recording_requested", "offence",
    "working_hours_override", "reason", "note", "outcome", "code", "token", "ticket",
    "password", "participant_id", "signature", "key_name", "requesting", "requested",
]  # fmt: skip


@dataclass
class Arena:
    """The app with a judge, a clerk and an authority signed in, and one hearing to aim at."""

    app: web.Application
    clients: dict[str, Client]
    csrf: dict[str, str]
    ids: dict[str, str]
    version: int
    seen: list[tuple[str, str, str, int, str]] = field(default_factory=list)

    def routes(self) -> list[tuple[str, str]]:
        """(method, path template) of every route that may take a body, from the router."""
        found = {
            (route.method, route.resource.canonical)
            for route in self.app.router.routes()
            if route.method in BODY_METHODS and route.resource is not None
        }
        return sorted(found)

    def url(self, template: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in self.ids, f"teach the fuzz test a value for {{{name}}} in {template}"
            return self.ids[name]

        return re.sub(r"{(\w+)}", value, template)

    def callers(self, template: str) -> tuple[str, ...]:
        # The sign-in steps and the invitation routes are for people without a session.
        if template.startswith(("/api/auth/", "/api/invite/")):
            return ("anonymous",)
        return STAFF

    async def send(self, who: str, method: str, template: str, raw: bytes) -> tuple[int, Any]:
        client = self.clients[who]
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf[who]}
        if template.startswith("/api/invite/"):
            headers["X-Invitation-Token"] = "x" * 43
        response = await client.request(method, self.url(template), data=raw, headers=headers)
        text = await response.text()
        status = response.status
        assert status < 500, f"{who} {method} {template} -> {status}: {text[:300]}"
        body: Any = None
        if status >= 400:
            assert response.content_type == "application/json", (template, status, text[:200])
            body = json.loads(text)
            assert set(body) == {"error"}, body
            error = body["error"]
            assert set(error) == {"code", "message", "details"}, body
            assert isinstance(error["code"], str) and error["code"]
            assert isinstance(error["message"], str) and error["message"]
            assert isinstance(error["details"], dict) and "request_id" in error["details"]
            assert "Traceback" not in text
            self.seen.append((who, method, template, status, error["code"]))
        return status, body


@pytest.fixture
async def arena(tmp_path: Path) -> AsyncIterator[Arena]:
    built = Services.build(make_settings(tmp_path / "var", VC_MAX_BODY_BYTES=str(MAX_BODY)))
    await migrate.upgrade(built.db)
    built.hearings.schedule.clock = lambda: NOW
    accounts = built.accounts
    berlin = await accounts.create_court("Landgericht Berlin", "DE", "Europe/Berlin")
    paris = await accounts.create_court("Tribunal judiciaire de Paris", "FR", "Europe/Paris")
    app = create_app(built)
    clients: dict[str, Client] = {}
    csrf: dict[str, str] = {}
    try:
        for who, role, court in (
            ("judge", Role.JUDGE, berlin.id),
            ("clerk", Role.CLERK, berlin.id),
            ("authority", Role.AUTHORITY, paris.id),
        ):
            await make_user(built, who, role, court_id=court)
            clients[who] = TestClient(TestServer(app, host="127.0.0.1"))
            await clients[who].start_server()
            csrf[who] = (await sign_in(clients[who], who)).csrf
        clients["anonymous"] = TestClient(TestServer(app, host="127.0.0.1"))
        await clients["anonymous"].start_server()
        csrf["anonymous"] = await csrf_cookie(clients["anonymous"])
        response = await clients["judge"].post(
            "/api/hearings",
            json=draft_body(starts_at=START.strftime("%Y-%m-%dT%H:%M:%SZ")),
            headers={"X-CSRF-Token": csrf["judge"]},
        )
        created = await response.json()
        assert response.status == 201, created
        conditions = created["legal"]["decision"].get("conditions") or [{"id": "none"}]
        ids = {
            "hearing_id": created["id"],
            "participant_id": created["person_heard"]["id"],
            "condition_id": str(conditions[0]["id"]),
        }
        yield Arena(app, clients, csrf, ids, created["version"])
    finally:
        for client in clients.values():
            await client.close()
        await built.close()


def with_times(version: int, **times: Any) -> list[bytes]:
    """The same times in a body shaped like a new hearing and in one shaped like a reschedule."""
    draft = {**draft_body(), "duration_minutes": None, "starts_at": None, **times}
    changes = {"version": version, **times}
    return [json.dumps(draft).encode(), json.dumps(changes).encode()]


def hostile_bodies(version: int) -> dict[str, list[bytes]]:
    dates: list[bytes] = []
    for instant in EXTREME_INSTANTS:
        dates += with_times(version, starts_at=instant, duration_minutes=720)
        dates += with_times(version, starts_at=instant, ends_at="9999-12-31T23:59:59-14:00")
    for local in EXTREME_LOCALS:
        for zone in EXTREME_ZONES:
            dates += with_times(version, local_start=local, time_zone=zone, duration_minutes=720)
    numbers = [
        (
            f'{{"version": {n}, "duration_minutes": {n}, "fold": {n}, "outcome": "cleared", '
            f'"note": "ten letters at least", "reason": "r", "code": "123456", '
            f'"starts_at": "{START:%Y-%m-%dT%H:%M:%SZ}"}}'
        ).encode()
        for n in RAW_NUMBERS
    ]
    texts = []
    for text in HOSTILE_TEXTS:
        every = dict.fromkeys(TEXT_FIELDS, text)
        person = {"role": "witness", "name": text, "language": "fr", "consent": "yes"}
        texts += [
            json.dumps({**draft_body(), **every, "person_heard": person}).encode(),
            json.dumps({"version": version, **every, "participant": person}).encode(),
        ]
    filler = b'{"note": "' + b"x" * (MAX_BODY - 12) + b'"}'
    return {
        # As deep as fits under the size limit: far past the decoder's recursion limit.
        "deep": [
            b"[" * (MAX_BODY - 1),
            b'{"a":' * (MAX_BODY // 5 - 1),
            b'{"version": 1, "participants": ' + b"[" * (MAX_JSON_DEPTH + 1) + b"]",
        ],
        "size": [filler, filler + b" " * 100, b"[" + b"1," * (MAX_BODY // 2) + b"1]"],
        "dates": dates,
        "numbers": numbers,
        "texts": texts,
    }


async def test_the_router_lists_the_json_routes(arena: Arena) -> None:
    routes = arena.routes()
    for expected in (
        ("POST", "/api/hearings"),
        ("PATCH", "/api/hearings/{hearing_id}"),
        ("POST", "/api/auth/sign-in"),
        ("POST", "/api/invite/{hearing_id}/join"),
        ("POST", "/api/legal/check"),
        ("POST", "/api/hearings/{hearing_id}/log/cosignatures"),
    ):
        assert expected in routes
    assert len(routes) >= 19, routes


@pytest.mark.parametrize("kind", ["deep", "size", "dates", "numbers", "texts"])
async def test_hostile_bodies_on_every_json_route(arena: Arena, kind: str) -> None:
    bodies = hostile_bodies(arena.version)[kind]
    for method, template in arena.routes():
        for who in arena.callers(template):
            for raw in bodies:
                await arena.send(who, method, template, raw)
    if kind == "size":
        too_large = [s for s in arena.seen if s[4] == "request.too_large"]
        assert too_large and all(s[3] == 413 for s in too_large)


async def test_every_route_that_reads_a_body_refuses_deep_nesting(arena: Arena) -> None:
    """A route reads its body if malformed JSON gets `request.malformed_json` from it; each such
    route, for each caller that gets that far, must refuse 65,535 `[` with `request.too_deep`."""
    readers = []
    for method, template in arena.routes():
        for who in arena.callers(template):
            _, answer = await arena.send(who, method, template, b"{not json")
            if answer and answer["error"]["code"] == "request.malformed_json":
                readers.append((who, method, template))
                deep = b"[" * (MAX_BODY - 1)
                status, answer = await arena.send(who, method, template, deep)
                assert status == 400 and answer["error"]["code"] == "request.too_deep"
    reached = {template for _, _, template in readers}
    # Every body-reading route is reached by the caller it is for (sign-in, hearings, reviews,
    # invitations, legal check, cosigning): if this drops, a role check moved before the body.
    assert len(reached) >= 13, sorted(reached)


# -- hypothesis: the same hostile parts inside bodies shaped like the real ones ------------------

TIMES = st.one_of(
    st.sampled_from(EXTREME_INSTANTS + EXTREME_LOCALS),
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.isoformat(timespec="minutes")
    ),
)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 4, 5, 720, 721, 2**31, 2**63, -(2**63) - 1]),
)
TEXTS = st.one_of(
    st.text(max_size=40),
    # Bidirectional and separator controls, NUL, lone surrogates (valid JSON, invalid UTF-8).
    st.sampled_from(["\u202e", "a\u2028b", "\u2066x\u2069", "\x00", "\ud800", "a\udfffb"]),
    st.just("[" * 200),
    st.sampled_from([*EXTREME_ZONES, "FR", "DE", "criminal", "civil", "witness", "yes"]),
)
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, TEXTS, TIMES)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), inner, max_size=5),
    ),
    max_leaves=12,
)
PATCHES = st.dictionaries(st.sampled_from(FIELD_NAMES), VALUES, max_size=6)


def body_texts(version: int) -> st.SearchStrategy[bytes]:
    """Real shapes with their times and some fields replaced, and the raw hostile forms JSON text
    allows (deep nesting, sizes around the limit, numbers Python cannot hold)."""
    draft = draft_body(starts_at=START.strftime("%Y-%m-%dT%H:%M:%SZ"))
    times = st.fixed_dictionaries(
        {},
        optional={
            "starts_at": TIMES,
            "ends_at": TIMES,
            "local_start": TIMES,
            "time_zone": st.sampled_from(EXTREME_ZONES),
            "duration_minutes": NUMBERS,
        },
    )
    shaped = st.one_of(
        st.tuples(times, PATCHES).map(lambda tp: {**draft, **tp[0], **tp[1]}),
        st.tuples(times, PATCHES).map(lambda tp: {"version": version, **tp[0], **tp[1]}),
        PATCHES,
    ).map(lambda body: json.dumps(body).encode())
    raw_numbers = st.tuples(st.sampled_from(FIELD_NAMES), st.sampled_from(RAW_NUMBERS)).map(
        lambda pair: f'{{"version": {version}, "{pair[0]}": {pair[1]}}}'.encode()
    )
    # Depths on both sides of the limit and of the decoder's own recursion limit (about 1,000).
    depths = st.sampled_from([MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 999, 1_001, MAX_BODY // 5 - 1])
    deep = st.tuples(depths, st.sampled_from(["[", '{"a":'])).map(
        lambda pair: (pair[1] * pair[0]).encode()
    )
    sized = st.integers(MAX_BODY - 40, MAX_BODY + 40).map(
        lambda n: b'{"note": "' + b"y" * max(0, n - 12) + b'"}'
    )
    return st.one_of(shaped, raw_numbers, deep, sized)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples on every run: a CI failure reproduces locally
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_fuzzed_bodies_never_answer_5xx(arena: Arena, data: st.DataObject) -> None:
    """Each drawn body goes to every JSON route, as every caller the route may have."""
    raw = data.draw(body_texts(arena.version), label="body")
    for method, template in arena.routes():
        for who in arena.callers(template):
            await arena.send(who, method, template, raw)
