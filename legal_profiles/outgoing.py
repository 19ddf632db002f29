"""The requesting state's own rules (its "outgoing" profile), prepared once per state: what its
courts need before hearing someone abroad, and how they may hear an accused who is abroad."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from legal_profiles import conditions as c
from legal_profiles.decision import Condition, Reason
from legal_profiles.model import UNKNOWN, Fact, StateProfile
from legal_profiles.reasons import known_confidence, rule_reason


@dataclass(frozen=True, slots=True)
class OutgoingRules:
    accused_remote: Fact[Any]
    accused_consent_refused: Reason  # for consent_required and a refusing accused
    accused_no_basis: Reason  # for no_basis
    accused_basis_unknown: Condition  # the court confirms its own law when it is not recorded
    foreign_permission: Condition | None  # for "always"
    foreign_permission_unknown: Condition  # the court confirms its own law
    permission_rule_unknown: bool
    # Its limits on a witness (expert, victim) testifying by video in its criminal trials.
    witness_remote: Fact[Any]
    witness_finding: Condition  # for court_finding_required
    witness_no_basis: Reason  # for no_basis
    witness_basis_unknown: Condition  # the court confirms its own law when it is not recorded


def outgoing_rules(profile: StateProfile) -> OutgoingRules:
    out, iso = profile.outgoing, profile.iso2
    accused = out.accused_remote
    rule = out.foreign_permission
    foreign_permission: Condition | None = None
    if rule.value == "always":
        lookup = out.permission_lookup
        foreign_permission = c.make(
            "permission.foreign_state",
            f"{iso} courts take oral evidence from abroad only with the permission of the state"
            " where the person is (general or for this case); where that state expressly"
            " refused, the evidence cannot be taken. An accepted request to that state counts"
            " as its permission.",
            rule.citation() + (f"; {lookup.citation()}" if lookup.known else ""),
            c.COURT_STAFF,
            known_confidence(rule),
        )
    witness = out.witness_remote_criminal
    note = f" ({witness.note})" if witness.note else ""
    return OutgoingRules(
        accused_remote=accused,
        accused_consent_refused=rule_reason(
            iso,
            "outgoing.accused_consent",
            f"{iso} courts hear an accused by video link only with the accused's consent, which"
            " is refused.",
            accused,
        ),
        accused_no_basis=rule_reason(
            iso,
            "outgoing.accused_no_basis",
            f"No basis in {iso} law for hearing the accused from abroad by video is recorded"
            f" ({accused.note or 'see citation'}): manual legal review.",
            accused,
        ),
        accused_basis_unknown=c.make(
            "basis.requesting_state",
            f"Whether {iso} law allows its courts to hear an accused who is abroad by video, and on"
            " what terms (such as consent), is not recorded: the requesting court confirms it under"
            " its own law.",
            accused.citation(),
            c.JUDGE,
            "U",
        ),
        foreign_permission=foreign_permission,
        foreign_permission_unknown=c.make(
            "permission.foreign_state",
            f"Whether {iso} law requires the requested state's permission before its courts hear"
            " a person abroad is not recorded: the requesting court confirms it under its own law"
            " and, if needed, that permission was obtained.",
            rule.citation(),
            c.JUDGE,
            "U",
        ),
        permission_rule_unknown=rule.value is UNKNOWN,
        witness_remote=witness,
        witness_finding=c.make(
            "forum.witness_finding",
            f"{iso} law lets its criminal courts receive a witness's testimony by video only on a"
            f" finding of the court in the case{note}: the requesting court makes that finding"
            " (and records it) before the hearing.",
            witness.citation(),
            c.JUDGE,
            known_confidence(witness),
        ),
        witness_no_basis=rule_reason(
            iso,
            "outgoing.witness_no_basis",
            f"No basis in {iso} law for its criminal courts to receive a witness's testimony by"
            f" video from abroad is recorded{note}: manual legal review.",
            witness,
        ),
        witness_basis_unknown=c.make(
            "basis.requesting_state",
            f"Whether {iso} law limits its criminal courts in receiving a witness's testimony by"
            " video from abroad (such as a finding the court must make first) is not recorded:"
            " the requesting court confirms its own law allows it.",
            witness.citation(),
            c.JUDGE,
            "U",
        ),
    )
