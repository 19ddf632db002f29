"""Helpers shared by the audit tests: fixed keys, the real `openssl` binary."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vc_service.audit.checkpoint import Cosigner, Signer, public_key_pem

LOG_KEY_NAME = "audit.court.example/log-2026"
COSIGNER_NAME = "authority.example.es/witness"


def fixed_key(label: str) -> Ed25519PrivateKey:
    """A deterministic key, so signed outputs can be compared byte for byte (golden tests)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def golden_signer() -> Signer:
    return Signer(LOG_KEY_NAME, fixed_key("vc-service golden log key"))


def golden_cosigner() -> Cosigner:
    return Cosigner(COSIGNER_NAME, fixed_key("vc-service golden cosigner key"))


def openssl_verify(public_key: bytes, message: bytes, signature: bytes, workdir: Path) -> bool:
    """Verify an Ed25519 signature with `openssl pkeyutl -verify -rawin`, as VERIFY.md does."""
    workdir.mkdir(parents=True, exist_ok=True)
    pem, msg, sig = workdir / "pub.pem", workdir / "msg.bin", workdir / "sig.bin"
    pem.write_bytes(public_key_pem(public_key))
    msg.write_bytes(message)
    sig.write_bytes(signature)
    result = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(pem),
            "-rawin",
            "-in",
            str(msg),
            "-sigfile",
            str(sig),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    verified = "Signature Verified Successfully" in result.stdout
    assert verified == (result.returncode == 0), (result.stdout, result.stderr)
    return verified
