"""The hearing's questions to the legal engine and what scheduling reads from its answer. Pure.

The engine's decision is stored whole with the hearing; this module only reads it: the outcome,
whether recording is lawful, the `before` conditions, and the venue's zones and working hours
from the requested state's profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from legal_profiles.engine import check
from legal_profiles.errors import LegalInputError
from legal_profiles.model import UNKNOWN
from vc_service.errors import ValidationFailed
from vc_service.hearings.scheduling import WorkingHours

if TYPE_CHECKING:
    from legal_profiles.loader import ProfileSet

# Recording rules under which the judge may record (the engine's `recording.rule`).
LAWFUL_RECORDING = frozenset({"allowed", "mandatory", "court_decides"})
# The engine's field names for its input errors -> ours.
_FIELDS = {
    "requesting": "requesting_state",
    "requested": "requested_state",
    "role": "person_heard.role",
    "consent": "person_heard.consent",
    "proceeding": "proceeding",
    "date": "starts_at",
    "offence": "offence",
}


@dataclass(frozen=True)
class Question:
    requesting: str
    requested: str
    proceeding: str
    role: str
    consent: str
    day: date
    offence: str | None = None  # criminal only: organized_crime | corruption | other


def decide(profiles: ProfileSet, question: Question) -> dict[str, Any]:
    """The engine's full decision as plain JSON (what is stored and audited)."""
    try:
        decision = check(
            profiles,
            requesting=question.requesting,
            requested=question.requested,
            proceeding=question.proceeding,
            role=question.role,
            consent=question.consent,
            hearing_date=question.day,
            offence=question.offence,
        )
    except LegalInputError as exc:
        field = _FIELDS.get(str(exc.details.get("field", "")), "requested_state")
        raise ValidationFailed(
            exc.message, code=exc.code, details={"fields": {field: exc.message}}
        ) from None
    return decision.to_dict()


def outcome(decision: Mapping[str, Any]) -> str:
    return str(decision.get("decision", "unknown"))


def recording_rule(decision: Mapping[str, Any]) -> str:
    recording = decision.get("recording")
    if isinstance(recording, Mapping):
        return str(recording.get("rule", "unknown"))
    return "unknown"


def recording_lawful(decision: Mapping[str, Any]) -> bool:
    return recording_rule(decision) in LAWFUL_RECORDING


def conditions(decision: Mapping[str, Any], stage: str | None = None) -> list[dict[str, Any]]:
    items = decision.get("conditions") or []
    return [dict(c) for c in items if stage is None or c.get("stage") == stage]


def _incoming(profiles: ProfileSet, state: str) -> Any:
    profile = profiles.get(state)
    return None if profile is None else profile.incoming


def working_hours(profiles: ProfileSet, state: str, default: str) -> WorkingHours:
    """The requested venue's hours from its state's profile, else the configured default."""
    incoming = _incoming(profiles, state)
    if incoming is not None and incoming.working_hours.value is not UNKNOWN:
        parsed = WorkingHours.parse(str(incoming.working_hours.value), f"profile {state}")
        if parsed is not None:
            return parsed
    parsed = WorkingHours.parse(default, "VC_DEFAULT_WORKING_HOURS")
    assert parsed is not None, "the setting is validated at start-up"
    return parsed


def zones(profiles: ProfileSet, state: str) -> tuple[str, ...]:
    """The zones the profile lists for the state (empty when it does not know them)."""
    incoming = _incoming(profiles, state)
    if incoming is None or incoming.time_zones.value is UNKNOWN:
        return ()
    return tuple(str(z) for z in incoming.time_zones.value)


def default_zone(profiles: ProfileSet, state: str) -> str | None:
    incoming = _incoming(profiles, state)
    if incoming is None or incoming.default_time_zone.value is UNKNOWN:
        return None
    return str(incoming.default_time_zone.value)
