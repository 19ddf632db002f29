"""Criminal routes (research B0 steps 2, 3, 5 and 6): the EIO between states bound by it, which then
excludes the rest; otherwise, as alternative legal bases, the EU MLA Convention 2000, ETS 182,
the EU-US Agreement, UNTOC and UNCAC, the requested state's national assistance law, and the
no-treaty route. A victim is heard as a witness (the instruments speak of witnesses and experts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from legal_profiles import provisions as pv
from legal_profiles import regimes as r
from legal_profiles.compiled import Compiled
from legal_profiles.decision import Condition, Consent, Offence, Reason, Regime, Role
from legal_profiles.model import UNKNOWN, Fact
from legal_profiles.reasons import known_confidence, rule_reason
from legal_profiles.routes import Outcome, Query, both, exclusive_pending, pending, unilateral_route

_WITNESSES = (Role.WITNESS, Role.EXPERT)


def criminal_routes(q: Query) -> list[Outcome]:
    eio, why = both(q, "eio")
    if eio is True:
        return [eio_route(q)]
    if eio is None:
        return exclusive_pending(r.EIO, why, eio_route(q), _alternatives(q))
    return _alternatives(q)


def _alternatives(q: Query) -> list[Outcome]:
    """The alternative legal bases outside the EIO, in order of precedence."""
    routes: list[Outcome] = []
    for regime, key, conds in ((r.EU_MLA_2000, "eu_mla_2000", _MLA), (r.COE_2AP, "coe_2ap", _ETS)):
        applies, why = both(q, key)
        if applies is True:
            routes.append(mla_route(q, regime, conds))
        elif applies is None:
            routes.append(pending(regime, why, mla_route(q, regime, conds)))
    if q.role in _WITNESSES:
        bilateral = _eu_us(q)
        if bilateral is not None:
            routes.append(bilateral)
        for regime, key, scope, un_conds in _UN:
            if q.offence is not None and q.offence is not scope:
                continue  # the offence is outside the convention (UNTOC Art 3, UNCAC Art 3)
            applies, why = both(q, key)
            if applies is True:
                routes.append(_un_route(q, regime, scope, un_conds))
            elif applies is None:
                routes.append(pending(regime, why, _un_route(q, regime, scope, un_conds)))
    national = national_route(q)
    if q.role is Role.ACCUSED:
        _carry_treaty_safeguards(q, routes, national)
    routes.append(national)
    routes.append(unilateral_route(q))
    return routes


_UN = (
    (r.UNTOC, "untoc", Offence.ORGANIZED_CRIME, pv.UNTOC_CONDITIONS),
    (r.UNCAC, "uncac", Offence.CORRUPTION, pv.UNCAC_CONDITIONS),
)


def _un_route(q: Query, regime: Regime, scope: Offence, un_conds: tuple[Condition, ...]) -> Outcome:
    """UNTOC Art 18(18) / UNCAC Art 46(18): a witness or expert, for an offence within it."""
    route = Outcome((regime,))
    _witness_consent(q, route)
    if q.offence is scope:
        un_conds = un_conds[1:]  # the scope condition: the question says it is met
    route.need(*un_conds, q.b.criminal_oath)
    return route


# The safeguards an instrument gives an accused heard by video: consent, and the reminder of
# procedural rights (with counsel's private channel, which every accused route adds).
_ACCUSED_SAFEGUARDS = {
    r.EU_MLA_2000.id: (
        f"EU MLA Convention 2000 Art 10(9); {r.MLA_2000_URL}",
        pv.MLA_ACCUSED_PROCEDURAL,
    ),
    r.COE_2AP.id: (f"ETS 182 Art 9(8)-(9); {r.ETS_182_ART9_9_URL}", pv.ETS_ACCUSED_PROCEDURAL),
}


def _carry_treaty_safeguards(q: Query, treaties: list[Outcome], fallback: Outcome) -> None:
    """A treaty route for the accused that may apply is not bypassed by the national route
    without its safeguards: the national route then carries them, or, where the accused refuses
    consent, it cannot and the answer is unknown (research: legal-facts-europe.md, "Fallback
    hides an unknown treaty route")."""
    if fallback.barred or fallback.unknown:
        return
    open_routes = [route for route in treaties if route.pending or route.unknown]
    if not open_routes:
        return
    ids = [route.regimes[0].id for route in open_routes]
    if q.consent is Consent.NO:
        fallback.unknown.append(
            Reason(
                q.b.iso2,
                "accused.treaty_safeguards",
                f"A treaty that may govern this hearing ({', '.join(ids)}) hears an accused by"
                " video only with the accused's consent, which is refused; the national route"
                " cannot stand in for it: manual legal review.",
                " | ".join(_ACCUSED_SAFEGUARDS[regime][0] for regime in ids),
                "K",
            )
        )
        return
    for regime in ids:
        citation, procedural = _ACCUSED_SAFEGUARDS[regime]
        fallback.need(
            q.b.consent(Role.ACCUSED, f"{regime}.accused_consent", citation, "K"),
            procedural,
            pv.PRIVATE_CHANNEL,
        )


def _mla_excludes(s: Compiled) -> tuple[Fact[Any], Fact[Any]]:
    return s.t.eu_mla_2000.art10_9_excludes_accused, s.t.eu_mla_2000.art10_9_scope


def _ets_excludes(s: Compiled) -> tuple[Fact[Any], Fact[Any]]:
    return s.t.coe_2ap.art9_9_excludes_accused, s.t.coe_2ap.art9_9_scope


def _witness_consent(q: Query, out: Outcome) -> None:
    """Whether the requested state makes a witness's consent a condition (DE: yes, revocable)."""
    b = q.b
    fact = b.inc.criminal.witness_consent_required
    if fact.value is True:
        if q.consent is Consent.NO:
            out.barred.append(
                rule_reason(
                    b.iso2,
                    "national.witness_consent",
                    f"{b.iso2} hears a witness by video only with the witness's consent, which is"
                    " refused.",
                    fact,
                )
            )
        else:
            out.need(b.consent(q.person, "national.witness_consent", fact, "V"))
    elif fact.value is UNKNOWN:
        if q.consent is Consent.NO:
            out.unknown.append(b.unknown(fact, "Whether a witness's consent is needed"))
        else:
            out.need(b.consent(q.person, "unknown", fact, "K"))


def _accused_consent(
    q: Query, out: Outcome, rule: str, text: str, citation: str, conf: str
) -> None:
    if q.consent is Consent.NO:
        out.barred.append(Reason(q.b.iso2, rule, text, citation, "K" if conf == "K" else "V"))
    else:
        out.need(q.b.consent(Role.ACCUSED, rule, citation, "K" if conf == "K" else "V"))


def eio_route(q: Query) -> Outcome:
    b = q.b
    out = Outcome((r.EIO,))
    if q.role is Role.ACCUSED:
        _accused_consent(
            q,
            out,
            "eio.accused_consent",
            "The executing state refuses a hearing of a suspected or accused person by video if"
            " that person does not consent (Art 24(2)(a)).",
            f"Dir 2014/41/EU Art 24(2)(a); {r.EIO_URL}",
            "V",
        )
        _national_accused_bar(q, out)
        out.need(
            b.eio_accepted,
            b.reasons_required.get(q.role),
            pv.EIO_PROTECTION,
            pv.EIO_ACCUSED_INFORMED,
            pv.EIO_PRESENT,
            pv.EIO_INTERVENE,
            pv.EIO_IDENTITY,
            pv.EIO_ACCUSED_PROCEDURAL,
            pv.PRIVATE_CHANNEL,
            pv.EIO_INTERPRETER,
            b.criminal_oath,
            pv.EIO_MINUTES,
        )
        return out
    _witness_consent(q, out)
    out.need(
        b.eio_accepted,
        b.reasons_required.get(q.role),
        pv.EIO_PROTECTION,
        pv.EIO_PRESENT,
        pv.EIO_INTERVENE,
        pv.EIO_IDENTITY,
        b.refusal[pv.EIO_REFUSAL.citation],
        pv.EIO_INTERPRETER,
        b.criminal_oath,
        pv.EIO_MINUTES,
    )
    return out


def _national_accused_bar(q: Query, out: Outcome) -> None:
    fact = q.b.inc.criminal.accused_vc
    if fact.value == "no":
        out.barred.append(
            rule_reason(
                q.b.iso2,
                "national.accused_vc",
                f"{q.b.iso2} does not hear suspected or accused persons by video for foreign"
                " proceedings.",
                fact,
            )
        )


# Per instrument: reasons, acceptance, protection, presence, intervention, identity, refusal
# rights, interpreter, minutes, the accused's rights reminder, and the accused article.
_MLA = (
    pv.MLA_REASONS,
    pv.MLA_ACCEPTED,
    pv.MLA_PROTECTION,
    pv.MLA_PRESENT,
    pv.MLA_INTERVENE,
    pv.MLA_IDENTITY,
    pv.MLA_REFUSAL,
    pv.MLA_INTERPRETER,
    pv.MLA_MINUTES,
    pv.MLA_ACCUSED_PROCEDURAL,
)
_ETS = (
    pv.ETS_REASONS,
    pv.ETS_ACCEPTED,
    pv.ETS_PROTECTION,
    pv.ETS_PRESENT,
    pv.ETS_INTERVENE,
    pv.ETS_IDENTITY,
    pv.ETS_REFUSAL,
    pv.ETS_INTERPRETER,
    pv.ETS_MINUTES,
    pv.ETS_ACCUSED_PROCEDURAL,
)


def mla_route(q: Query, regime: Regime, conds: tuple[Condition, ...]) -> Outcome:
    """EU MLA Convention 2000 Art 10 and ETS 182 Art 9: same structure (research C36-C42)."""
    b = q.b
    reasons, accepted, protection, present, intervene, identity, refusal = conds[:7]
    interpreter, minutes, accused_procedural = conds[7:]
    out = Outcome((regime,))
    if q.role is Role.ACCUSED:
        excludes: Callable[[Compiled], tuple[Fact[Any], Fact[Any]]]
        if regime is r.EU_MLA_2000:
            article, url = "EU MLA Convention 2000 Art 10(9)", r.MLA_2000_URL
            excludes = _mla_excludes
        else:
            article, url = "ETS 182 Art 9(8)-(9)", r.ETS_182_ART9_9_URL
            excludes = _ets_excludes
        _accused_consent(
            q,
            out,
            f"{regime.id}.accused_consent",
            "A hearing of the accused by video needs the accused's consent, which is refused.",
            f"{article}; {url}",
            "K",
        )
        for state in (q.a, q.b):
            fact, scope_fact = excludes(state)
            scope = scope_fact.on(q.day)
            if state is q.a and scope == "requests_to_this_state":
                continue  # its declaration speaks only of requests made to it
            value = fact.on(q.day)
            if value is True:
                text = (
                    f"{state.iso2} declared that it does not apply the videoconference provisions"
                    " to hearings of the accused"
                )
                citation = fact.citation()
                if scope is UNKNOWN and state is q.a:
                    text += (
                        "; whether the declaration speaks only of requests made to it is not"
                        " recorded, so it is applied to its own requests too, to be safe"
                    )
                    citation += f"; scope: {scope_fact.citation()}"
                out.barred.append(
                    Reason(
                        state.iso2,
                        f"{regime.id}.accused_excluded",
                        text + ".",
                        citation,
                        known_confidence(fact) if scope is not UNKNOWN or state is q.b else "U",
                    )
                )
            elif value is UNKNOWN:
                out.unknown.append(
                    state.unknown(fact, "Whether it declared not to hear accused persons by video")
                )
        _national_accused_bar(q, out)
        out.need(
            reasons,
            accepted,
            protection,
            present,
            intervene,
            identity,
            accused_procedural,
            pv.PRIVATE_CHANNEL,
            interpreter,
            b.criminal_oath,
            minutes,
        )
        return out
    _witness_consent(q, out)
    out.need(
        reasons,
        b.reasons_required.get(q.role),
        accepted,
        protection,
        present,
        intervene,
        identity,
        b.refusal[refusal.citation],
        interpreter,
        b.criminal_oath,
        minutes,
    )
    return out


def _eu_us(q: Query) -> Outcome | None:
    key_a = (q.b.iso2, "eu_us_mla_2003")
    key_b = (q.a.iso2, "eu_us_mla_2003")
    if key_a not in q.a.bilateral or key_b not in q.b.bilateral:
        return None
    record = q.b.bilateral[key_b].value
    if record is UNKNOWN or q.role.value not in record.roles:
        return None
    out = Outcome((r.EU_US_MLA,))
    _witness_consent(q, out)
    out.need(pv.EU_US_ACCEPTED, q.b.reasons_required.get(q.role), q.b.criminal_oath)
    return out


def national_route(q: Query) -> Outcome:
    b, crim = q.b, q.b.inc.criminal
    fact = crim.national_assistance
    out = Outcome((b.national_regime,))
    value = fact.on(q.day)
    if value == "no":
        out.barred.append(
            rule_reason(
                b.iso2,
                "national.treaty_required",
                f"{b.iso2} hears a person by video for foreign criminal proceedings only on a"
                f" treaty basis ({fact.note or 'see citation'}).",
                fact,
            )
        )
        return out
    if value is UNKNOWN:
        out.unknown.append(
            b.unknown(fact, "Whether its national law provides video hearings on a foreign request")
        )
        return out
    if crim.treaty_required.on(q.day) is True:
        _needs_treaty(q, out)
    roles = crim.national_assistance_roles.value
    if roles is UNKNOWN:
        out.unknown.append(b.unknown(crim.national_assistance_roles, "Who its national law covers"))
    elif q.role.value not in roles:
        out.unknown.append(
            Reason(
                b.iso2,
                "national.role_not_covered",
                f"The {b.iso2} law as encoded covers {', '.join(roles)}, not a {q.role.value}:"
                " manual legal review.",
                crim.national_assistance_roles.citation(),
                "U",
            )
        )
    if q.role is Role.ACCUSED:
        compellable = crim.accused_compellable
        if compellable.value is False:
            _accused_consent(
                q,
                out,
                "national.accused_not_compellable",
                f"Under {b.iso2} law the accused is competent but not compellable, and does not"
                " consent.",
                compellable.citation(),
                compellable.confidence,
            )
        elif compellable.value is UNKNOWN:
            if q.consent is Consent.NO:
                out.unknown.append(b.unknown(compellable, "Whether the accused is compellable"))
            else:
                out.need(b.consent(Role.ACCUSED, "unknown", compellable, "K"))
    else:
        _witness_consent(q, out)
    out.need(
        *b.national_conditions, b.reasons_required.get(q.role), b.national_refusal, b.criminal_oath
    )
    return out


def _needs_treaty(q: Query, out: Outcome) -> None:
    """The requested state assists only on a request presented under an agreement (CA MLACMA
    s2): its national route stands only on a treaty relation with the requesting state."""
    b, fact = q.b, q.b.inc.criminal.treaty_required
    related, why, scope = _treaty_relation(q)
    if related is True:
        out.need(scope)
    elif related is False:
        out.barred.append(
            rule_reason(
                b.iso2,
                "national.treaty_required",
                f"{b.iso2} assists foreign criminal proceedings only on a request presented under"
                f" an agreement, and none is recorded with {q.a.iso2}"
                f" ({fact.note or 'see citation'}).",
                fact,
            )
        )
    else:
        out.unknown.append(
            Reason(
                b.iso2,
                "national.treaty_relation",
                f"{b.iso2} assists foreign criminal proceedings only on a request presented under"
                f" an agreement; whether one binds it and {q.a.iso2} is not known: manual legal"
                " review.",
                fact.citation(),
                "U",
            )
        )
        out.unknown.extend(why)


def _treaty_relation(q: Query) -> tuple[bool | None, tuple[Reason, ...], Condition | None]:
    """Whether a treaty with a mutual assistance clause binds both states for this case: a
    bilateral record, the EIO, the EU MLA Convention 2000, ETS 182, or UNTOC / UNCAC for an
    offence within them (with the offence not given, the judge confirms the scope)."""
    if q.a.iso2 in q.b.bilateral_with or q.b.iso2 in q.a.bilateral_with:
        return True, (), None
    unknown: list[Reason] = []
    for key in ("eio", "eu_mla_2000", "coe_2ap"):
        applies, why = both(q, key)
        if applies is True:
            return True, (), None
        unknown.extend(why)
    scope_condition: Condition | None = None
    for _, key, scope, un_conds in _UN:
        if q.offence is not None and q.offence is not scope:
            continue
        applies, why = both(q, key)
        if applies is True:
            if q.offence is scope:
                return True, (), None
            scope_condition = scope_condition or un_conds[0]
        unknown.extend(why)
    if scope_condition is not None:
        return True, (), scope_condition
    return (None, tuple(unknown), None) if unknown else (False, (), None)
