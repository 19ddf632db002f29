"""Civil routes (research B0 steps 1, 4 and 6): Reg (EU) 2020/1783 between EU states other than
Denmark, which then excludes the rest; otherwise HCCH 1970 Chapter II where both states are
parties, and the no-treaty route. The product's hearing is the requesting court hearing the person
itself (direct taking); where only a request to the requested court remains, the reason says so.
"""

from __future__ import annotations

from legal_profiles import provisions as pv
from legal_profiles import regimes as r
from legal_profiles.decision import Consent, Reason, Regime, Role
from legal_profiles.model import UNKNOWN
from legal_profiles.reasons import rule_reason
from legal_profiles.routes import (
    NO_REASONS,
    Outcome,
    Query,
    both,
    exclusive_pending,
    pending,
    unilateral_route,
)


def civil_routes(q: Query) -> list[Outcome]:
    applies, why = both(q, "eu_reg_2020_1783")
    if applies is True:
        return [eu_reg_route(q)]
    if applies is None:
        return exclusive_pending(r.EU_REG_1783, why, eu_reg_route(q), _alternatives(q))
    return _alternatives(q)


def _alternatives(q: Query) -> list[Outcome]:
    routes: list[Outcome] = []
    hague, why = hague_in_force(q)
    if hague is True:
        routes.append(hague_route(q))
    elif hague is None:
        routes.append(pending(r.HAGUE_1970, why, hague_route(q)))
    routes.append(unilateral_route(q))
    return routes


def hague_in_force(q: Query) -> tuple[bool | None, tuple[Reason, ...]]:
    """Whether the Evidence Convention is in force between the two states on the hearing date.

    Both must be parties. Between states that joined by ratification or succession it is in
    force (from the later entry into force); an accession has effect only between the acceding
    state and the states that accepted it (Art 39(4)), which a per-pair record says."""
    party, why = both(q, "hague")
    if party is not True:
        return party, why
    for state in (q.a, q.b):
        start = state.t.hague.in_force.value
        if q.day is not None and start is not UNKNOWN and q.day < start:
            return False, NO_REASONS
    record = q.a.hague_relations.get(q.b.iso2) or q.b.hague_relations.get(q.a.iso2)
    relation = record.on(q.day) if record is not None else UNKNOWN
    if relation is not UNKNOWN:
        if relation.status == "not_accepted":
            return False, NO_REASONS
        since = relation.in_force_from
        return not (q.day is not None and since is not None and q.day < since), NO_REASONS
    ways = (q.a.t.hague.joined.on(q.day), q.b.t.hague.joined.on(q.day))
    if all(way in _WITHOUT_ACCEPTANCE for way in ways):
        return True, NO_REASONS
    return None, (q.a.hague_pair_unknown(q.b),)


# Joining by these binds the state towards every other state that joined by them.
_WITHOUT_ACCEPTANCE = ("ratification", "succession")


def eu_reg_route(q: Query) -> Outcome:
    b, civ = q.b, q.b.inc.civil
    regimes: tuple[Regime, ...] = (r.EU_REG_1783,)
    art5 = q.role is Role.PARTY and (q.day is None or q.day >= r.REG_2844_FROM)
    art5 = art5 and all(s.t.eu_reg_2023_2844.value is True for s in (q.a, q.b))
    if art5:
        regimes += (r.EU_REG_2844_ART5,)
    # Reg 2023/2844 Art 5: the party takes part by video at the forum's decision; no request to
    # the requested state's central body (Reg 2020/1783 Art 19), so that state has not accepted.
    out = Outcome(regimes, accepted_by_requested_state=not art5)
    if civ.direct_taking.value == "no":
        out.barred.append(
            rule_reason(
                b.iso2, "civil.direct_taking", f"{b.iso2} refuses direct taking.", civ.direct_taking
            )
        )
    persons = civ.persons.value
    if persons is not UNKNOWN and q.role.value not in persons:
        out.barred.append(
            rule_reason(
                b.iso2,
                "civil.persons",
                f"In {b.iso2} a {q.role.value} cannot be examined by video.",
                civ.persons,
            )
        )
    if q.consent is Consent.NO:
        out.barred.append(
            Reason(
                b.iso2,
                "eu1783.voluntary_only",
                "Direct taking is possible only on a voluntary basis and the person does not"
                " consent. The remaining route is a request to the requested court to take the"
                " evidence (Arts 12-14), where coercion is available under its law.",
                f"Reg (EU) 2020/1783 Art 19(2); {r.REG_1783_ART19_URL}",
                "V",
            )
        )
    out.need(
        None if art5 else pv.REG_ACCEPTED,
        None if art5 else b.civil_invitation,
        b.civil_scope,
        b.civil_venue,
        pv.REG_VOLUNTARY,
        b.civil_identity,
        b.refusal[pv.REG_REFUSAL.citation],
        pv.REG_INTERPRETER,
        b.civil_oath,
        pv.PARTY_RECORDING if art5 else None,
    )
    return out


def hague_route(q: Query) -> Outcome:
    b, hague = q.b, q.b.t.hague
    rule = hague.ch2_vc.on(q.day)
    out = Outcome((r.HAGUE_1970,), accepted_by_requested_state=rule == "permission_required")
    if rule == "excluded":
        excluded = hague.art33_exclusions.value
        detail = "; ".join(excluded) if excluded is not UNKNOWN else "Chapter II"
        out.barred.append(
            rule_reason(
                b.iso2,
                "hague.art33_exclusion",
                f"{b.iso2} excluded taking evidence by commissioners under Chapter II (Art 33"
                f" declaration: {detail}), so the requesting court cannot hear the person directly."
                " The remaining route is a Letter of Request executed by a court of the requested"
                " state (Chapter I).",
                hague.ch2_vc,
            )
        )
    elif rule is UNKNOWN:
        out.unknown.append(
            b.unknown(hague.ch2_vc, "How a person may be heard directly by video under Chapter II")
        )
    if q.consent is Consent.NO:
        art18 = hague.art18_compulsion
        if art18.value is False:
            out.barred.append(
                Reason(
                    b.iso2,
                    "hague.not_compelled",
                    f"Under Chapter II the person is not compelled (Art 21(c)) and {b.iso2} made no"
                    " Art 18 declaration allowing compulsion; the person does not consent.",
                    f"HCCH 1970 Arts 18, 21(c); {r.HAGUE_ART21_URL}; {art18.citation()}",
                    "V",
                )
            )
        elif art18.value is True:
            out.unknown.append(
                Reason(
                    b.iso2,
                    "hague.art18_conditions",
                    f"{b.iso2} allows compulsion assistance under Art 18, but the conditions of its"
                    " declaration are not encoded: manual legal review.",
                    art18.citation(),
                    "U",
                )
            )
        else:
            out.unknown.append(b.unknown(art18, "Whether Art 18 compulsion assistance exists"))
    out.need(
        *b.hague_conditions,
        pv.HAGUE_VOLUNTARY if q.consent is not Consent.NO else None,
        pv.HAGUE_REPRESENTATION,
        b.refusal[pv.HAGUE_REFUSAL.citation],
        pv.HAGUE_OATH,
    )
    return out
