"""The minutes' catalogs are complete: every language has every key with the same placeholders,
every word the log can hold (condition, method, document, role, act) has plain words in each,
and all of it prints in the PDF's Latin-1 fonts."""

from __future__ import annotations

import re
import string

import pytest

from legal_profiles.conditions import CONDITION_IDS
from signaling.protocol import DocumentType, MetBy
from signaling.protocol import Role as RoomRole
from vc_service.closing.minutes import _ACTS
from vc_service.closing.minutes_text import LANGUAGES, STATE_LANGUAGE, Text, catalog
from vc_service.hearings.models import Consent, ParticipantRole, Proceeding

# Set outside the room: the judge records the `before` conditions (vc_service.hearings.opening).
METHODS_OUTSIDE_THE_ROOM = ("recorded_by_judge",)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_key_with_the_same_placeholders() -> None:
    english = catalog("en")
    for language in LANGUAGES:
        other = catalog(language)
        assert set(other) == set(english), (language, set(other) ^ set(english))
        for key, template in english.items():
            assert placeholders(other[key]) == placeholders(template), (language, key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_of_the_log_has_plain_words(language: str) -> None:
    words = catalog(language)
    needed = [
        *(f"condition.{cid}" for cid in CONDITION_IDS),
        *(f"method.{m.value}" for m in MetBy),
        *(f"method.{m}" for m in METHODS_OUTSIDE_THE_ROOM),
        *(f"document.{d.value}" for d in DocumentType),
        *(f"role.{r.value}" for r in ParticipantRole),
        *(f"role.{r.value}" for r in RoomRole),
        "role.system",
        *(f"consent.{c.value}" for c in Consent),
        *(f"proceeding.{p.value}" for p in Proceeding),
        *(f"stage.{s}" for s in ("before", "during", "after")),
        *(f"act.{kind}" for kind in _ACTS if kind != "participant.joined"),
        "act.participant.joined.lobby",
        "act.participant.joined.admitted",
        *(f"weekday.{n}" for n in range(7)),
        *(f"month.{n}" for n in range(1, 13)),
    ]
    missing = [key for key in needed if key not in words]
    assert missing == [], missing
    # The words read as words: no raw identifiers (dots, underscores) in them.
    raw = [k for k in needed if re.search(r"[a-z]_[a-z]|\w\.\w", words[k].replace("2014/41", ""))]
    assert raw == [], raw


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogs_print_in_the_pdfs_latin_1_fonts(language: str) -> None:
    for key, text in catalog(language).items():
        text.encode("latin-1")  # raises on a character the core fonts lack
        assert "\u2019" not in text, key


def test_each_courts_language_is_one_of_ours() -> None:
    assert set(STATE_LANGUAGE.values()) <= set(LANGUAGES)
    assert Text("xx").language == "en"
