"""Encryption at rest: round trips, an independent decryptor written from the documented format,
and a tamper matrix where every case is refused with `recording.decrypt_failed`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from recordings import vault
from recordings.errors import DecryptionFailed

KEY = bytes(range(32))
CONTEXT = "h-1/rec-1/alice-video0/3"
SMALL = 64  # a tiny chunk size makes every boundary case cheap


def _seal(data: bytes, chunk: int = SMALL, context: str = CONTEXT) -> bytes:
    sealer = vault.Sealer(KEY, context, chunk_size=chunk)
    return sealer.header + sealer.update(data) + sealer.finish()


def _open(blob: bytes, context: str = CONTEXT, key: bytes = KEY) -> bytes:
    opener = vault.Opener(key, context)
    return opener.update(blob) + opener.finish()


def _by_the_spec(blob: bytes, key: bytes, context: str) -> bytes:
    """Decrypt following only the format in `vault`'s docstring (not its code)."""
    assert blob[:8] == b"vcrec/1\n"
    chunk = int.from_bytes(blob[8:12], "big")
    salt = blob[12:28]
    info = b"vc-service recording v1\n" + context.encode()
    subkey = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)
    aead = AESGCM(subkey)
    body = blob[28:]
    blocks = [body[i : i + chunk + 16] for i in range(0, len(body), chunk + 16)] or [b""]
    out = b""
    for index, block in enumerate(blocks):
        last = index == len(blocks) - 1
        nonce = index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
        out += aead.decrypt(nonce, block, blob[:28])
    return out


@pytest.mark.parametrize("size", [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 3 * SMALL + 7])
def test_round_trip_at_every_chunk_boundary(size: int) -> None:
    data = os.urandom(size)
    blob = _seal(data)
    assert len(blob) == vault.HEADER_SIZE + len(data) + 16 * max(1, -(-size // SMALL))
    assert _open(blob) == data
    assert _by_the_spec(blob, KEY, CONTEXT) == data


def test_opener_accepts_any_feeding_pattern() -> None:
    data = os.urandom(5 * SMALL + 3)
    blob = _seal(data)
    opener = vault.Opener(KEY, CONTEXT)
    out = b"".join(opener.update(blob[i : i + 1]) for i in range(len(blob)))
    assert out + opener.finish() == data


def test_each_file_has_its_own_salt() -> None:
    assert _seal(b"same")[12:28] != _seal(b"same")[12:28]


def test_files_stream_and_report_the_plaintext_hash(tmp_path: Path) -> None:
    data = os.urandom(3 * vault.CHUNK_SIZE + 123)
    source = tmp_path / "plain.webm"
    source.write_bytes(data)
    sealed = vault.seal_file(KEY, CONTEXT, source, tmp_path / "x" / "y" / "sealed.vcrec")
    assert sealed.sha256 == hashlib.sha256(data).hexdigest() and sealed.bytes == len(data)
    assert (tmp_path / "x").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "x" / "y" / "sealed.vcrec").stat().st_mode & 0o777 == 0o600
    from_bytes = vault.seal_bytes(KEY, CONTEXT, data, tmp_path / "b.vcrec")
    assert from_bytes.sha256 == sealed.sha256
    opened = vault.open_file(KEY, CONTEXT, tmp_path / "x" / "y" / "sealed.vcrec", tmp_path / "o")
    assert opened == vault.Sealed(sealed.sha256, len(data), sealed.stored_bytes)
    assert (tmp_path / "o").read_bytes() == data
    assert vault.open_bytes(KEY, CONTEXT, tmp_path / "b.vcrec") == data


def _flip(i: int) -> Callable[[bytes], bytes]:
    return lambda b: b[:i] + bytes([b[i] ^ 1]) + b[i + 1 :]


def _swap_blocks(b: bytes) -> bytes:
    size = SMALL + 16
    body = b[28:]
    return b[:28] + body[size : 2 * size] + body[:size] + body[2 * size :]


TAMPER: dict[str, Callable[[bytes], bytes]] = {
    "flip magic": _flip(0),
    "flip chunk size": _flip(11),
    "flip salt": _flip(20),
    "flip first ciphertext byte": _flip(28),
    "flip a tag byte": _flip(28 + SMALL + 3),
    "flip last byte": lambda b: b[:-1] + bytes([b[-1] ^ 0x80]),
    "truncate at a block boundary": lambda b: b[: 28 + 2 * (SMALL + 16)],
    "truncate mid block": lambda b: b[:-5],
    "drop the last block": lambda b: b[: -(SMALL // 2 + 16)],
    "drop the first block": lambda b: b[:28] + b[28 + SMALL + 16 :],
    "duplicate the first block": lambda b: b[:28] + b[28 : 28 + SMALL + 16] + b[28:],
    "swap two blocks": _swap_blocks,
    "append a byte": lambda b: b + b"\x00",
    "append a copy of the last block": lambda b: b + b[-(SMALL // 2 + 16) :],
    "header only": lambda b: b[:28],
    "short header": lambda b: b[:20],
    "empty": lambda b: b"",
}


@pytest.mark.parametrize("case", sorted(TAMPER))
def test_tampering_is_refused(case: str) -> None:
    blob = _seal(os.urandom(3 * SMALL + SMALL // 2))
    with pytest.raises(DecryptionFailed) as caught:
        _open(TAMPER[case](blob))
    assert caught.value.code == "recording.decrypt_failed"


def test_another_key_or_context_is_refused() -> None:
    blob = _seal(b"testimony")
    with pytest.raises(DecryptionFailed):
        _open(blob, key=bytes(32))
    # The same segment presented as another part, track, recording or hearing.
    for other in ("h-1/rec-1/alice-video0/4", "h-1/rec-1/bob-video0/3", "h-2/rec-1/alice-video0/3"):
        with pytest.raises(DecryptionFailed):
            _open(blob, context=other)


def test_a_failed_decryption_leaves_no_file(tmp_path: Path) -> None:
    source = tmp_path / "s.vcrec"
    vault.seal_bytes(KEY, CONTEXT, os.urandom(3 * vault.CHUNK_SIZE), source)
    data = bytearray(source.read_bytes())
    data[-10] ^= 1
    source.write_bytes(bytes(data))
    with pytest.raises(DecryptionFailed):
        vault.open_file(KEY, CONTEXT, source, tmp_path / "out.webm")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.vcrec"]


def test_keys_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        vault.Sealer(b"short", CONTEXT)
    with pytest.raises(ValueError):
        vault.Opener(b"k" * 33, CONTEXT)
