"""The service's clock: the system's, or one started at a fixed instant.

Everything the service dates (hearings, invitations, sessions, audit events, signaling tokens,
TOTP codes) reads this clock, so that one setting moves all of it together. `VC_CLOCK_START`
starts it at a given instant when the process starts; it then runs at the system clock's pace.
That is for tests and rehearsals only: a test suite that schedules hearings must not depend on
the day and hour it runs (a Saturday night, a DST change, New Year's Eve), and a rehearsal of a
hearing day can run on another day. The service says so loudly at start when it is set.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

_offset_seconds = 0.0


def start_at(instant: datetime) -> None:
    """From now on, this process's clock reads `instant` and runs on from there."""
    global _offset_seconds
    if instant.tzinfo is None:
        raise ValueError("the clock starts at an aware instant")
    _offset_seconds = instant.timestamp() - time.time()


def seconds() -> float:
    """POSIX seconds, like `time.time()`."""
    return time.time() + _offset_seconds


def utcnow() -> datetime:
    return datetime.fromtimestamp(seconds(), UTC)


def is_shifted() -> bool:
    return _offset_seconds != 0.0
