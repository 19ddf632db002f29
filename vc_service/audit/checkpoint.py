"""C2SP signed notes and transparency-log checkpoints, signed with Ed25519.

A checkpoint is the note text `origin\\nsize\\nbase64(root)\\n`, a blank line, then one or more
signature lines `— <key name> base64(key ID ‖ signature)`. The key ID is
`SHA-256(name ‖ 0x0A ‖ type ‖ 32-byte public key)[:4]` with type 0x01 for a log's Ed25519 key and
0x04 for a `cosignature/v1` cosigner, whose signature is `timestamp (u64, big-endian) ‖ Ed25519
over "cosignature/v1\\ntime <ts>\\n" ‖ note text`. Specs: c2sp.org/signed-note,
c2sp.org/tlog-checkpoint, c2sp.org/tlog-cosignature.

Parsing is strict on purpose (research A.5 step 2): UTF-8, no control characters but newline,
canonical base64, a bounded number of signatures, and checkpoints without extension lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vc_service.audit import AuditError

SIG_TYPE_ED25519 = 0x01
SIG_TYPE_COSIGNATURE_V1 = 0x04

# The signed-note spec requires accepting at least 16 signatures; more than this is an attack on
# the verifier rather than a hearing with many witnesses.
MAX_SIGNATURES = 64
MAX_NOTE_BYTES = 64 * 1024
MAX_TIMESTAMP = 2**63 - 1

_DASH = "\u2014 "
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class CheckpointError(AuditError):
    """A note, checkpoint or signature is malformed or does not verify."""

    code = "audit.checkpoint.invalid"

    def __init__(self, message: str, code: str = "audit.checkpoint.invalid") -> None:
        super().__init__(code, message)


def _b64decode(text: str, what: str) -> bytes:
    """Standard base64 with padding; non-canonical spellings (stray bits, missing padding) are
    refused so one signature has one text."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CheckpointError(f"{what} is not valid base64", "audit.checkpoint.base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(f"{what} is not canonical base64", "audit.checkpoint.base64")
    return raw


def check_key_name(name: str) -> None:
    if not name:
        raise CheckpointError("key name is empty", "audit.checkpoint.key_name")
    if "+" in name or any(ch.isspace() for ch in name) or _CONTROL.search(name):
        raise CheckpointError(
            f"key name {name!r} contains a space, a plus sign or a control character",
            "audit.checkpoint.key_name",
        )


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """The 4-byte C2SP key ID of an Ed25519 key (`public_key` is the raw 32 bytes)."""
    check_key_name(name)
    if len(public_key) != 32:
        raise CheckpointError("an Ed25519 public key is 32 bytes", "audit.checkpoint.key")
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key).digest()[
        :4
    ]


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_pem(public_key: bytes) -> bytes:
    """SubjectPublicKeyInfo PEM of a raw Ed25519 public key, as `openssl pkeyutl` reads it."""
    key = Ed25519PublicKey.from_public_bytes(public_key)
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or _CONTROL.search(self.origin):
            raise CheckpointError(
                "origin must be one non-empty line without control characters",
                "audit.checkpoint.origin",
            )
        if type(self.size) is not int or not 0 <= self.size <= 2**64 - 1:
            raise CheckpointError("size must be an integer in 0..2^64-1", "audit.checkpoint.size")
        if len(self.root) != 32:
            raise CheckpointError("root hash must be 32 bytes", "audit.checkpoint.root")

    def body(self) -> bytes:
        """The note text that is signed."""
        root = base64.b64encode(self.root).decode("ascii")
        return f"{self.origin}\n{self.size}\n{root}\n".encode()


def parse_checkpoint_body(body: bytes) -> Checkpoint:
    """The checkpoint in a note text: exactly origin, size and root lines. Extension lines are
    refused: our logs never write them and the spec calls them not recommended."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckpointError("note text is not UTF-8", "audit.checkpoint.utf8") from exc
    if not text.endswith("\n"):
        raise CheckpointError("note text must end with a newline", "audit.checkpoint.format")
    lines = text[:-1].split("\n")
    if len(lines) != 3:
        raise CheckpointError(
            f"checkpoint must have exactly 3 lines (origin, size, root), got {len(lines)}",
            "audit.checkpoint.format",
        )
    origin, size_text, root_text = lines
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError(
            f"tree size {size_text!r} is not a decimal without leading zeroes",
            "audit.checkpoint.size",
        )
    return Checkpoint(origin, int(size_text), _b64decode(root_text, "root hash"))


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes  # what follows the key ID: an Ed25519 signature, or timestamp ‖ signature

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{_DASH}{self.name} {blob}\n"


@dataclass(frozen=True)
class SignedNote:
    body: bytes
    signatures: tuple[NoteSignature, ...]

    def to_bytes(self) -> bytes:
        return self.body + b"\n" + "".join(sig.line() for sig in self.signatures).encode("utf-8")


def parse_signature_line(line: str) -> NoteSignature:
    """One signature line, without its newline (no signature is verified here)."""
    return _parse_signature_line(line)


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(_DASH):
        raise CheckpointError(
            "signature line must start with an em dash and a space", "audit.checkpoint.format"
        )
    parts = line[len(_DASH) :].split(" ")
    if len(parts) != 2:
        raise CheckpointError(
            "signature line must be '— <name> <base64>'", "audit.checkpoint.format"
        )
    name, blob_text = parts
    check_key_name(name)
    blob = _b64decode(blob_text, f"signature of {name}")
    if len(blob) < 5:
        raise CheckpointError(f"signature of {name} is too short", "audit.checkpoint.format")
    return NoteSignature(name, blob[:4], blob[4:])


def parse_signed_note(data: bytes, max_signatures: int = MAX_SIGNATURES) -> SignedNote:
    """Strict parse of a signed note (no signature is verified here)."""
    if len(data) > MAX_NOTE_BYTES:
        raise CheckpointError(
            f"note is larger than {MAX_NOTE_BYTES} bytes", "audit.checkpoint.too_large"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckpointError("note is not valid UTF-8", "audit.checkpoint.utf8") from exc
    if _CONTROL.search(text):
        raise CheckpointError(
            "note contains a control character other than newline", "audit.checkpoint.format"
        )
    if not text.endswith("\n"):
        raise CheckpointError("note must end with a newline", "audit.checkpoint.format")
    split = text.rfind("\n\n")
    if split < 0:
        raise CheckpointError(
            "note has no blank line before its signatures", "audit.checkpoint.format"
        )
    body, block = text[: split + 1], text[split + 2 :]
    if not block:
        raise CheckpointError("note has no signature lines", "audit.checkpoint.unsigned")
    lines = block[:-1].split("\n")
    if len(lines) > max_signatures:
        raise CheckpointError(
            f"note has {len(lines)} signatures, more than {max_signatures}",
            "audit.checkpoint.too_large",
        )
    return SignedNote(body.encode("utf-8"), tuple(_parse_signature_line(x) for x in lines))


def cosignature_message(body: bytes, timestamp: int) -> bytes:
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CheckpointError("cosignature time is out of range", "audit.checkpoint.cosignature")
    return b"cosignature/v1\ntime %d\n" % timestamp + body


class Signer:
    """A log key: signs note text with Ed25519 under a C2SP name and key ID (type 0x01)."""

    sig_type = SIG_TYPE_ED25519

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = name
        self._private_key = private_key
        self.public_key = raw_public_key(private_key.public_key())
        self.key_id = key_id(name, self.sig_type, self.public_key)

    def sign(self, body: bytes) -> NoteSignature:
        if not body:
            # OpenSSL 3.0 `pkeyutl` cannot verify an empty message; never produce one.
            raise CheckpointError("refusing to sign an empty note", "audit.checkpoint.format")
        return NoteSignature(self.name, self.key_id, self._private_key.sign(body))


class Cosigner:
    """A witness key (e.g. the requested state's authority): `cosignature/v1`, type 0x04."""

    sig_type = SIG_TYPE_COSIGNATURE_V1

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = name
        self._private_key = private_key
        self.public_key = raw_public_key(private_key.public_key())
        self.key_id = key_id(name, self.sig_type, self.public_key)

    def cosign(self, body: bytes, timestamp: int) -> NoteSignature:
        message = cosignature_message(body, timestamp)
        signature = self._private_key.sign(message)
        return NoteSignature(self.name, self.key_id, timestamp.to_bytes(8, "big") + signature)


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[Signer]) -> bytes:
    if not signers:
        raise CheckpointError("a checkpoint needs at least one signer", "audit.checkpoint.unsigned")
    body = checkpoint.body()
    return SignedNote(body, tuple(signer.sign(body) for signer in signers)).to_bytes()


def add_cosignature(note: bytes, cosigner: Cosigner, timestamp: int) -> bytes:
    """Append a `cosignature/v1` line to a signed checkpoint (the cosigner is expected to have
    checked consistency with what it saw before; this only signs)."""
    parsed = parse_signed_note(note)
    parse_checkpoint_body(parsed.body)
    signature = cosigner.cosign(parsed.body, timestamp)
    return SignedNote(parsed.body, (*parsed.signatures, signature)).to_bytes()


@dataclass(frozen=True)
class TrustedKey:
    """A public key a verifier trusts, with its C2SP name and signature type."""

    name: str
    public_key: bytes
    sig_type: int = SIG_TYPE_ED25519

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.sig_type, self.public_key)


def _ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    if len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _known(note: SignedNote, keys: Sequence[TrustedKey]) -> list[tuple[NoteSignature, TrustedKey]]:
    # Unknown keys are ignored by design (signed-note): name and ID must both match.
    by_id = {(key.name, key.key_id): key for key in keys}
    return [
        (sig, by_id[(sig.name, sig.key_id)])
        for sig in note.signatures
        if (sig.name, sig.key_id) in by_id
    ]


def verify_log_signatures(note: SignedNote, keys: Sequence[TrustedKey]) -> list[TrustedKey]:
    """The trusted log keys whose signature on the note verifies. A known key with a bad
    signature rejects the whole note; no verified signature rejects it too."""
    verified: list[TrustedKey] = []
    for sig, key in _known(note, [k for k in keys if k.sig_type == SIG_TYPE_ED25519]):
        if not _ed25519_verify(key.public_key, sig.signature, note.body):
            raise CheckpointError(
                f"signature of trusted key {key.name} does not verify",
                "audit.checkpoint.bad_signature",
            )
        if key not in verified:
            verified.append(key)
    if not verified:
        raise CheckpointError(
            "no signature from a trusted log key", "audit.checkpoint.no_trusted_signature"
        )
    return verified


def verify_cosignatures(note: SignedNote, keys: Sequence[TrustedKey]) -> dict[TrustedKey, int]:
    """Each trusted cosigner whose `cosignature/v1` verifies, with its timestamp. A known
    cosigner with a bad cosignature rejects the note; the quorum is the caller's policy."""
    found: dict[TrustedKey, int] = {}
    for sig, key in _known(note, [k for k in keys if k.sig_type == SIG_TYPE_COSIGNATURE_V1]):
        if len(sig.signature) != 8 + 64:
            raise CheckpointError(
                f"cosignature of {key.name} has {len(sig.signature)} bytes, expected 72",
                "audit.checkpoint.bad_cosignature",
            )
        timestamp = int.from_bytes(sig.signature[:8], "big")
        if timestamp > MAX_TIMESTAMP or not _ed25519_verify(
            key.public_key, sig.signature[8:], cosignature_message(note.body, timestamp)
        ):
            raise CheckpointError(
                f"cosignature of trusted cosigner {key.name} does not verify",
                "audit.checkpoint.bad_cosignature",
            )
        if key in found and found[key] != timestamp:
            raise CheckpointError(
                f"cosigner {key.name} signed twice with different times",
                "audit.checkpoint.bad_cosignature",
            )
        found[key] = timestamp
    return found


def open_checkpoint(
    data: bytes, log_keys: Sequence[TrustedKey]
) -> tuple[Checkpoint, SignedNote, list[TrustedKey]]:
    """Parse a signed checkpoint and verify it against trusted log keys; the checkpoint is only
    returned once a trusted signature verified (size and root come from nowhere else)."""
    note = parse_signed_note(data)
    verified = verify_log_signatures(note, log_keys)
    return parse_checkpoint_body(note.body), note, verified
