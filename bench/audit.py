"""Audit log benchmark: our code against baselines measured in the same run.

    .venv/bin/python -m bench.audit [--quick] [--events N]

`main()` runs each measurement in turn; each prints `name: value unit` lines:
    append rate: N events/s            (sustained into one hearing on SQLite, pinned to one core,
                                        concurrent appenders so group commit works; target >= 5,000)
    append baseline batch insert: N rows/s   (the same rows, precomputed, inserted with
                                        SQLAlchemy Core in transactions of the same size)
    append rate ratio: R               (ours / baseline)
    append rate, one appender: N events/s    (no concurrency: one commit per event)
    verify ratio: R                    (full `verify_bundle` of a 1,000,000-event bundle, one
                                        process, ÷ raw hashlib.sha256 over the same
                                        events.jsonl bytes; target >= 0.5)
    verify ratio, N workers: R         (the same with the event pass in N forked processes)
and the raw figures behind them, plus where verification time goes per event. The hashing alone
(RFC 6962: one SHA-256 per leaf and one per node, each a call from Python) bounds the verify
ratio of one process well below 0.5; `verify hashing-alone ratio` prints that bound.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from vc_service import migrate  # noqa: E402
from vc_service.audit.bundle import build_bundle  # noqa: E402
from vc_service.audit.canonical import canonical_bytes  # noqa: E402
from vc_service.audit.checkpoint import Checkpoint, Signer, sign_checkpoint  # noqa: E402
from vc_service.audit.models import AuditEvent  # noqa: E402
from vc_service.audit.policy import PolicyKey, TrustPolicy  # noqa: E402
from vc_service.audit.store import AuditStore  # noqa: E402
from vc_service.audit.tree import MerkleTree, leaf_hash, root  # noqa: E402
from vc_service.audit.verify import scan_events, verify_bundle  # noqa: E402
from vc_service.config import load_settings  # noqa: E402
from vc_service.db import Database, new_id  # noqa: E402
from vc_service.service_key import ServiceKey  # noqa: E402

ACTOR = {"role": "system", "id": "recorder", "name": "Recorder"}
APPENDERS = 256


def _fields(n: int) -> dict[str, object]:
    # The shape of a recording segment event, the most frequent event of a hearing.
    return {
        "track": "judge",
        "part": n,
        "sha256": f"{n:064x}",
        "bytes": 1_000_000 + n,
        "t0": "2026-11-23T09:00:00.000000Z",
        "t1": "2026-11-23T09:00:02.000000Z",
    }


@contextmanager
def one_core() -> Iterator[str]:
    """Pin this process (the loop and aiosqlite's thread) to one CPU for the measurement."""
    if not hasattr(os, "sched_setaffinity"):
        yield "unpinned"
        return
    before = os.sched_getaffinity(0)
    core = min(before)
    os.sched_setaffinity(0, {core})
    try:
        yield f"cpu {core}"
    finally:
        os.sched_setaffinity(0, before)


async def _store(folder: Path) -> AuditStore:
    settings = load_settings(environ={"VC_DATA_DIR": str(folder), "VC_LOG_FORMAT": "text"})
    db = Database(settings.database_url)
    await migrate.upgrade(db)
    return AuditStore(db, settings, ServiceKey.load_or_create(settings.secret_key_file))


async def _append_many(store: AuditStore, hearing: str, count: int, appenders: int) -> float:
    numbers = iter(range(count))

    async def appender() -> None:
        for n in numbers:
            await store.append(hearing, "media.segment", ACTOR, _fields(n))

    started = time.perf_counter()
    await asyncio.gather(*(appender() for _ in range(appenders)))
    return time.perf_counter() - started


async def _baseline(store: AuditStore, count: int, batch: int) -> float:
    """The same rows (bytes and leaf hashes computed beforehand) in plain Core batch inserts."""
    hearing = new_id()
    origin = store.origin(hearing)
    rows = []
    for n in range(count):
        event = {**_fields(n), "actor": ACTOR, "log": origin, "seq": n}
        data = canonical_bytes(event | {"ts": "2026-11-23T09:00:00.000000Z", "type": "x.y"})
        rows.append(
            {
                "hearing_id": hearing,
                "seq": n,
                "event_type": "media.segment",
                "data": data,
                "leaf_hash": leaf_hash(data),
            }
        )
    started = time.perf_counter()
    for start in range(0, count, batch):
        async with store.db.transaction() as session:
            await session.execute(insert(AuditEvent), rows[start : start + batch])
    return time.perf_counter() - started


async def _append_rate(quick: bool) -> None:
    count = 10_000 if quick else 60_000
    with tempfile.TemporaryDirectory(prefix="vc-bench-audit-") as tmp:
        store = await _store(Path(tmp))
        try:
            with one_core() as where:
                hearing = new_id()
                await _append_many(store, hearing, 2_000, APPENDERS)  # warm-up, first key
                commits, events = store.commits, store.committed_events
                rates = []
                for _ in range(3):
                    seconds = await _append_many(store, new_id(), count // 3, APPENDERS)
                    rates.append((count // 3) / seconds)
                await store.signer.wait_idle()
                batch = (store.committed_events - events) / max(1, store.commits - commits)
                ours = statistics.median(rates)
                base_seconds = await _baseline(store, count // 3, max(1, round(batch)))
                baseline = (count // 3) / base_seconds
                single = 500 / await _append_many(store, new_id(), 500, 1)
            print(f"append rate: {ours:,.0f} events/s")
            print(f"append baseline batch insert: {baseline:,.0f} rows/s")
            print(f"append rate ratio: {ours / baseline:.2f}")
            print(f"append rate, one appender: {single:,.0f} events/s")
            print(f"append group commit: {batch:.0f} events/commit")
            print(f"append setup: SQLite WAL, {APPENDERS} appenders, {count:,} events, {where}")
        finally:
            await store.close()
            await store.db.dispose()


def measure_append_rate(quick: bool = False) -> None:
    asyncio.run(_append_rate(quick))


VERIFY_PREFIX = "audit.bench.example/hearing/"
VERIFY_ORIGIN = VERIFY_PREFIX + "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
NAMES = ("Anna Schmidt", "Jean Dupont", "María García López", "Jan Nowak", "Łukasz Wiśniewski")


def _verify_events(count: int) -> list[bytes]:
    """A hearing-shaped log: participants' connection and condition events (about two in five
    with a non-ASCII name, as in cross-border hearings), a recording segment every 50 events,
    closed at the end."""
    lines = []
    for seq in range(count):
        ts = f"2026-11-23T{9 + seq // 3_600_000:02d}:{seq // 60_000 % 60:02d}:"
        ts += f"{seq // 1000 % 60:02d}.{seq % 1000 * 1000:06d}Z"
        who = seq % 7
        actor = {"id": f"p-{who:04d}", "name": NAMES[who % 5], "role": "witness"}
        body: dict[str, object]
        if seq == 0:
            body = {"type": "hearing.created", "requesting_state": "DE", "requested_state": "ES"}
        elif seq == count - 1:
            body = {"type": "hearing.closed", "reason": "ended by the judge"}
        elif seq % 50 == 25:
            body = {
                "type": "media.segment",
                "track": "judge",
                "part": seq // 50,
                "sha256": hashlib.sha256(seq.to_bytes(4, "big")).hexdigest(),
                "bytes": 2_000_000 + seq,
                "t0": ts,
                "t1": ts,
            }
        else:
            body = {
                "type": ("connection.state", "signal.ice", "condition.met")[seq % 3],
                "state": "connected",
                "node": f"node-{seq % 3}",
                "rtt_ms": seq % 90,
                "fingerprint": f"sha-256 {who:02X}:" + ":".join(["A7"] * 20),
            }
        event = {**body, "actor": actor, "log": VERIFY_ORIGIN, "seq": seq, "ts": ts}
        lines.append(canonical_bytes(event))
    return lines


def _best(seconds: Callable[[], float], runs: int = 3) -> float:
    return min(seconds() for _ in range(runs))


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure_verify_ratio(quick: bool = False, count: int | None = None) -> None:
    count = count or (100_000 if quick else 1_000_000)
    workers = max(2, min(4, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="vc-bench-verify-") as tmp:
        events = _verify_events(count)
        signer = Signer("audit.bench.example/log-key", Ed25519PrivateKey.generate())
        tree = MerkleTree(leaf_hash(line) for line in events)
        note = sign_checkpoint(Checkpoint(VERIFY_ORIGIN, count, tree.root()), [signer])
        path = Path(tmp) / "bundle.zip"
        build_seconds = _timed(lambda: build_bundle(path, events=events, checkpoint=note))
        blob = b"".join(line + b"\n" for line in events)
        del tree
        policy = TrustPolicy(VERIFY_PREFIX, (PolicyKey(signer.name, signer.public_key),))
        gc.collect()

        raw = _best(lambda: _timed(lambda: hashlib.sha256(blob).digest()))
        reports = []

        def verify(workers: int) -> None:
            report = verify_bundle(path, policy, expected_origin=VERIFY_ORIGIN, workers=workers)
            reports.append(report)

        one = _best(lambda: _timed(lambda: verify(1)), 2)
        many = _best(lambda: _timed(lambda: verify(workers)), 2)
        assert all(report.ok for report in reports), reports[0].render()
        # Where the time goes, per event: the strict pass of step 8 (parse, canonical check,
        # fields, leaf hash, range root) and, for scale, only the hashing it contains.
        event_pass = _best(lambda: _timed(lambda: scan_events(events, 0, count, VERIFY_ORIGIN)), 2)
        hashing = _best(lambda: _timed(lambda: root([leaf_hash(line) for line in events])), 2)

    megabytes = len(blob) / 1e6
    print(
        f"verify log: {count:,} events, {megabytes:,.1f} MB events.jsonl, "
        f"{len(blob) / count:.0f} bytes/event"
    )
    print(f"raw sha256: {megabytes / raw:,.0f} MB/s")
    print(f"verify throughput: {megabytes / one:,.1f} MB/s")
    print(f"verify time: {one:.2f} s ({one / count * 1e6:.2f} us/event)")
    print(f"verify ratio: {raw / one:.3f}")
    print(f"verify throughput, {workers} workers: {megabytes / many:,.1f} MB/s")
    print(f"verify ratio, {workers} workers: {raw / many:.3f}")
    print(f"verify event pass: {event_pass / count * 1e6:.2f} us/event")
    print(f"verify hashing alone (leaf + tree, no checks): {hashing / count * 1e6:.2f} us/event")
    print(f"verify hashing-alone ratio: {raw / hashing:.3f}")
    print(f"raw sha256 per event's bytes: {raw / count * 1e6:.3f} us/event")
    print(f"bundle build time: {build_seconds:.1f} s")


# Measurements run in this order; each prints its own lines.
MEASUREMENTS: list[Callable[[bool], None]] = [measure_append_rate, measure_verify_ratio]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller, shorter run")
    parser.add_argument(
        "--events",
        type=int,
        metavar="N",
        help="verify a log of N events only (no append measurement), e.g. 20000 to iterate",
    )
    args = parser.parse_args()
    if args.events:
        measure_verify_ratio(args.quick, args.events)
        return
    for measure in MEASUREMENTS:
        measure(args.quick)


if __name__ == "__main__":
    main()
