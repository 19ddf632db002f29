"""Plain-language texts for the person heard: complete for the engine's vocabulary in en, fr,
de and es, checked when profiles load (`legal validate`, the service's start) with the file and
key named, rendered with their params, and what a participant receives instead of the law."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from legal_profiles.conditions import CONDITION_IDS
from legal_profiles.errors import ProfileError
from legal_profiles.loader import DATA_DIR, load_profiles
from legal_profiles.plain import (
    PLAIN_DIR,
    REQUIRED_LANGUAGES,
    Vocabulary,
    checked_texts,
    engine_vocabulary,
    load_plain,
    participant_condition,
    public_citation,
    validate,
)
from legal_profiles.reasons import REASON_RULES
from tests.legal.helpers import run


def copy_of_texts(tmp_path: Path) -> Path:
    """A profile directory (DE, FR) with its own copy of the plain texts, to break."""
    for code in ("DE", "FR"):
        shutil.copy(DATA_DIR / f"{code}.toml", tmp_path / f"{code}.toml")
    shutil.copytree(PLAIN_DIR, tmp_path / "plain")
    return tmp_path / "plain"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_texts_cover_every_condition_and_reason_in_four_languages() -> None:
    texts = checked_texts(PLAIN_DIR)
    assert set(REQUIRED_LANGUAGES) <= set(texts.languages)
    # The vocabulary is the engine's own, not a copy.
    assert engine_vocabulary() == Vocabulary(frozenset(CONDITION_IDS), frozenset(REASON_RULES))
    for language in REQUIRED_LANGUAGES:
        for cid in CONDITION_IDS:
            assert texts.condition(cid, {}, language), (language, cid)
        for rule in REASON_RULES:
            assert texts.reason(rule, language), (language, rule)
    # A whole family of reasons has one text.
    assert texts.reason("unknown.incoming.criminal.witness_consent_required", "fr") == (
        texts.reason("unknown", "fr")
    )


def test_texts_follow_the_params_of_the_condition() -> None:
    texts = checked_texts(PLAIN_DIR)

    def text(cid: str, params: dict[str, object], language: str) -> str:
        found = texts.condition(cid, params, language)
        assert found is not None, (cid, language)
        return found

    notice = text("notice.requested_state", {"notice_days": 14}, "de")
    assert notice.startswith("Mindestens 14 Tage vor der Vernehmung")
    assert "{" not in text("notice.requested_state", {}, "de")
    assert "à tout moment" in text("consent.person", {"revocable": True}, "fr")
    assert "à tout moment" not in text("consent.person", {"revocable": False}, "fr")
    oath = text("oath.competent_person", {"rule": "consent_required"}, "fr")
    assert "si vous êtes d’accord" in oath


def test_a_text_missing_in_one_language_stops_validate_and_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = copy_of_texts(tmp_path)
    fr = plain / "fr.toml"
    edit(fr, '[conditions."advisory.voluntary"]\n', '[conditions."advisory.voluntary_typo"]\n')
    with pytest.raises(ProfileError) as caught:
        load_profiles(tmp_path)  # what `Services.build` calls when the service starts
    assert caught.value.file == str(fr)
    assert caught.value.field == "conditions.advisory.voluntary"
    assert run(["legal", "validate", "--profiles", str(tmp_path)]) == 1
    assert f"INVALID {fr}: conditions.advisory.voluntary: no plain-language text" in (
        capsys.readouterr().err
    )


def test_a_missing_reason_or_variant_names_file_and_key(tmp_path: Path) -> None:
    plain = copy_of_texts(tmp_path)
    es = plain / "es.toml"
    edit(es, '"hague.not_compelled" = ', '"hague.not_compelld" = ')
    with pytest.raises(ProfileError) as caught:
        validate(load_plain(plain), engine_vocabulary())
    assert (caught.value.file, caught.value.field) == (str(es), "reasons.hague.not_compelled")

    shutil.copy(PLAIN_DIR / "es.toml", es)
    de = plain / "de.toml"
    edit(de, '"revocable=true" = ', '"revocable=false" = ')
    with pytest.raises(ProfileError) as caught:
        validate(load_plain(plain), engine_vocabulary())
    assert (caught.value.file, caught.value.field) == (
        str(de),
        "conditions.consent.person.revocable=true",
    )


def test_a_language_file_missing_altogether_is_named(tmp_path: Path) -> None:
    plain = copy_of_texts(tmp_path)
    (plain / "es.toml").unlink()
    with pytest.raises(ProfileError) as caught:
        load_plain(plain)
    assert caught.value.file == str(plain / "es.toml")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        # Not a param the template rule knows.
        ("Mindestens {notice_days} Tage", "Mindestens {days} Tage", "notice.requested_state"),
        # A known param, but the text it is in does not require it to be present.
        (
            'text = "Vor der Vernehmung informiert',
            'text = "{notice_days} Tage vor der Vernehmung informiert',
            "notice.requested_state",
        ),
    ],
)
def test_an_unknown_placeholder_stops_the_load(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    plain = copy_of_texts(tmp_path)
    edit(plain / "de.toml", old, new)
    with pytest.raises(ProfileError) as caught:
        load_profiles(tmp_path)
    assert caught.value.file == str(plain / "de.toml")
    assert caught.value.field.startswith(f"conditions.{field}.")
    assert "unknown placeholder" in caught.value.reason


def test_a_participant_gets_the_plain_texts_and_a_citation_without_profile_fields() -> None:
    texts = checked_texts(PLAIN_DIR)
    condition = {
        "id": "consent.person",
        "text": "The person consents, on the record, to being heard by video.",
        "citation": "profile field incoming.criminal.witness_consent_required: no source found [U]",
        "stage": "during",
        "satisfied_by": ["witness"],
        "confidence": "K",
        "params": {"revocable": False},
    }
    seen = participant_condition(condition, texts)
    assert seen["plain"]["fr"] == texts.condition("consent.person", {}, "fr")
    assert seen["citation"] is None
    assert "text" not in seen and "params" not in seen and "confidence" not in seen
    assert public_citation(
        "StPO § 247a; https://example.org/stpo; revocable: profile field a.b: no source found [U]"
    ) == ("StPO § 247a; https://example.org/stpo")
