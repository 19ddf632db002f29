"""The catalogue of condition ids. The live hearing enforces conditions by id, so an id is never
renamed lightly; its stage is fixed here and every `Condition` the engine emits is made through
`make()`, which takes the stage from this catalogue.

Regime-level conditions that do not depend on a profile are built once, at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from legal_profiles.decision import (
    Actor,
    Condition,
    Confidence,
    ParamValue,
    Stage,
    params,
)


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    id: str
    stage: Stage
    summary: str


def _specs(*items: tuple[str, Stage, str]) -> dict[str, ConditionSpec]:
    return {item[0]: ConditionSpec(*item) for item in items}


B, D, A = Stage.BEFORE, Stage.DURING, Stage.AFTER
CATALOGUE: Final = _specs(
    ("request.accepted", B, "The requested state accepted the request (or approved direct taking)"),
    ("request.reasons_stated", B, "The request says why appearance in person is not possible"),
    ("request.scope_in_treaty", B, "The offence falls within the convention relied on"),
    ("notice.requested_state", B, "Advance notice given to the requested state's authorities"),
    ("notice.voluntary_in_invitation", B, "The invitation states that attendance is voluntary"),
    ("permission.requested_state", B, "The requested state's permission was obtained"),
    ("permission.foreign_state", B, "The requesting state's rule on foreign permission is met"),
    ("basis.requesting_state", B, "The requesting court confirms its own law allows the hearing"),
    ("forum.witness_finding", B, "The requesting court made the finding its law needs for video"),
    ("summons.language", B, "The request to appear is in (or translated into) the local language"),
    ("venue.permitted", B, "The person will sit in a venue the requested state allows"),
    ("protection.measures_agreed", B, "Measures to protect the person agreed where necessary"),
    ("rights.accused_informed", B, "The accused was told in advance of procedural rights"),
    ("scope.national_limits", B, "The hearing stays within limits set by the requested state"),
    ("authority.present", D, "A competent authority of the requested state is present"),
    ("authority.can_intervene", D, "That authority can stop the hearing to uphold its law"),
    ("identity.verified", D, "The identity of the person heard is established"),
    ("advisory.voluntary", D, "The person is told the hearing is voluntary, without coercion"),
    ("advisory.legal_representation", D, "The person is told they may be legally represented"),
    ("rights.refusal_notified", D, "Rights to refuse to testify under both laws are notified"),
    ("rights.accused_procedural", D, "The accused's procedural rights under both laws are read"),
    ("consent.person", D, "The person consents on the record; withdrawal ends the hearing"),
    ("interpreter.available", D, "An interpreter is present where needed"),
    ("oath.competent_person", D, "Any oath or affirmation is administered by the competent person"),
    ("counsel.private_channel", D, "The accused can speak to counsel privately"),
    ("recording.parties_informed", D, "Parties are told about recording and may object"),
    ("minutes.drawn_up", A, "Minutes with the required particulars are drawn up"),
)

# The one enumeration of condition ids (plain-language texts are checked against it).
CONDITION_IDS: Final = tuple(CATALOGUE)

OFFICIALS: Final = (Actor.JUDGE, Actor.AUTHORITY)
JUDGE: Final = (Actor.JUDGE,)
AUTHORITY: Final = (Actor.AUTHORITY,)
COURT_STAFF: Final = (Actor.JUDGE, Actor.CLERK)


def make(
    condition_id: str,
    text: str,
    citation: str,
    satisfied_by: tuple[Actor, ...],
    confidence: Confidence,
    **values: ParamValue,
) -> Condition:
    spec = CATALOGUE[condition_id]
    return Condition(
        condition_id,
        text,
        citation,
        spec.stage,
        satisfied_by,
        confidence,
        params(**values),
        _ORDER[condition_id],
    )


_STAGES = (Stage.BEFORE, Stage.DURING, Stage.AFTER)
_ORDER: Final = {
    key: _STAGES.index(spec.stage) * 1000 + index
    for index, spec in enumerate(CATALOGUE.values())
    for key in (spec.id,)
}
