"""Profiles: every shipped profile validates; an invalid one names file, field and reason."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from legal_profiles.errors import ProfileError
from legal_profiles.loader import DATA_DIR, default_profiles, load_file, load_profiles
from legal_profiles.model import UNKNOWN, iter_facts
from legal_profiles.schema import is_url, parse_profile
from tests.legal.helpers import SOURCE, STATES, build, drop, put, raw, v


def test_the_42_states_ship_and_validate() -> None:
    profiles = load_profiles()
    assert sorted(profiles.codes()) == sorted(STATES)
    for iso2 in STATES:
        profile = load_file(DATA_DIR / f"{iso2}.toml")
        assert profile.iso2 == iso2
        assert profile.origin.endswith(f"{iso2}.toml")


@pytest.mark.parametrize("iso2", STATES)
def test_every_fact_carries_its_provenance(iso2: str) -> None:
    profile = default_profiles().get(iso2)
    assert profile is not None
    facts = iter_facts(profile)
    assert len(facts) > 60
    for fact in facts:
        assert (fact.value is UNKNOWN) == (fact.confidence == "U"), fact.path
        assert fact.reviewed >= date(2026, 11, 23), fact.path
        if fact.confidence == "V":
            assert fact.source is not None and is_url(fact.source), fact.path
        if fact.confidence == "K":
            assert fact.ref, fact.path
        assert fact.citation()


def test_research_facts_are_encoded_as_stated() -> None:
    p = default_profiles()
    ch, cn, dk, ie, gb, de = (p.get(code) for code in ("CH", "CN", "DK", "IE", "GB", "DE"))
    assert ch and cn and dk and ie and gb and de
    # Switzerland's 2026 declaration: video hearings need notice, not permission (fact-check).
    assert ch.treaties.hague.ch2_vc.value == "notification_required"
    assert ch.treaties.hague.ch2_notice_days.value == 14
    assert ch.treaties.hague.ch2_vc.since == date(2026, 1, 9)
    assert cn.treaties.hague.ch2_vc.value == "excluded"
    assert cn.incoming.unilateral.civil.value == "prohibited"
    assert dk.treaties.eu_reg_2020_1783.value is False
    assert ie.treaties.eio.value is False and ie.treaties.eio.confidence == "K"
    assert gb.outgoing.foreign_permission.value == "always"
    assert de.incoming.criminal.consent_revocable.value is True
    # Germany's ETS 182 Art 9 declaration asks for voluntariness; it is not an Art 9(9) opt-out.
    assert de.treaties.coe_2ap.art9_9_excludes_accused.value is False
    # Values the research found wrong (issue 11), and the corrections that win over earlier rows.
    za, us, lu, mt, dk_hague = p.get("ZA"), p.get("US"), p.get("LU"), p.get("MT"), dk.treaties.hague
    assert za and us and lu and mt
    assert za.treaties.hague.art18_compulsion.value is True
    assert za.treaties.hague.art8_presence.value == "prior_authorisation"
    assert za.treaties.hague.ch2_vc.value == "permission_required"
    assert dk_hague.art33_exclusions.value not in (UNKNOWN, ())
    assert dk_hague.ch2_vc.value == "excluded"
    assert us.outgoing.accused_remote.value == "no_basis"
    assert lu.treaties.coe_2ap.party.since == date(2022, 2, 1)
    assert cn.treaties.untoc.value is True and cn.treaties.untoc.since == date(2003, 10, 23)
    assert mt.treaties.coe_2ap.art9_9_excludes_accused.value is True
    assert mt.treaties.coe_2ap.art9_9_scope.value == "requests_to_this_state"
    # Every profile's UN convention status is sourced or explicitly unknown, never guessed.
    assert all(profile.incoming.working_hours.value is UNKNOWN for profile in p)


NEW_STATES = "BG HR CY CZ EE GR HU LT MT RO SK SI SE NO NZ SG JP KR IN MX".split()  # noqa: SIM905


@pytest.mark.parametrize("iso2", NEW_STATES)
def test_a_new_state_has_its_treaty_status_sourced(iso2: str) -> None:
    """Issue 11: a new profile may be mostly unknown, but its treaty status must be sourced."""
    profile = default_profiles().get(iso2)
    assert profile is not None
    t = profile.treaties
    known = [t.untoc.known, t.uncac.known, t.hague.party.known]
    assert sum(known) >= 2, f"{iso2}: UNTOC, UNCAC, Hague party mostly unknown"


def test_multi_zone_states_list_zones_with_a_default() -> None:
    us = default_profiles().get("US")
    assert us is not None
    zones = us.incoming.time_zones.value
    assert zones is not UNKNOWN and "America/Los_Angeles" in zones
    assert us.incoming.default_time_zone.value == "America/New_York"


Mutation = Callable[[dict[str, Any]], object]
INVALID: list[tuple[str, Mutation, str, str]] = [
    ("missing field", lambda d: drop(d, "treaties.hague.party"), "treaties.hague.party", "missing"),
    (
        "V without source",
        lambda d: put(d, "treaties.eio", {"value": True, "confidence": "V"}),
        "treaties.eio",
        "needs a source",
    ),
    (
        "K without ref",
        lambda d: put(d, "treaties.eio", {"value": True, "confidence": "K"}),
        "treaties.eio",
        "needs ref",
    ),
    (
        "a guess marked U",
        lambda d: put(d, "treaties.eio", {"value": True, "confidence": "U"}),
        "treaties.eio",
        "confidence U needs value",
    ),
    (
        "unknown marked V",
        lambda d: put(d, "treaties.eio", v("unknown")),
        "treaties.eio",
        'value "unknown" needs confidence U',
    ),
    (
        "bad confidence",
        lambda d: put(d, "treaties.eio", {"value": True, "confidence": "X", "source": SOURCE}),
        "treaties.eio",
        "confidence must be V, K or U",
    ),
    (
        "bad enum",
        lambda d: put(d, "incoming.civil.recording", v("sometimes")),
        "incoming.civil.recording",
        "is not one of",
    ),
    ("unknown field", lambda d: put(d, "treaties.extra", "unknown"), "treaties.extra", "unknown"),
    (
        "unknown fact key",
        lambda d: put(d, "treaties.eio", v(True, colour="red")),
        "treaties.eio.colour",
        "unknown key",
    ),
    (
        "bare value",
        lambda d: put(d, "treaties.eio", True),
        "treaties.eio",
        'expected "unknown" or a table',
    ),
    (
        "bad time zone",
        lambda d: put(d, "incoming.time_zones", v(["Mars/Olympus"])),
        "incoming.time_zones[0]",
        "not an IANA time zone",
    ),
    (
        "default zone outside the list",
        lambda d: put(d, "incoming.default_time_zone", v("Europe/Paris")),
        "incoming.default_time_zone",
        "is not in incoming.time_zones",
    ),
    (
        "bad language",
        lambda d: put(d, "treaties.hague.languages", v(["deu"])),
        "treaties.hague.languages[0]",
        "ISO 639-1",
    ),
    ("bool as text", lambda d: put(d, "treaties.eio", v("yes")), "treaties.eio", "true or false"),
    (
        "negative days",
        lambda d: put(d, "treaties.hague.ch2_notice_days", v(-1)),
        "treaties.hague.ch2_notice_days",
        "non-negative integer",
    ),
    (
        "duplicates",
        lambda d: put(d, "incoming.civil.persons", v(["witness", "witness"])),
        "incoming.civil.persons",
        "duplicate",
    ),
    (
        "date on an unknown",
        lambda d: put(
            d, "treaties.untoc", {"value": "unknown", "confidence": "U", "since": date(2026, 1, 1)}
        ),
        "treaties.untoc.since",
        "cannot have a start date",
    ),
    (
        "unknown source key",
        lambda d: put(d, "treaties.eio", {"value": True, "confidence": "V", "source": "nowhere"}),
        "treaties.eio.source",
        "neither a URL nor a key",
    ),
    ("schema version", lambda d: put(d, "schema", 2), "schema", "must be 1"),
    ("not a state", lambda d: put(d, "iso2", "XX"), "iso2", "ISO 3166-1"),
    (
        "notice without days",
        lambda d: put(d, "treaties.hague.ch2_vc", v("notification_required")),
        "treaties.hague.ch2_notice_days",
        "needed when notification is required",
    ),
    (
        "bad record role",
        lambda d: d["treaties"]["bilateral"][0].update(roles=["judge"]),
        "treaties.bilateral[0].roles[0]",
        "is not one of",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "field", "reason"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_an_invalid_profile_names_field_and_reason(
    mutate: Mutation, field: str, reason: str
) -> None:
    data = raw("DE")
    mutate(data)
    with pytest.raises(ProfileError) as caught:
        parse_profile(data, "DE.toml", "DE")
    assert caught.value.file == "DE.toml"
    assert caught.value.field == field
    assert reason in caught.value.reason
    assert caught.value.message == f"DE.toml: {field}: {caught.value.reason}"
    assert caught.value.code == "legal.profile_invalid"


def test_a_treaty_with_itself_is_refused() -> None:
    data = raw("US")
    data["treaties"]["bilateral"][0]["counterparty"] = "US"
    with pytest.raises(
        ProfileError, match=r"counterparty: a state cannot have a treaty with itself"
    ):
        build(data)


def _copy(tmp_path: Path, *codes: str) -> Path:
    for code in codes:
        shutil.copy(DATA_DIR / f"{code}.toml", tmp_path / f"{code}.toml")
    return tmp_path


def test_an_invalid_file_stops_the_load_naming_the_file(tmp_path: Path) -> None:
    _copy(tmp_path, "CH", "DE")
    path = tmp_path / "DE.toml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace(
        'eio = { value = true, confidence = "V", source = "de_fiche_a12" }',
        'eio = { value = true, confidence = "V" }',
    )
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profiles(tmp_path)
    assert caught.value.file == str(path)
    assert caught.value.field == "treaties.eio"


def test_syntax_errors_and_misnamed_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "FR.toml").write_text("schema = 1\nname = [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"FR.toml: \(file\): not valid TOML"):
        load_profiles(tmp_path)
    (tmp_path / "FR.toml").unlink()
    shutil.copy(DATA_DIR / "DE.toml", tmp_path / "AT.toml")
    with pytest.raises(
        ProfileError, match=r"AT.toml: iso2: 'DE' does not match the file name 'AT'"
    ):
        load_profiles(tmp_path)
    (tmp_path / "AT.toml").unlink()
    with pytest.raises(ProfileError, match="holds no"):
        load_profiles(tmp_path)
    with pytest.raises(ProfileError, match="not a directory"):
        load_profiles(tmp_path / "missing")


def test_a_treaty_must_be_recorded_by_both_states(tmp_path: Path) -> None:
    _copy(tmp_path, "US", "DE")
    path = tmp_path / "DE.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[[treaties.bilateral]]")
    end = text.index("[incoming]")
    path.write_text(
        text[:start].replace("[treaties]\n", "[treaties]\nbilateral = []\n") + text[end:],
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as caught:
        load_profiles(tmp_path)
    assert caught.value.file == str(path)
    assert caught.value.field == "treaties.bilateral"
    assert "US records eu_us_mla_2003 with DE" in caught.value.reason


def _relation_with(path: Path, counterparty: str, old: str, new: str) -> None:
    """Rewrite one line of the [[treaties.hague.relations]] record for `counterparty`."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f'[[treaties.hague.relations]]\ncounterparty = "{counterparty}"')
    end = text.index("\n\n", start)
    record = text[start:end]
    assert old in record, record
    path.write_text(text[:start] + record.replace(old, new) + text[end:], encoding="utf-8")


def test_a_hague_relation_must_be_recorded_by_both_states(tmp_path: Path) -> None:
    """Art 39(4) binds a pair: both profiles record whether the Convention is in force."""
    _copy(tmp_path, "ZA", "DE")
    _relation_with(tmp_path / "DE.toml", "ZA", 'counterparty = "ZA"', 'counterparty = "AR"')
    with pytest.raises(ProfileError) as caught:
        load_profiles(tmp_path)
    assert caught.value.file == str(tmp_path / "DE.toml")
    assert caught.value.field == "treaties.hague.relations"
    assert "ZA records the Evidence Convention as in_force with DE" in caught.value.reason


def test_a_hague_relation_must_agree_on_both_sides(tmp_path: Path) -> None:
    _copy(tmp_path, "ZA", "DE")
    _relation_with(tmp_path / "DE.toml", "ZA", "1998-01-12", "1998-02-12")
    with pytest.raises(ProfileError) as caught:
        load_profiles(tmp_path)
    assert caught.value.field == "treaties.hague.relations"
    assert "1998-01-12" in caught.value.reason and "1998-02-12" in caught.value.reason
