"""The venue's own time zone (issue 13 point 4): it defaults from the requested state only where
the state keeps one clock, is required where the state spans several (a Canary Islands venue is
not on Madrid's time, a Chicago venue not on New York's), is refused with a typed 422 when it is
no IANA zone or a zone of another state, is stored, and every view gives it as `venue_timezone`.
The judge's form learns the court's state and each state's zones from `/api/scheduling/options`.
Instants come from a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from legal_profiles.loader import default_profiles
from tests.hearings.conftest import Login
from tests.hearings.kit import Court, draft_body
from vc_service.accounts.models import Role
from vc_service.errors import ValidationFailed
from vc_service.hearings import forms, planning, scheduling
from vc_service.hearings.models import Hearing
from vc_service.hearings.views import hearing_view, summary_view
from vc_service.services import Services

NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
START = "2027-03-02T11:00:00Z"  # a Tuesday: 11:00 in Las Palmas, 12:00 in Madrid


def fix_clock(services: Services) -> None:
    services.hearings.schedule.clock = lambda: NOW


def spanish(**overrides: Any) -> dict[str, Any]:
    """DE -> ES criminal, a consenting witness (conditional under the EIO)."""
    body = draft_body(
        requested_state="ES",
        venue="Juzgado de Instrucción n.º 2, Las Palmas de Gran Canaria",
        starts_at=START,
        person_heard={"role": "witness", "name": "Lucía Pérez", "language": "es", "consent": "yes"},
        participants=[],
    )
    del body["venue_time_zone"]
    body.update(overrides)
    return body


def test_one_clock_or_several() -> None:
    # Berlin and Büsingen keep one clock; the Canaries are an hour behind Madrid all year; the
    # US is many clocks; one zone is one clock.
    assert scheduling.one_civil_time(["Europe/Berlin", "Europe/Busingen"], NOW)
    assert not scheduling.one_civil_time(["Europe/Madrid", "Atlantic/Canary"], NOW)
    assert not scheduling.one_civil_time(["America/New_York", "America/Chicago"], NOW)
    assert scheduling.one_civil_time(["Europe/Paris"], NOW)


def test_the_profiles_say_which_states_need_a_venue_zone() -> None:
    profiles = default_profiles()
    required = {p.iso2 for p in profiles if planning.venue_zones(profiles, p.iso2, NOW).required}
    # The states the issue names that have a profile, and those the zone data adds (checked
    # against zone.tab: Canaries, Azores, Chatham, Ürümqi).
    assert {"US", "CA", "AU", "BR", "MX"} <= required
    assert {"ES", "PT", "NZ", "CN"} <= required
    assert not {"FR", "DE", "GB", "IT", "CY"} & required
    assert planning.venue_zones(profiles, "DE", NOW).default == "Europe/Berlin"
    # A state without a profile (Russia has none yet) names no zone: the venue must.
    assert planning.venue_zones(profiles, "RU", NOW).required


async def test_a_venue_zone_is_required_where_the_state_spans_several(desk: Court) -> None:
    fix_clock(desk.services)
    schedule = desk.hearings.schedule
    with pytest.raises(ValidationFailed) as missing:
        await schedule.create(desk.judge.viewer, forms.parse_draft(spanish()))
    assert missing.value.code == "venue.time_zone_required"
    assert set(missing.value.details["fields"]) == {"venue_time_zone"}
    assert "Atlantic/Canary" in missing.value.details["time_zones"]

    record = await schedule.create(
        desk.judge.viewer, forms.parse_draft(spanish(venue_time_zone="Atlantic/Canary"))
    )
    stored = await schedule.get(desk.judge.viewer, record.id)
    assert stored.hearing.venue_time_zone == "Atlantic/Canary"
    view = hearing_view(stored)
    assert view["venue_timezone"] == "Atlantic/Canary"
    assert view["times"]["requested"]["starts"] == {
        "local": "2027-03-02T11:00+00:00",
        "time_zone": "Atlantic/Canary",
        "abbreviation": "WET",
    }
    line = summary_view(stored)
    assert line["venue_timezone"] == "Atlantic/Canary"
    assert line["offence"] is None and line["proceeding"] == "criminal"
    async with desk.services.db.session() as s:
        row = await s.get(Hearing, record.id)
        assert row is not None and row.venue_time_zone == "Atlantic/Canary"


async def test_a_single_clock_state_defaults_and_bad_zones_are_typed_errors(desk: Court) -> None:
    fix_clock(desk.services)
    schedule = desk.hearings.schedule
    body = draft_body(starts_at="2027-03-02T09:00:00Z", offence="corruption")
    del body["venue_time_zone"]
    record = await schedule.create(desk.judge.viewer, forms.parse_draft(body))
    assert hearing_view(record)["venue_timezone"] == "Europe/Paris"
    assert summary_view(record)["offence"] == "corruption"

    with pytest.raises(ValidationFailed) as unknown:
        forms.parse_draft(spanish(venue_time_zone="Mars/Olympus_Mons"))
    assert unknown.value.code == "request.invalid_fields"
    assert "venue_time_zone" in unknown.value.details["fields"]
    with pytest.raises(ValidationFailed) as foreign:
        await schedule.create(
            desk.judge.viewer, forms.parse_draft(spanish(venue_time_zone="Europe/Paris"))
        )
    assert foreign.value.code == "venue.zone_not_in_state"
    assert set(foreign.value.details["fields"]) == {"venue_time_zone"}


async def test_the_api_refuses_an_unknown_zone_and_offers_the_form_its_options(
    login: Login, services: Services
) -> None:
    fix_clock(services)
    judge = await login("judge_options", Role.JUDGE)
    answer = await judge.client.post(
        "/api/hearings", json=spanish(venue_time_zone="CET"), headers=judge.headers()
    )
    assert answer.status == 422
    error = (await answer.json())["error"]
    assert "venue_time_zone" in error["details"]["fields"]

    response = await judge.client.get("/api/scheduling/options")
    assert response.status == 200
    options = await response.json()
    assert options["court"]["state"] == "DE"
    states = {item["state"]: item for item in options["states"]}
    assert states["FR"]["venue_timezone"] == "Europe/Paris"
    assert not states["FR"]["venue_timezone_required"]
    assert states["US"]["venue_timezone"] is None and states["US"]["venue_timezone_required"]
    assert "America/Chicago" in states["US"]["time_zones"]
