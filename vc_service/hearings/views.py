"""The JSON shape of a hearing and its participants, with times in every zone that matters. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vc_service.hearings import legal
from vc_service.hearings.lifecycle import State
from vc_service.hearings.models import Hearing, Participant
from vc_service.hearings.scheduling import local_time, utc_text


@dataclass(frozen=True)
class CourtInfo:
    id: str
    name: str
    state: str
    time_zone: str


@dataclass(frozen=True)
class HearingRecord:
    """A hearing with everything its views need, detached from the database session."""

    hearing: Hearing
    participants: tuple[Participant, ...]
    court: CourtInfo

    @property
    def id(self) -> str:
        return self.hearing.id

    @property
    def state(self) -> State:
        return State(self.hearing.state)

    @property
    def version(self) -> int:
        return self.hearing.version

    @property
    def venue_timezone(self) -> str:
        """The venue's IANA zone: the hearing's wall times are the venue's own in it."""
        return self.hearing.venue_time_zone

    @property
    def person_heard(self) -> Participant:
        return next(p for p in self.participants if p.heard)

    def participant(self, participant_id: str) -> Participant | None:
        return next((p for p in self.participants if p.id == participant_id), None)


def legal_status(hearing: Hearing) -> str:
    """allowed | conditional | pending_review | reviewed (an `unknown` decision after review)."""
    if hearing.legal_outcome != "unknown":
        return hearing.legal_outcome
    return "reviewed" if hearing.legal_review else "pending_review"


def participant_view(p: Participant, hearing: Hearing) -> dict[str, Any]:
    return {
        "id": p.id,
        "role": p.role,
        "name": p.name,
        "email": p.email,
        "language": p.language,
        "time_zone": p.time_zone,
        "heard": p.heard,
        "consent": p.consent,
        "user_id": p.user_id,
        "starts": local_time(hearing.starts_at, p.time_zone),
        "ends": local_time(hearing.ends_at, p.time_zone),
    }


def hearing_view(record: HearingRecord) -> dict[str, Any]:
    h, court = record.hearing, record.court
    decision = h.legal_decision
    return {
        "id": h.id,
        "version": h.version,
        "state": h.state,
        "court": {
            "id": court.id,
            "name": court.name,
            "state": court.state,
            "time_zone": court.time_zone,
        },
        "requesting_state": h.requesting_state,
        "requested_state": h.requested_state,
        "venue": {"name": h.venue, "time_zone": h.venue_time_zone},
        # The same zone at the top level, the name every view of a hearing gives it.
        "venue_timezone": h.venue_time_zone,
        "proceeding": h.proceeding,
        "offence": h.offence,
        "case_reference": h.case_reference,
        "starts_at": utc_text(h.starts_at),
        "ends_at": utc_text(h.ends_at),
        "duration_minutes": int((h.ends_at - h.starts_at).total_seconds() // 60),
        "times": {
            "requesting": {
                "starts": local_time(h.starts_at, court.time_zone),
                "ends": local_time(h.ends_at, court.time_zone),
            },
            "requested": {
                "starts": local_time(h.starts_at, h.venue_time_zone),
                "ends": local_time(h.ends_at, h.venue_time_zone),
            },
        },
        "recording": {
            "requested": h.recording_requested,
            "rule": legal.recording_rule(decision),
            "lawful": legal.recording_lawful(decision),
        },
        "legal": {
            "status": legal_status(h),
            "decision": decision,
            "review": h.legal_review,
        },
        "conditions_met": h.conditions_met or {},
        "working_hours_override": h.hours_override,
        "cancel_reason": h.cancel_reason,
        "person_heard": participant_view(record.person_heard, h),
        "participants": [participant_view(p, h) for p in record.participants],
        "created_at": utc_text(h.created_at),
        "updated_at": utc_text(h.updated_at),
    }


def summary_view(record: HearingRecord) -> dict[str, Any]:
    """One line of the hearing list: both states' local times, the venue's zone, the offence
    scope, state and legal status."""
    full = hearing_view(record)
    keep = (
        "id", "version", "state", "requesting_state", "requested_state", "venue",
        "venue_timezone", "proceeding", "offence", "case_reference", "starts_at", "ends_at",
        "duration_minutes", "times",
    )  # fmt: skip
    view = {key: full[key] for key in keep}
    view["legal_status"] = full["legal"]["status"]
    view["person_heard"] = {
        "name": record.person_heard.name,
        "role": record.person_heard.role,
    }
    return view
