"""Reasons built from profile facts, and the confidence a known fact lends to what rests on it."""

from __future__ import annotations

from typing import Any

from legal_profiles.decision import Confidence, Reason
from legal_profiles.model import Fact


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
