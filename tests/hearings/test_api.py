"""The staff API over HTTP: scheduling, listing with both states' times, errors for bad input
(each a typed 4xx that changes nothing), roles and courts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.hearings.conftest import Login
from tests.hearings.kit import autumn_overlap, draft_body, iso, slot, spring_gap
from tests.helpers import StaffSession
from vc_service.accounts.models import Role

BASE = draft_body()
START = slot()


async def post(who: StaffSession, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = await who.client.post(path, json=body, headers=who.headers())
    return response.status, await response.json()


async def test_a_judge_schedules_lists_reschedules_and_cancels(login: Login) -> None:
    judge = await login("judge", Role.JUDGE)
    status, created = await post(judge, "/api/hearings", draft_body())
    assert status == 201, created
    hid = created["id"]
    listed = await (await judge.client.get("/api/hearings")).json()
    [line] = listed["hearings"]
    assert line["id"] == hid and line["legal_status"] == "conditional"
    assert line["times"]["requesting"]["starts"]["time_zone"] == "Europe/Berlin"
    assert line["times"]["requested"]["starts"]["time_zone"] == "Europe/Paris"
    later = iso(START + timedelta(days=7))
    response = await judge.client.patch(
        f"/api/hearings/{hid}", json={"version": 1, "starts_at": later}, headers=judge.headers()
    )
    moved = await response.json()
    assert response.status == 200 and moved["version"] == 2
    assert moved["starts_at"].startswith(later[:16])
    stale = await judge.client.patch(
        f"/api/hearings/{hid}", json={"version": 1, "duration_minutes": 30}, headers=judge.headers()
    )
    assert stale.status == 409
    assert (await stale.json())["error"]["code"] == "hearing.version_conflict"
    status, cancelled = await post(
        judge, f"/api/hearings/{hid}/cancel", {"version": 2, "reason": "Witness unavailable."}
    )
    assert status == 200 and cancelled["state"] == "cancelled"
    upcoming = await (await judge.client.get("/api/hearings?state=scheduled")).json()
    assert upcoming["hearings"] == []


def person(**changes: Any) -> dict[str, Any]:
    return {**BASE["person_heard"], **changes}


# (what is wrong, overrides of the body, HTTP status, error code, field named in details)
BAD_INPUT: list[tuple[str, dict[str, Any], int, str, str | None]] = [
    ("past date", {"starts_at": iso(slot(days=-3))}, 422, "time.in_past", "starts_at"),
    (
        "end before start",
        {"duration_minutes": None, "ends_at": iso(START - timedelta(hours=1))},
        422, "time.end_before_start", "ends_at",
    ),
    ("zero duration", {"duration_minutes": 0}, 422, "request.invalid_fields", "duration_minutes"),
    ("absurd duration", {"duration_minutes": 100_000}, 422, "request.invalid_fields",
     "duration_minutes"),
    ("unknown zone", {"venue_time_zone": "Mars/Olympus"}, 422, "request.invalid_fields",
     "venue_time_zone"),
    ("zone of another state", {"venue_time_zone": "Europe/Berlin"}, 422,
     "venue.zone_not_in_state", "venue_time_zone"),
    (
        "local time in the DST gap",
        {"starts_at": None, "local_start": spring_gap(), "time_zone": "Europe/Paris"},
        422, "time.nonexistent", "local_start",
    ),
    (
        "local time in the DST overlap without fold",
        {"starts_at": None, "local_start": autumn_overlap(), "time_zone": "Europe/Paris"},
        422, "time.ambiguous", "local_start",
    ),
    ("offset-less instant", {"starts_at": "2030-01-07T10:00"}, 422, "request.invalid_fields",
     "starts_at"),
    ("unknown state", {"requested_state": "XX"}, 422, "request.invalid_fields",
     "requested_state"),
    ("same state", {"requested_state": "DE", "venue_time_zone": "Europe/Berlin"}, 422,
     "legal.same_state", "requested_state"),
    ("unknown role", {"person_heard": person(role="juror")}, 422, "request.invalid_fields",
     "person_heard.role"),
    ("unknown participant role", {"participants": [{"role": "bailiff", "name": "B"}]}, 422,
     "request.invalid_fields", "participants[0].role"),
    ("an accused in civil proceedings", {"proceeding": "civil",
     "person_heard": person(role="accused")}, 422, "legal.bad_role", "person_heard.role"),
    ("unknown consent", {"person_heard": person(consent="maybe")}, 422,
     "request.invalid_fields", "person_heard.consent"),
    ("a witness invited twice", {"participants": [{"role": "witness", "name": "Camille Martin",
     "email": "camille@example.org"}]}, 409, "participant.duplicate", None),
    ("barred by law", {"requested_state": "CN", "venue_time_zone": "Asia/Shanghai",
     "proceeding": "civil", "starts_at": iso(slot("Asia/Shanghai"))}, 422, "hearing.barred",
     None),
    ("recording that is not lawful", {"recording_requested": True}, 422,
     "hearing.recording_unlawful", "recording_requested"),
    ("outside working hours", {"starts_at": iso(slot(hour=20))}, 422,
     "hearing.outside_working_hours", None),
    ("an override without a reason", {"working_hours_override": "late"}, 422,
     "request.invalid_fields", "working_hours_override"),
]  # fmt: skip


async def test_bad_input_gets_a_typed_error_and_changes_nothing(login: Login) -> None:
    judge = await login("judge", Role.JUDGE)
    for what, overrides, status, code, field in BAD_INPUT:
        body = {k: v for k, v in draft_body(**overrides).items() if v is not None}
        got, answer = await post(judge, "/api/hearings", body)
        assert (got, answer["error"]["code"]) == (status, code), (what, answer)
        if field is not None:
            assert field in answer["error"]["details"]["fields"], (what, answer)
    listed = await (await judge.client.get("/api/hearings?upcoming=false")).json()
    assert listed["hearings"] == []
    # Malformed requests: not JSON, no CSRF header, unknown filter values.
    response = await judge.client.post(
        "/api/hearings", data=b"{", headers={**judge.headers(), "Content-Type": "application/json"}
    )
    assert response.status == 400
    response = await judge.client.post("/api/hearings", json=draft_body())
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "csrf.missing_or_invalid"
    for query in ("state=adjourned", "upcoming=maybe"):
        response = await judge.client.get(f"/api/hearings?{query}")
        assert response.status == 422, query


async def test_the_overlap_is_accepted_once_fold_says_which(login: Login) -> None:
    judge = await login("judge", Role.JUDGE)
    body = draft_body(
        starts_at=None, local_start=autumn_overlap(), time_zone="Europe/Paris", fold=1,
        working_hours_override="Night hearing agreed with the French central authority.",
    )  # fmt: skip
    status, created = await post(judge, "/api/hearings", {k: v for k, v in body.items() if v})
    assert status == 201, created
    assert created["times"]["requested"]["starts"]["local"].endswith("02:30+01:00")


async def test_roles_and_courts_over_http(login: Login) -> None:
    judge = await login("judge", Role.JUDGE, court="Landgericht Berlin")
    clerk = await login("clerk", Role.CLERK, court="Landgericht Berlin")
    stranger = await login("judge_munich", Role.JUDGE, court="Landgericht München")
    authority = await login("autorite", Role.AUTHORITY, "FR", "Europe/Paris")
    status, created = await post(judge, "/api/hearings", draft_body())
    assert status == 201
    path = f"/api/hearings/{created['id']}"
    assert (await clerk.client.get(path)).status == 200
    assert (await authority.client.get(path)).status == 200
    assert (await stranger.client.get(path)).status == 404
    status, answer = await post(clerk, "/api/hearings", draft_body())
    assert (status, answer["error"]["code"]) == (403, "auth.wrong_role")
    status, answer = await post(authority, f"{path}/cancel", {"version": 1, "reason": "no"})
    assert status == 403
    fresh = await stranger.client.get("/api/hearings")
    assert (await fresh.json())["hearings"] == []


@pytest.mark.parametrize("path", ["/api/hearings", "/api/hearings/x", "/api/hearings/x/outbox"])
async def test_signed_out_callers_get_401(path: str, login: Login) -> None:
    judge = await login("judge", Role.JUDGE)
    judge.client.session.cookie_jar.clear()
    response = await judge.client.get(path)
    assert response.status == 401


async def test_a_legal_review_note_of_spaces_is_refused(login: Login) -> None:
    judge = await login("judge", Role.JUDGE)
    body = draft_body(
        requested_state="MX", venue="Mexico City", venue_time_zone="America/Mexico_City",
        proceeding="civil", starts_at=iso(slot("America/Mexico_City")),
    )  # fmt: skip
    status, created = await post(judge, "/api/hearings", body)
    assert status == 201 and created["state"] == "draft", created
    review = f"/api/hearings/{created['id']}/legal-review"
    padded = {"version": 1, "outcome": "cleared", "note": "         x"}
    status, refused = await post(judge, review, padded)
    assert status == 422 and refused["error"]["details"]["fields"]["note"].startswith("must be 10")
    status, cleared = await post(judge, review, {**padded, "note": "  Checked with the DoJ.  "})
    assert status == 200 and cleared["state"] == "scheduled"
    assert cleared["legal"]["review"]["note"] == "Checked with the DoJ."
