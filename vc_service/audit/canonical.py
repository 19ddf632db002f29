"""Canonical JSON for audit events: a restricted profile of RFC 8785 (JCS).

The profile admits objects with ASCII keys, arrays, strings (any Unicode scalar values), integers
within ±(2^53 − 1), `true`, `false` and `null`. No floats: JCS number formatting (ES6 shortest
round-trip) is the part implementations get wrong, and times are RFC 3339 strings anyway.

Inside this profile JCS output equals Python's
`json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` encoded as UTF-8:
with ASCII keys, sorting by UTF-16 code units (JCS) and by code points (Python) agree, integers
print the same way, and both escape exactly `"`, `\\`, `\\b \\f \\n \\r \\t` and the other
controls below U+0020 as lowercase `\\u00xx`. The differential test against the `rfc8785`
package holds us to that claim.

Parsing is strict: a byte string is accepted only if re-encoding what was parsed gives back the
very same bytes, so duplicate keys, whitespace, other escapes, `-0`, floats and non-UTF-8 input are
all rejected. A log whose events could be read two ways by two parsers is a log that can say two
things.
"""

from __future__ import annotations

import json
import json.encoder
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from vc_service.audit import AuditError

MAX_SAFE_INTEGER = 2**53 - 1

# Events are small; anything this deep is an attack on the recursion limit, not an event.
MAX_DEPTH = 32


class CanonicalError(AuditError):
    """A value or byte string is outside the canonical profile."""

    code = "audit.canonical.invalid"

    def __init__(self, message: str, code: str = "audit.canonical.invalid") -> None:
        super().__init__(code, message)


def _reject_float(text: str) -> NoReturn:
    raise CanonicalError(f"number {text} is not an integer", "audit.canonical.float")


def _reject_constant(text: str) -> NoReturn:
    raise CanonicalError(f"{text} is not JSON", "audit.canonical.float")


def _parse_int(text: str) -> int:
    # More digits than 2^53 has are out of range whatever they say, and are refused before
    # int(): Python refuses to convert over 4300 digits with a bare ValueError (issue 14 point
    # 11: a 5,000-digit integer was an "internal error" instead of a numbered failure).
    if len(text) > 17:
        raise CanonicalError(
            f"integer of {len(text)} characters is outside ±(2^53 − 1)", "audit.canonical.integer"
        )
    value = int(text)
    # Up to 15 digits cannot leave the range; only longer ones pay for the comparison.
    if len(text) > 15 and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise CanonicalError(f"integer {text} is outside ±(2^53 − 1)", "audit.canonical.integer")
    return value


# The hooks reject what JSON allows but the profile does not while the C scanner is parsing.
_DECODER = json.JSONDecoder(
    parse_float=_reject_float,
    parse_int=_parse_int,
    parse_constant=_reject_constant,
    strict=True,
)
_scan: Callable[[str, int], tuple[Any, int]] = getattr(_DECODER, "scan_once")  # noqa: B009 - untyped attribute

_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_c_encode_str = getattr(json.encoder, "c_encode_basestring", None)
# The C encoder is called directly rather than through JSONEncoder.encode, which costs a third
# more per event: the profile check has already excluded everything that needs `default`,
# circular-reference markers or float formatting.
if _c_make_encoder is None or _c_encode_str is None:  # pragma: no cover - CPython ships them
    raise ImportError("canonical JSON needs the C accelerator of the json module")
_c_encode = _c_make_encoder(None, None, _c_encode_str, None, ":", ",", True, False, False)
_join = "".join


def _encode(value: Any) -> str:
    return _join(_c_encode(value, 0))


def _check_profile(value: Any, depth: int = 0) -> None:
    """Raise `CanonicalError` unless `value` lies inside the restricted profile."""
    if depth > MAX_DEPTH:
        raise CanonicalError(f"nesting deeper than {MAX_DEPTH}", "audit.canonical.depth")
    if value is None or value is True or value is False:
        return
    kind = type(value)
    if kind is str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise CanonicalError(
                "string contains a lone surrogate", "audit.canonical.string"
            ) from exc
        return
    if kind is int:
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return
        raise CanonicalError(f"integer {value} is outside ±(2^53 − 1)", "audit.canonical.integer")
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise CanonicalError(f"object key {key!r} is not a string", "audit.canonical.key")
            if not key.isascii():
                raise CanonicalError(f"object key {key!r} is not ASCII", "audit.canonical.key")
            _check_profile(item, depth + 1)
        return
    if kind is list or kind is tuple:
        for item in value:
            _check_profile(item, depth + 1)
        return
    if kind is float:
        raise CanonicalError(f"float {value!r} is outside the profile", "audit.canonical.float")
    # bool and int subclasses (IntEnum…), str subclasses and mappings are refused on purpose:
    # their JSON form depends on the encoder, and the event bytes must not.
    raise CanonicalError(
        f"{kind.__name__} is not a JSON value of the profile", "audit.canonical.type"
    )


def _check_keys(value: Any, depth: int) -> None:
    """The part of `_check_profile` a value from the scanner can still fail: non-ASCII keys and
    depth (same limit: no value deeper than `MAX_DEPTH`)."""
    if depth >= MAX_DEPTH and value:
        raise CanonicalError(f"nesting deeper than {MAX_DEPTH}", "audit.canonical.depth")
    items = value.items() if type(value) is dict else enumerate(value)
    for key, item in items:
        if type(key) is str and not key.isascii():
            raise CanonicalError(f"object key {key!r} is not ASCII", "audit.canonical.key")
        kind = type(item)
        if kind is dict or kind is list:
            _check_keys(item, depth + 1)


def canonical_bytes(value: object) -> bytes:
    """The canonical encoding of `value`; raises `CanonicalError` outside the profile."""
    _check_profile(value)
    return _encode(value).encode("utf-8")


def _parse(data: bytes) -> tuple[dict[str, object], str]:
    """Parse one JSON object from `data` with the profile's scanner (no canonical check)."""
    if type(data) is not bytes:
        raise CanonicalError("canonical input must be bytes", "audit.canonical.type")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalError(f"not valid UTF-8: {exc.reason}", "audit.canonical.utf8") from exc
    if not text.startswith("{"):
        raise CanonicalError("a canonical event is a JSON object", "audit.canonical.type")
    try:
        value, end = _scan(text, 0)
    except StopIteration as exc:
        raise CanonicalError("not JSON", "audit.canonical.syntax") from exc
    except json.JSONDecodeError as exc:
        raise CanonicalError(f"not JSON: {exc.msg} at {exc.pos}", "audit.canonical.syntax") from exc
    except RecursionError as exc:
        raise CanonicalError("nesting too deep", "audit.canonical.depth") from exc
    if end != len(text):
        raise CanonicalError(f"trailing data after offset {end}", "audit.canonical.syntax")
    return value, text


def parse_canonical(data: bytes) -> dict[str, object]:
    """Parse a canonical JSON object, rejecting any byte string that is not exactly the canonical
    encoding of a profile value (duplicate keys, whitespace, floats, non-canonical escapes…).

    This is the verifier's hot loop, so the accepting path is inlined and the profile walk of
    `_parse_canonical_walk` is skipped where a cheaper check proves its outcome:
    - keys are ASCII if the whole line is ASCII (`bytes.isascii` runs in C);
    - nesting is within `MAX_DEPTH` if the line has at most that many `{` and `[` in all;
    - floats, NaN, ±Infinity and out-of-range integers never get through the scanner hooks;
    - lone surrogates cannot come from strict UTF-8 decoding, and an escaped one re-encodes to a
      raw character, so the byte comparison rejects it;
    - so on a parsed value that re-encodes to the same text only key ASCII-ness and depth are
      left to check (`_check_keys`), not every string.
    Any input the fast path does not accept goes through the reference function, which decides
    and names the error. The differential tests check both give the same verdict.
    """
    if type(data) is bytes:
        try:
            text = data.decode("utf-8")
            if text[:1] == "{":
                value, end = _scan(text, 0)
                if end == len(text) and _join(_c_encode(value, 0)) == text:
                    if not data.isascii() or data.count(b"{") + data.count(b"[") > MAX_DEPTH:
                        _check_keys(value, 0)
                    return value
        except (ValueError, StopIteration, RecursionError):
            pass  # UnicodeDecodeError, JSONDecodeError and CanonicalError are ValueErrors
    return _parse_canonical_walk(data)


def _parse_canonical_walk(data: bytes) -> dict[str, object]:
    """Reference version of `parse_canonical`: always walks the whole value."""
    value, text = _parse(data)
    _check_profile(value)
    if _encode(value) != text:
        raise CanonicalError(
            "not the canonical encoding (key order, duplicate keys, whitespace or escapes)",
            "audit.canonical.not_canonical",
        )
    return value


# --- canonical encodings as regular expressions ----------------------------------------------
#
# A log holds many events of few shapes. `structure_pattern` gives, for one value, a regular
# expression over bytes that matches exactly the canonical encodings of the values with the same
# structure: the same keys in the same nesting, any canonical string where it has a string, any
# integer within ±(2^53 − 1) where it has an integer, `true` or `false` where it has a boolean,
# `null` where it has `null`, and any array of such scalars where it has one. A byte string that
# is valid UTF-8 and matches is therefore the canonical encoding of a value of the profile, i.e.
# exactly a byte string `parse_canonical` accepts. One that does not match may still be canonical
# (another structure), so the caller parses it instead. The verifier uses this to check most
# events without parsing them (audit/scan.py).

# Inside a string: any character but `"`, `\` and the controls below U+0020 (U+007F and all of
# Unicode stand for themselves), or one of the escapes the encoder writes: `\"`, `\\`,
# `\b \f \n \r \t`, and `\u00xx` (lowercase hex) for the other controls. Bytes of non-ASCII
# characters are matched one by one: the caller checks that the whole line is UTF-8, which also
# keeps out surrogates (and no escape of one matches).
STRING_PATTERN = (
    rb'"[^"\\\x00-\x1f]*+'
    rb'(?:\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f]))[^"\\\x00-\x1f]*+)*+"'
)


def _not_above(limit: str) -> str:
    """A pattern for the digit strings as long as `limit`, without a leading zero, up to it."""

    def up_to(digits: str, lowest: int) -> str:
        head, rest = int(digits[0]), digits[1:]
        options = [digits[0] + (f"(?:{up_to(rest, 0)})" if rest else "")]
        if head > lowest:
            below = str(lowest) if head - 1 == lowest else f"[{lowest}-{head - 1}]"
            options.append(below + (f"[0-9]{{{len(rest)}}}" if rest else ""))
        return "|".join(options)

    return up_to(limit, 1)


# Every integer of ±(2^53 − 1) in its one spelling: no `-0`, no leading zero, no `+`. The 16-digit
# branch comes first: inside a possessive repeat a shorter match would not be given back.
INTEGER_PATTERN = (
    rb"(?:0|-?(?:" + _not_above(str(MAX_SAFE_INTEGER)).encode("ascii") + rb"|[1-9][0-9]{0,14}))"
)
_SCALAR = rb"(?:" + STRING_PATTERN + rb"|" + INTEGER_PATTERN + rb"|true|false|null)"
_ARRAY = rb"\[(?:" + _SCALAR + rb"(?:," + _SCALAR + rb")*+)?\]"


def structure_pattern(value: Any, top: Mapping[str, bytes] | None = None) -> bytes | None:
    """The pattern of `value`'s structure (see above), or None if `value` has an array holding
    arrays or objects. `top` replaces the patterns of some keys of a top-level object. `value`
    must lie inside the profile (a value `parse_canonical` returned)."""
    kind = type(value)
    if kind is dict:
        parts = []
        for key, item in sorted(value.items()):  # ASCII keys: code points order them as JCS
            if top is not None and key in top:
                inner: bytes | None = top[key]
            else:
                inner = structure_pattern(item)
            if inner is None:
                return None
            parts.append(re.escape(_encode(key).encode("utf-8")) + b":" + inner)
        return rb"\{" + b",".join(parts) + rb"\}"
    if kind is list:
        if any(type(item) is dict or type(item) is list for item in value):
            return None
        return _ARRAY
    if kind is str:
        return STRING_PATTERN
    if value is True or value is False:
        return rb"(?:true|false)"
    if kind is int:
        return INTEGER_PATTERN
    if value is None:
        return rb"null"
    raise CanonicalError(
        f"{kind.__name__} is not a JSON value of the profile", "audit.canonical.type"
    )
