"""What the engine answers: a frozen `Decision` that turns into plain JSON with `to_dict()`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

ParamValue = int | str | bool | tuple[str, ...]
Confidence = Literal["V", "K", "U"]
_NO_PARAMS: Mapping[str, ParamValue] = MappingProxyType({})


class Status(StrEnum):
    ALLOWED = "allowed"
    CONDITIONAL = "conditional"
    UNKNOWN = "unknown"  # manual legal review: a needed fact is not known
    BARRED = "barred"


# Which route wins when several are open: the most permissive whose facts are all known.
RANK = {Status.BARRED: 0, Status.UNKNOWN: 1, Status.CONDITIONAL: 2, Status.ALLOWED: 3}


class Proceeding(StrEnum):
    CIVIL = "civil"
    CRIMINAL = "criminal"


class Role(StrEnum):
    """The role of the person heard."""

    WITNESS = "witness"
    EXPERT = "expert"
    PARTY = "party"
    VICTIM = "victim"
    ACCUSED = "accused"


class Consent(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Offence(StrEnum):
    """What the proceedings are about, as far as the UN conventions' scope is concerned (criminal
    proceedings only; not given: the judge confirms the scope as a condition)."""

    ORGANIZED_CRIME = "organized_crime"  # UNTOC Art 3: a serious offence of an organized group
    CORRUPTION = "corruption"  # UNCAC Art 3 and Chapter III
    OTHER = "other"  # neither: the UN routes do not apply


class Stage(StrEnum):
    BEFORE = "before"  # before the hearing (the scheduler checks these)
    DURING = "during"  # in the hearing, before testimony starts
    AFTER = "after"  # after it, e.g. minutes


class Actor(StrEnum):
    """Roles of the product that may satisfy a condition (shared with the live hearing)."""

    JUDGE = "judge"
    AUTHORITY = "authority"  # the requested state's authority
    CLERK = "clerk"
    WITNESS = "witness"
    EXPERT = "expert"
    ACCUSED = "accused"
    VICTIM = "victim"
    PARTY = "party"
    INTERPRETER = "interpreter"
    COUNSEL = "counsel"
    PROSECUTOR = "prosecutor"


class RecordingRule(StrEnum):
    ALLOWED = "allowed"
    PROHIBITED = "prohibited"
    MANDATORY = "mandatory"
    COURT_DECIDES = "court_decides"
    # Lawful only with the consent of the person heard (LU): nobody records on it unless they
    # capture that consent; consumers that do not must treat it as not recordable.
    CONSENT_REQUIRED = "consent_required"
    UNKNOWN = "unknown"


def _plain(value: ParamValue) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True, slots=True)
class Regime:
    id: str
    name: str
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "citation": self.citation}


@dataclass(frozen=True, slots=True)
class Condition:
    """One thing that must be true for the hearing to be lawful, enforced by its stable `id`."""

    id: str
    text: str
    citation: str
    stage: Stage
    satisfied_by: tuple[Actor, ...]
    confidence: Confidence
    params: Mapping[str, ParamValue] = field(default_factory=lambda: _NO_PARAMS)
    # Position in the catalogue (stage first), for sorting; not part of the answer.
    order: int = field(default=0, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "citation": self.citation,
            "stage": self.stage.value,
            "satisfied_by": [actor.value for actor in self.satisfied_by],
            "confidence": self.confidence,
            "params": {key: _plain(value) for key, value in self.params.items()},
        }


def params(**values: ParamValue) -> Mapping[str, ParamValue]:
    """Read-only parameters: conditions are shared between decisions, so nobody may mutate them."""
    return MappingProxyType(dict(values)) if values else _NO_PARAMS


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a route is barred or needs manual review: which state's rule, with its citation."""

    state: str
    rule: str
    text: str
    citation: str
    confidence: Confidence

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "rule": self.rule,
            "text": self.text,
            "citation": self.citation,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class Recording:
    rule: RecordingRule
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule.value, "citation": self.citation}


@dataclass(frozen=True, slots=True)
class Decision:
    decision: Status
    requesting: str
    requested: str
    proceeding: Proceeding
    role: Role
    consent: Consent
    hearing_date: date | None
    offence: Offence | None
    regimes: tuple[Regime, ...]
    conditions: tuple[Condition, ...]
    reasons: tuple[Reason, ...]
    recording: Recording

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "requesting": self.requesting,
            "requested": self.requested,
            "proceeding": self.proceeding.value,
            "role": self.role.value,
            "consent": self.consent.value,
            "date": self.hearing_date.isoformat() if self.hearing_date else None,
            "offence": self.offence.value if self.offence is not None else None,
            "regimes": [regime.to_dict() for regime in self.regimes],
            "conditions": [condition.to_dict() for condition in self.conditions],
            "reasons": [reason.to_dict() for reason in self.reasons],
            "recording": self.recording.to_dict(),
        }
