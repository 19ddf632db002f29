"""What a judge sends, checked field by field into typed values (every problem in one 422). Pure.

Times are kept as `TimeSpec`s until the venue's zone is known, because a local wall time means
nothing without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from legal_profiles.countries import ISO_3166_ALPHA2
from legal_profiles.decision import Offence
from vc_service.errors import ValidationFailed
from vc_service.hearings import scheduling
from vc_service.hearings.models import HEARD_ROLES, Consent, ParticipantRole, Proceeding
from vc_service.http.validation import Fields

MAX_PARTICIPANTS = 40
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
_LANG = re.compile(r"^[a-z]{2}$")
ROLE_NAMES = [role.value for role in ParticipantRole]
OFFENCE_NAMES = [offence.value for offence in Offence]
HEARD_ROLE_NAMES = sorted(role.value for role in HEARD_ROLES)


@dataclass(frozen=True)
class TimeSpec:
    """Either an instant (`utc` set) or a wall time in a zone (`local` set)."""

    field: str
    utc: datetime | None = None
    local: datetime | None = None
    zone: str = ""  # empty: the venue's zone
    fold: int | None = None

    def resolve(self, default_zone: str) -> datetime:
        if self.utc is not None:
            return self.utc
        assert self.local is not None
        tz = scheduling.zone(self.zone or default_zone, "time_zone")
        try:
            return scheduling.local_to_utc(self.local, tz, self.fold, self.field)
        except OverflowError:
            raise scheduling.out_of_range(self.field) from None


@dataclass(frozen=True)
class PersonSpec:
    role: ParticipantRole
    name: str
    email: str = ""
    language: str = ""
    time_zone: str = ""  # empty: a sensible default for the role
    consent: Consent | None = None
    username: str = ""  # a staff account (clerk, authority) joining as this participant


@dataclass(frozen=True)
class HearingDraft:
    requesting_state: str  # empty: the court's state
    requested_state: str
    venue: str
    venue_time_zone: str  # empty: the requested state's default zone
    proceeding: Proceeding
    case_reference: str
    start: TimeSpec
    duration_minutes: int | None
    end: TimeSpec | None
    recording_requested: bool
    person_heard: PersonSpec
    participants: list[PersonSpec] = field(default_factory=list)
    hours_override: str | None = None
    offence: Offence | None = None  # criminal only; None: not given


@dataclass(frozen=True)
class HearingChanges:
    """A reschedule: only the fields present change. `version` is the one the judge last saw."""

    version: int
    start: TimeSpec | None = None
    duration_minutes: int | None = None
    end: TimeSpec | None = None
    venue: str | None = None
    venue_time_zone: str | None = None
    recording_requested: bool | None = None
    consent: Consent | None = None
    hours_override: str | None = None
    # `offence` present in the body: the new scope, None clearing it (the proceeding is the
    # hearing's, so whether a scope may be given at all is judged with the hearing).
    offence_given: bool = False
    offence: Offence | None = None

    @property
    def touches_time(self) -> bool:
        return self.start is not None or self.duration_minutes is not None or self.end is not None


def _time(fields: Fields, prefix: str, required: bool) -> TimeSpec | None:
    """`<prefix>_at` (RFC 3339 with offset) or `local_<prefix>` (+ `time_zone`, `fold`)."""
    instant_name, local_name = f"{prefix}s_at", f"local_{prefix}"
    body = fields.body
    has_instant = body.get(instant_name) is not None
    has_local = body.get(local_name) is not None
    if has_instant and has_local:
        fields.fail(instant_name, f"give {instant_name} or {local_name}, not both")
        return None
    if not has_instant and not has_local:
        if required:
            fields.fail(instant_name, f"is required (or {local_name} with time_zone)")
        return None
    zone = fields.text("time_zone", required=False, max_len=64)
    fold = fields.integer("fold", required=False, lo=0, hi=1, default=-1)
    try:
        if has_instant:
            text = fields.text(instant_name, max_len=40)
            if instant_name in fields.errors:
                return None
            return TimeSpec(instant_name, utc=scheduling.parse_instant(text, instant_name))
        text = fields.text(local_name, max_len=40)
        if local_name in fields.errors:
            return None
        local = scheduling.parse_local(text, local_name)
        return TimeSpec(local_name, local=local, zone=zone, fold=None if fold < 0 else fold)
    except ValidationFailed as exc:
        _absorb(fields, exc)
        return None


def _absorb(fields: Fields, exc: ValidationFailed) -> None:
    for name, problem in exc.details.get("fields", {}).items():
        fields.fail(name, problem)


def _zone(fields: Fields, name: str) -> str:
    text = fields.text(name, required=False, max_len=64)
    if text:
        try:
            scheduling.zone(text, name)
        except ValidationFailed as exc:
            _absorb(fields, exc)
    return text


def _person(raw: Any, path: str, fields: Fields, heard: bool) -> PersonSpec | None:
    if not isinstance(raw, dict):
        fields.fail(path, "must be an object")
        return None
    inner = Fields(raw)
    names = HEARD_ROLE_NAMES if heard else ROLE_NAMES
    role = inner.choice("role", names)
    name = inner.text("name", max_len=200, multiline=False)
    email = inner.text("email", required=False, max_len=254, multiline=False)
    if email and not _EMAIL.match(email):
        inner.fail("email", "is not an e-mail address")
    language = inner.text("language", required=heard, max_len=2, min_len=2)
    if language and not _LANG.match(language):
        inner.fail("language", "must be an ISO 639-1 code such as fr")
    time_zone = _zone(inner, "time_zone")
    consent = inner.choice("consent", [c.value for c in Consent], required=heard)
    username = inner.text("username", required=False, max_len=64, multiline=False)
    if username and role not in {"clerk", "authority"}:
        inner.fail("username", "only a clerk or an authority joins with an account")
    if role == "judge":
        inner.fail("role", "the judge is the one who schedules; do not list a judge")
    for key, problem in inner.errors.items():
        fields.fail(f"{path}.{key}", problem)
    if inner.errors:
        return None
    return PersonSpec(
        role=ParticipantRole(role),
        name=name.strip(),
        email=email.lower(),
        language=language,
        time_zone=time_zone,
        consent=Consent(consent) if consent else None,
        username=username,
    )


def _override(fields: Fields) -> str | None:
    text = fields.text("working_hours_override", required=False, max_len=1000)
    if text and len(text.strip()) < 10:
        fields.fail("working_hours_override", "must state the reason (10 characters or more)")
    return text.strip() or None


def _duration(fields: Fields) -> int | None:
    value = fields.integer("duration_minutes", required=False, lo=-(2**31), default=-1)
    if "duration_minutes" in fields.errors or fields.body.get("duration_minutes") is None:
        return None
    if not scheduling.MIN_DURATION_MINUTES <= value <= scheduling.MAX_DURATION_MINUTES:
        fields.fail(
            "duration_minutes",
            f"must be between {scheduling.MIN_DURATION_MINUTES} and "
            f"{scheduling.MAX_DURATION_MINUTES} minutes",
        )
        return None
    return value


def _offence(fields: Fields) -> Offence | None:
    name = fields.choice("offence", OFFENCE_NAMES, required=False)
    return Offence(name) if name else None


def parse_state_code(fields: Fields, name: str, required: bool = True) -> str:
    code = fields.text(name, required=required, max_len=2, min_len=2)
    if code and code not in ISO_3166_ALPHA2:
        fields.fail(name, f"is not an ISO 3166-1 alpha-2 state code: {code!r}")
    return code


def parse_draft(body: dict[str, Any]) -> HearingDraft:
    fields = Fields(body)
    requested = parse_state_code(fields, "requested_state")
    requesting = parse_state_code(fields, "requesting_state", required=False)
    venue = fields.text("venue", max_len=200, multiline=False).strip()
    venue_zone = _zone(fields, "venue_time_zone")
    proceeding = fields.choice("proceeding", [p.value for p in Proceeding])
    case_reference = fields.text("case_reference", max_len=100, multiline=False).strip()
    start = _time(fields, "start", required=True)
    duration = _duration(fields)
    end = _time(fields, "end", required=False)
    if duration is None and end is None and "duration_minutes" not in fields.errors:
        fields.fail("duration_minutes", "is required (or ends_at / local_end)")
    if duration is not None and end is not None:
        fields.fail("duration_minutes", "give duration_minutes or an end, not both")
    recording = fields.flag("recording_requested", required=False)
    heard = _person(fields.mapping("person_heard"), "person_heard", fields, heard=True)
    others: list[PersonSpec] = []
    for index, raw in enumerate(fields.array("participants", required=False, max_items=40)):
        person = _person(raw, f"participants[{index}]", fields, heard=False)
        if person is not None:
            others.append(person)
    override = _override(fields)
    offence = _offence(fields)
    if offence is not None and proceeding == Proceeding.CIVIL.value:
        # The UN conventions' scope is a question of criminal proceedings only.
        fields.fail("offence", "is given only in criminal proceedings")
    fields.done()
    assert start is not None and heard is not None
    return HearingDraft(
        requesting_state=requesting,
        requested_state=requested,
        venue=venue,
        venue_time_zone=venue_zone,
        proceeding=Proceeding(proceeding),
        case_reference=case_reference,
        start=start,
        duration_minutes=duration,
        end=end,
        recording_requested=recording,
        person_heard=heard,
        participants=others,
        hours_override=override,
        offence=offence,
    )


def parse_participant(body: dict[str, Any]) -> tuple[int, PersonSpec]:
    fields = Fields(body)
    version = fields.integer("version", lo=1)
    person = _person(body.get("participant"), "participant", fields, heard=False)
    fields.done()
    assert person is not None
    return version, person


def parse_changes(body: dict[str, Any]) -> HearingChanges:
    fields = Fields(body)
    version = fields.integer("version", lo=1)
    start = _time(fields, "start", required=False)
    duration = _duration(fields)
    end = _time(fields, "end", required=False)
    if duration is not None and end is not None:
        fields.fail("duration_minutes", "give duration_minutes or an end, not both")
    venue = fields.text("venue", required=False, max_len=200, multiline=False).strip() or None
    venue_zone = _zone(fields, "venue_time_zone") or None
    recording = fields.flag("recording_requested") if "recording_requested" in body else None
    consent = fields.choice("consent", [c.value for c in Consent], required=False)
    override = _override(fields)
    offence = _offence(fields)
    known = {
        "version", "starts_at", "local_start", "time_zone", "fold", "duration_minutes",
        "ends_at", "local_end", "venue", "venue_time_zone", "recording_requested", "consent",
        "working_hours_override", "offence",
    }  # fmt: skip
    for name in sorted(set(body) - known):
        fields.fail(name, "cannot be changed by a reschedule")
    fields.done()
    return HearingChanges(
        version=version,
        start=start,
        duration_minutes=duration,
        end=end,
        venue=venue,
        venue_time_zone=venue_zone,
        recording_requested=recording,
        consent=Consent(consent) if consent else None,
        hours_override=override,
        offence_given="offence" in body,
        offence=offence,
    )
