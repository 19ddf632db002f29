"""Properties: unknown facts never yield `allowed`, consent never makes things worse, every
condition and reason carries a citation. Checked on every shipped case and on random profiles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal, get_args, get_origin, get_type_hints

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from legal_profiles import model
from legal_profiles.conditions import CATALOGUE
from legal_profiles.countries import ISO_3166_ALPHA2
from legal_profiles.decision import RANK, Actor, Decision, Status
from legal_profiles.engine import check
from legal_profiles.errors import ProfileError
from legal_profiles.loader import ProfileSet, default_profiles
from tests.legal.helpers import STATES, blank, profile_set, put, v

ROLES = ("witness", "expert", "party", "victim", "accused")
CASES = [
    (a, b, p, r)
    for a in STATES
    for b in STATES
    if a != b
    for p in ("civil", "criminal")
    for r in ROLES
    if not (p == "civil" and r == "accused")
]


def _domain(kind: Any) -> list[Any] | None:
    """Concrete values a decision-relevant fact can take; None for descriptive facts."""
    if get_origin(kind) is Literal:
        return list(get_args(kind))
    if kind is bool:
        return [True, False]
    if kind is int:
        return [14]
    if get_origin(kind) is tuple and get_args(kind)[0] == model.RoleName:
        return [[], ["witness"], ["witness", "expert", "accused"]]
    return None


def _paths(cls: type[Any], prefix: str) -> list[tuple[str, list[Any]]]:
    found: list[tuple[str, list[Any]]] = []
    for name, hint in get_type_hints(cls, vars(model)).items():
        path = f"{prefix}.{name}"
        if get_origin(hint) is model.Fact:
            domain = _domain(get_args(hint)[0])
            if domain is not None:
                found.append((path, domain))
        elif isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
            found.extend(_paths(hint, path))
    return found


FACTS = (
    _paths(model.Treaties, "treaties")
    + _paths(model.Incoming, "incoming")
    + _paths(model.Outgoing, "outgoing")
)
Draw = Callable[[st.SearchStrategy[Any]], Any]
NOTICE_DAYS = ("treaties.hague.ch2_notice_days", "incoming.unilateral.notice_days")


def _checked(decision: Decision) -> Decision:
    for condition in decision.conditions:
        spec = CATALOGUE[condition.id]
        assert condition.stage is spec.stage
        assert condition.citation.strip() and condition.text.strip()
        assert condition.satisfied_by and set(condition.satisfied_by) <= set(Actor)
        assert condition.confidence in ("V", "K", "U")
    assert len({condition.id for condition in decision.conditions}) == len(decision.conditions)
    for reason in decision.reasons:
        assert reason.state and reason.rule and reason.text and reason.citation.strip()
    for regime in decision.regimes:
        assert regime.id and regime.citation.strip()
    if decision.decision in (Status.BARRED, Status.UNKNOWN):
        assert decision.reasons
    else:
        assert not decision.reasons and decision.regimes
    assert decision.recording.citation
    return decision


@pytest.mark.parametrize("day", [None, date(2025, 12, 1)])
def test_every_shipped_case_cites_and_consent_never_hurts(day: date | None) -> None:
    profiles = default_profiles()
    seen: set[Status] = set()
    for a, b, p, r in CASES:
        by_consent = {
            consent: _checked(check(profiles, a, b, p, r, consent, day)).decision
            for consent in ("yes", "no", "unknown")
        }
        seen.update(by_consent.values())
        assert RANK[by_consent["yes"]] >= RANK[by_consent["no"]], (a, b, p, r)
        assert RANK[by_consent["yes"]] >= RANK[by_consent["unknown"]], (a, b, p, r)
    assert {Status.CONDITIONAL, Status.BARRED, Status.UNKNOWN} <= seen


def _random_pair(draw: Draw) -> tuple[dict[str, Any], dict[str, Any]]:
    docs = (blank("SE", "Requestia"), blank("NO", "Requestedia"))
    for doc in docs:
        for path in NOTICE_DAYS:  # a notice rule needs its days (schema rule)
            put(doc, path, v(14))
        for path, domain in FACTS:
            if path in NOTICE_DAYS:
                continue
            value = draw(st.sampled_from(["unknown", *domain]))
            put(doc, path, value if value == "unknown" else v(value))
    return docs


OPEN = {  # a pair where a willing person may be heard with nothing more: "allowed"
    "treaties.eu_reg_2020_1783": False,
    "treaties.eio": False,
    "treaties.eu_mla_2000.party": False,
    "treaties.coe_2ap.party": False,
    "treaties.hague.party": False,
    "treaties.untoc": False,
    "treaties.uncac": False,
    "incoming.unilateral.civil": "permitted",
    "incoming.unilateral.criminal": "permitted",
    "outgoing.foreign_permission": "no",
    "outgoing.accused_remote": "permitted",
    "outgoing.witness_remote_criminal": "permitted",
    "incoming.forbidden_venues": [],
}


def _open_pair(draw: Draw) -> tuple[dict[str, Any], dict[str, Any]]:
    """The open pair with a few facts changed at random (to a value or to unknown)."""
    docs = (blank("SE", "Requestia"), blank("NO", "Requestedia"))
    for doc in docs:
        for path in NOTICE_DAYS:
            put(doc, path, v(14))
        for path, value in OPEN.items():
            put(doc, path, v(value))
    for _ in range(draw(st.integers(0, 4))):
        doc = draw(st.sampled_from(docs))
        path, domain = draw(st.sampled_from(FACTS))
        value = draw(st.sampled_from(["unknown", *domain]))
        put(doc, path, value if value == "unknown" else v(value))
    return docs


def _decide(profiles: ProfileSet, case: tuple[str, str, str], consent: str) -> Decision:
    proceeding, role, _ = case
    return check(profiles, "SE", "NO", proceeding, role, consent)


CASE = st.tuples(
    st.sampled_from(["civil", "criminal"]), st.sampled_from(ROLES), st.just("")
).filter(lambda c: not (c[0] == "civil" and c[1] == "accused"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), case=CASE, consent=st.sampled_from(["yes", "no", "unknown"]))
def test_an_unknown_fact_never_yields_allowed(
    data: st.DataObject, case: tuple[str, str, str], consent: str
) -> None:
    a, b = _open_pair(data.draw)
    side = data.draw(st.sampled_from([a, b]))
    path, domain = data.draw(st.sampled_from(FACTS))
    assume(path not in NOTICE_DAYS)
    put(side, path, "unknown")
    try:
        profiles = profile_set(a, b)
    except ProfileError:  # e.g. a notice rule drawn without its days
        assume(False)
        raise
    unknown = _checked(_decide(profiles, case, consent))
    event(f"decision with the fact unknown: {unknown.decision.value}")
    if unknown.decision is not Status.ALLOWED:
        return
    # "allowed" with the fact unknown is only sound if every value it could have allows too.
    for value in domain:
        put(side, path, v(value))
        try:
            profiles = profile_set(a, b)
        except ProfileError:
            continue
        assert _decide(profiles, case, consent).decision is Status.ALLOWED, (path, value)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), case=CASE)
def test_consent_never_turns_a_decision_worse_on_random_profiles(
    data: st.DataObject, case: tuple[str, str, str]
) -> None:
    profiles = profile_set(*_random_pair(data.draw))
    ranks = {
        c: RANK[_checked(_decide(profiles, case, c)).decision] for c in ("yes", "no", "unknown")
    }
    assert ranks["yes"] >= ranks["no"]
    assert ranks["yes"] >= ranks["unknown"]


@given(
    a=st.sampled_from(sorted(ISO_3166_ALPHA2)),
    b=st.sampled_from(sorted(ISO_3166_ALPHA2)),
    case=CASE,
)
def test_any_state_pair_answers_without_raising(a: str, b: str, case: tuple[str, str, str]) -> None:
    assume(a != b)
    decision = _checked(check(default_profiles(), a, b, case[0], case[1]))
    if a not in STATES or b not in STATES:
        assert decision.decision is Status.UNKNOWN
        assert {reason.rule for reason in decision.reasons} == {"profile.missing"}


def test_a_profile_that_knows_nothing_yields_unknown() -> None:
    profiles = profile_set(blank("SE"), blank("NO"))
    for proceeding, role, _ in [(p, r, "") for p in ("civil", "criminal") for r in ROLES]:
        if proceeding == "civil" and role == "accused":
            continue
        for consent in ("yes", "no", "unknown"):
            decision = check(profiles, "SE", "NO", proceeding, role, consent)
            assert decision.decision is Status.UNKNOWN


def _open_docs() -> tuple[dict[str, Any], dict[str, Any]]:
    return _open_pair(lambda strategy: 0)  # draws no random change


def test_no_fact_is_read_as_permission_next_to_allowed() -> None:
    """Exhaustively, around a pair that is `allowed`: for every fact of either state, unknown
    gives `allowed` only where every value it could have gives `allowed` too."""
    cases = [
        (p, r, "") for p in ("civil", "criminal") for r in ROLES if (p, r) != ("civil", "accused")
    ]
    checked = 0
    for side in (0, 1):
        for path, domain in FACTS:
            if path in NOTICE_DAYS:
                continue
            docs = _open_docs()
            put(docs[side], path, "unknown")
            profiles = profile_set(*docs)
            allowed = [
                (case, consent)
                for case in cases
                for consent in ("yes", "no", "unknown")
                if _decide(profiles, case, consent).decision is Status.ALLOWED
            ]
            for value in domain:
                put(docs[side], path, v(value))
                try:
                    concrete = profile_set(*docs)
                except ProfileError:
                    continue
                for case, consent in allowed:
                    decision = _decide(concrete, case, consent).decision
                    assert decision is Status.ALLOWED, (side, path, value, case, consent)
                    checked += 1
    assert checked > 500
