"""Scheduling on both databases: legal decision stored and audited, barred and unknown outcomes,
conditions before opening, conflicts, optimistic concurrency, cancellation, who sees what."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.hearings.kit import Court, Staff, draft, iso, local_text, slot, spring_gap
from vc_service.errors import Conflict, Forbidden, InvalidStateError, NotFound, ValidationFailed
from vc_service.hearings import forms
from vc_service.hearings.lifecycle import State
from vc_service.hearings.models import Hearing
from vc_service.hearings.scheduling import utc_text
from vc_service.hearings.views import hearing_view


def changes(version: int, **body: Any) -> forms.HearingChanges:
    return forms.parse_changes({"version": version, **body})


async def count_hearings(desk: Court) -> int:
    async with desk.services.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Hearing)) or 0)


async def test_create_stores_the_full_decision_and_audits_it(desk: Court) -> None:
    record = await desk.create()
    view = hearing_view(record)
    assert view["state"] == "scheduled" and view["version"] == 1
    assert view["legal"]["status"] == "conditional"
    decision = view["legal"]["decision"]
    assert {"decision", "regimes", "conditions", "reasons", "recording"} <= set(decision)
    assert decision["regimes"] and all(c["citation"] for c in decision["conditions"])
    assert [p["role"] for p in view["participants"]] == [
        "judge", "witness", "authority", "interpreter"
    ]  # fmt: skip
    assert view["person_heard"]["name"] == "Camille Martin"
    # Both states' local times, and each participant's own.
    assert view["times"]["requesting"]["starts"]["time_zone"] == "Europe/Berlin"
    assert view["times"]["requested"]["starts"]["local"].endswith("T10:00+01:00") or view["times"][
        "requested"
    ]["starts"]["local"].endswith("T10:00+02:00")
    events = await desk.events(record.id)
    assert [e["type"] for e in events] == ["hearing.created", "legal.decision"]
    assert events[1]["decision"] == decision
    assert events[0]["actor"] == {
        "role": "judge",
        "id": desk.judge.principal.user_id,
        "name": "Judge Berlin",
    }
    assert events[0]["starts_at"] == view["starts_at"]


async def test_a_barred_hearing_is_refused_with_reasons_and_nothing_is_stored(lite: Court) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await lite.create(
            requested_state="CN", venue="Shanghai", venue_time_zone="Asia/Shanghai",
            proceeding="civil", starts_at=iso(slot("Asia/Shanghai")),
        )  # fmt: skip
    assert caught.value.code == "hearing.barred" and caught.value.status == 422
    reasons = caught.value.details["reasons"]
    assert reasons and all(r["citation"] and r["state"] for r in reasons)
    assert await count_hearings(lite) == 0


async def test_unknown_law_waits_for_a_judges_review(lite: Court) -> None:
    schedule = lite.hearings.schedule
    record = await lite.create(
        requested_state="MX", venue="Juzgado de Distrito, Mexico City",
        venue_time_zone="America/Mexico_City", proceeding="civil",
        starts_at=iso(slot("America/Mexico_City")),
    )  # fmt: skip
    assert record.state is State.DRAFT
    assert hearing_view(record)["legal"]["status"] == "pending_review"
    with pytest.raises(Conflict) as caught:
        await schedule.open(lite.judge.viewer, record.id, 1)
    assert caught.value.code == "hearing.legal_review_pending"
    reviewed = await schedule.record_review(
        lite.judge.viewer, record.id, 1, True, "Checked Mexico's rule with the ministry."
    )
    assert reviewed.state is State.SCHEDULED
    assert hearing_view(reviewed)["legal"]["status"] == "reviewed"
    with pytest.raises(Conflict) as again:
        await schedule.record_review(lite.judge.viewer, record.id, reviewed.version, True, "x" * 12)
    assert again.value.code == "hearing.no_review_pending"
    types = await lite.event_types(record.id)
    assert types[-2:] == ["legal.review_recorded", "hearing.state_changed"]


async def test_a_refused_review_cancels_the_hearing(lite: Court) -> None:
    record = await lite.create(
        requested_state="MX", venue="Mexico City", venue_time_zone="America/Mexico_City",
        proceeding="civil", starts_at=iso(slot("America/Mexico_City")),
    )  # fmt: skip
    refused = await lite.hearings.schedule.record_review(
        lite.judge.viewer, record.id, 1, False, "The Mexican route needs a letter of request."
    )
    assert refused.state is State.CANCELLED
    assert (await lite.event_types(record.id))[-2:] == [
        "legal.review_recorded",
        "hearing.cancelled",
    ]


async def test_before_conditions_must_be_recorded_before_the_lobby_opens(lite: Court) -> None:
    schedule, judge = lite.hearings.schedule, lite.judge.viewer
    record = await lite.create()
    before = [
        c["id"] for c in record.hearing.legal_decision["conditions"] if c["stage"] == "before"
    ]
    during = [
        c["id"] for c in record.hearing.legal_decision["conditions"] if c["stage"] == "during"
    ]
    assert before and during
    with pytest.raises(Conflict) as caught:
        await schedule.open(judge, record.id, 1)
    assert caught.value.code == "hearing.conditions_unmet"
    assert caught.value.details["unmet"] == before
    with pytest.raises(ValidationFailed) as unknown:
        await schedule.record_condition(judge, record.id, 1, "no.such", "note")
    assert unknown.value.code == "condition.unknown"
    with pytest.raises(ValidationFailed) as wrong_stage:
        await schedule.record_condition(judge, record.id, 1, during[0], "note")
    assert wrong_stage.value.code == "condition.not_before_stage"
    version = 1
    for cid in before:
        record = await schedule.record_condition(judge, record.id, version, cid, "Done by fax.")
        version = record.version
    with pytest.raises(Conflict) as twice:
        await schedule.record_condition(judge, record.id, version, before[0], "again")
    assert twice.value.code == "condition.already_met"
    opened = await schedule.open(judge, record.id, version)
    assert opened.state is State.OPEN
    types = await lite.event_types(record.id)
    assert types.count("condition.met") == len(before)
    assert types[-1] == "hearing.state_changed"


async def test_switzerland_needs_fourteen_days_notice(lite: Court) -> None:
    swiss = {
        "requested_state": "CH", "venue": "Bezirksgericht Zürich",
        "venue_time_zone": "Europe/Zurich", "proceeding": "civil",
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        await lite.create(**swiss, starts_at=iso(slot("Europe/Zurich", days=7)))
    assert caught.value.code == "hearing.notice_too_short"
    assert caught.value.details["notice"][0]["notice_days"] == 14
    record = await lite.create(**swiss, starts_at=iso(slot("Europe/Zurich", days=20)))
    assert record.state is State.SCHEDULED
    # Moving it closer than the notice period is refused too, and changes nothing.
    with pytest.raises(ValidationFailed):
        await lite.hearings.schedule.reschedule(
            lite.judge.viewer, record.id, changes(1, starts_at=iso(slot("Europe/Zurich", 8)))
        )
    assert (await lite.hearings.schedule.get(lite.judge.viewer, record.id)).version == 1


async def test_recording_must_be_lawful_under_both_laws(lite: Court) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await lite.create(recording_requested=True)
    assert caught.value.code == "hearing.recording_unlawful"
    assert caught.value.details["recording"]["rule"] == "unknown"
    assert await count_hearings(lite) == 0


async def test_recording_accepted_where_the_profiles_allow_it(patched: Court) -> None:
    record = await patched.create(recording_requested=True, starts_at=iso(slot(hour=10)))
    assert hearing_view(record)["recording"] == {
        "requested": True,
        "rule": "allowed",
        "lawful": True,
    }


async def test_working_hours_come_from_the_venues_profile(patched: Court) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await patched.create(starts_at=iso(slot(hour=12, minute=30)))
    assert caught.value.code == "hearing.outside_working_hours"
    assert caught.value.details["source"] == "profile FR"
    assert caught.value.details["working_hours"] == "mon-fri 09:00-12:00, 14:00-17:00"
    assert (await patched.create(starts_at=iso(slot(hour=14)))).state is State.SCHEDULED


async def test_default_working_hours_and_the_judges_override(lite: Court) -> None:
    early = iso(slot(hour=7))
    with pytest.raises(ValidationFailed) as caught:
        await lite.create(starts_at=early)
    assert caught.value.details["source"] == "VC_DEFAULT_WORKING_HOURS"
    reason = "The witness works night shifts; agreed with the French authority."
    record = await lite.create(starts_at=early, working_hours_override=reason)
    assert record.hearing.hours_override == reason
    created = (await lite.events(record.id))[0]
    assert created["working_hours_override"] == reason
    assert "outside the venue's working hours" in created["outside_working_hours"]
    # A hearing inside the hours keeps no override, even if one was given.
    inside = await lite.create(
        starts_at=iso(slot(days=40)), working_hours_override=reason,
        person_heard={"role": "witness", "name": "Other Person", "language": "fr",
                      "consent": "yes"},
    )  # fmt: skip
    assert inside.hearing.hours_override is None


async def test_double_booking_of_judge_venue_or_person_is_refused(desk: Court) -> None:
    schedule = desk.hearings.schedule
    first = await desk.create()
    start = first.hearing.starts_at + timedelta(minutes=30)
    stranger = {"role": "witness", "name": "Someone Else", "language": "fr", "consent": "yes"}
    cases: list[tuple[Staff, dict[str, Any], list[str]]] = [
        (
            desk.judge,
            {"venue": "Elsewhere", "person_heard": stranger, "participants": []},
            ["judge"],
        ),
        (desk.judge2, {"person_heard": stranger, "participants": []}, ["venue"]),
        (desk.judge2, {"venue": "Elsewhere"}, ["person"]),
    ]
    for staff, overrides, kinds in cases:
        with pytest.raises(Conflict) as caught:
            await schedule.create(staff.viewer, draft(starts_at=iso(start), **overrides))
        assert caught.value.code == "hearing.conflict"
        assert caught.value.details["conflicts"][0]["kinds"] == kinds
        assert caught.value.details["conflicts"][0]["hearing_id"] == first.id
    # Another court learns only that the slot is taken, not which hearing holds it.
    with pytest.raises(Conflict) as other:
        await schedule.create(desk.other_judge.viewer, draft(starts_at=iso(start)))
    assert "hearing_id" not in other.value.details["conflicts"][0]
    # Back to back is fine; a cancelled hearing frees its slot.
    after = first.hearing.ends_at
    await schedule.create(desk.judge.viewer, draft(starts_at=iso(after), person_heard=stranger))
    await schedule.cancel(desk.judge.viewer, first.id, 1, "The witness moved to Belgium.")
    await schedule.create(desk.judge2.viewer, draft(starts_at=iso(first.hearing.starts_at)))


async def test_concurrent_bookings_of_one_venue_let_exactly_one_through(desk: Court) -> None:
    schedule = desk.hearings.schedule
    stranger = {"role": "witness", "name": "Someone Else", "language": "fr", "consent": "yes"}
    results = await asyncio.gather(
        schedule.create(desk.judge.viewer, draft()),
        schedule.create(desk.judge2.viewer, draft(person_heard=stranger)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert await count_hearings(desk) == 1


async def test_concurrent_edits_the_loser_gets_409(desk: Court) -> None:
    schedule = desk.hearings.schedule
    record = await desk.create()
    # A week on: the same weekday, so the move stays within the venue's working days.
    later = iso(record.hearing.starts_at + timedelta(days=7))
    results = await asyncio.gather(
        schedule.reschedule(desk.judge.viewer, record.id, changes(1, starts_at=later)),
        schedule.reschedule(desk.judge2.viewer, record.id, changes(1, duration_minutes=60)),
        return_exceptions=True,
    )
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(losers) == 1 and losers[0].code == "hearing.version_conflict"
    assert losers[0].details["current_version"] == 2
    current = await schedule.get(desk.judge.viewer, record.id)
    assert current.version == 2
    assert (await desk.event_types(record.id)).count("hearing.rescheduled") == 1


async def test_reschedule_reruns_the_law_and_records_what_changed(desk: Court) -> None:
    schedule = desk.hearings.schedule
    record = await desk.create()
    target = slot(days=45, hour=14)
    moved = await schedule.reschedule(
        desk.judge.viewer, record.id,
        changes(1, local_start=local_text(target, "Europe/Paris"), time_zone="Europe/Paris",
                duration_minutes=60),
    )  # fmt: skip
    assert moved.hearing.starts_at == target
    assert moved.version == 2
    events = await desk.events(record.id)
    assert [e["type"] for e in events[-2:]] == ["hearing.rescheduled", "legal.decision"]
    assert events[-2]["changes"]["starts_at"]["to"] == utc_text(target)
    # A time that does not exist, or a decision that bars the hearing, changes nothing.
    with pytest.raises(ValidationFailed) as gap:
        await schedule.reschedule(
            desk.judge.viewer, record.id,
            changes(2, local_start=spring_gap("Europe/Paris"), time_zone="Europe/Paris"),
        )  # fmt: skip
    assert gap.value.code == "time.nonexistent"
    assert (await schedule.get(desk.judge.viewer, record.id)).version == 2
    assert len(await desk.events(record.id)) == len(events)


async def test_consent_withdrawn_by_an_accused_bars_the_reschedule(lite: Court) -> None:
    schedule = lite.hearings.schedule
    accused = {"role": "accused", "name": "Jean Dupont", "language": "fr", "consent": "yes"}
    record = await lite.create(person_heard=accused)
    with pytest.raises(ValidationFailed) as caught:
        await schedule.reschedule(lite.judge.viewer, record.id, changes(1, consent="no"))
    assert caught.value.code == "hearing.barred"
    current = await schedule.get(lite.judge.viewer, record.id)
    assert current.person_heard.consent == "yes" and current.version == 1


async def test_cancel_and_the_state_machine_guard(lite: Court) -> None:
    schedule = lite.hearings.schedule
    record = await lite.create()
    cancelled = await schedule.cancel(lite.judge.viewer, record.id, 1, "Witness deceased.")
    assert cancelled.state is State.CANCELLED
    with pytest.raises(InvalidStateError) as caught:
        await schedule.cancel(lite.judge.viewer, record.id, cancelled.version, "again")
    assert "is cancelled" in caught.value.message
    with pytest.raises(InvalidStateError) as edit:
        await schedule.reschedule(
            lite.judge.viewer, record.id, changes(cancelled.version, duration_minutes=30)
        )
    assert edit.value.code == "hearing.wrong_state"
    assert (await lite.event_types(record.id))[-1] == "hearing.cancelled"


async def test_who_sees_and_who_manages(lite: Court) -> None:
    schedule = lite.hearings.schedule
    record = await lite.create()
    assert (await schedule.get(lite.clerk.viewer, record.id)).id == record.id
    assert (await schedule.get(lite.authority_fr.viewer, record.id)).id == record.id
    for outsider in (lite.other_judge, lite.authority_ch):
        with pytest.raises(NotFound):
            await schedule.get(outsider.viewer, record.id)
        assert await schedule.search(outsider.viewer) == []
    assert [r.id for r in await schedule.search(lite.authority_fr.viewer)] == [record.id]
    for staff in (lite.clerk, lite.authority_fr):
        with pytest.raises(Forbidden):
            await schedule.cancel(staff.viewer, record.id, 1, "not mine to cancel")
    with pytest.raises(Forbidden):
        await schedule.create(lite.clerk.viewer, draft())
    with pytest.raises(NotFound):
        await schedule.cancel(lite.other_judge.viewer, record.id, 1, "not my court")
    # Any judge of the requesting court manages its hearings.
    await schedule.reschedule(lite.judge2.viewer, record.id, changes(1, duration_minutes=45))


async def test_a_person_is_listed_once(lite: Court) -> None:
    twice = [{"role": "witness", "name": "C. Martin", "email": "CAMILLE@example.org"}]
    with pytest.raises(Conflict) as caught:
        await lite.create(participants=twice)
    assert caught.value.code == "participant.duplicate"
    record = await lite.create()
    spec = forms.parse_participant({"version": 1, "participant": twice[0]})[1]
    with pytest.raises(Conflict):
        await lite.hearings.schedule.add_participant(lite.judge.viewer, record.id, 1, spec)
    counsel = forms.parse_participant(
        {"version": 1, "participant": {"role": "counsel", "name": "Maître Roux"}}
    )[1]
    added = await lite.hearings.schedule.add_participant(lite.judge.viewer, record.id, 1, counsel)
    assert added.participants[-1].time_zone == "Europe/Berlin"  # counsel sits at the court
    assert (await lite.event_types(record.id))[-1] == "participant.added"


async def test_staff_accounts_as_participants_are_checked(lite: Court) -> None:
    bound = [
        {"role": "authority", "name": "Juge Leroy", "username": "autorite_fr"},
        {"role": "clerk", "name": "Clerk", "username": "clerk_berlin"},
    ]
    record = await lite.create(participants=bound)
    assert record.participants[2].user_id == lite.authority_fr.principal.user_id
    for wrong in (
        {"role": "authority", "name": "Swiss", "username": "behoerde_ch"},
        {"role": "clerk", "name": "Judge", "username": "judge_munich"},
        {"role": "authority", "name": "Nobody", "username": "nobody"},
    ):
        with pytest.raises(ValidationFailed) as caught:
            await lite.create(participants=[wrong], starts_at=iso(slot(days=50)))
        assert caught.value.code == "participant.bad_account"
