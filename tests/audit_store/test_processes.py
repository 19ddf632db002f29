"""Several server processes append to one hearing; a process killed mid-stream loses nothing
it acknowledged."""

from __future__ import annotations

import asyncio
import itertools
import signal
from pathlib import Path

from vc_service.audit.canonical import parse_canonical
from vc_service.audit.store import AuditStore

from .helpers import (
    close_and_seal,
    export_and_verify,
    finish,
    go,
    parse_acks,
    spawn_appender,
)


async def test_two_processes_never_fork_or_skip(audit: AuditStore, hearing: str) -> None:
    procs = [await spawn_appender(audit, hearing, tag, 150, 6, 0.003) for tag in ("a", "b")]
    for proc in procs:
        go(proc)
    lines: list[bytes] = []
    for proc in procs:
        lines += await finish(proc)
    acks = parse_acks(lines)
    assert len(acks) == 300
    assert sorted(acks.values()) == list(range(300))
    stored = await audit.events(hearing)  # raises on any gap
    assert len(stored) == 300
    for (tag, n), seq in acks.items():
        event = parse_canonical(stored[seq])
        assert (event["tag"], event["n"], event["seq"]) == (tag, n, seq)
    # Both processes really interleaved (the seq lock was contended, not taken in turns).
    tags = [parse_canonical(data)["tag"] for data in stored]
    switches = sum(1 for left, right in itertools.pairwise(tags) if left != right)
    assert switches > 2


async def test_killed_appender_loses_nothing_it_acknowledged(
    audit: AuditStore, hearing: str, tmp_path: Path
) -> None:
    proc = await spawn_appender(audit, hearing, "k", 0, 8)
    go(proc)
    assert proc.stdout is not None
    lines: list[bytes] = []
    while len(lines) < 300:
        lines.append(await asyncio.wait_for(proc.stdout.readline(), 60))
    proc.send_signal(signal.SIGKILL)  # no clean-up of any kind: like a power cut of the process
    lines += (await proc.stdout.read()).splitlines()
    assert await proc.wait() == -signal.SIGKILL

    acks = parse_acks([line for line in lines if line])
    stored = await audit.events(hearing)  # the "restarted server" reads the same database
    assert len(stored) >= len(acks) >= 300
    for (_, n), seq in acks.items():
        assert parse_canonical(stored[seq])["n"] == n
    numbers = sorted(int(str(parse_canonical(data)["n"])) for data in stored)
    assert len(set(numbers)) == len(numbers)  # nothing written twice

    # The log continues, closes, seals and verifies after the crash.
    await close_and_seal(audit, hearing)
    report = await export_and_verify(audit, hearing, tmp_path / "bundle.zip")
    assert report.ok, report.render()
    assert report.size == len(stored) + 1
