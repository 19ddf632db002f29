"""The hearing audit log: pure building blocks (no database, network or event loop).

- `canonical`: the restricted RFC 8785 (JCS) profile every event is encoded in.
- `tree`: RFC 6962 / RFC 9162 Merkle tree, inclusion and consistency proofs.
- `checkpoint`: C2SP signed notes and checkpoints with Ed25519, `cosignature/v1`.
- `witness`: the cosigner's memory (sign only a consistent extension of what it signed before).
- `policy`: the verifier's trust policy (the only source of trust).
- `bundle`: the clerk's export zip, built from values.
- `verify`: the numbered verifier checklist over a bundle; `scan` (its event pass), `timestamp`
  (its RFC 3161 step), `report` (step results).

Submodules are imported explicitly by callers; this module only holds the shared error base so
that importing one building block never drags in the others.
"""

from __future__ import annotations

from typing import Any

from vc_service.errors import ServiceError


class AuditError(ServiceError, ValueError):
    """Base of every audit-log error: a stable machine code and a human message.

    It also subclasses `ValueError` because every one of these errors means "this input is not a
    valid log artefact", which is what callers of parsers expect to catch.
    """

    status = 422
    code = "audit.invalid"

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, details=details)
