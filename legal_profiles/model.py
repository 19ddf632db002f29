"""The state profile: frozen dataclasses whose leaves are `Fact`s carrying their provenance.

The type hints here ARE the schema: `schema.py` reads them to validate a TOML file, so a field is
added in one place. `Fact[T]` holds a value of type T or `UNKNOWN`; unknown is first-class and the
engine never reads it as permission.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Final, Generic, Literal, NewType, TypeVar

T = TypeVar("T")


class Unknown(enum.Enum):
    UNKNOWN = "unknown"

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown.UNKNOWN

Confidence = Literal["V", "K", "U"]
# Value types with their own validation (see schema.py).
Lang = NewType("Lang", str)  # ISO 639-1, lower case
Zone = NewType("Zone", str)  # IANA time zone key
Iso2 = NewType("Iso2", str)  # ISO 3166-1 alpha-2
Url = NewType("Url", str)

RoleName = Literal["witness", "expert", "party", "victim", "accused"]
ProceedingName = Literal["civil", "criminal"]
# consent_required: recorded only with the express consent of the person heard (LU).
RecordingRuleName = Literal[
    "allowed", "prohibited", "mandatory", "court_decides", "consent_required"
]
YesConditionalNo = Literal["yes", "conditional", "no"]
Permission = Literal["permitted", "notification_required", "permission_required", "prohibited"]
Location = Literal["any", "court_or_public_premises", "court_only", "requesting_court_fixes"]
# A declaration that speaks of requests made to the declaring state, or of every request.
DeclarationScope = Literal["requests_to_this_state", "all_requests"]
HagueJoined = Literal["ratification", "accession", "succession"]
OathRule = Literal["requesting_court", "requested_authority", "consent_required", "not_available"]


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """One leaf of a profile with its provenance.

    `source` is a URL (required for V), `ref` an instrument and article (required for K).
    `since` dates a rule: for a hearing before it the engine treats the fact as unknown, because
    the earlier law is not encoded.
    """

    value: T | Unknown
    confidence: Confidence
    reviewed: date
    path: str
    source: str | None = None
    ref: str | None = None
    note: str | None = None
    since: date | None = None

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN

    def citation(self) -> str:
        parts = [part for part in (self.ref, self.source) if part]
        if not parts:
            return f"profile field {self.path}: no source found [U]"
        return "; ".join(parts)

    def on(self, day: date | None) -> T | Unknown:
        """The value for a hearing on `day` (None: the law as currently encoded)."""
        if self.since is not None and day is not None and day < self.since:
            return UNKNOWN
        return self.value


# -- records held in arrays of tables (each record is one Fact) ------------------------------


@dataclass(frozen=True, slots=True)
class Bilateral:
    """A bilateral instrument that provides for hearings by videoconference."""

    counterparty: Iso2
    instrument: Literal["eu_us_mla_2003"]
    article: str
    proceeding: ProceedingName
    roles: tuple[RoleName, ...]


@dataclass(frozen=True, slots=True)
class HagueRelation:
    """Whether the Evidence Convention is in force between this state and the counterparty.

    Art 39(4): an accession binds only the states that accepted it, so a pair with an acceding
    state needs this record; both states' profiles carry it. `in_force_from` is None where the
    relation is sourced but its date is not (e.g. a dated list of states in force).
    """

    counterparty: Iso2
    status: Literal["in_force", "not_accepted"]
    in_force_from: date | None = None


ContactPurpose = Literal[
    "civil_central_body",
    "hague_central_authority",
    "criminal_receiving_authority",
    "vc_notice_recipient",
    "national_assistance_authority",
    "outgoing_permission",
    "technical",
]


@dataclass(frozen=True, slots=True)
class Contact:
    purpose: ContactPurpose
    authority: str
    url: Url | None = None
    email: str | None = None
    phone: str | None = None
    languages: tuple[Lang, ...] = ()


# -- treaty status ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoE2AP:
    """Second Additional Protocol (ETS 182) to the 1959 European MLA Convention."""

    party: Fact[bool]
    art9_9_excludes_accused: Fact[bool]  # true: declared it will not apply Art 9(8)
    art9_9_scope: Fact[DeclarationScope]  # which requests the Art 9(9) declaration speaks of


@dataclass(frozen=True, slots=True)
class EuMla2000:
    party: Fact[bool]
    art10_9_excludes_accused: Fact[bool]  # true: declared it will not apply Art 10(9)
    art10_9_scope: Fact[DeclarationScope]  # which requests the Art 10(9) declaration speaks of


@dataclass(frozen=True, slots=True)
class Hague:
    """HCCH Convention of 18 March 1970 on the Taking of Evidence Abroad."""

    party: Fact[bool]
    joined: Fact[HagueJoined]  # an accession needs an acceptance per pair (Art 39(4))
    in_force: Fact[date]
    declared_articles: Fact[tuple[int, ...]]
    art8_presence: Fact[Literal["declared", "prior_authorisation", "not_declared"]]
    art11_privileges: Fact[Literal["declared", "none"]]
    art18_compulsion: Fact[bool]
    art23_discovery: Fact[Literal["full_exclusion", "conditional", "none"]]
    art33_exclusions: Fact[tuple[str, ...]]
    # How a person in this state may be heard directly by video under Chapter II.
    ch2_vc: Fact[Literal["permitted", "notification_required", "permission_required", "excluded"]]
    ch2_notice_days: Fact[int]
    ch2_notice_recipients: Fact[tuple[str, ...]]
    ch2_notice_content: Fact[tuple[str, ...]]
    languages: Fact[tuple[Lang, ...]]
    relations: tuple[Fact[HagueRelation], ...]


@dataclass(frozen=True, slots=True)
class Treaties:
    eu_member: Fact[bool]
    eu_reg_2020_1783: Fact[bool]
    eu_reg_2023_2844: Fact[bool]
    eio: Fact[bool]
    coe_mla_1959: Fact[bool]
    untoc: Fact[bool]
    uncac: Fact[bool]
    eu_mla_2000: EuMla2000
    coe_2ap: CoE2AP
    hague: Hague
    bilateral: tuple[Fact[Bilateral], ...]


# -- incoming: a person in this state heard by a foreign authority ---------------------------


@dataclass(frozen=True, slots=True)
class Unilateral:
    """A foreign court hearing a willing person here without any request to this state."""

    civil: Fact[Permission]
    criminal: Fact[Permission]
    notice_days: Fact[int]
    notice_recipients: Fact[tuple[str, ...]]
    penal_exposure: Fact[str]


@dataclass(frozen=True, slots=True)
class IncomingCivil:
    direct_taking: Fact[YesConditionalNo]
    indirect_vc: Fact[YesConditionalNo]
    persons: Fact[tuple[RoleName, ...]]
    location: Fact[Location]
    voluntariness_in_invitation: Fact[bool]
    identity_check: Fact[str]
    oath: Fact[OathRule]
    languages_indirect: Fact[tuple[Lang, ...]]
    direct_language_free: Fact[bool]
    interpreter: Fact[str]
    notice_days_indirect: Fact[int]
    costs: Fact[Literal["requesting_court", "requested_state", "shared"]]
    recording: Fact[RecordingRuleName]


@dataclass(frozen=True, slots=True)
class IncomingCriminal:
    witness_vc: Fact[YesConditionalNo]
    witness_consent_required: Fact[bool]
    accused_vc: Fact[Literal["yes_with_consent", "discretionary_with_consent", "no"]]
    accused_compellable: Fact[bool]
    consent_revocable: Fact[bool]
    # Roles for which the request must say why appearance in person is not possible.
    reasons_required: Fact[tuple[RoleName, ...]]
    treaty_required: Fact[bool]
    national_assistance: Fact[Literal["yes", "no"]]
    national_assistance_roles: Fact[tuple[RoleName, ...]]
    oath: Fact[OathRule]
    languages: Fact[tuple[Lang, ...]]
    recognition_days: Fact[int]
    execution_days: Fact[int]
    recording: Fact[RecordingRuleName]


RefusalGround = Literal[
    "close_relative", "self_incrimination", "professional_secrecy", "privilege", "other"
]


@dataclass(frozen=True, slots=True)
class WitnessRights:
    refusal_grounds: Fact[tuple[RefusalGround, ...]]
    inform_before_hearing: Fact[bool]


@dataclass(frozen=True, slots=True)
class Incoming:
    time_zones: Fact[tuple[Zone, ...]]
    default_time_zone: Fact[Zone]
    working_hours: Fact[str]
    forbidden_venues: Fact[tuple[str, ...]]
    sub_jurisdictions: Fact[tuple[str, ...]]
    unilateral: Unilateral
    civil: IncomingCivil
    criminal: IncomingCriminal
    witness_rights: WitnessRights


# -- outgoing: this state's courts hearing someone abroad ------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    legal_basis: Fact[str]
    foreign_permission: Fact[Literal["always", "advisory", "no"]]
    permission_lookup: Fact[str]
    accused_remote: Fact[Literal["consent_required", "no_basis", "permitted"]]
    # This state's own limits on receiving a witness's testimony by video in a criminal trial
    # (US Confrontation Clause, Maryland v. Craig; CA Criminal Code s 714.2).
    witness_remote_criminal: Fact[Literal["permitted", "court_finding_required", "no_basis"]]
    recording_civil: Fact[RecordingRuleName]
    recording_civil_roles: Fact[tuple[RoleName, ...]]
    recording_criminal: Fact[RecordingRuleName]


@dataclass(frozen=True, slots=True)
class StateProfile:
    iso2: Iso2
    name: str
    reviewed: date
    origin: str  # the file it came from, for error messages and `legal profiles`
    treaties: Treaties
    incoming: Incoming
    outgoing: Outgoing
    contacts: tuple[Fact[Contact], ...]


def iter_facts(node: object) -> list[Fact[object]]:
    """Every fact under a profile or section, records included (for counts and audits)."""
    found: list[Fact[object]] = []
    if isinstance(node, Fact):
        found.append(node)
    elif isinstance(node, tuple):
        for item in node:
            found.extend(iter_facts(item))
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            found.extend(iter_facts(getattr(node, name)))
    return found
