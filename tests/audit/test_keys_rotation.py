"""Issue 14 point 6: a retired log key's private part is destroyed, and each rotation is an event
signed by the old and the new key. On SQLite and PostgreSQL. Before the issue the retired key
stayed encrypted under the service key (so a leak of the database and that key gave every key
ever used) and no record of the rotation was signed by either key."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.audit_store.helpers import close_and_seal, current_policy, export_and_verify
from vc_service.audit import AuditError
from vc_service.audit.checkpoint import CheckpointError, parse_signed_note
from vc_service.audit.keys import PURPOSE, open_rotation
from vc_service.audit.models import AuditSigningKey
from vc_service.db import new_id
from vc_service.services import Services

JUDGE = {"role": "judge", "id": "u-judge", "name": "Judge Ana Ruiz"}


async def _rows(services: Services) -> list[AuditSigningKey]:
    async with services.db.session() as session:
        query = select(AuditSigningKey).order_by(AuditSigningKey.not_before)
        return list((await session.execute(query)).scalars().all())


async def test_rotation_destroys_the_retired_private_key(
    any_services: Services, tmp_path: Path
) -> None:
    audit = any_services.audit
    sealed, spanning = new_id(), new_id()
    await audit.append(sealed, "hearing.created", JUDGE, {})
    await close_and_seal(audit, sealed)
    await audit.append(spanning, "hearing.created", JUDGE, {})
    old = await audit.keys.active()

    new = await audit.keys.rotate()
    first, second = await _rows(any_services)
    assert (first.name, second.name) == (old.name, new.name)
    # The retired key's private part is gone from the database, the new one's is there.
    assert bytes(first.private_key_enc) == b""
    assert len(bytes(second.private_key_enc)) > 32
    assert audit.key.decrypt(PURPOSE, bytes(second.private_key_enc), new.name.encode())
    # A process that never saw the old key cannot sign with it any more.
    fresh = type(audit.keys)(any_services.db, audit.key, audit.origin_domain)
    with pytest.raises(AuditError) as caught:
        fresh._decrypted(first)
    assert caught.value.code == "audit.key.retired"
    assert [s.name for s in await fresh.signers_for(old.not_before)] == [new.name]

    # The hearings sealed before and spanning the rotation still verify with the published keys.
    await close_and_seal(audit, spanning)
    policy = await current_policy(audit)
    for hearing in (sealed, spanning):
        report = await export_and_verify(audit, hearing, tmp_path / f"{hearing}.zip", policy)
        assert report.ok, report.render()


async def test_each_rotation_is_an_event_signed_by_the_old_and_the_new_key(
    any_services: Services,
) -> None:
    keys = any_services.audit.keys
    first = await keys.active()
    second = await keys.rotate()
    third = await keys.rotate()
    notes = await keys.rotations()
    assert len(notes) == 2
    for seq, (note, old, new) in enumerate(
        zip(notes, (first, second), (second, third), strict=True)
    ):
        event = open_rotation(note)
        assert event["type"] == "key.rotated" and event["seq"] == seq
        assert event["log"] == f"{any_services.audit.origin_domain}/audit-keys"
        assert event["old"]["name"] == old.name and event["new"]["name"] == new.name
        assert event["old"]["key_id"] == old.key_id
        assert event["old"]["valid_until"] == event["new"]["valid_from"] == event["ts"]
        signed = parse_signed_note(note).signatures
        assert [s.name for s in signed] == [old.name, new.name]

    # A note whose text was changed, or that only one of the two keys signed, is refused.
    body, signatures = notes[0].split(b"\n\n", 1)
    with pytest.raises(CheckpointError):
        open_rotation(body.replace(b"key.rotated", b"key.rotatee") + b"\n\n" + signatures)
    one_line = signatures.split(b"\n")[0] + b"\n"
    with pytest.raises(CheckpointError) as caught:
        open_rotation(body + b"\n\n" + one_line)
    assert caught.value.code == "audit.checkpoint.no_trusted_signature"


async def test_a_log_closed_before_a_rotation_and_sealed_after_carries_both_keys(
    any_services: Services, tmp_path: Path
) -> None:
    audit = any_services.audit
    late = new_id()
    await audit.append(late, "hearing.created", JUDGE, {})
    await audit.append(late, "hearing.closed", JUDGE, {})
    old = await audit.keys.active()
    new = await audit.keys.rotate()
    note = await audit.seal(late)
    assert [s.name for s in parse_signed_note(note).signatures] == [old.name, new.name]
    report = await export_and_verify(audit, late, tmp_path / "late.zip")
    assert report.ok, report.render()
