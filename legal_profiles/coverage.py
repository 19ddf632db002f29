"""How much the profiles let the engine decide: `vc-service legal coverage` (issue 11, point 6).

For every ordered pair of profiled states and every case (a proceeding and a role the engine
covers), one check under a stated scope (consent, offence, date); the decisions are tallied per
case, over all pairs and over the criminal-witness checks between European profiles.

Which unknown facts matter most (the heuristic, also stated in the report and in
docs/legal-profiles.md): an `unknown` decision cites, among its reasons, every unknown fact it
turns on (`unknown.<field path>`, with the state it belongs to). A fact "decides" the decisions
that cite it; facts are ranked by that count. Sourcing a fact does not by itself settle all of
them (a decision may cite several facts, and a sourced value may still leave a route unknown), so
the report also gives `sole`: the decisions in which it is the only unknown fact cited.

Pure: takes a `ProfileSet`, returns a `Coverage`; the CLI formats it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from legal_profiles.decision import Consent, Offence, Proceeding, Role, Status
from legal_profiles.engine import check
from legal_profiles.errors import LegalInputError
from legal_profiles.loader import ProfileSet

# The roles the engine covers per proceeding. A victim in civil and a party in criminal
# proceedings are accepted but always `unknown` (`role.not_covered`: no encoded instrument
# addresses them), whatever the profiles say, so counting them would only measure the engine.
CASES: Final[tuple[tuple[Proceeding, Role], ...]] = (
    (Proceeding.CIVIL, Role.WITNESS),
    (Proceeding.CIVIL, Role.EXPERT),
    (Proceeding.CIVIL, Role.PARTY),
    (Proceeding.CRIMINAL, Role.WITNESS),
    (Proceeding.CRIMINAL, Role.EXPERT),
    (Proceeding.CRIMINAL, Role.VICTIM),
    (Proceeding.CRIMINAL, Role.ACCUSED),
)
NOT_COUNTED: Final = ((Proceeding.CIVIL, Role.VICTIM), (Proceeding.CRIMINAL, Role.PARTY))

# "European profiles": states of the UN geoscheme's Europe region, and Cyprus (an EU member state).
EUROPE: Final = frozenset(
    """
    AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT
    LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA
    """.split()  # noqa: SIM905 - a word list reads better than quoted strings
)
TOP_FACTS: Final = 20
HEURISTIC: Final = (
    "A fact decides the unknown decisions whose reasons cite it (unknown.<field path> of that"
    " state); facts are ranked by how many it decides. `sole`: of those, the decisions in which it"
    " is the only unknown fact cited (a decision citing several facts needs all of them)."
)
_ORDER = (Status.ALLOWED, Status.CONDITIONAL, Status.BARRED, Status.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many checks gave each decision."""

    allowed: int = 0
    conditional: int = 0
    barred: int = 0
    unknown: int = 0

    @classmethod
    def of(cls, statuses: Iterable[Status]) -> Tally:
        counts = Counter(statuses)
        return cls(*(counts[status] for status in _ORDER))

    @property
    def total(self) -> int:
        return self.allowed + self.conditional + self.barred + self.unknown

    @property
    def unknown_share(self) -> float:
        """The share of `unknown` (0.0 when nothing was counted)."""
        return self.unknown / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "conditional": self.conditional,
            "barred": self.barred,
            "unknown": self.unknown,
            "total": self.total,
            "unknown_share": round(self.unknown_share, 4),
        }


@dataclass(frozen=True, slots=True)
class CaseTally:
    proceeding: Proceeding
    role: Role
    tally: Tally


@dataclass(frozen=True, slots=True)
class PairRow:
    """The decisions for one ordered pair, one per case in `CASES` order."""

    requesting: str
    requested: str
    decisions: tuple[Status, ...]


@dataclass(frozen=True, slots=True)
class UnknownFact:
    """An unknown fact of a state and the unknown decisions that cite it."""

    state: str
    field: str
    decisions: int  # unknown decisions whose reasons cite it
    pairs: int  # distinct ordered pairs among them
    sole: int  # decisions in which it is the only unknown fact cited


@dataclass(frozen=True, slots=True)
class Coverage:
    states: tuple[str, ...]
    consent: Consent
    offence: Offence | None
    hearing_date: date | None
    cases: tuple[CaseTally, ...]
    total: Tally
    europe_states: tuple[str, ...]  # the profiled European states
    europe_criminal_witness: Tally  # criminal witness, both states European
    pairs: tuple[PairRow, ...]
    top_unknown: tuple[UnknownFact, ...]
    unknown_facts: int  # distinct unknown facts cited by any decision

    def by_proceeding(self, proceeding: Proceeding) -> Tally:
        rows = [case.tally for case in self.cases if case.proceeding is proceeding]
        return Tally(*(sum(getattr(t, s.value) for t in rows) for s in _ORDER))

    def scope(self) -> str:
        """What the counts are counted under, in words."""
        offence = self.offence.value if self.offence else "not given"
        when = (
            f"hearing on {self.hearing_date.isoformat()}"
            if self.hearing_date
            else "the law as currently encoded (no date)"
        )
        return f"consent {self.consent.value}, offence {offence} (criminal), {when}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "states": list(self.states),
            "scope": {
                "consent": self.consent.value,
                "offence": self.offence.value if self.offence else None,
                "date": self.hearing_date.isoformat() if self.hearing_date else None,
            },
            "cases": [
                {"proceeding": c.proceeding.value, "role": c.role.value, **c.tally.to_dict()}
                for c in self.cases
            ],
            "not_counted": [{"proceeding": p.value, "role": r.value} for p, r in NOT_COUNTED],
            "total": self.total.to_dict(),
            "europe_states": list(self.europe_states),
            "europe_criminal_witness": self.europe_criminal_witness.to_dict(),
            "heuristic": HEURISTIC,
            "unknown_facts": self.unknown_facts,
            "top_unknown": [
                {
                    "state": f.state,
                    "field": f.field,
                    "decisions": f.decisions,
                    "pairs": f.pairs,
                    "sole": f.sole,
                }
                for f in self.top_unknown
            ],
            "pairs": [
                {
                    "requesting": row.requesting,
                    "requested": row.requested,
                    "decisions": {
                        f"{p.value}/{r.value}": status.value
                        for (p, r), status in zip(CASES, row.decisions, strict=True)
                    },
                }
                for row in self.pairs
            ],
        }


def _scope(consent: str | Consent, offence: str | Offence | None) -> tuple[Consent, Offence | None]:
    try:
        agreed = Consent(consent)
    except ValueError:
        raise LegalInputError(
            "legal.bad_consent",
            f"consent must be one of yes, no, unknown, got {consent!r}",
            {"field": "consent"},
        ) from None
    if offence is None:
        return agreed, None
    try:
        return agreed, Offence(offence)
    except ValueError:
        raise LegalInputError(
            "legal.bad_offence",
            f"offence must be one of {', '.join(o.value for o in Offence)}, got {offence!r}",
            {"field": "offence"},
        ) from None


def coverage(
    profiles: ProfileSet,
    consent: str | Consent = Consent.UNKNOWN,
    offence: str | Offence | None = None,
    hearing_date: date | None = None,
    *,
    top: int = TOP_FACTS,
) -> Coverage:
    """Check every ordered pair of `profiles` in every case of `CASES` under one scope.

    `offence` applies to the criminal cases only (civil proceedings have none)."""
    agreed, scope = _scope(consent, offence)
    codes = profiles.codes()
    per_case: list[list[Status]] = [[] for _ in CASES]
    europe: list[Status] = []
    witness = CASES.index((Proceeding.CRIMINAL, Role.WITNESS))
    rows: list[PairRow] = []
    cited: Counter[tuple[str, str]] = Counter()
    sole: Counter[tuple[str, str]] = Counter()
    cited_pairs: defaultdict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for a in codes:
        for b in codes:
            if a == b:
                continue
            statuses: list[Status] = []
            for index, (proceeding, role) in enumerate(CASES):
                decision = check(
                    profiles,
                    a,
                    b,
                    proceeding,
                    role,
                    agreed,
                    hearing_date,
                    offence=scope if proceeding is Proceeding.CRIMINAL else None,
                )
                status = decision.decision
                statuses.append(status)
                per_case[index].append(status)
                if status is not Status.UNKNOWN:
                    continue
                facts = {
                    (reason.state, reason.rule.removeprefix("unknown."))
                    for reason in decision.reasons
                    if reason.rule.startswith("unknown.")
                }
                cited.update(facts)
                for fact in facts:
                    cited_pairs[fact].add((a, b))
                if len(facts) == 1:
                    sole.update(facts)
            if a in EUROPE and b in EUROPE:
                europe.append(statuses[witness])
            rows.append(PairRow(a, b, tuple(statuses)))
    ranked = sorted(cited, key=lambda fact: (-cited[fact], -len(cited_pairs[fact]), fact))
    case_tallies = tuple(
        CaseTally(p, r, Tally.of(statuses))
        for (p, r), statuses in zip(CASES, per_case, strict=True)
    )
    return Coverage(
        states=codes,
        consent=agreed,
        offence=scope,
        hearing_date=hearing_date,
        cases=case_tallies,
        total=Tally.of(status for statuses in per_case for status in statuses),
        europe_states=tuple(code for code in codes if code in EUROPE),
        europe_criminal_witness=Tally.of(europe),
        pairs=tuple(rows),
        top_unknown=tuple(
            UnknownFact(
                state,
                field,
                cited[(state, field)],
                len(cited_pairs[(state, field)]),
                sole[(state, field)],
            )
            for state, field in ranked[:top]
        ),
        unknown_facts=len(cited),
    )
