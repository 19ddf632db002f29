"""RFC 3161 time stamps from a local openssl TSA, checked with `openssl ts -verify`."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audit.tsa import POLICY_OID, LocalTsa, local_tsa, make_ca
from vc_service import migrate
from vc_service.audit.checkpoint import parse_signed_note
from vc_service.audit.store import AuditStore
from vc_service.audit.tsa import TimestampClient, TimestampError
from vc_service.config import Settings
from vc_service.services import Services

from .conftest import JUDGE
from .helpers import close_and_seal, current_policy, export_and_verify


async def test_stamp_round_trip_and_refusals(tmp_path: Path) -> None:
    async with local_tsa(tmp_path / "tsa") as tsa:
        client = TimestampClient(tsa.url, tsa.ca_file)
        stamp = await client.stamp(b"origin\n1\nroot\n")
        assert abs(stamp.gen_time - datetime.now(UTC)) < timedelta(minutes=1)
        assert stamp.reply and stamp.query

        # A reply to another request (replayed token): the nonce and imprint do not match.
        tsa.replay = stamp.reply
        with pytest.raises(TimestampError) as caught:
            await client.stamp(b"other note\n")
        assert caught.value.code == "audit.tsa.openssl"
        assert "mismatch" in caught.value.message
        tsa.replay = None

        # A token that does not chain to the configured root.
        other_root = make_ca(tmp_path / "other", "Other TSA")
        with pytest.raises(TimestampError) as caught:
            await TimestampClient(tsa.url, other_root).stamp(b"note\n")
        assert caught.value.code == "audit.tsa.openssl"

        # Without a configured root the token's own certificate anchors the check: the reply
        # must still answer this request.
        unanchored = TimestampClient(tsa.url)
        assert (await unanchored.stamp(b"note\n")).reply
        tsa.replay = stamp.reply
        with pytest.raises(TimestampError) as caught:
            await unanchored.stamp(b"other note\n")
        assert "mismatch" in caught.value.message

        tsa.replay = b"not DER"
        with pytest.raises(TimestampError):
            await client.stamp(b"note\n")

    with pytest.raises(TimestampError) as caught:
        await client.stamp(b"note\n")  # the server is gone
    assert caught.value.code == "audit.tsa.unreachable"


async def test_sealed_log_carries_a_verified_timestamp(
    settings: Settings, hearing: str, tmp_path: Path
) -> None:
    async with local_tsa(tmp_path / "tsa") as tsa:
        # Configured as an operator does it: VC_TSA_URL.
        services = Services.build(dataclasses.replace(settings, tsa_url=tsa.url))
        try:
            await migrate.upgrade(services.db)
            await _seal_with_timestamp(services.audit, hearing, tsa, tmp_path)
        finally:
            await services.close()


async def _seal_with_timestamp(
    audit: AuditStore, hearing: str, tsa: LocalTsa, tmp_path: Path
) -> None:
    assert audit.signer.tsa is not None and audit.signer.tsa.url == tsa.url
    await audit.append(hearing, "hearing.created", JUDGE, {})
    note = await close_and_seal(audit, hearing)
    await audit.seal(hearing)  # sealing again does not ask again
    assert tsa.requests == 1
    stored = await audit.signer.timestamp(hearing, 2)
    assert stored is not None and stored.tsa_url == tsa.url

    root = tsa.ca_file.read_text()
    policy = await current_policy(
        audit, tsa_roots=[("Test TSA", root)], tsa_policy_oids=[POLICY_OID]
    )
    report = await export_and_verify(audit, hearing, tmp_path / "b.zip", policy)
    assert report.ok, report.render()
    assert "genTime" in report.steps[5].detail

    # The token covers the note text that was signed (what a clerk checks with openssl).
    body = tmp_path / "note.txt"
    body.write_bytes(parse_signed_note(note).body)
    (tmp_path / "r.tsr").write_bytes(bytes(stored.reply))
    proc = await asyncio.create_subprocess_exec(
        "openssl", "ts", "-verify", "-data", str(body), "-in", str(tmp_path / "r.tsr"),
        "-CAfile", str(tsa.ca_file), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = await proc.communicate()
    assert b"Verification: OK" in out
