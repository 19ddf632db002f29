"""Criminal routes (research B0 steps 2, 3, 5 and 6): the EIO between states bound by it, which then
excludes the rest; otherwise, as alternative legal bases, the EU MLA Convention 2000, ETS 182,
the EU-US Agreement, UNTOC and UNCAC, the requested state's national assistance law, and the
no-treaty route. A victim is heard as a witness (the instruments speak of witnesses and experts).
"""

from __future__ import annotations

from typing import Any

from legal_profiles import provisions as pv
from legal_profiles import regimes as r
from legal_profiles.compiled import Compiled
from legal_profiles.decision import Condition, Consent, Offence, Reason, Regime, Role
from legal_profiles.model import UNKNOWN, Fact
from legal_profiles.reasons import rule_reason
from legal_profiles.routes import Getter, Outcome, Query, both, pending, unilateral_route

_WITNESSES = (Role.WITNESS, Role.EXPERT)


def criminal_routes(q: Query) -> list[Outcome]:
    eio, why = both(q, "eio")
    if eio is True:
        return [eio_route(q)]
    if eio is None:
        return [pending(r.EIO, why)]
    routes: list[Outcome] = []
    for regime, key, conds in ((r.EU_MLA_2000, "eu_mla_2000", _MLA), (r.COE_2AP, "coe_2ap", _ETS)):
        applies, why = both(q, key)
        if applies is True:
            routes.append(mla_route(q, regime, conds))
        elif applies is None:
            routes.append(pending(regime, why))
    if q.role in _WITNESSES:
        bilateral = _eu_us(q)
        if bilateral is not None:
            routes.append(bilateral)
        for regime, key, scope, un_conds in (
            (r.UNTOC, "untoc", Offence.ORGANIZED_CRIME, pv.UNTOC_CONDITIONS),
            (r.UNCAC, "uncac", Offence.CORRUPTION, pv.UNCAC_CONDITIONS),
        ):
            if q.offence is not None and q.offence is not scope:
                continue  # the offence is outside the convention (UNTOC Art 3, UNCAC Art 3)
            applies, why = both(q, key)
            if applies is True:
                route = Outcome((regime,))
                _witness_consent(q, route)
                if q.offence is scope:
                    un_conds = un_conds[1:]  # the scope condition: the input says it is met
                route.need(*un_conds, q.b.criminal_oath)
                routes.append(route)
            elif applies is None:
                routes.append(pending(regime, why))
    routes.append(national_route(q))
    routes.append(unilateral_route(q))
    return routes


def _mla_excludes(s: Compiled) -> Fact[Any]:
    return s.t.eu_mla_2000.art10_9_excludes_accused


def _ets_excludes(s: Compiled) -> Fact[Any]:
    return s.t.coe_2ap.art9_9_excludes_accused


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
            f"Dir 2014/41/EU Art 24(2)(a); {r.EIO_ART24_URL}",
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
        excludes: Getter
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
            fact = excludes(state)
            if fact.value is True:
                out.barred.append(
                    rule_reason(
                        state.iso2,
                        f"{regime.id}.accused_excluded",
                        f"{state.iso2} declared that it does not apply the videoconference"
                        " provisions to hearings of the accused.",
                        fact,
                    )
                )
            elif fact.value is UNKNOWN:
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
