"""Before a hearing is sealed, every recording it started must have settled in its log.

The room ends a hearing at once, while its recorder finishes in the background (last segments,
joining each track with ffmpeg) and then appends `recording.finished` or `recording.failed`.
Sealing closes the log for good, so it waits for those events first. A recorder that never
reports (its node went away) does not hold the record hostage: after `within` seconds sealing
appends `recording.failed` with code `recording.unfinished` for it, saying so in the record.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from vc_service.audit.store import AuditStore
from vc_service.hearings.opening import SYSTEM

log = logging.getLogger(__name__)

STARTED = "recording.started"
SETTLED = ("recording.finished", "recording.failed")
# Joining a long hearing's tracks without re-encoding takes seconds to a minute or two.
BACKGROUND_SECONDS = 600.0
# A retry by hand (clerk, CLI) after a crash: the recorder is most likely gone.
RETRY_SECONDS = 30.0
POLL_SECONDS = 0.25


class _Recordings:
    """Which recordings the log shows started and not yet settled, read incrementally: the wait
    re-reads the log only when its size (one row) says something was appended."""

    def __init__(self, audit: AuditStore, hearing_id: str) -> None:
        self.audit, self.hearing_id = audit, hearing_id
        self.seen = 0
        self.started: list[str] = []
        self.settled: set[str] = set()

    async def running(self) -> list[str]:
        if self.seen == 0 or await self.audit.size(self.hearing_id) > self.seen:
            events = await self.audit.events(self.hearing_id)
            for raw in events[self.seen :]:
                event = json.loads(raw)
                if event["type"] == STARTED:
                    self.started.append(str(event["recording"]))
                elif event["type"] in SETTLED and "recording" in event:
                    self.settled.add(str(event["recording"]))
            self.seen = len(events)
        return [recording for recording in self.started if recording not in self.settled]


async def settle_recordings(audit: AuditStore, hearing_id: str, within: float) -> list[str]:
    """Wait up to `within` seconds for running recordings to report; record the rest as
    unfinished. Returns the recordings given up on."""
    deadline = time.monotonic() + within
    recordings = _Recordings(audit, hearing_id)
    running = await recordings.running()
    if running:
        log.info("hearing %s: waiting for recordings %s to finish", hearing_id, running)
    while running and time.monotonic() < deadline:
        await asyncio.sleep(POLL_SECONDS)
        running = await recordings.running()
    for recording in running:
        log.warning(
            "hearing %s: recording %s did not finish in %.0f s", hearing_id, recording, within
        )
        await audit.append(
            hearing_id,
            "recording.failed",
            SYSTEM,
            {"recording": recording, "code": "recording.unfinished", "waited_seconds": int(within)},
        )
    return running
