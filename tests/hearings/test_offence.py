"""The offence scope of a criminal hearing (UNTOC Art 18(18) / UNCAC Art 46(18)): asked of the
legal engine at creation and at every reschedule, stored with the hearing on both databases,
shown in its view and written in the audit events that carry the legal question; refused, with
the field named, for a civil hearing or an unknown value. Instants come from a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from tests.hearings.conftest import Login
from tests.hearings.kit import Court, draft_body
from tests.helpers import StaffSession
from vc_service import migrate
from vc_service.accounts.models import Role
from vc_service.errors import ValidationFailed
from vc_service.hearings import forms
from vc_service.hearings.models import Hearing
from vc_service.hearings.views import hearing_view
from vc_service.services import Services

NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
START = "2027-03-02T09:00:00Z"  # a Tuesday, 10:00 in Paris: working hours, 29 days' notice
LATER = "2027-03-09T09:00:00Z"  # a week later, same hour


def body(**overrides: Any) -> dict[str, Any]:
    return draft_body(starts_at=START, **overrides)


def fix_clock(services: Services) -> None:
    services.hearings.schedule.clock = lambda: NOW


def changes(version: int, **fields: Any) -> forms.HearingChanges:
    return forms.parse_changes({"version": version, **fields})


async def test_the_offence_is_asked_stored_shown_and_audited(desk: Court) -> None:
    fix_clock(desk.services)
    schedule = desk.hearings.schedule
    record = await schedule.create(
        desk.judge.viewer, forms.parse_draft(body(offence="organized_crime"))
    )
    # The engine was asked with it: its decision echoes the scope it judged.
    assert record.hearing.legal_decision["offence"] == "organized_crime"
    stored = await schedule.get(desk.judge.viewer, record.id)
    assert stored.hearing.offence == "organized_crime"
    view = hearing_view(stored)
    assert view["offence"] == "organized_crime"
    assert view["legal"]["decision"]["offence"] == "organized_crime"
    created, decided = await desk.events(record.id)
    assert created["type"] == "hearing.created" and created["offence"] == "organized_crime"
    assert decided["type"] == "legal.decision"
    assert decided["decision"]["offence"] == "organized_crime"

    # A reschedule that leaves `offence` out keeps it, and the engine is asked with it again.
    moved = await schedule.reschedule(desk.judge.viewer, record.id, changes(1, starts_at=LATER))
    assert moved.hearing.offence == "organized_crime"
    assert moved.hearing.legal_decision["offence"] == "organized_crime"
    rescheduled = (await desk.events(record.id))[-2]
    assert rescheduled["type"] == "hearing.rescheduled"
    assert "offence" not in rescheduled["changes"]

    # A new scope is judged and recorded as a change.
    changed = await schedule.reschedule(
        desk.judge.viewer, record.id, changes(2, offence="corruption")
    )
    assert changed.hearing.offence == "corruption"
    assert changed.hearing.legal_decision["offence"] == "corruption"
    rescheduled, decided = (await desk.events(record.id))[-2:]
    assert rescheduled["changes"]["offence"] == {"from": "organized_crime", "to": "corruption"}
    assert decided["decision"]["offence"] == "corruption"

    # null clears it: the engine judges the case without a scope.
    cleared = await schedule.reschedule(desk.judge.viewer, record.id, changes(3, offence=None))
    assert cleared.hearing.offence is None
    assert cleared.hearing.legal_decision["offence"] is None
    assert (await desk.events(record.id))[-2]["changes"]["offence"] == {
        "from": "corruption",
        "to": None,
    }
    assert hearing_view(await schedule.get(desk.judge.viewer, record.id))["offence"] is None


async def test_without_an_offence_the_hearing_says_not_given(lite: Court) -> None:
    fix_clock(lite.services)
    record = await lite.hearings.schedule.create(lite.judge.viewer, forms.parse_draft(body()))
    assert record.hearing.offence is None
    assert hearing_view(record)["offence"] is None
    assert record.hearing.legal_decision["offence"] is None
    assert (await lite.events(record.id))[0]["offence"] is None


async def test_an_offence_for_a_civil_hearing_is_refused_at_reschedule(lite: Court) -> None:
    fix_clock(lite.services)
    schedule = lite.hearings.schedule
    record = await schedule.create(lite.judge.viewer, forms.parse_draft(body(proceeding="civil")))
    before = len(await lite.events(record.id))
    with pytest.raises(ValidationFailed) as caught:
        await schedule.reschedule(lite.judge.viewer, record.id, changes(1, offence="corruption"))
    assert caught.value.code == "legal.bad_offence"
    assert set(caught.value.details["fields"]) == {"offence"}
    unchanged = await schedule.get(lite.judge.viewer, record.id)
    assert unchanged.version == 1 and unchanged.hearing.offence is None
    assert len(await lite.events(record.id)) == before
    # Clearing a scope that a civil hearing never had is no question for the engine.
    kept = await schedule.reschedule(lite.judge.viewer, record.id, changes(1, offence=None))
    assert kept.hearing.offence is None


# -- over HTTP --------------------------------------------------------------------------------


async def post(who: StaffSession, path: str, payload: Any) -> tuple[int, dict[str, Any]]:
    response = await who.client.post(path, json=payload, headers=who.headers())
    return response.status, await response.json()


async def patch(who: StaffSession, path: str, payload: Any) -> tuple[int, dict[str, Any]]:
    response = await who.client.patch(path, json=payload, headers=who.headers())
    return response.status, await response.json()


async def test_the_api_takes_shows_and_changes_the_offence(
    login: Login, services: Services
) -> None:
    fix_clock(services)
    judge = await login("judge", Role.JUDGE)
    status, created = await post(judge, "/api/hearings", body(offence="corruption"))
    assert status == 201, created
    assert created["offence"] == "corruption"
    assert created["legal"]["decision"]["offence"] == "corruption"
    path = f"/api/hearings/{created['id']}"
    shown = await (await judge.client.get(path)).json()
    assert shown["offence"] == "corruption"
    status, moved = await patch(judge, path, {"version": 1, "offence": "other"})
    assert status == 200, moved
    assert moved["offence"] == "other" and moved["legal"]["decision"]["offence"] == "other"
    status, refused = await patch(judge, path, {"version": 2, "offence": "terrorism"})
    assert status == 422 and refused["error"]["code"] == "request.invalid_fields"
    assert "offence" in refused["error"]["details"]["fields"]
    assert (await (await judge.client.get(path)).json())["version"] == 2


# (what is wrong, overrides of the body, the fields the one 422 names)
BAD_OFFENCE: list[tuple[str, dict[str, Any], set[str]]] = [
    ("an unknown offence", {"offence": "piracy"}, {"offence"}),
    ("an offence that is not a string", {"offence": 3}, {"offence"}),
    ("an offence in civil proceedings", {"proceeding": "civil", "offence": "corruption"},
     {"offence"}),
    ("with the other field errors", {"offence": "piracy", "duration_minutes": 0,
     "person_heard": {"role": "juror"}},
     {"offence", "duration_minutes", "person_heard.role", "person_heard.name",
      "person_heard.language", "person_heard.consent"}),
]  # fmt: skip


async def test_a_bad_offence_is_a_field_error_and_changes_nothing(
    login: Login, services: Services
) -> None:
    fix_clock(services)
    judge = await login("judge", Role.JUDGE)
    for what, overrides, fields in BAD_OFFENCE:
        status, answer = await post(judge, "/api/hearings", body(**overrides))
        assert status == 422, (what, answer)
        assert answer["error"]["code"] == "request.invalid_fields", (what, answer)
        assert set(answer["error"]["details"]["fields"]) == fields, (what, answer)
    listed = await (await judge.client.get("/api/hearings?upcoming=false")).json()
    assert listed["hearings"] == []


async def test_the_legal_check_takes_the_offence(login: Login) -> None:
    judge = await login("judge", Role.JUDGE)
    case = {"requesting": "DE", "requested": "FR", "proceeding": "criminal", "role": "witness",
            "consent": "yes", "date": "2027-03-02"}  # fmt: skip
    status, decision = await post(judge, "/api/legal/check", {**case, "offence": "corruption"})
    assert status == 200, decision
    assert decision["offence"] == "corruption"
    status, decision = await post(judge, "/api/legal/check", case)
    assert status == 200 and decision["offence"] is None
    for bad in ({**case, "offence": "piracy"}, {**case, "proceeding": "civil", "offence": "other"}):
        status, answer = await post(judge, "/api/legal/check", bad)
        assert status == 422, answer
        assert answer["error"]["code"] == "legal.bad_offence"
        assert set(answer["error"]["details"]["fields"]) == {"offence"}


# -- the migration ----------------------------------------------------------------------------


async def test_the_migration_adds_and_removes_the_column_keeping_hearings(desk: Court) -> None:
    fix_clock(desk.services)
    record = await desk.hearings.schedule.create(
        desk.judge.viewer, forms.parse_draft(body(offence="organized_crime"))
    )
    db = desk.services.db

    async def columns() -> set[str]:
        async with db.engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("hearings")}
            )

    def down(connection: Connection) -> None:
        cfg = migrate._config(None)
        cfg.attributes["connection"] = connection
        # One step down this branch only (a plain target would also undo the other branches).
        command.downgrade(cfg, "0004_hearing_offence-1")

    async with db.engine.begin() as connection:
        await connection.run_sync(down)
    assert "offence" not in await columns()
    async with db.engine.connect() as connection:
        kept = await connection.scalar(text("SELECT case_reference FROM hearings"))
    assert kept == record.hearing.case_reference

    await migrate.upgrade(db)
    assert "offence" in await columns()
    # Hearings judged before the column existed had no scope: NULL, not a guess.
    async with db.session() as s:
        again = await s.get(Hearing, record.id)
        assert again is not None and again.offence is None
