"""The participant page's translations: every language has every key with the same
placeholders, every key the page uses exists, and every key is used."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from signaling.protocol import Role
from tests.browser.live_service import REPO

I18N = REPO / "web" / "static" / "i18n"
LANGUAGES = ("en", "fr", "de", "es")
JOIN_HTML = REPO / "web" / "join.html"
JS = REPO / "web" / "static" / "js"
# The participant page's script: join.js and the modules it is split into (join-*.js).
JOIN_SCRIPTS = [JS / "join.js", *sorted(JS.glob("join-*.js"))]

# Keys the page builds at run time from a prefix and a value, with every value it can use.
FAMILIES: dict[str, set[str]] = {
    "link.title": {
        "expired", "early", "revoked", "locked", "unavailable", "network", "invalid", "other",
    },
    "link.text": {
        "expired", "early", "revoked", "locked", "unavailable", "network", "invalid", "other",
    },
    "role": {role.value for role in Role},
    "devices": {"denied", "missing", "busy", "unsupported", "failed"},
    "notices.kind": {"voluntariness", "right_to_refuse", "consent", "rights", "information"},
}  # fmt: skip
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def load(language: str) -> dict[str, str]:
    data = json.loads((I18N / f"{language}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def keys_in_markup() -> set[str]:
    html = JOIN_HTML.read_text(encoding="utf-8")
    return set(re.findall(r'data-i18n(?:-[a-z-]+)?="([^"]+)"', html))


def join_script() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in JOIN_SCRIPTS)


def keys_in_script() -> set[str]:
    script = join_script()
    literal = set(re.findall(r'(?:say\([^,]+,|message\()\s*"([a-z_]+(?:\.[a-z_]+)+)"', script))
    # Keys chosen in a lookup table or a conditional, e.g. {ended: "ended.text"}, "code.used".
    literal |= set(re.findall(r'"((?:lobby|ended|code|consent|devices|error)\.[a-z_]+)"', script))
    return literal


def template_prefixes() -> set[str]:
    script = join_script()
    return set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)*)\.\$\{", script))


def test_families_match_the_values_the_scripts_produce() -> None:
    notices = (JS / "notices.js").read_text(encoding="utf-8")
    assert set(re.findall(r'\["(\w+)", \((?:id)?\) =>', notices)) == FAMILIES["notices.kind"]
    devices = (JS / "devices.js").read_text(encoding="utf-8")
    kinds = set(re.findall(r'return "(\w+)";', devices))
    kinds |= set(re.findall(r'new DeviceError\("(\w+)"', devices))
    assert kinds == FAMILIES["devices"]


def assert_translations_agree(load: Callable[[str], dict[str, str]], where: str = "") -> None:
    """Every language of a catalog (`load(language)`) has every English key, none empty, each
    with the English text's placeholders."""
    english = load("en")
    for language in LANGUAGES[1:]:
        other = load(language)
        assert set(other) == set(english), (
            f"{where}{language}: missing {sorted(set(english) - set(other))}, "
            f"extra {sorted(set(other) - set(english))}"
        )
        for key, text in other.items():
            assert text.strip(), f"{where}{language}: {key} is empty"
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), (
                f"{where}{language}: {key} has placeholders {PLACEHOLDER.findall(text)}, "
                f"English has {PLACEHOLDER.findall(english[key])}"
            )


def test_every_language_has_every_key_with_the_same_placeholders() -> None:
    assert_translations_agree(load)


def test_every_key_the_page_uses_exists_and_every_key_is_used() -> None:
    english = set(load("en"))
    prefixes = template_prefixes()
    assert prefixes <= set(FAMILIES), f"join.js builds keys from unknown prefixes {prefixes}"
    built = {f"{prefix}.{member}" for prefix in prefixes for member in FAMILIES[prefix]}
    used = keys_in_markup() | keys_in_script() | built
    assert used - english == set(), f"used but not translated: {sorted(used - english)}"
    assert english - used == set(), f"translated but never used: {sorted(english - used)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_files_are_plain_utf8_json_objects_of_strings(language: str) -> None:
    raw = (I18N / f"{language}.json").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    data = load(language)
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in data.items())
    assert Path(I18N / f"{language}.json").stat().st_size < 64 * 1024
