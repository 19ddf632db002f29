"""The legal package's errors: one small hierarchy, each with a machine code and a human message.

`vc_service` maps them onto its own error shape (`{"error": {"code", "message", "details"}}`); this
package stays free of it so the engine can be used and tested without the service.
"""

from __future__ import annotations

from typing import Any


class LegalError(Exception):
    """Base: a stable `code`, a human `message` and JSON-able `details`."""

    code: str = "legal.error"

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class LegalInputError(LegalError):
    """The question put to the engine is malformed (bad state code, proceeding, role, date...)."""


class ProfileError(LegalError):
    """A profile file is invalid. The message names the file, the field and the reason, because
    the service must refuse to start rather than judge hearings with a silent hole in its law."""

    def __init__(self, file: str, field: str, reason: str) -> None:
        super().__init__(
            "legal.profile_invalid",
            f"{file}: {field}: {reason}",
            {"file": file, "field": field, "reason": reason},
        )
        self.file = file
        self.field = field
        self.reason = reason
