"""One error hierarchy for the whole service.

Every error that reaches a client carries a stable machine code, a human message and optional
details; the HTTP layer turns it into `{"error": {"code", "message", "details"}}` and the CLI into a
one-line message and an exit code.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base for errors a caller can act on. `status` is the HTTP status the API answers with."""

    status: int = 400
    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(ServiceError):
    status = 400
    code = "request.invalid"


class ValidationFailed(ServiceError):
    """The request was well-formed JSON but its fields are wrong; details name each field."""

    status = 422
    code = "request.invalid_fields"


class Unauthenticated(ServiceError):
    status = 401
    code = "auth.required"


class Forbidden(ServiceError):
    status = 403
    code = "auth.forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Locked(ServiceError):
    """Too many failures: the caller must wait; details carry `retry_after_seconds`."""

    status = 429
    code = "auth.locked"


class ConfigError(ServiceError):
    """A setting is invalid; the message names the setting and why."""

    status = 500
    code = "config.invalid"


class InvalidStateError(ServiceError):
    """A state machine refused a transition; the message names the current state."""

    status = 409
    code = "state.invalid_transition"
