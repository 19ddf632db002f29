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
from legal_profiles.routes import Outcome, Query, both, pending, unilateral_route


def civil_routes(q: Query) -> list[Outcome]:
    applies, why = both(q, "eu_reg_2020_1783")
    if applies is True:
        return [eu_reg_route(q)]
    if applies is None:
        return [pending(r.EU_REG_1783, why)]
    routes: list[Outcome] = []
    hague, why = both(q, "hague")
    if hague is True and not _before_hague(q):
        routes.append(hague_route(q))
    elif hague is None:
        routes.append(pending(r.HAGUE_1970, why))
    routes.append(unilateral_route(q))
    return routes


def _before_hague(q: Query) -> bool:
    for state in (q.a, q.b):
        start = state.t.hague.in_force.value
        if q.day is not None and start is not UNKNOWN and q.day < start:
            return True
    return False


def eu_reg_route(q: Query) -> Outcome:
    b, civ = q.b, q.b.inc.civil
    regimes: tuple[Regime, ...] = (r.EU_REG_1783,)
    art5 = q.role is Role.PARTY and (q.day is None or q.day >= r.REG_2844_FROM)
    art5 = art5 and all(s.t.eu_reg_2023_2844.value is True for s in (q.a, q.b))
    if art5:
        regimes += (r.EU_REG_2844_ART5,)
    out = Outcome(regimes)
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
        pv.REG_ACCEPTED,
        b.civil_invitation,
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
