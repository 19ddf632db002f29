"""Audit log benchmark: our code against baselines measured in the same run.

    .venv/bin/python bench/audit.py [--quick]

`main()` runs each measurement in turn; each prints `name: value unit` lines:
    append rate: N events/s            (sustained into one hearing on SQLite, pinned to one core,
                                        concurrent appenders so group commit works; target >= 5,000)
    append baseline batch insert: N rows/s   (the same rows, precomputed, inserted with
                                        SQLAlchemy Core in transactions of the same size)
    append rate ratio: R               (ours / baseline)
    append rate, one appender: N events/s    (no concurrency: one commit per event)
"""

from __future__ import annotations

import argparse
import asyncio
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

from sqlalchemy import insert  # noqa: E402

from vc_service import migrate  # noqa: E402
from vc_service.audit.canonical import canonical_bytes  # noqa: E402
from vc_service.audit.models import AuditEvent  # noqa: E402
from vc_service.audit.store import AuditStore  # noqa: E402
from vc_service.audit.tree import leaf_hash  # noqa: E402
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


# Measurements run in this order; each prints its own lines.
MEASUREMENTS: list[Callable[[bool], None]] = [measure_append_rate]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller, shorter run")
    args = parser.parse_args()
    for measure in MEASUREMENTS:
        measure(args.quick)


if __name__ == "__main__":
    main()
