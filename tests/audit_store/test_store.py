"""Appending and reading one hearing's log: exact bytes, the envelope, proofs, typed errors."""

from __future__ import annotations

import asyncio
import re

import pytest

from vc_service.audit import AuditError
from vc_service.audit.canonical import CanonicalError, canonical_bytes, parse_canonical
from vc_service.audit.store import AuditStore, EventError, LogSealed
from vc_service.audit.tree import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from vc_service.db import Database, new_id

from .conftest import JUDGE, SYSTEM

TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


async def test_round_trip_keeps_exact_bytes(audit: AuditStore, hearing: str) -> None:
    fields: dict[str, object] = {"court": "Tribunal", "list": [1, "ü", None], "ok": True}
    first = await audit.append(hearing, "hearing.created", JUDGE, fields)
    second = await audit.append(hearing, "legal.decision", SYSTEM, {"decision": "allowed"})
    assert (first, second) == (0, 1)

    stored = await audit.events(hearing)
    assert len(stored) == 2
    event = parse_canonical(stored[0])  # raises unless the stored bytes are canonical
    assert TS.fullmatch(str(event.pop("ts")))
    assert event == {
        "actor": JUDGE,
        "log": audit.origin(hearing),
        "seq": 0,
        "type": "hearing.created",
        **fields,
    }
    assert canonical_bytes(parse_canonical(stored[1])) == stored[1]
    assert audit.origin(hearing) == f"vc.localhost/hearing/{hearing}"
    assert await audit.size(hearing) == 2

    expected = MerkleTree(leaf_hash(data) for data in stored)
    assert await audit.root(hearing) == expected.root()
    assert await audit.root(hearing, 1) == leaf_hash(stored[0])
    proof = await audit.inclusion_proof(hearing, 1, 2)
    verify_inclusion(leaf_hash(stored[1]), 1, 2, proof, expected.root())
    third = await audit.append(hearing, "condition.met", JUDGE, {"condition": "oath"})
    assert third == 2
    consistency = await audit.consistency_proof(hearing, 2, 3)
    verify_consistency(2, 3, expected.root(), await audit.root(hearing), consistency)


async def test_logs_are_separate(audit: AuditStore) -> None:
    one, two = new_id(), new_id()
    assert await audit.append(one, "hearing.created", JUDGE, {}) == 0
    assert await audit.append(two, "hearing.created", JUDGE, {}) == 0
    assert await audit.append(one, "invitation.issued", JUDGE, {"role": "witness"}) == 1
    assert await audit.size(two) == 1
    assert await audit.events(new_id()) == []
    assert await audit.size(new_id()) == 0


@pytest.mark.parametrize(
    ("event_type", "actor", "fields", "code"),
    [
        ("hearing.created", JUDGE, {"seq": 3}, "audit.event.reserved_field"),
        ("hearing.created", JUDGE, {"log": "x"}, "audit.event.reserved_field"),
        ("hearing.created", JUDGE, {"ts": "x"}, "audit.event.reserved_field"),
        ("hearing.created", JUDGE, {"actor": "x"}, "audit.event.reserved_field"),
        ("hearing.created", JUDGE, {"type": "x"}, "audit.event.reserved_field"),
        ("hearing.created", JUDGE, {"v": 1}, "audit.event.reserved_field"),
        ("hearing.created", JUDGE, {"größe": 1}, "audit.canonical.key"),
        ("hearing.created", JUDGE, {"duration": 1.5}, "audit.canonical.float"),
        ("hearing.created", JUDGE, {"big": 2**53}, "audit.canonical.integer"),
        ("hearing.created", JUDGE, {"when": {1, 2}}, "audit.canonical.type"),
        ("hearing.created", JUDGE, {"nested": {"é": 1}}, "audit.canonical.key"),
        ("Hearing.Created", JUDGE, {}, "audit.event.type"),
        ("created", JUDGE, {}, "audit.event.type"),
        ("hearing.created", {"role": "judge"}, {}, "audit.event.actor"),
        ("hearing.created", {"role": "judge", "id": "u", "ip": "1"}, {}, "audit.event.actor"),
        ("hearing.created", {"role": "Judge!", "id": "u"}, {}, "audit.event.actor"),
        ("hearing.created", {"role": "judge", "id": 7}, {}, "audit.event.actor"),
    ],
)
async def test_bad_events_are_refused_with_a_code(
    sqlite_audit: AuditStore,
    hearing: str,
    event_type: str,
    actor: dict[str, object],
    fields: dict[str, object],
    code: str,
) -> None:
    audit = sqlite_audit
    with pytest.raises(AuditError) as caught:
        await audit.append(hearing, event_type, actor, fields)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert isinstance(caught.value, EventError | CanonicalError)
    assert await audit.size(hearing) == 0


async def test_bad_hearing_id_is_refused(sqlite_audit: AuditStore) -> None:
    audit = sqlite_audit
    for bad in ("", "ABC", "x\n", new_id().upper(), new_id() + " "):
        with pytest.raises(EventError) as caught:
            await audit.append(bad, "hearing.created", JUDGE, {})
        assert caught.value.code == "audit.event.hearing_id"


async def test_concurrent_appends_never_fork_or_skip(audit: AuditStore, hearing: str) -> None:
    other = new_id()
    commits_before = audit.commits

    async def one(n: int) -> tuple[int, int]:
        target = hearing if n % 4 else other
        return n, await audit.append(target, "media.segment", SYSTEM, {"n": n})

    results = await asyncio.gather(*(one(n) for n in range(400)))
    mine = {n: seq for n, seq in results if n % 4}
    theirs = {n: seq for n, seq in results if not n % 4}
    assert sorted(mine.values()) == list(range(300))
    assert sorted(theirs.values()) == list(range(100))
    # Group commit: many events per transaction.
    assert audit.commits - commits_before < 100
    stored = await audit.events(hearing)
    for n, seq in mine.items():
        event = parse_canonical(stored[seq])
        assert (event["seq"], event["n"]) == (seq, n)


async def test_acknowledged_means_committed(audit: AuditStore, hearing: str) -> None:
    # A second engine sees each event as soon as its append returns.
    reader = AuditStore(Database(audit.db.url), audit.settings, audit.key)
    try:

        async def one(n: int) -> None:
            seq = await audit.append(hearing, "media.segment", SYSTEM, {"n": n})
            events = await reader.events(hearing)
            assert parse_canonical(events[seq])["n"] == n

        await asyncio.gather(*(one(n) for n in range(40)))
    finally:
        await reader.close()
        await reader.db.dispose()


async def test_append_in_commits_with_the_caller(audit: AuditStore, hearing: str) -> None:
    assert await audit.append(hearing, "hearing.created", JUDGE, {}) == 0
    with pytest.raises(RuntimeError):
        async with audit.db.transaction() as session:
            seq = await audit.append_in(session, hearing, "condition.met", JUDGE, {"id": "a"})
            assert seq == 1
            raise RuntimeError("the caller's change failed")
    assert await audit.size(hearing) == 1  # rolled back with the caller: no gap
    async with audit.db.transaction() as session:
        assert await audit.append_in(session, hearing, "condition.met", JUDGE, {"id": "b"}) == 1
    assert await audit.append(hearing, "testimony.started", JUDGE, {}) == 2
    assert [parse_canonical(e).get("id") for e in await audit.events(hearing)] == [None, "b", None]
    async with audit.db.transaction() as session:
        assert await audit.append_in(session, new_id(), "hearing.created", JUDGE, {}) == 0


async def test_closed_log_refuses_appends(audit: AuditStore, hearing: str) -> None:
    await audit.append(hearing, "hearing.created", JUDGE, {})
    results = await asyncio.gather(
        audit.append(hearing, "testimony.started", JUDGE, {}),
        audit.append(hearing, "hearing.closed", JUDGE, {"reason": "done"}),
        audit.append(hearing, "media.segment", SYSTEM, {"part": 9}),
        return_exceptions=True,
    )
    assert list(results[:2]) == [1, 2]
    assert isinstance(results[2], LogSealed)
    assert results[2].code == "audit.log.sealed"
    with pytest.raises(LogSealed):
        await audit.append(hearing, "media.segment", SYSTEM, {})
    with pytest.raises(LogSealed):
        async with audit.db.transaction() as session:
            await audit.append_in(session, hearing, "media.segment", SYSTEM, {})
    await audit.seal(hearing)
    with pytest.raises(LogSealed):
        await audit.append(hearing, "media.segment", SYSTEM, {})
    events = await audit.events(hearing)
    assert parse_canonical(events[-1])["type"] == "hearing.closed"
    assert len(events) == 3
