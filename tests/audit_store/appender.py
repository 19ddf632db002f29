"""A separate server process that appends to one hearing's log (for the multi-process and crash
tests): `python -m tests.audit_store.appender HEARING TAG COUNT TASKS PACE`.

It prints `ready` once connected, waits for a line on stdin (so several processes start
appending together), then runs TASKS concurrent appenders and prints `ack TAG N SEQ` as soon as
each append has returned, i.e. once the event is acknowledged; each task then waits PACE
seconds (so two processes' runs overlap even on a loaded machine). COUNT 0 means until killed.
Settings come from the environment (VC_DATA_DIR, VC_DATABASE_URL), as for the server.
"""

from __future__ import annotations

import asyncio
import itertools
import sys

from vc_service.audit.store import AuditStore
from vc_service.config import load_settings
from vc_service.db import Database
from vc_service.service_key import ServiceKey

ACTOR = {"role": "system", "id": "appender"}


async def main(hearing: str, tag: str, count: int, tasks: int, pace: float) -> None:
    settings = load_settings()
    db = Database(settings.database_url)
    store = AuditStore(db, settings, ServiceKey.load_or_create(settings.secret_key_file))
    await store.size(hearing)  # connect before announcing readiness
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)  # the parent's "go"
    numbers = itertools.count() if count == 0 else iter(range(count))

    async def worker() -> None:
        for n in numbers:
            seq = await store.append(hearing, "note.added", ACTOR, {"tag": tag, "n": n})
            sys.stdout.write(f"ack {tag} {n} {seq}\n")
            sys.stdout.flush()
            if pace:
                await asyncio.sleep(pace)

    await asyncio.gather(*(worker() for _ in range(tasks)))
    await store.close()
    await db.dispose()


if __name__ == "__main__":
    hearing_arg, tag_arg, count_arg, tasks_arg, pace_arg = sys.argv[1:6]
    asyncio.run(main(hearing_arg, tag_arg, int(count_arg), int(tasks_arg), float(pace_arg)))
