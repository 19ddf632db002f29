"""One scheduling decision: where and when, what the law says, and whether it may go ahead. Pure.

Create and every reschedule call `plan()`. It resolves the venue's zone and the window (refusing
DST gaps, past dates and absurd durations), runs the legal engine for the date at the venue, and
refuses a barred hearing, unlawful recording, a notice period the date does not leave, and a
window outside the venue's working hours unless the judge overrides it with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from vc_service.errors import ValidationFailed
from vc_service.hearings import legal, scheduling
from vc_service.hearings.forms import TimeSpec
from vc_service.hearings.scheduling import Window, WorkingHours, utc_text

if TYPE_CHECKING:
    from legal_profiles.loader import ProfileSet


@dataclass(frozen=True)
class PlanRequest:
    requesting_state: str
    requested_state: str
    venue_time_zone: str  # empty: the requested state's default zone
    proceeding: str
    role: str  # of the person heard
    consent: str
    start: TimeSpec
    duration_minutes: int | None
    end: TimeSpec | None
    recording_requested: bool
    hours_override: str | None
    offence: str | None = None  # the UN conventions' scope (criminal only); None: not given
    # Only a new date needs a fresh notice check (notice was judged when the date was set).
    check_notice: bool = True
    known_notice_conditions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Plan:
    window: Window
    venue_time_zone: str
    decision: dict[str, Any]
    outcome: str
    hours: WorkingHours
    outside_hours: str | None  # the reason it is outside, when overridden

    @property
    def pending_review(self) -> bool:
        return self.outcome == "unknown"


@dataclass(frozen=True)
class VenueZones:
    """The zones a venue of a state may have, and the one it gets when none is given."""

    state: str
    time_zones: tuple[str, ...]  # from the state's profile; empty when it does not know them
    default: str | None  # None: the venue must name its zone

    @property
    def required(self) -> bool:
        return self.default is None


def venue_zones(profiles: ProfileSet, state: str, now: datetime) -> VenueZones:
    """A state whose zones keep one clock gets its profile's default zone (or its only one); a
    state spanning several clocks (US, CA, AU, BR, MX, ES with the Canaries...) or whose zones
    are unknown gets none: a default there would put a Chicago venue on New York's time."""
    listed = legal.zones(profiles, state)
    default = legal.default_zone(profiles, state) or (listed[0] if len(listed) == 1 else None)
    if default is not None and not scheduling.one_civil_time((*listed, default), now):
        default = None
    return VenueZones(state, listed, default)


def venue_zone(profiles: ProfileSet, state: str, given: str, now: datetime) -> str:
    zones = venue_zones(profiles, state, now)
    if not given:
        if zones.default is None:
            raise scheduling.invalid(
                "venue_time_zone",
                f"is required: {state} spans several time zones (or its profile names none); "
                "give the venue's IANA zone",
                "venue.time_zone_required",
                time_zones=list(zones.time_zones),
            )
        return zones.default
    scheduling.zone(given, "venue_time_zone")
    if zones.time_zones and given not in zones.time_zones:
        raise scheduling.invalid(
            "venue_time_zone",
            f"{given} is not a zone of {state} (its profile lists {', '.join(zones.time_zones)})",
            "venue.zone_not_in_state",
            time_zones=list(zones.time_zones),
        )
    return given


def window(request: PlanRequest, zone_name: str, now: datetime) -> Window:
    start = request.start.resolve(zone_name)
    if request.end is not None:
        end = request.end.resolve(zone_name)
    else:
        assert request.duration_minutes is not None
        end = start + timedelta(minutes=request.duration_minutes)
    span = Window(start, end)
    scheduling.check_window(span, now, request.start.field)
    return span


def plan(profiles: ProfileSet, default_hours: str, request: PlanRequest, now: datetime) -> Plan:
    zone_name = venue_zone(profiles, request.requested_state, request.venue_time_zone, now)
    span = window(request, zone_name, now)
    day = span.start.astimezone(scheduling.zone(zone_name)).date()
    decision = legal.decide(
        profiles,
        legal.Question(
            requesting=request.requesting_state,
            requested=request.requested_state,
            proceeding=request.proceeding,
            role=request.role,
            consent=request.consent,
            day=day,
            offence=request.offence,
        ),
    )
    outcome = legal.outcome(decision)
    if outcome == "barred":
        reasons = decision.get("reasons") or []
        summary = "; ".join(str(r.get("text", "")) for r in reasons) or "see the reasons"
        raise ValidationFailed(
            f"the law bars this hearing: {summary}",
            code="hearing.barred",
            details={"reasons": reasons, "decision": decision},
        )
    if request.recording_requested and not legal.recording_lawful(decision):
        recording = decision.get("recording") or {}
        raise ValidationFailed(
            f"recording is not lawful here (rule: {legal.recording_rule(decision)})",
            code="hearing.recording_unlawful",
            details={"recording": recording, "fields": {"recording_requested": "not lawful"}},
        )
    if not request.recording_requested and legal.recording_rule(decision) == "mandatory":
        raise ValidationFailed(
            "recording is mandatory for this hearing: request it",
            code="hearing.recording_required",
            details={
                "recording": decision.get("recording") or {},
                "fields": {"recording_requested": "must be true: recording is mandatory"},
            },
        )
    before = legal.conditions(decision, "before")
    if not request.check_notice:
        before = [c for c in before if c.get("id") not in request.known_notice_conditions]
    short = scheduling.notice_shortfalls(span.start, now, before)
    if short:
        first = short[0]
        raise ValidationFailed(
            f"condition {first['condition']} needs {first['notice_days']} days' notice: "
            f"start on or after {first['earliest_start']}",
            code="hearing.notice_too_short",
            details={"notice": short, "fields": {request.start.field: "notice period too short"}},
        )
    hours = legal.working_hours(profiles, request.requested_state, default_hours)
    problem = hours.problem(span, scheduling.zone(zone_name))
    if problem and not request.hours_override:
        raise ValidationFailed(
            f"outside working hours: {problem}; a judge may override with a stated reason "
            "(working_hours_override)",
            code="hearing.outside_working_hours",
            details={
                "working_hours": hours.describe(),
                "source": hours.source,
                "venue_time_zone": zone_name,
                "starts_at": utc_text(span.start),
                "problem": problem,
            },
        )
    return Plan(span, zone_name, decision, outcome, hours, problem)
