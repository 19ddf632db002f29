"""A profile prepared for the engine at load time: its own conditions, regimes and reasons are
built once, so a check only reads facts and picks ready-made objects."""

from __future__ import annotations

from typing import Any

from legal_profiles import conditions as c
from legal_profiles import provisions as pv
from legal_profiles import regimes as r
from legal_profiles.decision import (
    Actor,
    Condition,
    Reason,
    Recording,
    Regime,
    Role,
)
from legal_profiles.model import UNKNOWN, Bilateral, Fact, HagueRelation, StateProfile
from legal_profiles.outgoing import outgoing_rules
from legal_profiles.reasons import fact_reason, known_confidence

_CONSENT_ACTOR = {
    Role.WITNESS: Actor.WITNESS,
    Role.EXPERT: Actor.EXPERT,
    Role.PARTY: Actor.PARTY,
    Role.VICTIM: Actor.VICTIM,
    Role.ACCUSED: Actor.ACCUSED,
}


def _with(base: Condition, extra_citation: str, **values: Any) -> Condition:
    merged = dict(base.params)
    merged.update(values)
    return c.make(
        base.id,
        base.text,
        f"{base.citation}; {extra_citation}",
        base.satisfied_by,
        base.confidence,
        **merged,
    )


class Compiled:
    """Everything the engine reads from one state's profile."""

    def __init__(self, profile: StateProfile) -> None:
        self.profile = profile
        self.iso2: str = profile.iso2
        t, inc, out = profile.treaties, profile.incoming, profile.outgoing
        self.t, self.inc, self.out = t, inc, out
        self.bilateral: dict[tuple[str, str], Fact[Bilateral]] = {}
        for fact in t.bilateral:
            if fact.value is not UNKNOWN:
                self.bilateral[(fact.value.counterparty, fact.value.instrument)] = fact
        # States with which some bilateral instrument is recorded (a treaty relation).
        self.bilateral_with = frozenset(counterparty for counterparty, _ in self.bilateral)
        self.hague_relations: dict[str, Fact[HagueRelation]] = {
            fact.value.counterparty: fact for fact in t.hague.relations if fact.value is not UNKNOWN
        }
        self._unknown: dict[tuple[str, str], Reason] = {}
        self._hague_pair_unknown: dict[str, Reason] = {}
        self.treaty: dict[str, Fact[Any]] = {
            "eu_reg_2020_1783": t.eu_reg_2020_1783,
            "eio": t.eio,
            "eu_mla_2000": t.eu_mla_2000.party,
            "coe_2ap": t.coe_2ap.party,
            "hague": t.hague.party,
            "untoc": t.untoc,
            "uncac": t.uncac,
        }
        self._build_incoming()
        self.outgoing = outgoing_rules(profile)
        recording = (
            out.recording_civil,
            out.recording_civil_roles,
            out.recording_criminal,
            inc.civil.recording,
            inc.criminal.recording,
        )
        self.recording_dated = any(fact.since is not None for fact in recording)
        self.recording_memo: dict[tuple[str, str, str, bool], Recording] = {}

    def unknown(self, fact: Fact[Any], what: str) -> Reason:
        key = (fact.path, what)
        reason = self._unknown.get(key)
        if reason is None:
            reason = self._unknown[key] = fact_reason(self.iso2, fact, what)
        return reason

    def hague_pair_unknown(self, other: Compiled) -> Reason:
        """Why the Evidence Convention between this state and `other` is not known: one of
        them acceded (or how it joined is not recorded) and neither profile records the pair."""
        reason = self._hague_pair_unknown.get(other.iso2)
        if reason is None:
            joined = [(s, s.t.hague.joined.value) for s in (other, self)]
            acceding = [s.iso2 for s, how in joined if how == "accession"]
            unsure = [s.iso2 for s, how in joined if how is UNKNOWN]
            detail = [f"{code} acceded" for code in acceding]
            detail += [f"how {code} joined the Convention is not recorded" for code in unsure]
            state = (acceding or unsure)[0]
            reason = self._hague_pair_unknown[other.iso2] = Reason(
                state,
                "unknown.treaties.hague.relations",
                f"Whether the HCCH 1970 Convention is in force between {self.iso2} and"
                f" {other.iso2} is not known ({'; '.join(detail)}): an accession has effect only"
                " between the acceding state and the states that accepted it, and neither"
                " profile records this pair: manual legal review.",
                f"HCCH 1970 Art 39(4); {r.HAGUE_TEXT_URL}; profile field treaties.hague.relations"
                f" of {self.iso2} and {other.iso2}: no record [U]",
                "U",
            )
        return reason

    # -- incoming (this state as the requested state) ------------------------------------

    def _build_incoming(self) -> None:
        inc, iso = self.inc, self.iso2
        civ, crim, rights = inc.civil, inc.criminal, inc.witness_rights
        grounds = rights.refusal_grounds.value
        refusal: dict[str, Any] = {}
        if grounds is not UNKNOWN:
            refusal["requested_state_grounds"] = tuple(grounds)
        if rights.inform_before_hearing.value is True:
            refusal["inform_before_hearing"] = True
        cite = rights.refusal_grounds.citation() if refusal else ""
        self.refusal: dict[str, Condition] = {
            base.citation: (_with(base, cite, **refusal) if refusal else base)
            for base in (
                pv.EIO_REFUSAL,
                pv.MLA_REFUSAL,
                pv.ETS_REFUSAL,
                pv.REG_REFUSAL,
                pv.HAGUE_REFUSAL,
            )
        }
        venues = inc.forbidden_venues.value
        self.venue: Condition | None = None
        if venues is not UNKNOWN and venues:
            self.venue = c.make(
                "venue.permitted",
                f"The person is not heard from a venue that {iso} forbids: " + "; ".join(venues),
                inc.forbidden_venues.citation(),
                c.OFFICIALS,
                "V",
                forbidden_venues=tuple(venues),
            )
        elif venues is UNKNOWN:
            # Unknown is never permission: without the requested state's venue rule the
            # officials confirm the venue, so no answer is `allowed` on an unsourced fact.
            self.venue = c.make(
                "venue.permitted",
                f"Confirm that {iso} allows the venue the person is heard from"
                f" ({iso}'s rule on forbidden venues is not sourced).",
                inc.forbidden_venues.citation(),
                c.OFFICIALS,
                "U",
            )
        self.civil_venue: Condition | None = None
        if civ.location.value == "court_or_public_premises":
            self.civil_venue = c.make(
                "venue.permitted",
                f"In {iso} the person is heard from a court or other public premises.",
                civ.location.citation(),
                c.OFFICIALS,
                known_confidence(civ.location),
                allowed_venues=("court", "public premises"),
            )
        elif civ.location.value == "court_only":
            self.civil_venue = c.make(
                "venue.permitted",
                f"In {iso} the person is heard from court premises.",
                civ.location.citation(),
                c.OFFICIALS,
                known_confidence(civ.location),
                allowed_venues=("court",),
            )
        self.civil_identity: Condition | None = None
        if civ.identity_check.known:
            self.civil_identity = c.make(
                "identity.verified",
                f"Identity is checked as {iso} requires: {civ.identity_check.value}.",
                civ.identity_check.citation(),
                c.OFFICIALS,
                known_confidence(civ.identity_check),
                method=str(civ.identity_check.value),
            )
        self.civil_oath = _oath(civ.oath, iso)
        self.criminal_oath = _oath(crim.oath, iso)
        self.civil_invitation: Condition | None = None
        if civ.voluntariness_in_invitation.value is True:
            self.civil_invitation = c.make(
                "notice.voluntary_in_invitation",
                f"The invitation letter states that attendance is voluntary; the {iso} central"
                " body may ask to see it before it answers.",
                civ.voluntariness_in_invitation.citation(),
                c.COURT_STAFF,
                known_confidence(civ.voluntariness_in_invitation),
            )
        self.civil_scope: Condition | None = None
        if civ.direct_taking.value == "conditional":
            self.civil_scope = c.make(
                "scope.national_limits",
                f"Direct taking in {iso} is limited: {civ.direct_taking.note or 'see citation'}.",
                civ.direct_taking.citation(),
                c.COURT_STAFF,
                known_confidence(civ.direct_taking),
            )
        self.reasons_required: dict[str, Condition] = {}
        reasons_roles = crim.reasons_required.value
        for role in reasons_roles if reasons_roles is not UNKNOWN else ():
            self.reasons_required[role] = c.make(
                "request.reasons_stated",
                f"The request explains why a hearing in person is not possible or why video is"
                f" preferable, as {iso} requires.",
                crim.reasons_required.citation(),
                c.COURT_STAFF,
                known_confidence(crim.reasons_required),
            )
        self.eio_accepted = self._eio_accepted()
        self.hague_conditions = self._hague()
        self.unilateral_conditions = {
            "civil": self._unilateral(inc.unilateral.civil),
            "criminal": self._unilateral(inc.unilateral.criminal),
        }
        self.national_regime, self.national_conditions = self._national()
        self.unilateral_regime = {
            proceeding: Regime(
                r.NATIONAL_UNILATERAL_ID,
                f"No treaty route: {self.profile.name} law on a foreign court hearing a person on"
                " its territory",
                fact.citation(),
            )
            for proceeding, fact in (
                ("civil", inc.unilateral.civil),
                ("criminal", inc.unilateral.criminal),
            )
        }
        self.national_refusal: Condition | None = None
        if grounds is not UNKNOWN:
            self.national_refusal = c.make(
                "rights.refusal_notified",
                f"The person is told of the rights to refuse to testify under {iso} law"
                f" ({', '.join(grounds) or 'none recorded'}) and under the requesting state's law.",
                rights.refusal_grounds.citation(),
                c.OFFICIALS,
                known_confidence(rights.refusal_grounds),
                requested_state_grounds=tuple(grounds),
            )
        self._consent: dict[tuple[Role, str], Condition] = {}

    def consent(
        self, role: Role, basis: str, source: Fact[Any] | str, confidence: Any
    ) -> Condition:
        """`consent.person` for `role`, resting on `basis` (a rule id, or "unknown" when this
        state's requirement is not known and consent is captured to be safe either way); `source`
        is the citation or the fact it comes from. Built once per role and basis."""
        key = (role, basis)
        condition = self._consent.get(key)
        if condition is None:
            citation = source if isinstance(source, str) else source.citation()
            iso, revocable = self.iso2, self.inc.criminal.consent_revocable
            text = "The person consents, on the record, to being heard by video; withdrawing"
            text += " consent ends the hearing"
            if revocable.value is True:
                text += f" (under {iso} law consent is revocable at any time)"
                citation += f"; revocable: {revocable.citation()}"
            text += "."
            if basis == "unknown":
                text += (
                    f" Whether {iso} requires this consent is not known: it is captured so that"
                    " the hearing is lawful either way."
                )
            condition = self._consent[key] = c.make(
                "consent.person",
                text,
                citation,
                (_CONSENT_ACTOR[role],),
                confidence,
                revocable=revocable.value is True,
            )
        return condition

    def _eio_accepted(self) -> Condition:
        crim = self.inc.criminal
        extra: dict[str, Any] = {}
        cites = []
        for key, fact in (
            ("recognition_days", crim.recognition_days),
            ("execution_days", crim.execution_days),
            ("languages", crim.languages),
        ):
            if fact.value is not UNKNOWN:
                extra[key] = tuple(fact.value) if isinstance(fact.value, tuple) else fact.value
                cites.append(fact.citation())
        return c.make(
            "request.accepted",
            "An EIO for a hearing by videoconference was recognised by the executing authority,"
            " which summons the person (time and venue) under its law.",
            f"Dir 2014/41/EU Art 24(1), 24(3); {r.EIO_URL}"
            + "".join(f"; {cite}" for cite in dict.fromkeys(cites)),
            c.OFFICIALS,
            "V",
            **extra,
        )

    def _hague(self) -> tuple[Condition, ...]:
        h, iso = self.t.hague, self.iso2
        out: list[Condition] = []
        if h.ch2_vc.value == "notification_required":
            days = h.ch2_notice_days.value
            assert isinstance(days, int)  # guaranteed by schema consistency checks
            out.append(
                c.make(
                    "notice.requested_state",
                    f"At least {days} days before the hearing, notice is given to: "
                    + "; ".join(_known_list(h.ch2_notice_recipients, "the competent authorities"))
                    + ". It names: "
                    + "; ".join(_known_list(h.ch2_notice_content, "the case and the person"))
                    + "."
                    + (f" Note: {h.ch2_vc.note}" if h.ch2_vc.note else ""),
                    h.ch2_vc.citation(),
                    c.COURT_STAFF,
                    known_confidence(h.ch2_vc),
                    notice_days=days,
                    recipients=tuple(_known_list(h.ch2_notice_recipients, "")),
                )
            )
        elif h.ch2_vc.value == "permission_required":
            out.append(
                c.make(
                    "permission.requested_state",
                    f"{iso} gave its permission for the taking of evidence under Chapter II.",
                    h.ch2_vc.citation(),
                    c.OFFICIALS,
                    known_confidence(h.ch2_vc),
                )
            )
        languages = h.languages.value
        if languages is not UNKNOWN:
            out.append(
                c.make(
                    "summons.language",
                    "The request to appear is drawn up in, or translated into, a language of the"
                    f" place ({', '.join(languages)}), unless the person is a national of the"
                    " requesting state.",
                    f"HCCH 1970 Art 21(b); {r.HAGUE_ART21_URL}; {h.languages.citation()}",
                    c.COURT_STAFF,
                    "V",
                    languages=tuple(languages),
                )
            )
        return tuple(out)

    def _unilateral(self, rule: Fact[Any]) -> tuple[Condition, ...]:
        uni, iso = self.inc.unilateral, self.iso2
        if rule.value == "permission_required":
            return (
                c.make(
                    "permission.requested_state",
                    f"{iso} gave its permission for a foreign court to hear a person on its"
                    " territory.",
                    rule.citation(),
                    c.OFFICIALS,
                    known_confidence(rule),
                ),
            )
        if rule.value == "notification_required":
            days = uni.notice_days.value
            assert isinstance(days, int)  # guaranteed by schema consistency checks
            return (
                c.make(
                    "notice.requested_state",
                    f"At least {days} days before the hearing, notice is given to: "
                    + "; ".join(_known_list(uni.notice_recipients, "the competent authorities"))
                    + ".",
                    rule.citation(),
                    c.COURT_STAFF,
                    known_confidence(rule),
                    notice_days=days,
                    recipients=tuple(_known_list(uni.notice_recipients, "")),
                ),
            )
        return ()

    def _national(self) -> tuple[Regime, tuple[Condition, ...]]:
        crim, iso = self.inc.criminal, self.iso2
        fact = crim.national_assistance
        regime = Regime(
            r.NATIONAL_ASSISTANCE_ID,
            f"{self.profile.name}: national law on assistance to foreign criminal proceedings",
            fact.citation(),
        )
        if fact.value != "yes":
            return regime, ()
        conditions = [
            c.make(
                "request.accepted",
                f"{iso} approved the request for the hearing under its national law"
                + (f" ({fact.note})" if fact.note else "")
                + ".",
                fact.citation(),
                c.OFFICIALS,
                known_confidence(fact),
            ),
            c.make(
                "authority.present",
                f"The {iso} court or officer named under that law takes part in the hearing.",
                fact.citation(),
                c.AUTHORITY,
                known_confidence(fact),
            ),
        ]
        return regime, tuple(conditions)


def _known_list(fact: Fact[Any], fallback: str) -> list[str]:
    if fact.value is UNKNOWN:
        return [fallback] if fallback else []
    return list(fact.value)


def _oath(fact: Fact[Any], iso: str) -> Condition | None:
    actors: tuple[Actor, ...]
    if fact.value == "requesting_court":
        text = "Any oath or affirmation is administered by the requesting court under its own law."
        actors = c.JUDGE
    elif fact.value == "requested_authority":
        text = f"Any oath or affirmation is administered by the competent {iso} authority."
        actors = c.AUTHORITY
    elif fact.value == "consent_required":
        text = "An oath is administered only with the person's consent."
        actors = c.OFFICIALS
    else:
        return None
    note = f" ({fact.note})" if fact.note else ""
    return c.make(
        "oath.competent_person",
        text + note,
        fact.citation(),
        actors,
        known_confidence(fact),
        rule=fact.value,
    )
