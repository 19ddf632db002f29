"""Plain-language texts for the person heard: one short text per condition id and per reason
rule, in every language of `legal_profiles/plain/<lang>.toml` (en, fr, de and es are required).

The engine's `text` and `citation` are written for staff. A witness reads these instead: second
person, short sentences, no article numbers (the citation is shown apart, collapsed). The files
are checked at load time against the engine's own vocabulary, so that a condition or reason the
engine can produce never reaches a participant without its plain text.

File format (`<lang>.toml`, the stem is the language):

    [conditions."notice.requested_state"]
    text = "Before the hearing, the court informs the authorities of the country where you are."
    "notice_days=*" = "At least {notice_days} days before the hearing, the court informs ..."

    [reasons]
    unknown = "..."              # every `unknown.<profile field path>` reason (one family)
    "profile.missing" = "..."

A condition's `text` is used unless a variant matches the condition's params: `"<param>=<value>"`
matches when the param equals the value (`true`/`false` for booleans, the string otherwise),
`"<param>=*"` when the param is present. The first matching variant, in file order, wins.

Template rule (kept small so that no text can break at run time): `{name}` placeholders appear
only in a variant keyed on that same param with `*`, and only for the integer params in
`PLACEHOLDERS`; `text` and reason texts have none. Every file has the same keys as every other.

Pure apart from reading the directory it is given; no clock, no network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from legal_profiles.conditions import CONDITION_IDS
from legal_profiles.errors import ProfileError
from legal_profiles.files import read_toml
from legal_profiles.reasons import REASON_RULES, rule_family

PLAIN_DIR: Final = Path(__file__).resolve().parent / "plain"
REQUIRED_LANGUAGES: Final = ("en", "fr", "de", "es")
FALLBACK_LANGUAGE: Final = "en"
# Integer params a text may quote: a number reads the same in every language.
PLACEHOLDERS: Final = frozenset(
    {"notice_days", "decision_days", "recognition_days", "execution_days"}
)

_VARIANT = re.compile(r"^(?P<param>[a-z][a-z0-9_]*)=(?P<value>\*|[A-Za-z0-9_.-]+)$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_MAX_TEXT = 600  # a notice a lay person reads on a phone, not a page of law


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the engine can produce: condition ids and reason rules (families end in `*`)."""

    condition_ids: frozenset[str]
    reason_rules: frozenset[str]


@dataclass(frozen=True, slots=True)
class ConditionTexts:
    text: str
    variants: tuple[tuple[str, str, str], ...]  # (param, value or "*", text), in file order

    def render(self, params: Mapping[str, Any]) -> str:
        for param, value, text in self.variants:
            if param not in params:
                continue
            if value == "*":
                return text.replace("{" + param + "}", str(params[param]))
            if _param_text(params[param]) == value:
                return text
        return self.text


@dataclass(frozen=True, slots=True)
class LanguageTexts:
    language: str
    file: str
    conditions: Mapping[str, ConditionTexts]
    reasons: Mapping[str, str]


class PlainTexts:
    """Every language's texts, validated. Look-ups never raise: a condition id or rule without
    a text (impossible once validated against the engine) gives None."""

    def __init__(self, languages: Mapping[str, LanguageTexts], directory: Path) -> None:
        self.directory = directory
        self._languages = dict(sorted(languages.items()))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._languages)

    def condition(self, condition_id: str, params: Mapping[str, Any], language: str) -> str | None:
        texts = self._languages.get(language)
        entry = texts.conditions.get(condition_id) if texts else None
        return entry.render(params) if entry else None

    def condition_texts(self, condition_id: str, params: Mapping[str, Any]) -> dict[str, str]:
        """The condition's text in every language that has it, by language code."""
        out: dict[str, str] = {}
        for language in self._languages:
            text = self.condition(condition_id, params, language)
            if text is not None:
                out[language] = text
        return out

    def reason(self, rule: str, language: str) -> str | None:
        texts = self._languages.get(language)
        if texts is None:
            return None
        return texts.reasons.get(rule_family(rule))


# -- reading ----------------------------------------------------------------------------------


def load_plain(directory: Path) -> PlainTexts:
    """Read `<lang>.toml` files in `directory` (not validated against the engine: see
    `validate`)."""
    if not directory.is_dir():
        raise ProfileError(str(directory), "(directory)", "no plain-language texts directory")
    languages: dict[str, LanguageTexts] = {}
    for path in sorted(directory.glob("*.toml")):
        texts = _read_file(path)
        languages[texts.language] = texts
    for language in REQUIRED_LANGUAGES:
        if language not in languages:
            raise ProfileError(
                str(directory / f"{language}.toml"),
                "(file)",
                f"missing: plain-language texts are required in {', '.join(REQUIRED_LANGUAGES)}",
            )
    return PlainTexts(languages, directory)


def _read_file(path: Path) -> LanguageTexts:
    name = str(path)
    if not _LANGUAGE.match(path.stem):
        raise ProfileError(name, "(file)", "the file name must be an ISO 639-1 code, e.g. fr.toml")
    data = read_toml(path)
    unknown = set(data) - {"conditions", "reasons"}
    if unknown:
        raise ProfileError(name, sorted(unknown)[0], "unknown table (conditions, reasons)")
    conditions = {
        cid: _condition(name, cid, entry) for cid, entry in _table(name, data, "conditions").items()
    }
    reasons: dict[str, str] = {}
    for rule, text in _table(name, data, "reasons").items():
        reasons[rule] = _text(name, f"reasons.{rule}", text, allowed=frozenset())
    return LanguageTexts(path.stem, name, conditions, reasons)


def _table(name: str, data: Mapping[str, Any], key: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise ProfileError(name, key, "must be a table")
    return table


def _condition(name: str, cid: str, entry: Any) -> ConditionTexts:
    field = f"conditions.{cid}"
    if not isinstance(entry, dict):
        raise ProfileError(name, field, "must be a table with `text`")
    if "text" not in entry:
        raise ProfileError(name, f"{field}.text", "missing")
    base = _text(name, f"{field}.text", entry["text"], allowed=frozenset())
    variants: list[tuple[str, str, str]] = []
    for key, text in entry.items():
        if key == "text":
            continue
        match = _VARIANT.match(key)
        if match is None:
            raise ProfileError(
                name, f"{field}.{key}", 'a variant key is "<param>=<value>" or "<param>=*"'
            )
        param, value = match["param"], match["value"]
        allowed = frozenset({param}) if value == "*" and param in PLACEHOLDERS else frozenset()
        variants.append((param, value, _text(name, f"{field}.{key}", text, allowed=allowed)))
    return ConditionTexts(base, tuple(variants))


def _text(name: str, field: str, text: Any, *, allowed: frozenset[str]) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ProfileError(name, field, "must be a non-empty string")
    if len(text) > _MAX_TEXT:
        raise ProfileError(name, field, f"longer than {_MAX_TEXT} characters: shorten it")
    for placeholder in _PLACEHOLDER.findall(text):
        if placeholder not in allowed:
            where = (
                f"allowed here: {', '.join('{' + p + '}' for p in sorted(allowed))}"
                if allowed
                else "no placeholder is allowed here"
            )
            raise ProfileError(name, field, f"unknown placeholder {{{placeholder}}} ({where})")
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise ProfileError(name, field, "unbalanced { or }")
    return text


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- completeness -------------------------------------------------------------------------------


def validate(texts: PlainTexts, vocabulary: Vocabulary) -> None:
    """Every condition id and reason rule of the engine has a text in every language, every
    language has the same variants, and no text is kept for something the engine cannot say.
    Raises `ProfileError` naming the file and the key."""
    reference = texts._languages[FALLBACK_LANGUAGE]
    for language in texts._languages.values():
        _complete(language, vocabulary)
        if language is not reference:
            _same_variants(language, reference)


def _complete(language: LanguageTexts, vocabulary: Vocabulary) -> None:
    for cid in sorted(vocabulary.condition_ids - set(language.conditions)):
        raise ProfileError(language.file, f"conditions.{cid}", "no plain-language text")
    for rule in sorted(vocabulary.reason_rules - set(language.reasons)):
        raise ProfileError(language.file, f"reasons.{rule}", "no plain-language text")
    for cid in sorted(set(language.conditions) - vocabulary.condition_ids):
        raise ProfileError(
            language.file, f"conditions.{cid}", "the engine has no such condition id"
        )
    for rule in sorted(set(language.reasons) - vocabulary.reason_rules):
        raise ProfileError(language.file, f"reasons.{rule}", "the engine has no such reason rule")


def _same_variants(language: LanguageTexts, reference: LanguageTexts) -> None:
    for cid, entry in language.conditions.items():
        ours = [f"{p}={v}" for p, v, _ in entry.variants]
        theirs = [f"{p}={v}" for p, v, _ in reference.conditions[cid].variants]
        for key in theirs:
            if key not in ours:
                raise ProfileError(
                    language.file, f"conditions.{cid}.{key}", f"no text ({reference.file} has one)"
                )
        for key in ours:
            if key not in theirs:
                raise ProfileError(
                    language.file,
                    f"conditions.{cid}.{key}",
                    f"a variant {reference.file} does not have",
                )
        if ours != theirs:
            raise ProfileError(
                language.file,
                f"conditions.{cid}",
                f"variants in another order than {reference.file}",
            )


def plain_dir_for(profiles_dir: Path | None) -> Path:
    """The texts kept with a profile directory (`<dir>/plain`), else the packaged ones."""
    if profiles_dir is not None and (profiles_dir / "plain").is_dir():
        return profiles_dir / "plain"
    return PLAIN_DIR


@cache
def checked_texts(directory: Path) -> PlainTexts:
    """The texts of `directory`, validated against the engine; read once per process."""
    texts = load_plain(directory)
    validate(texts, engine_vocabulary())
    return texts


# -- the engine's vocabulary --------------------------------------------------------------------


def engine_vocabulary() -> Vocabulary:
    """The engine's own enumerations (never a copy: a new condition or rule needs its texts)."""
    return Vocabulary(frozenset(CONDITION_IDS), frozenset(REASON_RULES))


# -- what a participant receives ------------------------------------------------------------------

# How `Fact.citation()` marks a fact without a source: a profile field path, never for a
# participant's eyes.
_UNSOURCED = re.compile(r"profile field [\w.\[\]-]+: no source found \[U\]")


def public_citation(citation: str) -> str | None:
    """The citation with every unsourced-fact marker removed; None when nothing is left (the
    page then says that the legal basis is being confirmed)."""
    parts = [part.strip() for part in _UNSOURCED.sub("", citation).split(";")]
    # The engine labels the source of a consent's revocability for staff; the law is the same.
    kept = [part.removeprefix("revocable:").strip() for part in parts]
    return "; ".join(dict.fromkeys(part for part in kept if part)) or None


def participant_condition(condition: Mapping[str, Any], texts: PlainTexts) -> dict[str, Any]:
    """A condition of the decision as a participant may see it: the plain text in every
    language (by code) and the public citation; the legal text, params and confidence stay
    with staff."""
    params = condition.get("params") or {}
    return {
        "id": str(condition["id"]),
        "stage": str(condition["stage"]),
        "satisfied_by": list(condition.get("satisfied_by") or ()),
        "plain": texts.condition_texts(str(condition["id"]), params),
        "citation": public_citation(str(condition.get("citation") or "")),
    }
