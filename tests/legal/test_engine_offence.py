"""The offence scope of the UN routes (issue 11 point 4): UNTOC Art 18(18) serves a witness where
both states are parties and the offence is within UNTOC (Art 3(1)); UNCAC Art 46(18) where it is
within UNCAC (Art 3(1)). Synthetic profiles: the shipped data changes under these tests."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from legal_profiles.api import check_request
from legal_profiles.cli import register
from legal_profiles.decision import Offence, Status
from legal_profiles.engine import check
from legal_profiles.errors import LegalInputError
from tests.legal.helpers import build, profile_set, toml_text, v
from tests.legal.test_engine_synthetic import condition_ids, decide, regime_ids, states

# No national assistance and no route without a treaty: only the UN conventions can serve.
_CLOSED = {
    "b__incoming__criminal__national_assistance": "no",
    "b__incoming__unilateral__criminal": "prohibited",
    "b__incoming__criminal__witness_consent_required": False,
}


def _un_parties(**extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return states(
        both__treaties__untoc=True,
        both__treaties__uncac=True,
        both__treaties__coe_2ap__party=False,
        **_CLOSED,
        **extra,
    )


def test_no_offence_given_leaves_the_scope_to_the_judge() -> None:
    # UNTOC Art 18(18) / UNCAC Art 46(18): the judge confirms the offence is within the treaty.
    a, b = _un_parties()
    decision = decide(a, b, "criminal", "witness", "yes")
    assert decision.decision is Status.CONDITIONAL
    assert decision.offence is None and decision.to_dict()["offence"] is None
    assert regime_ids(decision) == ["untoc_art18_18"]
    assert "request.scope_in_treaty" in condition_ids(decision)


def test_organized_crime_takes_untoc_with_its_scope_met() -> None:
    # UNTOC Art 3(1): serious crime, transnational, involving an organized criminal group.
    a, b = _un_parties()
    decision = decide(a, b, "criminal", "witness", "yes", offence="organized_crime")
    assert decision.decision is Status.CONDITIONAL
    assert regime_ids(decision) == ["untoc_art18_18"]
    assert "request.scope_in_treaty" not in condition_ids(decision)
    assert {"request.reasons_stated", "request.accepted"} <= condition_ids(decision)
    assert decision.offence is Offence.ORGANIZED_CRIME
    assert decision.to_dict()["offence"] == "organized_crime"


def test_corruption_takes_uncac_only() -> None:
    # UNCAC Art 3(1) and Art 46(18); UNTOC covers corruption only as its Art 8 offence with
    # organized-crime elements (Art 3(1)), which `corruption` does not assert.
    a, b = _un_parties()
    decision = decide(a, b, "criminal", "expert", "yes", offence=Offence.CORRUPTION)
    assert regime_ids(decision) == ["uncac_art46_18"]
    assert "request.scope_in_treaty" not in condition_ids(decision)
    # UNCAC alone unknown: UNTOC does not step in for a corruption offence.
    a, b = _un_parties(b__treaties__uncac="unknown")
    unsure = decide(a, b, "criminal", "witness", "yes", offence="corruption")
    assert unsure.decision is Status.UNKNOWN
    assert "untoc_art18_18" not in regime_ids(unsure)


def test_another_offence_has_no_un_route() -> None:
    a, b = _un_parties()
    decision = decide(a, b, "criminal", "witness", "yes", offence="other")
    assert decision.decision is Status.BARRED
    assert not {"untoc_art18_18", "uncac_art46_18"} & set(regime_ids(decision))


def test_a_un_party_only_from_its_entry_into_force() -> None:
    # UNTOC Art 38(2): in force for a state on the thirtieth day after its instrument.
    a, b = _un_parties(b__treaties__untoc=v(True, since=date(2027, 3, 1)))
    early = decide(
        a, b, "criminal", "witness", "yes", hearing_date=date(2027, 2, 1), offence="organized_crime"
    )
    assert early.decision is Status.UNKNOWN
    assert "unknown.treaties.untoc" in {reason.rule for reason in early.reasons}
    later = decide(
        a, b, "criminal", "witness", "yes", hearing_date=date(2027, 3, 1), offence="organized_crime"
    )
    assert later.decision is Status.CONDITIONAL


@pytest.mark.parametrize(
    ("proceeding", "role", "offence"),
    [
        ("civil", "witness", "organized_crime"),
        ("civil", "party", "other"),
        ("criminal", "witness", "fraud"),
        ("criminal", "witness", 3),
    ],
)
def test_a_bad_offence_is_a_typed_error_naming_the_field(
    proceeding: str, role: str, offence: Any
) -> None:
    a, b = _un_parties()
    with pytest.raises(LegalInputError) as caught:
        check(profile_set(a, b), "SE", "NO", proceeding, role, "yes", offence=offence)
    assert caught.value.code == "legal.bad_offence"
    assert caught.value.details["field"] == "offence"


def test_the_api_and_cli_take_the_offence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = _un_parties()
    profiles = profile_set(a, b)
    body = {
        "requesting": "SE",
        "requested": "NO",
        "proceeding": "criminal",
        "role": "witness",
        "consent": "yes",
        "offence": "corruption",
    }
    data = check_request(body, profiles)
    assert data["offence"] == "corruption"
    assert [regime["id"] for regime in data["regimes"]] == ["uncac_art46_18"]
    with pytest.raises(LegalInputError) as caught:
        check_request({**body, "proceeding": "civil"}, profiles)
    assert caught.value.code == "legal.bad_offence"

    for doc in (a, b):
        (tmp_path / f"{doc['iso2']}.toml").write_text(toml_text(doc), encoding="utf-8")
        build(doc)  # the written document is the one tested above
    parser = argparse.ArgumentParser(prog="vc-service")
    register(parser.add_subparsers(dest="command", required=True))
    argv = [
        "legal", "check", "--requesting", "SE", "--requested", "NO", "--proceeding", "criminal",
        "--role", "witness", "--consent", "yes", "--offence", "corruption", "--json",
        "--profiles", str(tmp_path),
    ]  # fmt: skip
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out) == data
