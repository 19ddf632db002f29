"""Time rules: zones, DST gaps and overlaps, windows, working hours, notice periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from vc_service.errors import ValidationFailed
from vc_service.hearings.scheduling import (
    Window,
    WorkingHours,
    check_window,
    local_time,
    local_to_utc,
    notice_shortfalls,
    parse_instant,
    parse_local,
    utc_text,
    zone,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def code_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return exc.value.code


def test_zones_must_be_iana_names() -> None:
    assert zone("Europe/Paris").key == "Europe/Paris"
    for bad in ("CET+1", "Mars/Olympus", "+01:00", "europe/paris", ""):
        with pytest.raises(ValidationFailed) as caught:
            zone(bad, "venue_time_zone")
        assert code_of(caught) == "time.unknown_zone"
        assert "venue_time_zone" in caught.value.details["fields"]


def test_instants_need_an_offset_and_come_back_in_utc() -> None:
    assert parse_instant("2026-12-01T09:00:00+01:00", "starts_at") == utc("2026-12-01T08:00")
    assert parse_instant("2026-12-01T08:00Z", "starts_at") == utc("2026-12-01T08:00")
    for bad in ("2026-12-01T09:00", "2026-02-30T09:00Z", "tomorrow", "2026-12-01 09:00Z"):
        with pytest.raises(ValidationFailed) as caught:
            parse_instant(bad, "starts_at")
        assert code_of(caught) == "time.malformed"


def test_local_times_refuse_offsets_and_impossible_dates() -> None:
    assert parse_local("2026-12-01T09:00", "local_start") == datetime(2026, 12, 1, 9, 0)
    for bad in ("2026-12-01T09:00Z", "2026-13-01T09:00", "2026-12-01"):
        with pytest.raises(ValidationFailed):
            parse_local(bad, "local_start")


def test_a_wall_time_in_the_spring_gap_does_not_exist() -> None:
    # Paris jumps from 02:00 to 03:00 on 29 March 2026; New York on 8 March 2026.
    for tz, text in ((PARIS, "2026-03-29T02:30"), (NEW_YORK, "2026-03-08T02:00")):
        with pytest.raises(ValidationFailed) as caught:
            local_to_utc(datetime.fromisoformat(text), tz, None, "local_start")
        assert code_of(caught) == "time.nonexistent"
        # `fold` cannot rescue a time that does not exist.
        with pytest.raises(ValidationFailed):
            local_to_utc(datetime.fromisoformat(text), tz, 1, "local_start")
    after = local_to_utc(datetime(2026, 3, 29, 3, 0), PARIS, None, "local_start")
    assert after == utc("2026-03-29T01:00")


def test_a_wall_time_in_the_autumn_overlap_needs_fold() -> None:
    local = datetime(2026, 10, 25, 2, 30)  # happens twice in Paris
    with pytest.raises(ValidationFailed) as caught:
        local_to_utc(local, PARIS, None, "local_start")
    assert code_of(caught) == "time.ambiguous"
    assert caught.value.details["options"] == [
        "2026-10-25T00:30:00.000000Z",
        "2026-10-25T01:30:00.000000Z",
    ]
    assert local_to_utc(local, PARIS, 0, "local_start") == utc("2026-10-25T00:30")
    assert local_to_utc(local, PARIS, 1, "local_start") == utc("2026-10-25T01:30")
    # Outside the overlap fold changes nothing.
    assert local_to_utc(datetime(2026, 10, 26, 9), PARIS, 1, "x") == utc("2026-10-26T08:00")


def test_windows_in_the_past_backwards_empty_or_absurd_are_refused() -> None:
    start = NOW + timedelta(days=3)
    check_window(Window(start, start + timedelta(hours=2)), NOW)
    cases = [
        (Window(NOW - timedelta(minutes=1), NOW + timedelta(hours=1)), "time.in_past"),
        (Window(NOW, NOW + timedelta(hours=1)), "time.in_past"),
        (Window(start, start - timedelta(minutes=30)), "time.end_before_start"),
        (Window(start, start), "time.end_before_start"),
        (Window(start, start + timedelta(minutes=2)), "time.bad_duration"),
        (Window(start, start + timedelta(hours=13)), "time.bad_duration"),
        (Window(NOW + timedelta(days=3650), NOW + timedelta(days=3650, hours=1)), "time.too_far"),
    ]
    for window, code in cases:
        with pytest.raises(ValidationFailed) as caught:
            check_window(window, NOW)
        assert code_of(caught) == code, window


def test_working_hours_parse_the_forms_profiles_use() -> None:
    hours = WorkingHours.parse("08:30-12:00, 13:30-17:00", "profile FR")
    assert hours is not None and len(hours.ranges) == 2
    assert hours.describe() == "mon-fri 08:30-12:00, 13:30-17:00"
    week = WorkingHours.parse("Mon-Sat 09:00-24:00", "x")
    assert week is not None and week.days == frozenset(range(6))
    for bad in ("", "all day", "18:00-08:00", "25:00-26:00", "fri-mon 08:00-10:00", "08:00"):
        assert WorkingHours.parse(bad, "x") is None, bad


def test_working_hours_follow_the_venue_clock_across_dst() -> None:
    hours = WorkingHours.parse("08:00-18:00", "default")
    assert hours is not None
    # 06:30Z is 07:30 in Paris on Friday 27 March (CET) but 08:30 on Monday 30 March (CEST).
    before = Window(utc("2026-03-27T06:30"), utc("2026-03-27T07:30"))
    after = Window(utc("2026-03-30T06:30"), utc("2026-03-30T07:30"))
    problem = hours.problem(before, PARIS)
    assert problem is not None and "07:30-08:30 local time" in problem
    assert hours.problem(after, PARIS) is None
    # Ending exactly at closing time fits; one minute more does not.
    assert hours.problem(Window(utc("2026-03-30T14:00"), utc("2026-03-30T16:00")), PARIS) is None
    late = Window(utc("2026-03-30T14:00"), utc("2026-03-30T16:01"))
    assert hours.problem(late, PARIS) is not None


def test_weekends_and_midnight_are_outside_working_hours() -> None:
    hours = WorkingHours.parse("00:00-24:00", "x")
    assert hours is not None
    saturday = Window(utc("2026-03-28T09:00"), utc("2026-03-28T10:00"))
    assert "sat is not a working day" in (hours.problem(saturday, PARIS) or "")
    overnight = Window(utc("2026-03-30T21:30"), utc("2026-03-30T22:30"))  # 23:30-00:30 CEST
    assert "over midnight" in (hours.problem(overnight, PARIS) or "")


def test_notice_periods_of_before_conditions_are_checked_against_the_date() -> None:
    conditions = [
        {"id": "notice.requested_state", "stage": "before", "params": {"notice_days": 14},
         "citation": "CH Hague declaration"},
        {"id": "identity.verified", "stage": "during", "params": {"notice_days": 99}},
        {"id": "request.accepted", "stage": "before", "params": {}},
    ]  # fmt: skip
    too_soon = NOW + timedelta(days=13, hours=23)
    short = notice_shortfalls(too_soon, NOW, conditions)
    assert [item["condition"] for item in short] == ["notice.requested_state"]
    assert short[0]["earliest_start"] == "2026-03-15T12:00:00.000000Z"
    assert notice_shortfalls(NOW + timedelta(days=14), NOW, conditions) == []


def test_local_time_views_show_each_zone_with_its_own_offset() -> None:
    # Between the US and the EU switch to summer time the gap is 5 hours, not 6.
    instant = utc("2026-03-20T14:00")
    assert local_time(instant, "America/New_York")["local"] == "2026-03-20T10:00-04:00"
    assert local_time(instant, "Europe/Berlin")["local"] == "2026-03-20T15:00+01:00"
    assert local_time(instant, "Europe/Berlin")["abbreviation"] == "CET"
    assert utc_text(instant) == "2026-03-20T14:00:00.000000Z"
