"""The engine corrections of issue 11 point 4, each drawn from its instrument. Synthetic profiles
(SE requesting, NO requested) so that the shipped data, which is being filled, cannot move them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legal_profiles.conditions import CONDITION_IDS
from legal_profiles.decision import Actor, Decision, Stage, Status
from legal_profiles.engine import check
from legal_profiles.reasons import REASON_RULES, rule_family
from signaling.services import RecordingRule as RoomRecordingRule
from tests.legal.helpers import SOURCE, profile_set, put, v
from tests.legal.test_engine_synthetic import condition_ids, decide, regime_ids, rules, states
from tests.legal.test_properties import CASE, _random_pair
from vc_service.hearings.legal import recording_lawful

HAGUE = "hcch_evidence_1970_ch2"
NO_TREATY = "national_no_treaty"

# -- 1. HCCH 1970 Art 39(4): in force between the two states ---------------------------------


def _hague(a_joined: str, b_joined: str, **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both parties, Chapter II open in NO, and NO's no-treaty route open too: the Hague route
    shows in the regimes when it applies (it comes first; consent unknown makes both routes
    conditional), the no-treaty route otherwise."""
    facts: dict[str, Any] = {
        "both__treaties__hague__party": True,
        "b__treaties__hague__ch2_vc": "permitted",
        "b__incoming__unilateral__civil": "permitted",
        "a__outgoing__foreign_permission": "no",
    }
    for side, way in (("a", a_joined), ("b", b_joined)):
        facts[f"{side}__treaties__hague__joined"] = way if way == "unknown" else v(way)
    facts.update(extra)
    return states(**facts)


def _relation(a: dict[str, Any], b: dict[str, Any], status: str, since: date | None = None) -> None:
    """The same per-pair record in both profiles (the loader insists on the mirror)."""
    for doc, other in ((a, "NO"), (b, "SE")):
        record: dict[str, Any] = {
            "counterparty": other,
            "status": status,
            "confidence": "V",
            "source": SOURCE,
        }
        if since is not None:
            record["in_force_from"] = since
        put(doc, "treaties.hague.relations", [record])


def test_hague_in_force_between_two_ratifying_states() -> None:
    # Art 38: a ratifying state is bound towards every other ratifying state (Art 39(4) is only
    # about accessions); succession continues the predecessor's ratification.
    for ways in (("ratification", "ratification"), ("succession", "ratification")):
        a, b = _hague(*ways)
        decision = decide(a, b, "civil", "witness", "unknown")
        assert decision.decision is Status.CONDITIONAL
        assert regime_ids(decision) == [HAGUE]


@pytest.mark.parametrize(
    ("a_joined", "b_joined", "named"),
    [
        ("ratification", "accession", "NO"),
        ("accession", "ratification", "SE"),
        ("ratification", "unknown", "NO"),
    ],
)
def test_an_accession_without_a_pair_record_is_unknown(
    a_joined: str, b_joined: str, named: str
) -> None:
    # Art 39(4): "The accession will have effect only as regards the relations between the
    # acceding State and such Contracting States as will have declared their acceptance".
    a, b = _hague(a_joined, b_joined, b__incoming__unilateral__civil="unknown")
    decision = decide(a, b, "civil", "witness", "unknown")
    assert decision.decision is Status.UNKNOWN
    (reason,) = [r for r in decision.reasons if r.rule == "unknown.treaties.hague.relations"]
    assert reason.state == named
    assert "SE" in reason.text and "NO" in reason.text
    assert "Art 39(4)" in reason.citation and reason.confidence == "U"
    # The no-treaty route known and open: it serves, the Hague route cannot be relied on.
    a, b = _hague(a_joined, b_joined)
    assert regime_ids(decide(a, b, "civil", "witness", "unknown")) == [NO_TREATY]


def test_a_pair_record_decides_from_its_date() -> None:
    # Art 39(4): in force between the pair "on the sixtieth day after the deposit of the
    # declaration of acceptance": a hearing before that date is outside the Convention.
    a, b = _hague("ratification", "accession")
    _relation(a, b, "in_force", date(2027, 3, 1))
    early = decide(a, b, "civil", "witness", "unknown", hearing_date=date(2027, 2, 28))
    assert regime_ids(early) == [NO_TREATY]
    on_the_day = decide(a, b, "civil", "witness", "unknown", hearing_date=date(2027, 3, 1))
    assert regime_ids(on_the_day) == [HAGUE]
    assert regime_ids(decide(a, b, "civil", "witness", "unknown")) == [HAGUE]
    # A record without a date: sourced as in force, so in force.
    _relation(a, b, "in_force")
    undated = decide(a, b, "civil", "witness", "unknown", hearing_date=date(2027, 2, 28))
    assert regime_ids(undated) == [HAGUE]


def test_an_acceptance_not_given_closes_the_hague_route() -> None:
    # HCCH acceptance table of South Africa's accession: Brazil is not among the accepting
    # states, so the Convention is not in force between them.
    a, b = _hague("accession", "accession", b__incoming__unilateral__civil="prohibited")
    _relation(a, b, "not_accepted")
    decision = decide(a, b, "civil", "witness", "unknown")
    assert decision.decision is Status.BARRED
    assert HAGUE not in regime_ids(decision)
    assert "unknown.treaties.hague.relations" not in rules(decision)


# -- 2. Barred whatever the unknown fact says -----------------------------------------------


def test_a_route_its_known_facts_bar_is_barred_even_if_it_may_not_apply() -> None:
    # GB -> CN civil: CN's Art 33 declaration excludes Chapter II (but for Art 15) and its law
    # prohibits foreign evidence-taking without approval; GB's party status is unknown.
    a, b = states(
        a__treaties__hague__party="unknown",
        b__treaties__hague__party=True,
        b__treaties__hague__joined=v("accession"),
        b__treaties__hague__ch2_vc="excluded",
        b__treaties__hague__art33_exclusions=["Chapter II except Article 15"],
        b__incoming__unilateral__civil="prohibited",
    )
    decision = decide(a, b, "civil", "witness", "unknown")
    assert decision.decision is Status.BARRED
    assert rules(decision) == {"hague.art33_exclusion", "unilateral.prohibited"}
    # Where the no-treaty route is unknown, that fact could change the outcome: unknown.
    put(b, "incoming.unilateral.civil", "unknown")
    assert decide(a, b, "civil", "witness", "unknown").decision is Status.UNKNOWN


def test_an_exclusive_instrument_of_unknown_reach_yields_only_to_a_bar_everywhere() -> None:
    # Reg 2020/1783 Art 19(2): direct taking only on a voluntary basis. The person refuses, so
    # that route is barred; the only other route is prohibited: barred whether or not the
    # Regulation applies.
    a, b = states(
        a__treaties__eu_reg_2020_1783="unknown",
        b__treaties__eu_reg_2020_1783=True,
        both__treaties__hague__party=False,
        b__incoming__unilateral__civil="prohibited",
    )
    refused = decide(a, b, "civil", "witness", "no")
    assert refused.decision is Status.BARRED
    assert {"eu1783.voluntary_only", "unilateral.prohibited"} <= rules(refused)
    # A willing person: the Regulation may apply and exclude the rest: unknown, never bypassed.
    put(b, "incoming.unilateral.civil", v("permitted"))
    willing = decide(a, b, "civil", "witness", "yes")
    assert willing.decision is Status.UNKNOWN
    assert regime_ids(willing) == ["eu_reg_2020_1783"]


# -- 3. The accused: a known fallback does not bypass an unknown treaty route ----------------

_ACCUSED_NATIONAL = {
    "b__incoming__criminal__national_assistance": "yes",
    "b__incoming__criminal__national_assistance_roles": ["witness", "accused"],
    "b__incoming__criminal__accused_compellable": True,
    "b__incoming__unilateral__criminal": "prohibited",
    "a__outgoing__accused_remote": "permitted",
    "both__treaties__untoc": False,
    "both__treaties__uncac": False,
}
_SAFEGUARDS = {"consent.person", "rights.accused_procedural", "counsel.private_channel"}


def test_the_national_route_carries_an_unknown_treatys_safeguards_for_the_accused() -> None:
    # ETS 182 Art 9(8): hearing the accused by video needs the accused's consent and the
    # parties' agreement; NO's party status is unknown, so the national route must carry that.
    a, b = states(
        a__treaties__coe_2ap__party=True, b__treaties__coe_2ap__party="unknown", **_ACCUSED_NATIONAL
    )
    consenting = decide(a, b, "criminal", "accused", "yes")
    assert consenting.decision is Status.CONDITIONAL
    assert regime_ids(consenting) == ["national_assistance"]
    assert condition_ids(consenting) >= _SAFEGUARDS
    by_id = {c.id: c for c in consenting.conditions}
    assert by_id["consent.person"].satisfied_by == (Actor.ACCUSED,)
    assert "ETS 182 Art 9(8)" in by_id["consent.person"].citation
    refusing = decide(a, b, "criminal", "accused", "no")
    assert refusing.decision is Status.UNKNOWN
    assert "accused.treaty_safeguards" in rules(refusing)
    # No treaty that may apply: the national route stands as the statute has it.
    a, b = states(both__treaties__coe_2ap__party=False, **_ACCUSED_NATIONAL)
    plain = decide(a, b, "criminal", "accused", "no")
    assert plain.decision is Status.CONDITIONAL
    assert not _SAFEGUARDS & condition_ids(plain)


def test_the_no_treaty_route_does_not_serve_an_accused() -> None:
    # A rule letting foreign courts hear willing persons (research: CA, prosecutors' depositions
    # of witnesses) does not name the accused, whose defence rights no request secures.
    a, b = states(
        both__treaties__coe_2ap__party=False,
        b__incoming__criminal__national_assistance="no",
        b__incoming__unilateral__criminal="permitted",
        a__outgoing__foreign_permission="no",
        a__outgoing__accused_remote="permitted",
        a__outgoing__witness_remote_criminal="permitted",
    )
    assert decide(a, b, "criminal", "witness", "yes").decision is Status.ALLOWED
    accused = decide(a, b, "criminal", "accused", "yes")
    assert accused.decision is Status.UNKNOWN
    assert "unilateral.accused_not_covered" in rules(accused)


# -- 4. The requesting state's limits on a witness by video ----------------------------------


def _open_witness(forum: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return states(
        both__treaties__coe_2ap__party=False,
        b__incoming__criminal__national_assistance="no",
        b__incoming__unilateral__criminal="permitted",
        a__outgoing__foreign_permission="no",
        a__outgoing__accused_remote="permitted",
        a__outgoing__witness_remote_criminal=forum,
    )


def test_a_forum_that_needs_a_court_finding_gets_it_as_a_condition() -> None:
    # Maryland v. Craig, 497 U.S. 836 (1990): testimony by video against the accused needs a
    # case-specific finding of necessity; CA Criminal Code s 714.2: unless the court finds it
    # contrary to the principles of fundamental justice.
    finding = {
        "value": "court_finding_required",
        "confidence": "K",
        "ref": "US Const. amend. VI; Maryland v. Craig, 497 U.S. 836 (1990)",
        "note": "a case-specific finding of necessity",
    }
    a, b = _open_witness(finding)
    for role in ("witness", "expert", "victim"):
        decision = decide(a, b, "criminal", role, "yes")
        assert decision.decision is Status.CONDITIONAL
        (condition,) = decision.conditions
        assert condition.id == "forum.witness_finding"
        assert condition.stage is Stage.BEFORE and condition.satisfied_by == (Actor.JUDGE,)
        assert "Maryland v. Craig" in condition.citation and condition.confidence == "K"
        assert "necessity" in condition.text
    # Civil proceedings and the accused are outside this rule.
    assert "forum.witness_finding" not in condition_ids(decide(a, b, "civil", "witness", "yes"))
    assert "forum.witness_finding" not in condition_ids(decide(a, b, "criminal", "accused", "yes"))


def test_a_forum_without_a_basis_needs_review_and_an_unknown_one_is_confirmed() -> None:
    a, b = _open_witness(v("no_basis", note="FRCrP 15 deposition instead"))
    none = decide(a, b, "criminal", "witness", "yes")
    assert none.decision is Status.UNKNOWN
    assert "outgoing.witness_no_basis" in rules(none)
    a, b = _open_witness(v("permitted"))
    assert decide(a, b, "criminal", "witness", "yes").decision is Status.ALLOWED
    # Unknown is never read as permission: the requesting court confirms its own law.
    a, b = _open_witness("unknown")
    unsure = decide(a, b, "criminal", "witness", "yes")
    assert unsure.decision is Status.CONDITIONAL
    (condition,) = unsure.conditions
    assert condition.id == "basis.requesting_state" and condition.confidence == "U"


# -- 5. Art 9(9) ETS 182 / Art 10(9) 2000 Convention: the direction of the declaration --------


@pytest.mark.parametrize(
    ("party", "prefix"),
    [("coe_2ap", "treaties.coe_2ap.art9_9"), ("eu_mla_2000", "treaties.eu_mla_2000.art10_9")],
)
@pytest.mark.parametrize(
    ("declarer", "scope", "expected"),
    [
        ("a", "requests_to_this_state", Status.CONDITIONAL),  # DK requesting: not its requests
        ("b", "requests_to_this_state", Status.BARRED),  # DK requested
        ("a", "all_requests", Status.BARRED),
        ("a", "unknown", Status.BARRED),  # applied both ways to be safe
    ],
)
def test_a_declaration_applies_in_the_direction_it_speaks_of(
    party: str, prefix: str, declarer: str, scope: str, expected: Status
) -> None:
    # DK's ETS 182 declaration: Denmark "does not meet requests for hearing by videoconference"
    # of the accused: requests made TO Denmark.
    other = "b" if declarer == "a" else "a"
    facts = {
        f"both__treaties__{party}__party": True,
        f"{declarer}__{prefix.replace('.', '__')}_excludes_accused": True,
        f"{other}__{prefix.replace('.', '__')}_excludes_accused": False,
        f"{declarer}__{prefix.replace('.', '__')}_scope": scope if scope == "unknown" else v(scope),
        "b__incoming__criminal__national_assistance": "no",
        "b__incoming__unilateral__criminal": "prohibited",
        "a__outgoing__accused_remote": "permitted",
    }
    untouched = "eu_mla_2000" if party == "coe_2ap" else "coe_2ap"
    facts[f"both__treaties__{untouched}__party"] = False
    a, b = states(**facts)
    decision = decide(a, b, "criminal", "accused", "yes")
    assert decision.decision is expected
    excluded = [r for r in decision.reasons if r.rule.endswith(".accused_excluded")]
    if expected is Status.BARRED:
        (reason,) = excluded
        assert reason.state == ("SE" if declarer == "a" else "NO")
        assert ("to be safe" in reason.text) is (scope == "unknown")
        assert (reason.confidence == "U") is (scope == "unknown")


def test_a_requesting_states_unknown_declaration_is_moot_for_requests_to_others() -> None:
    a, b = states(
        both__treaties__coe_2ap__party=True,
        a__treaties__coe_2ap__art9_9_excludes_accused="unknown",
        a__treaties__coe_2ap__art9_9_scope=v("requests_to_this_state"),
        b__treaties__coe_2ap__art9_9_excludes_accused=False,
        b__incoming__criminal__national_assistance="no",
        b__incoming__unilateral__criminal="prohibited",
        a__outgoing__accused_remote="permitted",
    )
    decision = decide(a, b, "criminal", "accused", "yes")
    assert decision.decision is Status.CONDITIONAL


# -- 6. Reg (EU) 2023/2844 Art 5: a party takes part without a request ------------------------


def test_a_party_under_art5_needs_no_central_body_request() -> None:
    # Reg 2023/2844 Art 5(1): the competent authority may allow a party to participate by video;
    # no request to the other state's central body under Reg 2020/1783 Art 19 is involved.
    a, b = states(
        both__treaties__eu_reg_2020_1783=True,
        both__treaties__eu_reg_2023_2844=True,
        b__incoming__civil__voluntariness_in_invitation=True,
        a__outgoing__foreign_permission="unknown",
    )
    party = decide(a, b, "civil", "party", "yes", hearing_date=date(2025, 5, 1))
    assert regime_ids(party) == ["eu_reg_2020_1783", "eu_reg_2023_2844_art5"]
    ids = condition_ids(party)
    assert "recording.parties_informed" in ids
    assert not {"request.accepted", "notice.voluntary_in_invitation"} & ids
    # Nobody in the requested state agreed: the forum's own permission rule must be confirmed.
    assert "permission.foreign_state" in ids
    witness = decide(a, b, "civil", "witness", "yes", hearing_date=date(2025, 5, 1))
    form_l = {c.id: c for c in witness.conditions}["request.accepted"]
    assert form_l.params["form"] == "L"
    assert "permission.foreign_state" not in condition_ids(witness)
    # Before Art 5 applies (1 May 2025) the party is heard under Reg 2020/1783 with Form L.
    early = decide(a, b, "civil", "party", "yes", hearing_date=date(2025, 4, 30))
    assert "request.accepted" in condition_ids(early)


# -- 8. A requested state that assists only under an agreement (CA MLACMA s2) ------------------


def _needs_treaty(**extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    facts: dict[str, Any] = {
        "b__incoming__criminal__national_assistance": "yes",
        "b__incoming__criminal__national_assistance_roles": ["accused"],
        "b__incoming__criminal__accused_compellable": True,
        "b__incoming__criminal__treaty_required": True,
        "b__incoming__unilateral__criminal": "prohibited",
        "a__outgoing__accused_remote": "permitted",
        "both__treaties__coe_2ap__party": False,
        "both__treaties__untoc": False,
        "both__treaties__uncac": False,
    }
    facts.update(extra)
    return states(**facts)


def test_national_assistance_needs_a_treaty_relation_where_the_law_says_so() -> None:
    # MLACMA s2: a "request" is one "presented pursuant to an agreement".
    a, b = _needs_treaty()
    none = decide(a, b, "criminal", "accused", "yes")
    assert none.decision is Status.BARRED
    assert "national.treaty_required" in rules(none)
    a, b = _needs_treaty(both__treaties__untoc="unknown")
    unsure = decide(a, b, "criminal", "accused", "yes")
    assert unsure.decision is Status.UNKNOWN
    assert {"national.treaty_relation", "unknown.treaties.untoc"} <= rules(unsure)
    # Both UNTOC parties: the relation holds for an offence within UNTOC.
    a, b = _needs_treaty(both__treaties__untoc=True)
    open_scope = decide(a, b, "criminal", "accused", "yes")
    assert open_scope.decision is Status.CONDITIONAL
    assert "request.scope_in_treaty" in condition_ids(open_scope)
    in_scope = decide(a, b, "criminal", "accused", "yes", offence="organized_crime")
    assert in_scope.decision is Status.CONDITIONAL
    assert "request.scope_in_treaty" not in condition_ids(in_scope)
    outside = decide(a, b, "criminal", "accused", "yes", offence="other")
    assert outside.decision is Status.BARRED
    # Without the requirement the same statute serves without any treaty.
    a, b = _needs_treaty(b__incoming__criminal__treaty_required=False)
    assert decide(a, b, "criminal", "accused", "yes").decision is Status.CONDITIONAL


# -- 9. Recording only with the consent of the person heard (LU) -----------------------------


@pytest.mark.parametrize(
    ("forum", "local", "expected"),
    [
        ("consent_required", "allowed", "consent_required"),
        ("mandatory", "consent_required", "consent_required"),
        ("court_decides", "consent_required", "consent_required"),
        ("prohibited", "consent_required", "prohibited"),
        ("unknown", "consent_required", "unknown"),
    ],
)
def test_recording_with_the_persons_consent(forum: str, local: str, expected: str) -> None:
    a, b = states(
        a__outgoing__recording_criminal=forum if forum == "unknown" else v(forum),
        b__incoming__criminal__recording=local if local == "unknown" else v(local),
    )
    decision = decide(a, b, "criminal", "witness", "yes")
    assert decision.recording.rule.value == expected
    # The scheduler and the room record on none of these: the room does not capture the
    # person's consent to recording, so consent_required is not recordable there.
    assert not recording_lawful(decision.to_dict())
    assert not RoomRecordingRule(expected).lawful


# -- the one enumeration of condition ids and reason rules -------------------------------------


def _enumerated(decision: Decision) -> None:
    for condition in decision.conditions:
        assert condition.id in CONDITION_IDS, condition.id
    for reason in decision.reasons:
        assert rule_family(reason.rule) in REASON_RULES, reason.rule


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), case=CASE, consent=st.sampled_from(["yes", "no", "unknown"]))
def test_every_condition_and_reason_is_enumerated(
    data: st.DataObject, case: tuple[str, str, str], consent: str
) -> None:
    proceeding, role, _ = case
    offence = data.draw(st.sampled_from([None, "organized_crime", "corruption", "other"]))
    profiles = profile_set(*_random_pair(data.draw))
    if proceeding == "civil":
        offence = None
    _enumerated(check(profiles, "SE", "NO", proceeding, role, consent, offence=offence))


def test_the_enumerations_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "legal-profiles.md").read_text("utf-8")
    for rule in REASON_RULES:
        shown = "unknown.<profile field path>" if rule == "unknown" else rule
        assert f"`{shown}`" in doc, rule
    assert len(set(CONDITION_IDS)) == len(CONDITION_IDS)
    assert len(set(REASON_RULES)) == len(REASON_RULES)
