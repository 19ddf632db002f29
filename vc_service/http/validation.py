"""Reading JSON bodies and checking their fields, collecting every problem into one 422.

This is the one place request bodies are parsed and text fields are checked, so the limits below
hold on every route: a body nested deeper than `MAX_JSON_DEPTH` is refused before the recursive
decoder sees it (100,000 `[` would exhaust Python's stack), numbers must be finite JSON numbers,
and text may not carry characters that change how the text around them is displayed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from itertools import accumulate
from typing import Any, TypeVar

from aiohttp import web

from vc_service.errors import BadRequest, ServiceError, ValidationFailed

E = TypeVar("E")


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "request.unsupported_media_type"


# Our deepest body is three levels (a hearing, its participants, one participant); the margin is
# for clients that wrap, never for recursion the decoder cannot survive.
MAX_JSON_DEPTH = 32
# A string (closing quote optional, so an unterminated one ends the scan instead of being retried
# from every later quote: possessive runs keep the scan linear), or anything but a bracket.
_JSON_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A \uD800-\uDFFF escape: half of a pair (fine, e.g. an escaped emoji) or a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")

# Characters that change how the text around them is shown: C0 and C1 controls (tab and line feed
# are allowed only where a field may span lines), the bidirectional marks, embeddings, overrides
# and isolates (a name ending in U+202E shows what follows it reversed, on a page, in an e-mail,
# in the minutes), and the Unicode line and paragraph separators.
_HIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_HIDDEN_MULTILINE = re.compile(f"[{_HIDDEN}]")
_HIDDEN_ONE_LINE = re.compile(f"[{_HIDDEN}\t\n]")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, counted without recursion.

    Brackets inside strings do not count; malformed text gets a number too, and the decoder then
    says what is wrong with it."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range")
    return value


def parse_json(raw: bytes) -> Any:
    """Strict JSON (RFC 8259, I-JSON's RFC 7493 for strings): UTF-8 without lone surrogates,
    nesting at most `MAX_JSON_DEPTH`, finite numbers."""
    try:
        text = raw.decode("utf-8")
        # Counting the opening brackets first spares the scan for nearly every body.
        opening = text.count("[") + text.count("{")
        if opening > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH:
            raise BadRequest(
                f"the body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels",
                code="request.too_deep",
                details={"max_depth": MAX_JSON_DEPTH},
            )
        body = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
        # JSON lets `\ud800` stand alone, but no database or page can hold the result (RFC 7493
        # refuses it too); only a body with such an escape pays for the check.
        if _SURROGATE_ESCAPE.search(text):
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        return body
    # UnicodeDecodeError and UnicodeEncodeError (a lone surrogate) are ValueErrors; RecursionError
    # cannot happen below the depth limit, and is caught so a decoder change still answers 400.
    except (ValueError, RecursionError) as exc:
        raise BadRequest(
            f"the body is not valid JSON: {str(exc)[:200]}", code="request.malformed_json"
        ) from None


async def read_json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    raw = await request.read()  # raises 413 past client_max_size
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", code="request.not_an_object")
    return body


class Fields:
    """Typed access to a JSON object's fields. Call `done()` to raise one error for all problems."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: dict[str, str] = {}

    def _missing(self, name: str, required: bool) -> bool:
        if name not in self.body or self.body[name] is None:
            if required:
                self.errors[name] = "is required"
            return True
        return False

    def text(
        self,
        name: str,
        *,
        required: bool = True,
        max_len: int = 200,
        min_len: int = 1,
        default: str = "",
        multiline: bool = True,
    ) -> str:
        """A string field; `multiline=False` for names and other one-line texts (no tab or line
        feed either, so a name cannot forge a line of an e-mail or a calendar entry)."""
        if self._missing(name, required):
            return default
        value = self.body[name]
        if not isinstance(value, str):
            self.errors[name] = "must be a string"
            return default
        if not min_len <= len(value) <= max_len:
            self.errors[name] = f"must be {min_len} to {max_len} characters"
            return default
        hidden = (_HIDDEN_MULTILINE if multiline else _HIDDEN_ONE_LINE).search(value)
        if hidden:
            self.errors[name] = (
                "must not contain control, bidirectional or line-separator characters "
                f"(found U+{ord(hidden.group()):04X})"
            )
            return default
        return value

    def integer(
        self, name: str, *, required: bool = True, lo: int = 0, hi: int = 2**31, default: int = 0
    ) -> int:
        if self._missing(name, required):
            return default
        value = self.body[name]
        if not isinstance(value, int) or isinstance(value, bool):
            self.errors[name] = "must be an integer"
            return default
        if not lo <= value <= hi:
            self.errors[name] = f"must be between {lo} and {hi}"
            return default
        return value

    def flag(self, name: str, *, required: bool = True, default: bool = False) -> bool:
        if self._missing(name, required):
            return default
        value = self.body[name]
        if not isinstance(value, bool):
            self.errors[name] = "must be true or false"
            return default
        return value

    def choice(
        self, name: str, choices: Iterable[str], *, required: bool = True, default: str = ""
    ) -> str:
        allowed = list(choices)
        value = self.text(name, required=required, max_len=64, default=default)
        if name in self.errors or (not required and value == default):
            return value
        if value not in allowed:
            self.errors[name] = f"must be one of {', '.join(allowed)}"
            return default
        return value

    def array(self, name: str, *, required: bool = True, max_items: int = 50) -> list[Any]:
        if self._missing(name, required):
            return []
        value = self.body[name]
        if not isinstance(value, list):
            self.errors[name] = "must be a list"
            return []
        if len(value) > max_items:
            self.errors[name] = f"must have at most {max_items} items"
            return []
        return value

    def mapping(self, name: str, *, required: bool = True) -> dict[str, Any]:
        if self._missing(name, required):
            return {}
        value = self.body[name]
        if not isinstance(value, dict):
            self.errors[name] = "must be an object"
            return {}
        return value

    def fail(self, name: str, problem: str) -> None:
        self.errors.setdefault(name, problem)

    def done(self) -> None:
        if self.errors:
            names = ", ".join(sorted(self.errors))
            raise ValidationFailed(f"invalid fields: {names}", details={"fields": self.errors})
