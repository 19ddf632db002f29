"""The cosigner's memory: it signs a log's checkpoint only as a consistent extension of the last
one it signed for that log (issue 14 point 7).

The operator holds the log key, so it can sign any history it likes; what it cannot do is make
the requested state's authority cosign two incompatible histories of one hearing, because the
authority remembers, per origin, the last checkpoint it signed and asks for a consistency proof
from it. A checkpoint that is shorter (rollback), of the same size with another root, or not
provably an extension (fork), is refused, and the two signed notes are the evidence. The
authority's page does the same in the browser (web/static/js/cosigning-key.js keeps the heads,
authority-cosign.js checks them); this module is the reference and what the demo's authority and
command-line cosigners use. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vc_service.audit import AuditError
from vc_service.audit.checkpoint import (
    Checkpoint,
    Cosigner,
    TrustedKey,
    add_cosignature,
    open_checkpoint,
)
from vc_service.audit.tree import ProofError, verify_consistency


class ForkRefused(AuditError):
    """The cosigner will not sign: the offered checkpoint contradicts one it signed before.
    `reason` is `rollback`, `fork` or `bad_proof`."""

    status = 409
    code = "audit.cosign.fork"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__("audit.cosign.fork", message, {"reason": reason})
        self.reason = reason


def check_extension(held: Checkpoint, offered: Checkpoint, proof: Sequence[bytes]) -> None:
    """Refuse unless `offered` extends `held` (same origin) by the given consistency proof."""
    if held.origin != offered.origin:
        raise ValueError("checkpoints of different logs are not compared")
    if offered.size < held.size:
        raise ForkRefused(
            "rollback",
            f"{offered.origin}: offered {offered.size} events, but {held.size} were signed before",
        )
    if offered.size == held.size:
        if offered.root != held.root:
            raise ForkRefused(
                "fork",
                f"{offered.origin}: two different logs of {held.size} events were signed",
            )
        return
    try:
        verify_consistency(held.size, offered.size, held.root, offered.root, list(proof))
    except ProofError as exc:
        raise ForkRefused(
            "bad_proof",
            f"{offered.origin}: the log of {offered.size} events is not shown to extend the "
            f"one of {held.size} signed before ({exc.message})",
        ) from exc


@dataclass
class CosignerMemory:
    """A cosigner with its last signed checkpoint per origin (exact note bytes)."""

    cosigner: Cosigner
    log_keys: Sequence[TrustedKey]
    heads: dict[str, bytes] = field(default_factory=dict)

    def held(self, origin: str) -> Checkpoint | None:
        note = self.heads.get(origin)
        return None if note is None else open_checkpoint(note, self.log_keys)[0]

    def cosign(self, note: bytes, timestamp: int, proof: Sequence[bytes] = ()) -> bytes:
        """Cosign a signed checkpoint that verifies with the log keys and extends what was
        signed before for its origin; remembers it and returns the cosigned note. Raises
        `ForkRefused` (nothing signed, nothing remembered) otherwise."""
        offered = open_checkpoint(note, self.log_keys)[0]
        held = self.held(offered.origin)
        if held is not None:
            check_extension(held, offered, proof)
        cosigned = add_cosignature(note, self.cosigner, timestamp)
        self.heads[offered.origin] = note
        return cosigned
