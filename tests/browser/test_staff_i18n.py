"""The staff pages' translations (web/static/i18n/staff): every language has every key with the
same placeholders, every key the staff pages use exists, and every key is used (issue 13 point 9).
Like test_i18n.py for the participant page; static, no browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser.live_service import REPO
from tests.browser.test_i18n import LANGUAGES, assert_translations_agree
from vc_service.accounts.models import Role

WEB = REPO / "web"
JS = WEB / "static" / "js"
STAFF = WEB / "static" / "i18n" / "staff"
SOURCES = (REPO / "vc_service", REPO / "signaling", REPO / "recordings", REPO / "legal_profiles")


def folders() -> list[Path]:
    """The common catalog and each page's own (staff/<page>/<lang>.json)."""
    return [STAFF, *sorted(p for p in STAFF.iterdir() if p.is_dir())]


def load(folder: Path, language: str) -> dict[str, str]:
    data = json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def all_english() -> dict[str, str]:
    merged: dict[str, str] = {}
    for folder in folders():
        merged.update(load(folder, "en"))
    return merged


def prefixes() -> set[str]:
    """The keys' first words ("home", "error"...): a literal string in a staff script starting
    with one of them is a key (others, like the API's code "auth.ticket_expired", are not)."""
    return {key.split(".", 1)[0] for key in all_english()}


def staff_scripts() -> list[Path]:
    """The shared staff modules and every script that imports one of them."""
    shared = sorted(JS.glob("staff-*.js"))
    users = [
        path
        for path in sorted(JS.glob("*.js"))
        if path not in shared and re.search(r'from "\./staff-[a-z0-9-]+\.js"', path.read_text())
    ]
    return shared + users


def staff_pages() -> list[Path]:
    """The pages whose module is a staff script."""
    names = {path.name for path in staff_scripts()}
    return [
        page
        for page in sorted(WEB.glob("*.html"))
        if set(re.findall(r'src="/static/js/([\w-]+\.js)"', page.read_text())) & names
    ]


def script_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in staff_scripts())


def keys_in_markup() -> set[str]:
    keys: set[str] = set()
    for page in staff_pages():
        keys |= set(re.findall(r'data-i18n(?:-[a-z-]+)?="([^"]+)"', page.read_text()))
    return keys


def keys_in_scripts() -> set[str]:
    first = "|".join(sorted(prefixes()))
    return set(re.findall(rf'"((?:{first})\.[a-z_]+(?:\.[a-z_]+)*)"', script_text()))


def field_kinds() -> set[str]:
    """The kinds of field problem staff-errors.js tells apart."""
    errors = (JS / "staff-errors.js").read_text(encoding="utf-8")
    return set(re.findall(r'return \["(\w+)", ', errors)) | set(
        re.findall(r'kind = "(\w+)"', errors)
    )


def service_error_codes() -> set[str]:
    """Every dotted string in the service's Python source: the error codes are among them."""
    codes: set[str] = set()
    for root in SOURCES:
        for path in root.rglob("*.py"):
            codes |= set(re.findall(r'"([a-z_]+(?:\.[a-z_]+)+)"', path.read_text("utf-8")))
    return codes


def scoped_field_keys() -> set[str]:
    """error.<scope>.<field>.<kind> for each form that passes a scope and its field map."""
    keys: set[str] = set()
    for path in staff_scripts():
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"showError\([^;]*?scope: \"(\w+)\"", text, re.S):
            fields = re.findall(r"(\w+): \$\(", call.group(0))
            keys |= {
                f"error.{call.group(1)}.{field}.{kind}"
                for field in fields
                for kind in field_kinds()
            }
    return keys


def families() -> set[str]:
    """Keys the scripts build from a prefix and a value, with every value they can take."""
    roles = {role.value for role in Role}
    built = {f"role.{role}" for role in roles} | {f"home.next.{role}" for role in roles}
    built |= {f"home.{kind}.{role}" for kind in ("upcoming", "none") for role in roles}
    built |= {f"home.closed.{role}" for role in roles} | {f"home.link.{role}" for role in roles}
    built |= {f"error.field.{kind}" for kind in field_kinds()}
    return built | scoped_field_keys()


@pytest.mark.parametrize("folder", folders(), ids=lambda f: f.name)
def test_every_language_has_every_key_with_the_same_placeholders(folder: Path) -> None:
    assert_translations_agree(lambda language: load(folder, language), f"{folder.name}/")


def test_the_staff_pages_are_found() -> None:
    # Guards the scan itself: the pages adopted so far are seen.
    names = {page.name for page in staff_pages()}
    assert {"sign-in.html", "home.html", "index.html"} <= names
    assert {"staff-errors.js", "staff-i18n.js", "staff-page.js", "staff-time.js"} <= {
        p.name for p in staff_scripts()
    }


def test_every_key_the_staff_pages_use_exists() -> None:
    english = set(all_english())
    used = keys_in_markup() | keys_in_scripts()
    first = "|".join(sorted(prefixes()))
    built = set(re.findall(rf"`((?:{first})\.[a-z_.]*)\$\{{", script_text()))
    assert used - english == set(), f"used but not translated: {sorted(used - english)}"
    # Every role is named, and the home page says what each can do next.
    needed = {f"{prefix}.{role.value}" for prefix in ("role", "home.next") for role in Role}
    assert needed - english == set(), f"missing for a role: {sorted(needed - english)}"
    # A key built at run time from a prefix must have its family listed here.
    prefixes_known = {key.rsplit(".", 1)[0] + "." for key in families()} | {"error."}
    assert built <= prefixes_known, f"keys built from unknown prefixes {built - prefixes_known}"


def test_every_key_is_used_and_every_error_sentence_is_a_real_code() -> None:
    english = set(all_english())
    used = keys_in_markup() | keys_in_scripts() | families()
    codes = service_error_codes()
    unused = set()
    for key in english - used:
        # `error.<code>` is looked up by the API's code: the code must exist in the service.
        if key.startswith("error.") and key.removeprefix("error.") in codes:
            continue
        unused.add(key)
    assert unused == set(), f"translated but never used (or no such error code): {sorted(unused)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_are_plain_utf8_json_objects_of_strings(language: str) -> None:
    for folder in folders():
        raw = (folder / f"{language}.json").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
        data = load(folder, language)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())
        assert len(raw) < 64 * 1024
