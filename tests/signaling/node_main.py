"""A real signaling server process for the multi-process tests: one node on 127.0.0.1.

Its audit log is a JSON-lines file shared by all test processes (appends under an exclusive
lock, fsync'd before `append` returns), standing in for the shared database.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

from signaling.config import SignalingConfig
from signaling.server import setup
from signaling.services import Services
from tests.signaling.memory import hearing, services


class FileAudit:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _append(self, line: dict[str, Any]) -> int:
        with self.path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            seq = sum(1 for _ in handle) + 1
            handle.write(json.dumps({**line, "seq": seq}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
            return seq

    async def append(
        self, hearing_id: str, event_type: str, actor: str, fields: Mapping[str, Any]
    ) -> int:
        line = {"hearing": hearing_id, "type": event_type, "actor": actor, "fields": dict(fields)}
        line["node"] = os.environ.get("VC_TEST_NODE", "")
        return await asyncio.to_thread(self._append, line)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--audit", required=True, type=Path)
    parser.add_argument("--lease", type=float, default=1.5)
    args = parser.parse_args()
    os.environ["VC_TEST_NODE"] = args.node
    memory, _auth, _audit = services(hearing())
    svc = Services(memory.authenticator, memory.directory, FileAudit(args.audit))
    config = SignalingConfig(
        redis_url=args.redis,
        redis_prefix=args.prefix,
        node_id=args.node,
        resume_secret=b"s" * 32,
        owner_lease_seconds=args.lease,
        grace_seconds=10,
        heartbeat_seconds=5,
    )
    app = web.Application()
    setup(app, svc, config)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"READY {port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
