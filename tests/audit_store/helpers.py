"""Shared steps of the audit store tests: child appender processes, sealing and verifying."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from vc_service.audit.keys import trust_policy_document
from vc_service.audit.policy import TrustPolicy, policy_from_dict
from vc_service.audit.store import AuditStore
from vc_service.audit.verify import VerificationReport, verify_bundle

from .conftest import JUDGE

REPO = Path(__file__).resolve().parents[2]


async def spawn_appender(
    store: AuditStore, hearing: str, tag: str, count: int, tasks: int, pace: float = 0.0
) -> asyncio.subprocess.Process:
    """Start a child process appending to `hearing`; returns once it is connected. Write a
    line to its stdin to let it start."""
    env = dict(os.environ)
    env.update(
        VC_DATA_DIR=str(store.settings.data_dir),
        VC_DATABASE_URL=store.settings.database_url,
        VC_LOG_FORMAT="text",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.audit_store.appender",
        hearing,
        tag,
        str(count),
        str(tasks),
        str(pace),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    if line != b"ready\n":
        assert proc.stderr is not None
        raise AssertionError(line + await proc.stderr.read())
    return proc


async def finish(proc: asyncio.subprocess.Process) -> list[bytes]:
    """Wait for a child that ends by itself; returns its stdout lines, fails with its stderr."""
    assert proc.stdout is not None and proc.stderr is not None
    out, err = await asyncio.wait_for(asyncio.gather(proc.stdout.read(), proc.stderr.read()), 120)
    assert await proc.wait() == 0, err.decode()
    return out.splitlines()


def go(proc: asyncio.subprocess.Process) -> None:
    assert proc.stdin is not None
    proc.stdin.write(b"go\n")


def parse_acks(lines: list[bytes]) -> dict[tuple[str, int], int]:
    """`ack TAG N SEQ` lines -> {(tag, n): seq}."""
    acks: dict[tuple[str, int], int] = {}
    for raw in lines:
        word, tag, n, seq = raw.decode().split()
        assert word == "ack"
        acks[(tag, int(n))] = int(seq)
    return acks


async def current_policy(store: AuditStore, **options: object) -> TrustPolicy:
    doc = trust_policy_document(
        await store.keys.all(),
        f"{store.origin_domain}/hearing/",
        **options,  # type: ignore[arg-type]
    )
    return policy_from_dict(doc)


async def close_and_seal(store: AuditStore, hearing: str) -> bytes:
    await store.append(hearing, "hearing.closed", JUDGE, {"reason": "testimony complete"})
    return await store.seal(hearing)


async def export_and_verify(
    store: AuditStore, hearing: str, out: Path, policy: TrustPolicy | None = None
) -> VerificationReport:
    await store.export(hearing, out)
    policy = policy or await current_policy(store)
    return await asyncio.to_thread(
        verify_bundle, out, policy, expected_origin=store.origin(hearing)
    )
