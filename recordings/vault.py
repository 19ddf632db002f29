"""Encryption at rest of recording files: chunked AES-256-GCM, streamed, bound to each file's name.

File format `vcrec/1` (all integers big-endian):

    header  = magic "vcrec/1\\n" (8 bytes) || chunk size u32 (4) || salt (16)
    body    = block_0 || block_1 || ... || block_n      (at least one block)
    block_i = AES-256-GCM(subkey, nonce_i, chunk_i, aad=header)  (chunk + 16-byte tag)
    nonce_i = i as 11 bytes || 0x01 if block_i is the last one else 0x00
    subkey  = HKDF-SHA256(ikm=hearing key, salt=salt, info="vc-service recording v1\\n" || context)

Every chunk holds `chunk size` plaintext bytes except the last, which holds 0..chunk size. This is
the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015), as in `age`: the counter in the
nonce stops reordering, dropping or duplicating chunks; the last-block flag stops truncation at a
chunk boundary and appending; the header as associated data stops changing the chunk size or salt;
the context in the key derivation (`<hearing>/<recording>/<track>/<part>`) stops passing one
segment off as another, of this hearing or of any other. A fresh random salt per file gives each
file its own subkey, so nonces never repeat under one key.

The hearing key comes from the caller (vc_service derives it from its service key) and is never
written next to the files. Decryption releases nothing unless the whole file authenticates: it
writes to a temporary name and renames only at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from recordings.errors import DecryptionFailed

MAGIC = b"vcrec/1\n"
CHUNK_SIZE = 64 * 1024
SALT_SIZE = 16
TAG_SIZE = 16
HEADER_SIZE = len(MAGIC) + 4 + SALT_SIZE
KEY_SIZE = 32
ALGORITHM = "vcrec/1: AES-256-GCM STREAM, HKDF-SHA256 subkey per file, 64 KiB chunks"
_INFO = b"vc-service recording v1\n"
_READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class Sealed:
    """What the audit log records about a sealed file: the PLAINTEXT's SHA-256 and length, which a
    clerk checks with `sha256sum` on the exported, decrypted file."""

    sha256: str
    bytes: int
    stored_bytes: int


def _check_key(key: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError(f"a recording key is {KEY_SIZE} bytes, got {len(key)}")


def _subkey(key: bytes, salt: bytes, context: str) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO + context.encode())
    return AESGCM(hkdf.derive(key))


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class Sealer:
    """Encrypts a stream: `header`, then `update()` for each piece, then `finish()`. Pure."""

    def __init__(self, key: bytes, context: str, *, chunk_size: int = CHUNK_SIZE) -> None:
        _check_key(key)
        salt = secrets.token_bytes(SALT_SIZE)
        self.header = MAGIC + chunk_size.to_bytes(4, "big") + salt
        self._aead = _subkey(key, salt, context)
        self._chunk = chunk_size
        self._buffer = bytearray()
        self._index = 0
        self._digest = hashlib.sha256()
        self.plain_bytes = 0

    def update(self, data: bytes) -> bytes:
        self._digest.update(data)
        self.plain_bytes += len(data)
        self._buffer += data
        out = bytearray()
        # Keep at least one byte back: the last block must be sealed with the last flag.
        while len(self._buffer) > self._chunk:
            out += self._seal(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return bytes(out)

    def finish(self) -> bytes:
        block = self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        return block

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def _seal(self, chunk: bytes, *, last: bool) -> bytes:
        block = self._aead.encrypt(_nonce(self._index, last), chunk, self.header)
        self._index += 1
        return block


class Opener:
    """Decrypts a stream fed in pieces of any size. Pure. Output is only trustworthy once
    `finish()` has returned: before that, a truncated or extended file is not yet detected."""

    def __init__(self, key: bytes, context: str) -> None:
        _check_key(key)
        self._key = key
        self._context = context
        self._aead: AESGCM | None = None
        self._header = b""
        self._block = 0
        self._buffer = bytearray()
        self._index = 0

    def update(self, data: bytes) -> bytes:
        self._buffer += data
        if self._aead is None:
            if len(self._buffer) < HEADER_SIZE:
                return b""
            self._read_header()
        out = bytearray()
        # A block followed by more data is not the last one.
        while len(self._buffer) > self._block:
            out += self._open(bytes(self._buffer[: self._block]), last=False)
            del self._buffer[: self._block]
        return bytes(out)

    def finish(self) -> bytes:
        if self._aead is None:
            raise DecryptionFailed("the file is shorter than a recording header")
        if len(self._buffer) < TAG_SIZE:
            raise DecryptionFailed(
                "the file is truncated: its last block is missing", details={"block": self._index}
            )
        return self._open(bytes(self._buffer), last=True)

    def _read_header(self) -> None:
        header = bytes(self._buffer[:HEADER_SIZE])
        if header[: len(MAGIC)] != MAGIC:
            raise DecryptionFailed("not a vcrec/1 file (bad magic)")
        chunk = int.from_bytes(header[len(MAGIC) : len(MAGIC) + 4], "big")
        if not 1 <= chunk <= 16 * 1024 * 1024:
            raise DecryptionFailed("the header's chunk size is out of range")
        self._header = header
        self._block = chunk + TAG_SIZE
        self._aead = _subkey(self._key, header[len(MAGIC) + 4 :], self._context)
        del self._buffer[:HEADER_SIZE]

    def _open(self, block: bytes, *, last: bool) -> bytes:
        assert self._aead is not None
        try:
            chunk = self._aead.decrypt(_nonce(self._index, last), block, self._header)
        except InvalidTag:
            raise DecryptionFailed(
                "the file does not authenticate: wrong key or context, or the bytes were altered,"
                " reordered, truncated or extended",
                details={"block": self._index},
            ) from None
        self._index += 1
        return chunk


def private_dir(path: Path) -> None:
    """Create `path` and any missing parents readable by the owner only (`mkdir -p` would give
    the parents the umask's mode)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)


@contextlib.contextmanager
def _atomic(dest: Path) -> Iterator[int]:
    """A file descriptor whose content appears at `dest` only if the block completes, synced."""
    private_dir(dest.parent)
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        yield fd
        os.fsync(fd)
        os.close(fd)
        fd = -1
        tmp.replace(dest)
        dir_fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_atomic(dest: Path, data: bytes) -> None:
    """Write a plain file so that it appears whole or not at all (blocking)."""
    with _atomic(dest) as fd:
        _write_all(fd, data)


def seal_bytes(key: bytes, context: str, plaintext: bytes, dest: Path) -> Sealed:
    """Encrypt `plaintext` into `dest` (blocking)."""
    sealer = Sealer(key, context)
    with _atomic(dest) as fd:
        _write_all(fd, sealer.header)
        _write_all(fd, sealer.update(plaintext))
        _write_all(fd, sealer.finish())
    return Sealed(sealer.sha256, sealer.plain_bytes, dest.stat().st_size)


def seal_file(key: bytes, context: str, source: Path, dest: Path) -> Sealed:
    """Encrypt the file `source` into `dest`, streaming (blocking)."""
    sealer = Sealer(key, context)
    with _atomic(dest) as fd, source.open("rb") as handle:
        _write_all(fd, sealer.header)
        while piece := handle.read(_READ_SIZE):
            _write_all(fd, sealer.update(piece))
        _write_all(fd, sealer.finish())
    return Sealed(sealer.sha256, sealer.plain_bytes, dest.stat().st_size)


def open_file(key: bytes, context: str, source: Path, dest: Path) -> Sealed:
    """Decrypt `source` into `dest`, streaming (blocking). Raises `DecryptionFailed`, leaving no
    `dest`, unless every byte authenticates."""
    opener = Opener(key, context)
    digest = hashlib.sha256()
    length = 0
    with _atomic(dest) as fd, source.open("rb") as handle:
        while True:
            piece = handle.read(_READ_SIZE)
            plain = opener.update(piece) if piece else opener.finish()
            digest.update(plain)
            length += len(plain)
            _write_all(fd, plain)
            if not piece:
                break
    return Sealed(digest.hexdigest(), length, source.stat().st_size)


def open_bytes(key: bytes, context: str, source: Path) -> bytes:
    """Decrypt a small file into memory (blocking)."""
    opener = Opener(key, context)
    data = source.read_bytes()
    return opener.update(data) + opener.finish()
