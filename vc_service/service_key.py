"""The service's master secret: a 32-byte key file created on first start with mode 0600.

Everything secret at rest (TOTP secrets, audit signing keys, recordings' keys) is encrypted with a
key derived from it for one purpose (HKDF), using AES-256-GCM with the record's identity as
associated data, so a ciphertext copied to another row does not decrypt.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vc_service.errors import ConfigError, ServiceError

_NONCE = 12


class DecryptionError(ServiceError):
    status = 500
    code = "crypto.decryption_failed"


class ServiceKey:
    def __init__(self, master: bytes) -> None:
        if len(master) != 32:
            raise ValueError("the service key must be 32 bytes")
        self._master = master

    @classmethod
    def load_or_create(cls, path: Path) -> ServiceKey:
        if path.exists():
            data = path.read_bytes()
            if len(data) != 32:
                raise ConfigError(
                    f"VC_SECRET_KEY_FILE: {path} must hold exactly 32 bytes, it holds {len(data)}",
                    details={"setting": "VC_SECRET_KEY_FILE"},
                )
            mode = path.stat().st_mode & 0o077
            if mode:
                raise ConfigError(
                    f"VC_SECRET_KEY_FILE: {path} is readable by others (chmod 600 it)",
                    details={"setting": "VC_SECRET_KEY_FILE"},
                )
            return cls(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return cls(data)

    def derive(self, purpose: str, length: int = 32) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode())
        return hkdf.derive(self._master)

    def encrypt(self, purpose: str, plaintext: bytes, associated: bytes = b"") -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return nonce + AESGCM(self.derive(purpose)).encrypt(nonce, plaintext, associated)

    def decrypt(self, purpose: str, blob: bytes, associated: bytes = b"") -> bytes:
        try:
            return AESGCM(self.derive(purpose)).decrypt(blob[:_NONCE], blob[_NONCE:], associated)
        except (InvalidTag, ValueError):
            raise DecryptionError(
                f"stored secret for {purpose} does not decrypt with this service key"
            ) from None
