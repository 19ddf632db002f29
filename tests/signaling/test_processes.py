"""Two real server processes and the real Redis: one room across them, and a crash of its owner."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from signaling.errors import CLOSE_RESTART
from tests.signaling.wsclient import WsClient

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.redis, pytest.mark.slow]

Spawn = Callable[[str], Awaitable[str]]


@pytest.fixture
async def spawn(
    redis_url: str, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[tuple[Spawn, dict[str, asyncio.subprocess.Process], Path]]:
    audit = tmp_path / "audit.jsonl"
    procs: dict[str, asyncio.subprocess.Process] = {}

    async def start(node: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.signaling.node_main",
            "--redis", redis_url, "--prefix", redis_prefix, "--node", node,
            "--audit", str(audit), "--lease", "1.5",
            cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        procs[node] = proc
        assert proc.stdout is not None
        async with asyncio.timeout(30):
            line = (await proc.stdout.readline()).decode()
        assert line.startswith("READY "), line
        return f"ws://127.0.0.1:{line.split()[1]}/ws/hearings/h-1"

    yield start, procs, audit
    for proc in procs.values():
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(10):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def hello(session: aiohttp.ClientSession, url: str, **fields: str) -> WsClient:
    client = await WsClient.connect(session, url)
    await client.send({"type": "hello", "v": 1, **fields})
    await client.next("welcome", within=10)
    return client


async def test_two_processes_one_room_and_the_owner_crashes(
    spawn: tuple[Spawn, dict[str, asyncio.subprocess.Process], Path],
    session: aiohttp.ClientSession,
) -> None:
    start, procs, audit = spawn
    url_a, url_b = await asyncio.gather(start("node-a"), start("node-b"))
    judge = await hello(session, url_a, token="tok-h-1-judge-1", code="123456")
    witness = await hello(session, url_b, token="tok-h-1-witness-1", code="123456")
    witness_peer = witness.seen[0]["peer"]
    await judge.send({"type": "admit", "peer": witness_peer})
    judge_peer = (await witness.next("peer_joined", within=5))["peer"]
    await witness.send({"type": "ice", "to": judge_peer, "candidate": ""})
    assert (await judge.next("ice", within=5))["from"] == witness_peer

    procs["node-a"].kill()  # no goodbye: the lease must expire
    await procs["node-a"].wait()
    assert await witness.wait_closed(within=10) == CLOSE_RESTART

    # Both come back on node B with their resume tokens (no new one-time code).
    witness2 = await hello(session, url_b, resume=witness.seen[0]["resume"])
    judge2 = await hello(session, url_b, resume=judge.seen[0]["resume"])
    assert witness2.seen[0]["seat"] == "lobby" and judge2.seen[0]["seat"] == "admitted"
    await judge2.send({"type": "admit", "peer": witness2.seen[0]["peer"]})
    await witness2.next("peer_joined", within=5)

    events = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    by_node = [(e["node"], e["type"]) for e in events]
    # Nothing acknowledged before the crash is missing from the log.
    assert by_node[:4] == [
        ("node-a", "room.opened"),
        ("node-a", "participant.joined"),
        ("node-a", "participant.joined"),
        ("node-a", "participant.admitted"),
    ]
    assert ("node-b", "room.opened") in by_node[4:]
    assert by_node[-1] == ("node-b", "participant.admitted")
