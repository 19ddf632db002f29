"""The engine on made-up profiles: regimes and rules the shipped data cannot reach yet (UNTOC,
declared exclusions, Hague compulsion, "allowed", prohibited recording, dated facts)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from legal_profiles.decision import Decision, Status
from legal_profiles.engine import check
from tests.legal.helpers import blank, profile_set, put, v

NO_EU = ("treaties.eu_reg_2020_1783", "treaties.eio", "treaties.eu_mla_2000.party")


def states(**facts: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two profiles, SE (requesting) and NO (requested), knowing only what is given.

    Keys are `a__path__to__fact` or `b__...` or `both__...`; `__` stands for the dots."""
    a, b = blank("SE", "Requestia"), blank("NO", "Requestedia")
    for doc in (a, b):
        for path in NO_EU:
            put(doc, path, v(False))
        # No venue is forbidden: an unknown venue rule would add a condition to every route.
        put(doc, "incoming.forbidden_venues", v([]))
    for key, value in facts.items():
        side, path = key.split("__", 1)
        path = path.replace("__", ".")
        for doc in {"a": (a,), "b": (b,), "both": (a, b)}[side]:
            put(doc, path, value if isinstance(value, dict) or value == "unknown" else v(value))
    return a, b


def decide(
    a: dict[str, Any], b: dict[str, Any], proceeding: str, role: str, consent: str, **kw: Any
) -> Decision:
    return check(profile_set(a, b), "SE", "NO", proceeding, role, consent, **kw)


def regime_ids(decision: Decision) -> list[str]:
    return [regime.id for regime in decision.regimes]


def condition_ids(decision: Decision) -> set[str]:
    return {condition.id for condition in decision.conditions}


def rules(decision: Decision) -> set[str]:
    return {reason.rule for reason in decision.reasons}


def test_untoc_route_for_witnesses_only() -> None:
    a, b = states(both__treaties__untoc=True, both__treaties__uncac=True)
    witness = decide(a, b, "criminal", "witness", "yes")
    assert witness.decision is Status.CONDITIONAL
    assert regime_ids(witness) == ["untoc_art18_18"]  # UNTOC before UNCAC
    assert {"request.scope_in_treaty", "request.reasons_stated", "request.accepted"} <= (
        condition_ids(witness)
    )
    accused = decide(a, b, "criminal", "accused", "yes")
    assert accused.decision is Status.UNKNOWN
    assert "untoc_art18_18" not in regime_ids(accused)


def test_uncac_alone() -> None:
    a, b = states(both__treaties__untoc=False, both__treaties__uncac=True)
    assert regime_ids(decide(a, b, "criminal", "expert", "yes")) == ["uncac_art46_18"]


@pytest.mark.parametrize(
    ("party", "excludes"),
    [
        ("treaties.coe_2ap.party", "treaties.coe_2ap.art9_9_excludes_accused"),
        ("treaties.eu_mla_2000.party", "treaties.eu_mla_2000.art10_9_excludes_accused"),
    ],
)
def test_accused_under_mla_conventions(party: str, excludes: str) -> None:
    key = party.replace(".", "__")
    declared = excludes.replace(".", "__")
    other = "coe_2ap" if "eu_mla" in party else "eu_mla_2000"
    closed = {
        f"both__treaties__{other}__party": False,
        "b__incoming__criminal__national_assistance": "no",
        "b__incoming__unilateral__criminal": "prohibited",
    }
    a, b = states(**{f"both__{key}": True, f"both__{declared}": False}, **closed)
    consenting = decide(a, b, "criminal", "accused", "yes")
    assert consenting.decision is Status.CONDITIONAL
    assert {"consent.person", "counsel.private_channel", "rights.accused_procedural"} <= (
        condition_ids(consenting)
    )
    refusing = decide(a, b, "criminal", "accused", "no")
    assert refusing.decision is Status.BARRED
    assert any(rule.endswith(".accused_consent") for rule in rules(refusing))
    a, b = states(
        **{f"both__{key}": True, f"a__{declared}": False, f"b__{declared}": True}, **closed
    )
    excluded = decide(a, b, "criminal", "accused", "yes")
    assert excluded.decision is Status.BARRED
    assert any(rule.endswith(".accused_excluded") for rule in rules(excluded))


def test_an_exclusive_instrument_of_unknown_reach_is_never_bypassed() -> None:
    a, b = states(
        both__treaties__eu_mla_2000__party=True, a__treaties__eio=True, b__treaties__eio="unknown"
    )
    decision = decide(a, b, "criminal", "witness", "yes")
    assert decision.decision is Status.UNKNOWN
    assert regime_ids(decision) == ["eu_eio_art24"]


def _hague(**extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return states(
        both__treaties__hague__party=True,
        both__treaties__hague__joined="ratification",
        both__treaties__eu_reg_2020_1783=False,
        **extra,
    )


def test_hague_chapter_two_permission_and_compulsion() -> None:
    a, b = _hague(
        b__treaties__hague__ch2_vc="permitted", b__treaties__hague__art18_compulsion=False
    )
    assert decide(a, b, "civil", "witness", "yes").decision is Status.CONDITIONAL
    refused = decide(a, b, "civil", "witness", "no")
    assert refused.decision is Status.BARRED
    assert "hague.not_compelled" in rules(refused)
    a, b = _hague(b__treaties__hague__ch2_vc="permission_required")
    assert "permission.requested_state" in condition_ids(decide(a, b, "civil", "expert", "yes"))
    a, b = _hague(b__treaties__hague__ch2_vc="permitted", b__treaties__hague__art18_compulsion=True)
    compelled = decide(a, b, "civil", "witness", "no")
    assert compelled.decision is Status.UNKNOWN
    assert "hague.art18_conditions" in rules(compelled)


def test_a_rule_not_yet_in_force_is_unknown() -> None:
    dated = v("permitted", since=date(2027, 1, 1))
    a, b = _hague(b__treaties__hague__ch2_vc=dated)
    before = decide(a, b, "civil", "witness", "yes", hearing_date=date(2026, 12, 1))
    assert "unknown.treaties.hague.ch2_vc" in rules(before)
    after = decide(a, b, "civil", "witness", "yes", hearing_date=date(2027, 2, 1))
    assert after.decision is Status.CONDITIONAL
    assert decide(a, b, "civil", "witness", "yes").decision is Status.CONDITIONAL


def test_allowed_needs_every_fact_known() -> None:
    a, b = states(
        both__treaties__hague__party=False,
        both__treaties__eu_reg_2020_1783=False,
        b__incoming__unilateral__civil="permitted",
        b__incoming__forbidden_venues=[],
        a__outgoing__foreign_permission="no",
    )
    assert decide(a, b, "civil", "witness", "yes").decision is Status.ALLOWED
    unsure = decide(a, b, "civil", "witness", "unknown")
    assert unsure.decision is Status.CONDITIONAL
    assert condition_ids(unsure) == {"advisory.voluntary"}
    # The same case where the requesting state's permission rule is not known.
    put(a, "outgoing.foreign_permission", "unknown")
    guarded = decide(a, b, "civil", "witness", "yes")
    assert guarded.decision is Status.CONDITIONAL
    (condition,) = guarded.conditions
    assert condition.id == "permission.foreign_state" and condition.confidence == "U"
    # And where the requested state's venue rule is not known: the officials confirm the venue.
    put(a, "outgoing.foreign_permission", v("no"))
    put(b, "incoming.forbidden_venues", "unknown")
    venue = decide(a, b, "civil", "witness", "yes")
    assert venue.decision is Status.CONDITIONAL
    assert condition_ids(venue) == {"venue.permitted"}


def test_national_assistance_covers_only_listed_roles() -> None:
    a, b = states(
        b__incoming__criminal__national_assistance="yes",
        b__incoming__criminal__national_assistance_roles=["witness"],
        b__incoming__criminal__witness_consent_required=False,
    )
    witness = decide(a, b, "criminal", "witness", "no")
    assert witness.decision is Status.CONDITIONAL
    assert regime_ids(witness) == ["national_assistance"]
    assert "consent.person" not in condition_ids(witness)
    expert = decide(a, b, "criminal", "expert", "yes")
    assert expert.decision is Status.UNKNOWN
    assert "national.role_not_covered" in rules(expert)


@pytest.mark.parametrize(
    ("forum", "local", "expected"),
    [
        ("prohibited", "allowed", "prohibited"),
        ("unknown", "prohibited", "prohibited"),
        ("allowed", "unknown", "unknown"),
        ("mandatory", "court_decides", "mandatory"),
        ("court_decides", "allowed", "court_decides"),
        ("allowed", "allowed", "allowed"),
    ],
)
def test_recording_takes_the_stricter_law(forum: str, local: str, expected: str) -> None:
    a, b = states(
        a__outgoing__recording_criminal=forum if forum == "unknown" else v(forum),
        b__incoming__criminal__recording=local if local == "unknown" else v(local),
    )
    decision = decide(a, b, "criminal", "witness", "yes")
    assert decision.recording.rule.value == expected
    assert decision.recording.citation
