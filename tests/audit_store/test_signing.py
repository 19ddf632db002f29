"""Signed heads: interim checkpoints, sealing, key rotation, cosignatures."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from vc_service.audit import AuditError
from vc_service.audit.canonical import parse_canonical
from vc_service.audit.checkpoint import (
    CheckpointError,
    Cosigner,
    TrustedKey,
    open_checkpoint,
    parse_signed_note,
)
from vc_service.audit.events import parse_ts
from vc_service.audit.keys import PURPOSE
from vc_service.audit.models import AuditSigningKey
from vc_service.audit.signing import LogNotClosed
from vc_service.audit.store import AuditStore
from vc_service.db import new_id
from vc_service.service_key import DecryptionError, ServiceKey

from .conftest import JUDGE, SYSTEM
from .helpers import close_and_seal, current_policy, export_and_verify


async def trusted(audit: AuditStore) -> list[TrustedKey]:
    return [info.trusted() for info in await audit.keys.all()]


async def test_interim_checkpoints_every_n_events(audit: AuditStore, hearing: str) -> None:
    audit.signer.every_events, audit.signer.every_seconds = 10, 3600
    for n in range(25):
        await audit.append(hearing, "note.added", SYSTEM, {"n": n})
        await audit.signer.wait_idle()
    rows = await audit.signer.checkpoints(hearing)
    assert [row.size for row in rows] == [10, 20]
    for row in rows:
        head, _, signed_by = open_checkpoint(bytes(row.note), await trusted(audit))
        assert head.origin == audit.origin(hearing)
        assert head.root == await audit.root(hearing, row.size)
        assert [key.name for key in signed_by] == [row.key_name]
        assert not row.final


async def test_interim_checkpoint_after_quiet_period(
    sqlite_audit: AuditStore, hearing: str
) -> None:
    audit = sqlite_audit
    audit.signer.every_events, audit.signer.every_seconds = 1000, 0.05
    for n in range(3):
        await audit.append(hearing, "note.added", SYSTEM, {"n": n})
    for _ in range(100):
        if await audit.signer.checkpoints(hearing):
            break
        await asyncio.sleep(0.02)
    assert [row.size for row in await audit.signer.checkpoints(hearing)] == [3]


async def test_seal_signs_the_final_checkpoint_once(audit: AuditStore, hearing: str) -> None:
    await audit.append(hearing, "hearing.created", JUDGE, {})
    with pytest.raises(LogNotClosed) as caught:
        await audit.seal(hearing)
    assert caught.value.code == "audit.log.not_closed"
    with pytest.raises(LogNotClosed):
        await audit.seal(new_id())
    note = await close_and_seal(audit, hearing)
    assert await audit.seal(hearing) == note  # idempotent
    head, _, _ = open_checkpoint(note, await trusted(audit))
    assert (head.size, head.root) == (2, await audit.root(hearing))
    rows = await audit.signer.checkpoints(hearing)
    assert [(row.size, row.final) for row in rows] == [(2, True)]
    stored = await audit.head(hearing)
    assert stored is not None and stored.sealed_at is not None and stored.closed_size == 2


async def test_first_key_predates_the_first_event(audit: AuditStore, hearing: str) -> None:
    assert await audit.keys.all() == []
    await audit.append(hearing, "hearing.created", JUDGE, {})
    keys = await audit.keys.all()
    assert len(keys) == 1 and keys[0].active
    first = await audit.event(hearing, 0)
    assert first is not None
    assert keys[0].not_before <= parse_ts(parse_canonical(first)["ts"])


async def test_signing_key_is_encrypted_at_rest(sqlite_audit: AuditStore, hearing: str) -> None:
    audit = sqlite_audit
    await audit.append(hearing, "hearing.created", JUDGE, {})
    signer = await audit.keys.signer()
    async with audit.db.session() as session:
        row = (await session.execute(select(AuditSigningKey))).scalar_one()
    blob = bytes(row.private_key_enc)
    assert signer.public_key == bytes(row.public_key)
    with pytest.raises(DecryptionError):
        ServiceKey(b"\x01" * 32).decrypt(PURPOSE, blob, row.name.encode())
    with pytest.raises(DecryptionError):  # bound to its row: another name does not open it
        audit.key.decrypt(PURPOSE, blob, b"other-name")


async def test_rotation_keeps_every_log_verifiable(audit: AuditStore, tmp_path: Path) -> None:
    before, spanning, late, after = new_id(), new_id(), new_id(), new_id()
    audit.signer.every_events, audit.signer.every_seconds = 4, 3600
    await audit.append(before, "hearing.created", JUDGE, {})
    await close_and_seal(audit, before)
    for n in range(5):
        await audit.append(spanning, "note.added", SYSTEM, {"n": n})
        await audit.signer.wait_idle()
    await audit.append(late, "hearing.created", JUDGE, {})
    await audit.append(late, "hearing.closed", JUDGE, {})
    old = await audit.keys.active()

    new = await audit.keys.rotate()
    keys = await audit.keys.all()
    assert [k.name for k in keys] == [old.name, new.name]
    assert keys[0].not_after == new.not_before and keys[1].active
    assert new.name != old.name and new.key_id != old.key_id

    for n in range(5, 9):
        await audit.append(spanning, "note.added", SYSTEM, {"n": n})
        await audit.signer.wait_idle()
    await close_and_seal(audit, spanning)
    # Closed before the rotation, sealed after: the note carries both keys' signatures.
    late_note = await audit.seal(late)
    assert [s.name for s in parse_signed_note(late_note).signatures] == [old.name, new.name]
    await audit.append(after, "hearing.created", JUDGE, {})
    await close_and_seal(audit, after)

    interim_keys = {row.size: row.key_name for row in await audit.signer.checkpoints(spanning)}
    assert interim_keys[4] == old.name and interim_keys[8] == new.name

    policy = await current_policy(audit)
    for hearing in (before, spanning, late, after):
        report = await export_and_verify(audit, hearing, tmp_path / f"{hearing}.zip", policy)
        assert report.ok, report.render()

    # Only the new key trusted: what the old key alone signed no longer verifies.
    new_only = policy.__class__(policy.origin_prefix, policy.log_keys[1:])
    report = await export_and_verify(audit, before, tmp_path / "b2.zip", new_only)
    assert not report.ok
    assert report.steps[2].code == "audit.checkpoint.no_trusted_signature"


async def test_cosignature_is_verified_before_it_is_stored(
    audit: AuditStore, hearing: str, tmp_path: Path
) -> None:
    authority = Cosigner("authority.example.es/witness", Ed25519PrivateKey.generate())
    stranger = Cosigner("authority.example.es/witness", Ed25519PrivateKey.generate())
    ident = await audit.register_cosigner(hearing, authority.name, authority.public_key)
    assert ident == authority.key_id.hex()
    with pytest.raises(AuditError) as caught:
        await audit.register_cosigner(hearing, authority.name, stranger.public_key)
    assert caught.value.code == "audit.cosigner.exists"

    await audit.append(hearing, "hearing.created", JUDGE, {})
    with pytest.raises(LogNotClosed):
        await audit.add_cosignature(hearing, "— x AAAA")
    note = await close_and_seal(audit, hearing)
    body = parse_signed_note(note).body
    now = int(time.time())

    with pytest.raises(AuditError) as caught:
        await audit.add_cosignature(hearing, stranger.cosign(body, now).line())
    assert caught.value.code == "audit.cosignature.unknown_cosigner"
    forged = authority.cosign(body + b"x", now)  # signs other text
    with pytest.raises(CheckpointError) as caught_sig:
        await audit.add_cosignature(hearing, forged.line())
    assert caught_sig.value.code == "audit.checkpoint.bad_cosignature"
    with pytest.raises(AuditError) as caught:
        await audit.add_cosignature(hearing, authority.cosign(body, now + 3600).line())
    assert caught.value.code == "audit.cosignature.future"
    assert await audit.signer.signed_note(hearing, 2) == note

    good = authority.cosign(body, now).line()
    assert await audit.add_cosignature(hearing, good) == authority.name
    assert await audit.signer.signed_note(hearing, 2) == note + good.encode()

    cosigners = await audit.keys.cosigners(hearing)
    policy = await current_policy(audit, cosigners=cosigners, quorum=1)
    report = await export_and_verify(audit, hearing, tmp_path / "b.zip", policy)
    assert report.ok, report.render()
    assert "authority.example.es/witness" in report.steps[4].detail


async def test_append_in_events_are_checkpointed_after_the_callers_commit(
    audit: AuditStore, hearing: str
) -> None:
    audit.signer.every_events, audit.signer.every_seconds = 3, 3600
    for n in range(2):
        async with audit.db.transaction() as session:
            await audit.append_in(session, hearing, "note.added", JUDGE, {"n": n})
    with pytest.raises(RuntimeError):
        async with audit.db.transaction() as session:
            await audit.append_in(session, hearing, "note.added", JUDGE, {"n": 99})
            raise RuntimeError("rolled back: no checkpoint for it")
    await asyncio.sleep(0)
    await audit.signer.wait_idle()
    assert await audit.signer.checkpoints(hearing) == []
    async with audit.db.transaction() as session:
        await audit.append_in(session, hearing, "note.added", JUDGE, {"n": 2})
    await asyncio.sleep(0)
    await audit.signer.wait_idle()
    assert [row.size for row in await audit.signer.checkpoints(hearing)] == [3]
