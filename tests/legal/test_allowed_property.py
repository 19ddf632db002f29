"""No `allowed` answer rests on an unknown fact (issue 11, point 6).

For every `allowed` decision over all ordered pairs of the shipped profiles (each case the engine
covers x consent yes/no/unknown x, in criminal cases, each offence scope and none), every unknown
fact of the two profiles is replaced in turn by each value its type admits, and the decision must
stay `allowed`. A change means the engine read "unknown" as permission.

Substitution works on the profile (`dataclasses.replace` down the field path), recompiled once per
state, fact and value (about 40 microseconds) and reused for every pair and case. The values:
  - Literal: each member; bool: both; int: 0, 14 and 60 (no notice, two weeks, two months);
  - tuple of Literal: the empty tuple, each single member and all members; a tuple of free text,
    language codes or zones: the empty tuple and one entry;
  - free text: one sample, because the engine only tests whether a text is known and quotes it.
Skipped: dates (the property runs without a hearing date, and the engine compares date facts only
with a hearing date) and records (bilateral treaties, Hague relations, contacts are rows that are
present or absent, never an unknown value).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal, NamedTuple, get_args, get_origin, get_type_hints

import pytest

from legal_profiles import model
from legal_profiles.compiled import Compiled
from legal_profiles.coverage import CASES
from legal_profiles.decision import Consent, Offence, Proceeding, Role, Status
from legal_profiles.engine import check
from legal_profiles.loader import ProfileSet, default_profiles
from legal_profiles.model import UNKNOWN, Fact, Lang, StateProfile, Zone
from tests.legal.helpers import blank, build, profile_set, put, v

Path = tuple[str, ...]
# A rule that needs a companion fact (schema consistency): the compiled profile relies on it.
_COMPANIONS: dict[tuple[Path, str], Path] = {
    (("treaties", "hague", "ch2_vc"), "notification_required"): (
        "treaties",
        "hague",
        "ch2_notice_days",
    ),
    (("incoming", "unilateral", "civil"), "notification_required"): (
        "incoming",
        "unilateral",
        "notice_days",
    ),
    (("incoming", "unilateral", "criminal"), "notification_required"): (
        "incoming",
        "unilateral",
        "notice_days",
    ),
}


class Case(NamedTuple):
    proceeding: Proceeding
    role: Role
    consent: Consent
    offence: Offence | None


class Finding(NamedTuple):
    requesting: str
    requested: str
    case: Case
    state: str
    field: str
    value: object
    decision: Status

    def __str__(self) -> str:
        p, r, c, o = self.case
        return (
            f"{self.requesting}->{self.requested} {p.value} {r.value} consent {c.value}"
            f" offence {o.value if o else '-'}: {self.state} {self.field} = {self.value!r}"
            f" gives {self.decision.value}"
        )


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for proceeding, role in CASES:
        offences: tuple[Offence | None, ...] = (None,)
        if proceeding is Proceeding.CRIMINAL:
            offences += tuple(Offence)
        for consent in Consent:
            cases.extend(Case(proceeding, role, consent, offence) for offence in offences)
    return cases


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls, vars(model))
    return _HINTS[cls]


def unknown_facts(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """The path and value type of every unknown fact under a profile section (records skipped)."""
    for field in dataclasses.fields(node):
        hint = _hints(type(node))[field.name]
        child = getattr(node, field.name)
        if get_origin(hint) is Fact:
            if child.value is UNKNOWN:
                yield (*path, field.name), get_args(hint)[0]
        elif dataclasses.is_dataclass(hint):
            yield from unknown_facts(child, (*path, field.name))


def candidates(kind: Any) -> tuple[object, ...]:
    """The values substituted for an unknown fact of this type (see the module docstring)."""
    if get_origin(kind) is Literal:
        return get_args(kind)
    if kind is bool:
        return (True, False)
    if kind is int:
        return (0, 14, 60)
    if kind is date:
        return ()
    if get_origin(kind) is tuple:
        item = get_args(kind)[0]
        if get_origin(item) is Literal:
            members = get_args(item)
            return ((), *((m,) for m in members), members) if len(members) > 1 else ((), members)
        sample = {Lang: "en", Zone: "Europe/Paris"}.get(item, "a substituted entry")
        return ((), (sample,))
    return ("a substituted text",)


def replaced(node: Any, path: Path, value: object) -> Any:
    name, *rest = path
    child = getattr(node, name)
    if rest:
        new = replaced(child, tuple(rest), value)
    else:
        new = dataclasses.replace(
            child, value=value, confidence="K", ref="substituted by the property test"
        )
    return dataclasses.replace(node, **{name: new})


def substitute(profile: StateProfile, path: Path, value: object) -> StateProfile:
    out = replaced(profile, path, value)
    companion = _COMPANIONS.get((path, str(value)))
    if companion is not None:
        fact: Any = out
        for name in companion:
            fact = getattr(fact, name)
        if fact.value is UNKNOWN:
            out = replaced(out, companion, 14)
    return out


class Swapped(ProfileSet):
    """A profile set with one state's compiled profile swapped for a substituted one. The engine
    only asks a profile set for compiled profiles, so the rest is not rebuilt."""

    def __init__(self, base: ProfileSet, swap: Compiled) -> None:  # no super(): nothing to build
        self._base, self._swap = base, swap

    def compiled(self, iso2: str) -> Compiled | None:
        return self._swap if iso2 == self._swap.iso2 else self._base.compiled(iso2)


def allowed_resting_on_unknown(profiles: ProfileSet) -> tuple[list[Finding], int, int]:
    """Every (pair, case, fact, value) whose substitution changes an `allowed` decision; also
    how many allowed decisions and substituted checks there were."""
    substitutes: dict[str, list[tuple[str, object, Compiled]]] = {}

    def of(code: str) -> list[tuple[str, object, Compiled]]:
        if code not in substitutes:
            profile = profiles.get(code)
            assert profile is not None
            substitutes[code] = [
                (".".join(path), value, Compiled(substitute(profile, path, value)))
                for section in ("treaties", "incoming", "outgoing")
                for path, kind in unknown_facts(getattr(profile, section), (section,))
                for value in candidates(kind)
            ]
        return substitutes[code]

    findings: list[Finding] = []
    allowed = checks = 0
    cases = all_cases()
    codes = profiles.codes()
    for a in codes:
        for b in codes:
            if a == b:
                continue
            for case in cases:
                p, r, c, o = case
                if check(profiles, a, b, p, r, c, offence=o).decision is not Status.ALLOWED:
                    continue
                allowed += 1
                for state in (a, b):
                    for field, value, compiled in of(state):
                        checks += 1
                        d = check(Swapped(profiles, compiled), a, b, p, r, c, offence=o)
                        if d.decision is not Status.ALLOWED:
                            findings.append(Finding(a, b, case, state, field, value, d.decision))
    return findings, allowed, checks


def test_no_allowed_answer_of_the_shipped_profiles_rests_on_an_unknown_fact() -> None:
    profiles = default_profiles()
    start = time.perf_counter()
    findings, allowed, checks = allowed_resting_on_unknown(profiles)
    seconds = time.perf_counter() - start
    n = len(profiles)
    print(
        f"\n{n * (n - 1) * len(all_cases())} checks, {allowed} allowed, {checks} substituted"
        f" checks in {seconds:.1f} s"
    )
    assert not findings, "\n".join(str(f) for f in findings[:50]) + f"\n({len(findings)} in all)"


def _permissive_docs() -> tuple[dict[str, Any], dict[str, Any]]:
    """AD hears a willing person in MC without a request: no treaty, MC permits it, AD needs no
    permission. MC's forbidden venues are unknown."""
    ad, mc = blank("AD", "Andorra"), blank("MC", "Monaco")
    for doc in (ad, mc):
        for key in ("eu_reg_2020_1783", "eio", "untoc", "uncac"):
            put(doc, f"treaties.{key}", v(False))
        for key in ("eu_mla_2000.party", "coe_2ap.party", "hague.party"):
            put(doc, f"treaties.{key}", v(False))
    put(mc, "incoming.unilateral.civil", v("permitted"))
    put(ad, "outgoing.foreign_permission", v("no"))
    return ad, mc


def _permissive_pair() -> ProfileSet:
    return profile_set(*_permissive_docs())


def _engine_that_ignores_unknown_venues(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine as it was before issue 11: an unknown venue rule read as "none forbidden"."""
    original = Compiled.__init__

    def compile_without_the_confirmation(self: Compiled, profile: StateProfile) -> None:
        original(self, profile)
        if self.venue is not None and self.venue.confidence == "U":
            self.venue = None

    monkeypatch.setattr(Compiled, "__init__", compile_without_the_confirmation)


def test_unknown_venues_are_confirmed_not_presumed() -> None:
    profiles = _permissive_pair()
    decision = check(profiles, "AD", "MC", Proceeding.CIVIL, Role.WITNESS, Consent.YES)
    assert decision.decision is Status.CONDITIONAL
    (venue,) = decision.conditions
    assert venue.id == "venue.permitted" and venue.confidence == "U"


def test_it_finds_an_allowed_answer_that_rests_on_an_unknown_fact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _engine_that_ignores_unknown_venues(monkeypatch)
    profiles = _permissive_pair()
    case = Case(Proceeding.CIVIL, Role.WITNESS, Consent.YES, None)
    assert check(profiles, "AD", "MC", *case[:3]).decision is Status.ALLOWED
    findings, allowed, _ = allowed_resting_on_unknown(profiles)
    assert allowed == 3  # civil witness, expert and party, consent yes
    venue = Finding("AD", "MC", case, "MC", "incoming.forbidden_venues", ("a substituted entry",),
                    Status.CONDITIONAL)  # fmt: skip
    assert venue in findings
    prohibited = Finding("AD", "MC", case, "MC", "incoming.unilateral.civil", "prohibited",
                         Status.BARRED)  # fmt: skip
    assert prohibited not in findings  # a known fact is never substituted
    fields = {(f.state, f.field) for f in findings}
    assert ("MC", "incoming.forbidden_venues") in fields
    assert all(f.state == "MC" or f.field.startswith("outgoing.") for f in findings), fields
    assert "AD->MC civil witness consent yes offence -: MC incoming.forbidden_venues" in str(venue)


def test_with_the_venues_known_the_allowed_answer_stands() -> None:
    """The same pair with MC's venue rule sourced (none forbidden): nothing left to find."""
    ad, mc = _permissive_docs()
    put(mc, "incoming.forbidden_venues", v([]))
    findings, allowed, checks = allowed_resting_on_unknown(profile_set(ad, mc))
    assert allowed == 3 and checks > 100
    assert findings == [], [str(f) for f in findings]


def test_substitution_covers_each_type() -> None:
    assert candidates(bool) == (True, False)
    assert candidates(Literal["a", "b"]) == ("a", "b")
    assert candidates(int) == (0, 14, 60)
    assert candidates(tuple[Literal["x", "y"], ...]) == ((), ("x",), ("y",), ("x", "y"))
    assert candidates(tuple[Lang, ...]) == ((), ("en",))
    assert candidates(str) == ("a substituted text",)
    assert candidates(date) == ()
    profile = build(blank("AD"))
    paths = dict(unknown_facts(profile.treaties.hague, ("treaties", "hague")))
    assert ("treaties", "hague", "relations") not in paths  # records are not facts to substitute
    ch2 = ("treaties", "hague", "ch2_vc")
    swapped = substitute(profile, ch2, "notification_required")
    hague = swapped.treaties.hague
    assert hague.ch2_vc.value == "notification_required" and hague.ch2_vc.confidence == "K"
    assert hague.ch2_notice_days.value == 14  # the companion the rule needs
    assert swapped.incoming is profile.incoming  # the rest is shared, not copied
    Compiled(swapped)
