"""The check as a JSON-shaped function, for the HTTP endpoint the judge pages call.

`check_request` takes the decoded JSON body and returns the decision as plain JSON data, or raises
`LegalInputError` with a machine code (`legal.bad_state`, `legal.bad_proceeding`, `legal.bad_role`,
`legal.bad_consent`, `legal.bad_date`, `legal.bad_offence`, `legal.same_state`,
`legal.missing_field`, `legal.unknown_field`, `legal.bad_request`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from legal_profiles.engine import check
from legal_profiles.errors import LegalInputError
from legal_profiles.loader import ProfileSet, default_profiles

REQUIRED = ("requesting", "requested", "proceeding", "role")
OPTIONAL = ("consent", "date", "offence")


def parse_date(value: object) -> date | None:
    """`None` or an ISO calendar date `YYYY-MM-DD`."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise LegalInputError(
        "legal.bad_date", f"date must be YYYY-MM-DD, got {value!r}", {"field": "date"}
    )


def check_request(payload: object, profiles: ProfileSet | None = None) -> dict[str, Any]:
    """Judge the case in `payload` ({requesting, requested, proceeding, role, consent?, date?,
    offence?})."""
    if not isinstance(payload, Mapping):
        raise LegalInputError("legal.bad_request", "the request body must be a JSON object")
    for key in payload:
        if key not in REQUIRED and key not in OPTIONAL:
            raise LegalInputError(
                "legal.unknown_field",
                f"unknown field {key!r}",
                {"field": str(key), "allowed": [*REQUIRED, *OPTIONAL]},
            )
    for key in REQUIRED:
        if key not in payload:
            raise LegalInputError("legal.missing_field", f"{key} is required", {"field": key})
    decision = check(
        profiles if profiles is not None else default_profiles(),
        payload["requesting"],
        payload["requested"],
        payload["proceeding"],
        payload["role"],
        payload.get("consent", "unknown"),
        parse_date(payload.get("date")),
        offence=payload.get("offence"),
    )
    return decision.to_dict()
