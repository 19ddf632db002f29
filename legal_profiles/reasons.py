"""Reasons built from profile facts, and the confidence a known fact lends to what rests on it."""

from __future__ import annotations

from typing import Any, Final

from legal_profiles.decision import Confidence, Reason
from legal_profiles.model import Fact

# The one enumeration of reason rules (plain-language texts are checked against it). `unknown`
# stands for the family `unknown.<profile field path>`: the fact is unknown or not in force.
REASON_RULES: Final = (
    "unknown",
    "profile.missing",
    "date.before_encoded_law",
    "role.not_covered",
    "eio.accused_consent",
    "eu_mla_2000_art10.accused_consent",
    "coe_ets182_art9.accused_consent",
    "eu_mla_2000_art10.accused_excluded",
    "coe_ets182_art9.accused_excluded",
    "national.witness_consent",
    "national.accused_vc",
    "national.accused_not_compellable",
    "national.treaty_required",
    "national.treaty_relation",
    "national.role_not_covered",
    "accused.treaty_safeguards",
    "eu1783.voluntary_only",
    "civil.direct_taking",
    "civil.persons",
    "hague.art33_exclusion",
    "hague.not_compelled",
    "hague.art18_conditions",
    "unilateral.prohibited",
    "unilateral.voluntary_only",
    "unilateral.accused_not_covered",
    "outgoing.accused_consent",
    "outgoing.accused_no_basis",
    "outgoing.witness_no_basis",
)


def rule_family(rule: str) -> str:
    """The entry of `REASON_RULES` a reason's rule belongs to (`unknown.x.y` -> `unknown`)."""
    return "unknown" if rule.startswith("unknown.") else rule


def known_confidence(fact: Fact[Any]) -> Confidence:
    """V or K: what a condition or reason resting on this known fact may claim."""
    return "K" if fact.confidence == "K" else "V"


def fact_reason(state: str, fact: Fact[Any], what: str) -> Reason:
    """Why a route needs manual review: the fact it turns on is unknown (or not yet in force)."""
    note = f" ({fact.note})" if fact.note else ""
    return Reason(
        state,
        f"unknown.{fact.path}",
        f"{what} is not known for {state}{note}: manual legal review.",
        fact.citation(),
        "U",
    )


def rule_reason(state: str, rule: str, text: str, fact: Fact[Any]) -> Reason:
    """A reason resting on a known fact of a profile."""
    return Reason(state, rule, text, fact.citation(), known_confidence(fact))
