"""The log's public keys as the PEM files VERIFY.md asks for (`log.pem`), for the clerk's page
and `vc-service keys export --pem`.

VERIFY.md's stock-tool route reads the key with `openssl pkey -pubin -in log.pem` and
`openssl pkeyutl -verify -pubin -inkey log.pem`: a SubjectPublicKeyInfo PEM of the raw Ed25519
key. The keys come from the service's own table (the trust policy's `log_keys`), never from a
bundle; a checkpoint may be signed by several keys during a rotation, so a hearing's key is the
active-at-the-time key named on its final checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence

from vc_service.audit.checkpoint import public_key_pem
from vc_service.audit.events import format_ts
from vc_service.audit.keys import KeyInfo
from vc_service.audit.store import AuditStore
from vc_service.errors import NotFound


class KeyNotFound(NotFound):
    code = "audit.key.not_found"


def pem(info: KeyInfo) -> str:
    """One key as a bare PEM block: what `-inkey log.pem` reads (no text around it)."""
    return public_key_pem(info.public_key).decode("ascii")


def describe(info: KeyInfo) -> str:
    until = format_ts(info.not_after) if info.not_after else "now (active)"
    return (
        f"key name {info.name}, key id {info.key_id}, valid from {format_ts(info.not_before)} "
        f"until {until}"
    )


def pem_bundle(keys: Sequence[KeyInfo]) -> str:
    """Several keys in one file: each block preceded by a line naming it. PEM readers skip text
    outside the boundaries (RFC 7468 section 2), and openssl reads the first block; one key is
    printed bare, exactly as `log.pem` should be."""
    if len(keys) == 1:
        return pem(keys[0])
    return "".join(f"# {describe(info)}\n{pem(info)}" for info in keys)


def select(
    keys: Sequence[KeyInfo], *, names: Sequence[str] = (), every: bool = False
) -> list[KeyInfo]:
    """The keys named (in the order given), every key (`every`), or the active key."""
    if every:
        return list(keys)
    if names:
        by_name = {info.name: info for info in keys}
        missing = [name for name in names if name not in by_name]
        if missing:
            known = ", ".join(sorted(by_name)) or "none"
            raise KeyNotFound(
                f"no log key named {', '.join(missing)} (known: {known})",
                details={"missing": missing},
            )
        return [by_name[name] for name in names]
    active = [info for info in keys if info.active]
    if not active:
        raise KeyNotFound("the service has no active log key yet")
    return active


async def hearing_keys(audit: AuditStore, hearing_id: str) -> list[KeyInfo]:
    """The keys that signed the hearing's final checkpoint (one, except across a rotation)."""
    rows = [row for row in await audit.signer.checkpoints(hearing_id) if row.final]
    if not rows:
        raise KeyNotFound(
            f"hearing {hearing_id} has no final checkpoint yet (it is not sealed)",
            code="audit.log.not_sealed",
        )
    return select(await audit.keys.all(), names=rows[-1].key_name.split())
