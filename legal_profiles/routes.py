"""What a route is, and the route shared by both kinds of proceedings: no treaty at all.

A route is one legal basis on which a requesting court may hear a person in the requested state.
Its `Outcome` holds the regimes, the conditions it imposes, and the reasons that bar it or send it
to manual review. `civil.py` and `criminal.py` list the routes in order of precedence (research B0).
Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from legal_profiles import provisions as pv
from legal_profiles.compiled import Compiled
from legal_profiles.decision import (
    Condition,
    Consent,
    Offence,
    Proceeding,
    Reason,
    Regime,
    Role,
    Status,
)
from legal_profiles.model import UNKNOWN, Fact
from legal_profiles.reasons import rule_reason


@dataclass(frozen=True, slots=True)
class Query:
    a: Compiled  # requesting state
    b: Compiled  # requested state
    proceeding: Proceeding
    role: Role  # as the instruments see it: a victim in criminal proceedings is a witness
    consent: Consent
    day: date | None
    person: Role  # as the hearing sees it: who, in the room, gives consent
    offence: Offence | None = None  # criminal only; None: not given


@dataclass(slots=True)
class Outcome:
    regimes: tuple[Regime, ...]
    conditions: list[Condition] = field(default_factory=list)
    barred: list[Reason] = field(default_factory=list)
    unknown: list[Reason] = field(default_factory=list)
    # The requested state accepts a request on this route, which is its permission.
    accepted_by_requested_state: bool = True
    # Whether the instrument applies between the two states turns on an unknown fact.
    pending: bool = False

    @property
    def status(self) -> Status:
        if self.barred:
            return Status.BARRED
        if self.unknown:
            return Status.UNKNOWN
        return Status.CONDITIONAL if self.conditions else Status.ALLOWED

    def need(self, *conditions: Condition | None) -> None:
        self.conditions.extend(cond for cond in conditions if cond is not None)


Getter = Callable[[Compiled], Fact[Any]]
NO_REASONS: tuple[Reason, ...] = ()
TREATY_QUESTION = {
    "eu_reg_2020_1783": "Whether Reg (EU) 2020/1783 applies",
    "eio": "Whether the EIO Directive binds it",
    "eu_mla_2000": "Party status under the EU MLA Convention 2000",
    "coe_2ap": "Party status under ETS 182",
    "hague": "Party status under the HCCH 1970 Convention",
    "untoc": "Party status under UNTOC",
    "uncac": "Party status under UNCAC",
}


def both(q: Query, key: str) -> tuple[bool | None, tuple[Reason, ...]]:
    """Whether a treaty binds both states: False if either is known not to be bound, None (with
    the reasons) if that turns on an unknown fact."""
    fa, fb = q.a.treaty[key], q.b.treaty[key]
    va = fa.value if fa.since is None else fa.on(q.day)
    vb = fb.value if fb.since is None else fb.on(q.day)
    if va is False or vb is False:
        return False, NO_REASONS
    if va is True and vb is True:
        return True, NO_REASONS
    question = TREATY_QUESTION[key]
    pairs = ((q.a, fa, va), (q.b, fb, vb))
    return None, tuple(
        state.unknown(fact, question) for state, fact, value in pairs if value is UNKNOWN
    )


def pending(regime: Regime, reasons: tuple[Reason, ...], route: Outcome | None = None) -> Outcome:
    """A route whose instrument may or may not apply. Given the route as it would be if it
    applied: if its known facts bar it, it stays barred (it gives no basis either way); else it
    is unknown, with the unknown facts it would turn on too, and no conditions (they are the
    instrument's, which may not apply)."""
    if route is not None and route.barred:
        route.unknown.extend(reasons)
        route.pending = True
        return route
    unknown = [*reasons, *route.unknown] if route is not None else list(reasons)
    return Outcome((regime,), unknown=unknown, pending=True)


def exclusive_pending(
    regime: Regime, reasons: tuple[Reason, ...], route: Outcome, alternatives: list[Outcome]
) -> list[Outcome]:
    """An exclusive instrument (Reg 2020/1783, the EIO) whose reach is unknown excludes the rest
    where it applies: its unknown is never bypassed, unless the case is barred whichever way
    that fact goes."""
    if route.barred and all(other.barred for other in alternatives):
        return [pending(regime, reasons, route), *alternatives]
    return [pending(regime, reasons, None if route.barred else route)]


def unilateral_route(q: Query) -> Outcome:
    b, p = q.b, q.proceeding.value
    fact = b.inc.unilateral.civil if q.proceeding is Proceeding.CIVIL else b.inc.unilateral.criminal
    rule = fact.on(q.day)
    out = Outcome(
        (b.unilateral_regime[p],), accepted_by_requested_state=rule == "permission_required"
    )
    if rule == "prohibited":
        out.barred.append(
            rule_reason(
                b.iso2,
                "unilateral.prohibited",
                f"{b.iso2} does not allow a foreign court to take evidence on its territory without"
                f" the approval of its competent authorities ({fact.note or 'see citation'}).",
                fact,
            )
        )
    elif rule is UNKNOWN:
        out.unknown.append(
            b.unknown(fact, f"Whether a foreign court may hear a person there ({p}, no treaty)")
        )
    if q.consent is Consent.NO:
        out.barred.append(
            Reason(
                b.iso2,
                "unilateral.voluntary_only",
                "Without a request to the requested state no coercion is available, and the person"
                " does not consent.",
                pv.NO_COERCION_CITATION,
                "V",
            )
        )
    if q.person is Role.ACCUSED and not out.barred:
        # A rule on foreign courts hearing willing persons says nothing of the accused, whose
        # rights no request secures here (research: legal-facts-world.md (b) 9, (f) 4).
        out.unknown.append(
            Reason(
                b.iso2,
                "unilateral.accused_not_covered",
                f"No {b.iso2} rule is recorded that lets a foreign court hear an accused person on"
                " its territory without a request; the no-treaty route does not serve an accused"
                " without one: manual legal review.",
                fact.citation(),
                "U",
            )
        )
    # A willing person: where consent is not yet given, they are told it is voluntary.
    voluntary = pv.UNILATERAL_VOLUNTARY if q.consent is Consent.UNKNOWN else None
    out.need(*b.unilateral_conditions[p], voluntary)
    return out
