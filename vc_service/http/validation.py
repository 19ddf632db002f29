"""Reading JSON bodies and checking their fields, collecting every problem into one 422."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from aiohttp import web

from vc_service.errors import BadRequest, ServiceError, ValidationFailed

E = TypeVar("E")


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "request.unsupported_media_type"


async def read_json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    raw = await request.read()  # raises 413 past client_max_size
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(
            f"the body is not valid JSON: {exc}", code="request.malformed_json"
        ) from None
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
    ) -> str:
        if self._missing(name, required):
            return default
        value = self.body[name]
        if not isinstance(value, str):
            self.errors[name] = "must be a string"
            return default
        if not min_len <= len(value) <= max_len:
            self.errors[name] = f"must be {min_len} to {max_len} characters"
            return default
        if any(ord(ch) < 32 and ch not in "\t\n" for ch in value):
            self.errors[name] = "must not contain control characters"
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
