"""The legal engine: may a court of the requesting state hear, by video, a person in the requested
state? Pure and fast: it reads profiles compiled once at load time, never the clock, the network or
the database.

How it decides (see docs/legal-profiles.md):
1. Validate the question; a malformed one raises `LegalInputError`. A state without a profile,
   a role no encoded instrument addresses, or a date before the encoded law gives `unknown`.
2. List the routes in order of precedence (`civil.py`, `criminal.py`); an exclusive instrument that
   applies is the only route. A route whose instrument may or may not apply is worked out as if
   it did: barred if its known facts bar it (no basis either way), else unknown.
3. Overlay the requesting state's outgoing rules (foreign permission, the accused's and a
   witness's hearing by video in its criminal trials) and the requested state's venue rules.
4. Take the most permissive route (allowed > conditional > unknown > barred), the earliest on a
   tie. A route whose needed fact is unknown is `unknown`, never allowed; a barred route's
   unknown facts cannot change the outcome and are not given as reasons.
5. Work out whether recording is lawful under both laws.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any, TypeVar

from legal_profiles import regimes as r
from legal_profiles.civil import civil_routes
from legal_profiles.countries import ALIASES, ISO_3166_ALPHA2
from legal_profiles.criminal import criminal_routes
from legal_profiles.decision import (
    RANK,
    Condition,
    Consent,
    Decision,
    Offence,
    Proceeding,
    Reason,
    Recording,
    RecordingRule,
    Regime,
    Role,
    Status,
)
from legal_profiles.errors import LegalInputError
from legal_profiles.loader import ProfileSet
from legal_profiles.model import UNKNOWN, Fact
from legal_profiles.routes import Outcome, Query

E = TypeVar("E", bound=StrEnum)
_order = attrgetter("order")

_OLD_LAW = Reason(
    "EU",
    "date.before_encoded_law",
    "The encoded law starts on 1 July 2022 (Reg (EU) 2020/1783 replaced Reg 1206/2001); earlier"
    " hearings need manual legal review.",
    "Reg (EU) 2020/1783 applies from 1 July 2022; https://webgate.ec.europa.eu/e-justice/76/EL/"
    "taking_of_evidence",
    "V",
)
_ROLE_NOT_COVERED = {
    (Proceeding.CIVIL, Role.VICTIM): (
        "The civil instruments examine witnesses, experts and parties; a victim must be heard as"
        " one of them. Choose that role, or review manually.",
        f"Reg (EU) 2020/1783 Arts 12, 19 (persons examined); {r.REG_1783_URL}; HCCH 1970 Art 21;"
        f" {r.HAGUE_ART21_URL}",
    ),
    (Proceeding.CRIMINAL, Role.PARTY): (
        "The criminal instruments hear witnesses, experts and suspected or accused persons; a"
        " party (e.g. a civil party) is not addressed. Choose the role the person has in the"
        " hearing, or review manually.",
        f"Dir 2014/41/EU Art 24(1); {r.EIO_URL}; EU MLA Convention 2000 Art 10(1), 10(9);"
        f" {r.MANUAL_MLA_URL}",
    ),
}


def parse_state(value: object, field: str) -> str:
    """An ISO 3166-1 alpha-2 code (any case; "UK" and "EL" accepted), or `LegalInputError`."""
    if isinstance(value, str):
        if value in ISO_3166_ALPHA2:
            return value
        code = value.strip().upper()
        code = ALIASES.get(code, code)
        if code in ISO_3166_ALPHA2:
            return code
    raise LegalInputError(
        "legal.bad_state",
        f"{field} must be an ISO 3166-1 alpha-2 state code, got {value!r}",
        {"field": field},
    )


def _choice(kind: type[E], value: object, field: str) -> E:
    if isinstance(value, str):  # members are str too
        member = kind._value2member_map_.get(value)
        if member is not None:
            return member  # type: ignore[return-value]  # the map holds members of `kind`
        try:
            return kind(value.strip().lower())
        except ValueError:
            pass
    allowed = ", ".join(member.value for member in kind)
    raise LegalInputError(
        f"legal.bad_{field}",
        f"{field} must be one of {allowed}, got {value!r}",
        {"field": field, "allowed": [member.value for member in kind]},
    )


def check(
    profiles: ProfileSet,
    requesting: str,
    requested: str,
    proceeding: str | Proceeding,
    role: str | Role,
    consent: str | Consent = Consent.UNKNOWN,
    hearing_date: date | None = None,
    *,
    offence: str | Offence | None = None,
) -> Decision:
    """Judge one case. Raises `LegalInputError` for malformed input, never for missing law.

    `offence` (criminal proceedings only) says whether the offence is organized crime (UNTOC),
    corruption (UNCAC) or neither; None leaves the convention's scope for the judge to confirm."""
    a_code = parse_state(requesting, "requesting")
    b_code = parse_state(requested, "requested")
    if a_code == b_code:
        raise LegalInputError(
            "legal.same_state",
            f"requesting and requested state are both {a_code}: not a cross-border hearing",
            {"field": "requested"},
        )
    proc = _choice(Proceeding, proceeding, "proceeding")
    who = _choice(Role, role, "role")
    agreed = _choice(Consent, consent, "consent")
    if hearing_date is not None and (
        not isinstance(hearing_date, date) or isinstance(hearing_date, datetime)
    ):
        raise LegalInputError("legal.bad_date", "date must be a calendar date", {"field": "date"})
    if proc is Proceeding.CIVIL and who is Role.ACCUSED:
        raise LegalInputError(
            "legal.bad_role",
            "an accused is heard only in criminal proceedings",
            {"field": "role", "allowed": ["witness", "expert", "party", "victim"]},
        )
    scope = None if offence is None else _choice(Offence, offence, "offence")
    if scope is not None and proc is not Proceeding.CRIMINAL:
        raise LegalInputError(
            "legal.bad_offence",
            "an offence scope is given only in criminal proceedings",
            {"field": "offence", "allowed": []},
        )
    head = (a_code, b_code, proc, who, agreed, hearing_date, scope)
    a, b = profiles.compiled(a_code), profiles.compiled(b_code)
    if a is None or b is None:
        missing = [code for code, comp in ((a_code, a), (b_code, b)) if comp is None]
        return _unknown(head, tuple(_no_profile(code) for code in missing))
    if hearing_date is not None and hearing_date < r.REG_1783_FROM:
        return _unknown(head, (_OLD_LAW,))
    not_covered = _ROLE_NOT_COVERED.get((proc, who))
    if not_covered is not None:
        text, citation = not_covered
        return _unknown(head, (Reason(b_code, "role.not_covered", text, citation, "K"),))
    effective = Role.WITNESS if who is Role.VICTIM else who
    q = Query(a, b, proc, effective, agreed, hearing_date, who, scope)
    routes = civil_routes(q) if proc is Proceeding.CIVIL else criminal_routes(q)
    best, best_status = routes[0], Status.BARRED
    statuses = []
    for route in routes:
        _overlay(q, route)
        status = route.status
        statuses.append(status)
        if route is routes[0] or RANK[status] > RANK[best_status]:
            best, best_status = route, status
    recording = _recording(q, best)
    if best_status in (Status.ALLOWED, Status.CONDITIONAL):
        return Decision(best_status, *head, best.regimes, _final(best.conditions), (), recording)
    reasons: list[Reason] = []
    regimes: list[Regime] = []
    for route, status in zip(routes, statuses, strict=True):
        if best_status is Status.BARRED or status is Status.UNKNOWN:
            regimes.extend(route.regimes)
        # A barred route stays barred whatever its unknown facts say: only its bars count.
        if status is not Status.BARRED:
            reasons.extend(route.unknown)
        reasons.extend(route.barred)
    conditions = _final(best.conditions) if best_status is Status.UNKNOWN else ()
    # Reasons about unknown facts are shared objects: drop repeats by identity, cheaply.
    unique = tuple({id(reason): reason for reason in reasons}.values())
    return Decision(best_status, *head, tuple(regimes), conditions, unique, recording)


Head = tuple[str, str, Proceeding, Role, Consent, date | None, Offence | None]


def _unknown(head: Head, reasons: tuple[Reason, ...]) -> Decision:
    recording = Recording(RecordingRule.UNKNOWN, "no decision: manual legal review")
    return Decision(Status.UNKNOWN, *head, (), (), reasons, recording)


def _no_profile(code: str) -> Reason:
    return Reason(
        code,
        "profile.missing",
        f"There is no legal profile for {code}: manual legal review.",
        f"legal_profiles/data/{code}.toml (absent)",
        "U",
    )


def _overlay(q: Query, out: Outcome) -> None:
    """Rules of the requesting state (outgoing) and venue rules of the requested state."""
    a, b = q.a, q.b
    if b.venue is not None:
        out.conditions.append(b.venue)
    rules = a.outgoing
    if rules.foreign_permission is not None:
        out.conditions.append(rules.foreign_permission)
    elif rules.permission_rule_unknown and not out.accepted_by_requested_state:
        out.conditions.append(rules.foreign_permission_unknown)
    if q.proceeding is not Proceeding.CRIMINAL:
        return
    if q.role is not Role.ACCUSED:
        # The forum's own limits on a witness by video (US Confrontation Clause, Maryland v.
        # Craig; CA Criminal Code s 714.2). Unknown: the requesting court attests its own law.
        witness = rules.witness_remote.on(q.day)
        if witness == "court_finding_required":
            out.conditions.append(rules.witness_finding)
        elif witness == "no_basis":
            out.unknown.append(rules.witness_no_basis)
        elif witness is UNKNOWN:
            out.conditions.append(rules.witness_basis_unknown)
        return
    accused = rules.accused_remote
    if accused.on(q.day) == "consent_required":
        if q.consent is Consent.NO:
            out.barred.append(rules.accused_consent_refused)
        else:
            out.need(b.consent(Role.ACCUSED, "outgoing.accused_consent", accused, "V"))
    elif accused.on(q.day) == "no_basis":
        out.unknown.append(rules.accused_no_basis)
    elif accused.on(q.day) is UNKNOWN:
        # The requesting court knows its own procedure: it attests, the engine does not guess.
        out.conditions.append(rules.accused_basis_unknown)


def _final(conditions: list[Condition]) -> tuple[Condition, ...]:
    """One condition per id (the live hearing keys on it), in stage and catalogue order."""
    unique: dict[str, Condition] = {}
    for condition in conditions:
        unique.setdefault(condition.id, condition)
    return tuple(sorted(unique.values(), key=_order))


# -- recording ------------------------------------------------------------------------------


def _recording(q: Query, best: Outcome) -> Recording:
    """Recording depends on profile facts only, so each answer is worked out once per pair."""
    art5 = r.EU_REG_2844_ART5 in best.regimes
    if q.a.recording_dated or q.b.recording_dated:
        return _work_out_recording(q, art5)
    key = (q.b.iso2, q.proceeding, q.role, art5)
    recording = q.a.recording_memo.get(key)
    if recording is None:
        recording = q.a.recording_memo[key] = _work_out_recording(q, art5)
    return recording


def _work_out_recording(q: Query, art5: bool) -> Recording:
    """Lawful only as far as both laws allow: any known prohibition wins, then any unknown."""
    a, b = q.a, q.b
    if q.proceeding is Proceeding.CIVIL:
        forum: Fact[Any] = a.out.recording_civil
        forum_value = forum.on(q.day)
        roles = a.out.recording_civil_roles.value
        if forum_value is not UNKNOWN and roles is not UNKNOWN and q.role.value not in roles:
            forum_value = UNKNOWN  # the forum's rule is stated for other roles only
        local: Fact[Any] = b.inc.civil.recording
    else:
        forum, local = a.out.recording_criminal, b.inc.criminal.recording
        forum_value = forum.on(q.day)
    if art5:
        # Reg 2023/2844 Art 5: the forum's recording rules apply to the party's participation.
        sides = [(forum_value, f"{a.iso2} (forum, Reg 2023/2844 Art 5)", forum)]
    else:
        sides = [
            (forum_value, f"{a.iso2} (requesting)", forum),
            (local.on(q.day), f"{b.iso2} (requested)", local),
        ]
    values = [value for value, _, _ in sides]
    for wanted, rule in (
        ("prohibited", RecordingRule.PROHIBITED),
        (UNKNOWN, RecordingRule.UNKNOWN),
        ("consent_required", RecordingRule.CONSENT_REQUIRED),
        ("mandatory", RecordingRule.MANDATORY),
        ("court_decides", RecordingRule.COURT_DECIDES),
    ):
        if wanted in values:
            cited = [(label, fact) for value, label, fact in sides if value == wanted]
            return Recording(rule, _cite_sides(cited))
    return Recording(RecordingRule.ALLOWED, _cite_sides([(lbl, f) for _, lbl, f in sides]))


def _cite_sides(sides: list[tuple[str, Fact[Any]]]) -> str:
    return " | ".join(f"{label}: {fact.citation()}" for label, fact in sides)
