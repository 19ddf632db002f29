"""Loading a hearing with its people and court, and the field sets its audit events carry."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.accounts.models import Court
from vc_service.hearings import legal
from vc_service.hearings.models import Hearing, Participant
from vc_service.hearings.planning import Plan
from vc_service.hearings.scheduling import utc_text
from vc_service.hearings.views import CourtInfo, HearingRecord


def court_info(court: Court) -> CourtInfo:
    return CourtInfo(court.id, court.name, court.state, court.time_zone)


async def load_record(s: AsyncSession, hearing: Hearing) -> HearingRecord:
    people = await s.scalars(
        select(Participant)
        .where(Participant.hearing_id == hearing.id)
        .order_by(Participant.created_at, Participant.id)
    )
    court = await s.get(Court, hearing.court_id)
    assert court is not None
    return HearingRecord(hearing, tuple(people.all()), court_info(court))


def unmet_before(hearing: Hearing) -> list[str]:
    met = hearing.conditions_met or {}
    return [
        c["id"] for c in legal.conditions(hearing.legal_decision, "before") if c["id"] not in met
    ]


def snapshot(hearing: Hearing, heard: Participant) -> dict[str, object]:
    return {
        "starts_at": utc_text(hearing.starts_at),
        "ends_at": utc_text(hearing.ends_at),
        "venue": hearing.venue,
        "venue_time_zone": hearing.venue_time_zone,
        "recording_requested": hearing.recording_requested,
        "consent": heard.consent,
        "offence": hearing.offence,
        "legal_outcome": hearing.legal_outcome,
        "state": hearing.state,
    }


def created_fields(record: HearingRecord, made: Plan) -> dict[str, object]:
    h = record.hearing
    heard = record.person_heard
    return {
        "version": h.version,
        "state": h.state,
        "court_id": h.court_id,
        # The minutes name the court and give its time: they are built from the log alone.
        "court": {
            "name": record.court.name,
            "state": record.court.state,
            "time_zone": record.court.time_zone,
        },
        "requesting_state": h.requesting_state,
        "requested_state": h.requested_state,
        "venue": h.venue,
        "venue_time_zone": h.venue_time_zone,
        "proceeding": h.proceeding,
        "offence": h.offence,
        "case_reference": h.case_reference,
        "starts_at": utc_text(h.starts_at),
        "ends_at": utc_text(h.ends_at),
        "recording_requested": h.recording_requested,
        "person_heard": {
            "id": heard.id,
            "role": heard.role,
            "name": heard.name,
            "language": heard.language,
            "consent": heard.consent,
        },
        "participants": [{"id": p.id, "role": p.role, "name": p.name} for p in record.participants],
        "working_hours": made.hours.describe(),
        "working_hours_override": h.hours_override,
        "outside_working_hours": made.outside_hours,
    }
