"""Validation of one profile document against the dataclasses in `model.py`.

The model's type hints are the schema. A leaf `Fact[T]` is written either as the bare string
`"unknown"` (a U fact: no source was found) or as an inline table:

    party = { value = true, confidence = "V", source = "hcch_status", note = "..." }

`source` is a URL or a key of the file's `[sources]` table; `ref` names the instrument and
article. V needs a source, K a ref; `value = "unknown"` goes with confidence U and nothing else.
Every field must be present: a profile says `unknown`, it does not stay silent.
"""

from __future__ import annotations

import re
import types
import zoneinfo
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from legal_profiles import model
from legal_profiles.countries import ISO_3166_ALPHA2
from legal_profiles.errors import ProfileError
from legal_profiles.model import UNKNOWN, Fact, Iso2, Lang, StateProfile, Url, Zone

SCHEMA_VERSION = 1
PROVENANCE_KEYS = frozenset({"value", "confidence", "source", "ref", "note", "reviewed", "since"})
_HEADER_KEYS = frozenset({"schema", "iso2", "name", "reviewed", "sources"})
TOP_LEVEL_KEYS = _HEADER_KEYS | {"treaties", "incoming", "outgoing", "contacts"}
_LANG = re.compile(r"^[a-z]{2}$")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_SOURCE_KEY = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True, slots=True)
class _Context:
    file: str
    reviewed: date
    sources: Mapping[str, str]

    def fail(self, field: str, reason: str) -> ProfileError:
        return ProfileError(self.file, field, reason)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls, vars(model))
    return hints


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_url(text: str) -> bool:
    return text.startswith(("https://", "http://")) and " " not in text and len(text) > 10


def parse_profile(data: Mapping[str, Any], file: str, expected_iso2: str | None) -> StateProfile:
    """Build a `StateProfile` from a parsed TOML document, or raise `ProfileError`."""
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise ProfileError(file, key, "unknown top-level field")
    for key in ("schema", "iso2", "name", "reviewed", "treaties", "incoming", "outgoing"):
        if key not in data:
            raise ProfileError(file, key, "missing")
    if data["schema"] != SCHEMA_VERSION or isinstance(data["schema"], bool):
        raise ProfileError(file, "schema", f"must be {SCHEMA_VERSION}, got {data['schema']!r}")
    iso2 = data["iso2"]
    if not isinstance(iso2, str) or not _ISO2.match(iso2) or iso2 not in ISO_3166_ALPHA2:
        raise ProfileError(file, "iso2", f"not an ISO 3166-1 alpha-2 code: {iso2!r}")
    if expected_iso2 is not None and iso2 != expected_iso2:
        raise ProfileError(file, "iso2", f"{iso2!r} does not match the file name {expected_iso2!r}")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise ProfileError(file, "name", "must be a non-empty string")
    reviewed = data["reviewed"]
    if not isinstance(reviewed, date) or isinstance(reviewed, datetime):
        raise ProfileError(file, "reviewed", "must be a TOML date (YYYY-MM-DD)")
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        raise ProfileError(file, "sources", "must be a table of key = URL")
    for key, url in sources.items():
        if not _SOURCE_KEY.match(key) or not isinstance(url, str) or not is_url(url):
            raise ProfileError(file, f"sources.{key}", "must map a lower_case key to a URL")
    ctx = _Context(file, reviewed, sources)
    contacts = data.get("contacts", [])
    profile = StateProfile(
        iso2=Iso2(iso2),
        name=name,
        reviewed=reviewed,
        origin=file,
        treaties=_section(model.Treaties, data["treaties"], "treaties", ctx),
        incoming=_section(model.Incoming, data["incoming"], "incoming", ctx),
        outgoing=_section(model.Outgoing, data["outgoing"], "outgoing", ctx),
        contacts=_records(model.Contact, contacts, "contacts", ctx),
    )
    _check_consistency(profile, ctx)
    return profile


def _section(cls: type[Any], table: object, path: str, ctx: _Context) -> Any:
    if not isinstance(table, dict):
        raise ctx.fail(path, "expected a table")
    names = {f.name for f in fields(cls)}
    for key in table:
        if key not in names:
            raise ctx.fail(f"{path}.{key}", "unknown field")
    values: dict[str, Any] = {}
    for f in fields(cls):
        hint = _hints(cls)[f.name]
        sub = f"{path}.{f.name}"
        if f.name not in table:
            raise ctx.fail(sub, 'missing (write "unknown" when no source was found)')
        raw = table[f.name]
        origin = get_origin(hint)
        if origin is Fact:
            values[f.name] = _fact(get_args(hint)[0], raw, sub, ctx)
        elif origin is tuple:
            record = get_args(get_args(hint)[0])[0]
            values[f.name] = _records(record, raw, sub, ctx)
        elif isinstance(hint, type) and is_dataclass(hint):
            values[f.name] = _section(hint, raw, sub, ctx)
        else:  # pragma: no cover - a model field of a kind this validator does not know
            raise TypeError(f"unsupported schema type at {sub}: {hint!r}")
    return cls(**values)


def _provenance(
    raw: Mapping[str, Any], path: str, ctx: _Context, *, unknown: bool
) -> dict[str, Any]:
    confidence = raw.get("confidence")
    if confidence not in ("V", "K", "U"):
        raise ctx.fail(path, f"confidence must be V, K or U, got {confidence!r}")
    if unknown != (confidence == "U"):
        reason = (
            'value "unknown" needs confidence U'
            if unknown
            else 'confidence U needs value "unknown" (encode facts, never guesses)'
        )
        raise ctx.fail(path, reason)
    out: dict[str, Any] = {"confidence": confidence, "reviewed": ctx.reviewed}
    source = raw.get("source")
    if source is not None:
        if not isinstance(source, str):
            raise ctx.fail(f"{path}.source", "must be a URL or a key of [sources]")
        if source in ctx.sources:
            source = ctx.sources[source]
        elif not is_url(source):
            raise ctx.fail(f"{path}.source", f"{source!r} is neither a URL nor a key of [sources]")
        out["source"] = source
    for key in ("ref", "note"):
        text = raw.get(key)
        if text is not None:
            if not isinstance(text, str) or not text.strip():
                raise ctx.fail(f"{path}.{key}", "must be a non-empty string")
            out[key] = text
    for key in ("reviewed", "since"):
        day = raw.get(key)
        if day is not None:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ctx.fail(f"{path}.{key}", "must be a TOML date (YYYY-MM-DD)")
            out[key] = day
    if confidence == "V" and "source" not in out:
        raise ctx.fail(path, "confidence V needs a source URL (checked against retrieved text)")
    if confidence == "K" and "ref" not in out:
        raise ctx.fail(path, "confidence K needs ref (the instrument and article)")
    if unknown and "since" in out:
        raise ctx.fail(f"{path}.since", "an unknown value cannot have a start date")
    return out


def _fact(inner: Any, raw: object, path: str, ctx: _Context) -> Fact[Any]:
    if raw == "unknown":
        return Fact(UNKNOWN, "U", ctx.reviewed, path)
    if not isinstance(raw, dict):
        raise ctx.fail(path, 'expected "unknown" or a table {value, confidence, source/ref}')
    for key in raw:
        if key not in PROVENANCE_KEYS:
            raise ctx.fail(f"{path}.{key}", "unknown key in a fact")
    if "value" not in raw:
        raise ctx.fail(path, "missing value")
    unknown = raw["value"] == "unknown"
    prov = _provenance(raw, path, ctx, unknown=unknown)
    value = UNKNOWN if unknown else _convert(inner, raw["value"], path, ctx)
    return Fact(value, path=path, **prov)


def _records(record: type[Any], raw: object, path: str, ctx: _Context) -> tuple[Fact[Any], ...]:
    if not isinstance(raw, list):
        raise ctx.fail(path, "expected an array of tables ([[...]] or = [])")
    out: list[Fact[Any]] = []
    for index, item in enumerate(raw):
        sub = f"{path}[{index}]"
        if not isinstance(item, dict):
            raise ctx.fail(sub, "expected a table")
        hints = _hints(record)
        body: dict[str, Any] = {}
        for f in fields(record):
            if f.name in item:
                body[f.name] = _convert(hints[f.name], item[f.name], f"{sub}.{f.name}", ctx)
            elif f.default is MISSING:
                raise ctx.fail(f"{sub}.{f.name}", "missing")
        extra = set(item) - set(body) - (PROVENANCE_KEYS - {"value"})
        if extra:
            raise ctx.fail(f"{sub}.{sorted(extra)[0]}", "unknown field")
        prov = _provenance(item, sub, ctx, unknown=False)
        out.append(Fact(record(**body), path=sub, **prov))
    return tuple(out)


def _convert(kind: Any, raw: object, path: str, ctx: _Context) -> Any:
    origin = get_origin(kind)
    if origin is Literal:
        if raw not in get_args(kind):
            choices = ", ".join(repr(a) for a in get_args(kind))
            raise ctx.fail(path, f'{raw!r} is not one of {choices} (or "unknown")')
        return raw
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(kind) if a is not type(None)]
        return _convert(inner[0], raw, path, ctx)
    if origin is tuple:
        if not isinstance(raw, list):
            raise ctx.fail(path, "expected a list")
        inner = get_args(kind)[0]
        items = tuple(_convert(inner, item, f"{path}[{i}]", ctx) for i, item in enumerate(raw))
        if len(set(items)) != len(items):
            raise ctx.fail(path, "duplicate entries")
        return items
    if kind is bool:
        if not isinstance(raw, bool):
            raise ctx.fail(path, f"expected true or false, got {raw!r}")
        return raw
    if kind is int:
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            raise ctx.fail(path, f"expected a non-negative integer, got {raw!r}")
        return raw
    if kind is date:
        if not isinstance(raw, date) or isinstance(raw, datetime):
            raise ctx.fail(path, "expected a TOML date (YYYY-MM-DD)")
        return raw
    if not isinstance(raw, str) or not raw.strip():
        raise ctx.fail(path, f"expected a non-empty string, got {raw!r}")
    if kind is Lang and not _LANG.match(raw):
        raise ctx.fail(path, f"{raw!r} is not an ISO 639-1 language code")
    if kind is Zone and raw not in _zones():
        raise ctx.fail(path, f"{raw!r} is not an IANA time zone")
    if kind is Iso2 and (not _ISO2.match(raw) or raw not in ISO_3166_ALPHA2):
        raise ctx.fail(path, f"{raw!r} is not an ISO 3166-1 alpha-2 code")
    if kind is Url and not is_url(raw):
        raise ctx.fail(path, f"{raw!r} is not a URL")
    return raw


def _check_consistency(profile: StateProfile, ctx: _Context) -> None:
    inc = profile.incoming
    zones, default = inc.time_zones.value, inc.default_time_zone.value
    if zones is not UNKNOWN and default is not UNKNOWN and default not in zones:
        raise ctx.fail("incoming.default_time_zone", f"{default!r} is not in incoming.time_zones")
    for fact in profile.treaties.bilateral:
        if fact.value is not UNKNOWN and fact.value.counterparty == profile.iso2:
            raise ctx.fail(f"{fact.path}.counterparty", "a state cannot have a treaty with itself")
    hague = profile.treaties.hague
    if hague.ch2_vc.value == "notification_required" and not hague.ch2_notice_days.known:
        raise ctx.fail("treaties.hague.ch2_notice_days", "needed when notification is required")
    uni = profile.incoming.unilateral
    notified = "notification_required" in (uni.civil.value, uni.criminal.value)
    if notified and not uni.notice_days.known:
        raise ctx.fail("incoming.unilateral.notice_days", "needed when notification is required")
