"""Step (8) of the verifier, the event pass: every event of the log checked and hashed, in one
process or in forked workers for large logs (same verdict, same messages).

This is where the verifier spends its time, so the loop is written for speed; every shortcut
still decides exactly as the reference checks would (see `canonical.parse_canonical`).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vc_service.audit.bundle import CLOSE_EVENT_TYPE, PROVABLE_PREFIXES
from vc_service.audit.canonical import CanonicalError, parse_canonical
from vc_service.audit.report import VerifyError
from vc_service.audit.tree import root

_TS = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z"
)
_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def event_time(value: object) -> datetime:
    """An event time: RFC 3339 UTC with exactly six fractional digits and `Z`."""
    if not isinstance(value, str) or not _TS.fullmatch(value):
        raise VerifyError(f"time {value!r} is not RFC 3339 UTC with microseconds", "audit.event.ts")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise VerifyError(f"time {value!r} is not a real date", "audit.event.ts") from exc


@dataclass
class EventScan:
    """What one pass over a range of events found (for the whole log or one worker's part)."""

    root: bytes = b""
    kept: dict[int, tuple[dict[str, object], bytes]] = field(default_factory=dict)
    closes: list[int] = field(default_factory=list)
    error: tuple[str, str] | None = None  # message and code of the first bad event


def scan_events(lines: Sequence[bytes], start: int, stop: int, origin: str) -> EventScan:
    """Step 8 for the events [start, stop): each checked and hashed; returns the range's root,
    the events steps 9 to 11 look at (with their leaf hashes) and the closing events."""
    scan = EventScan()
    leaves: list[bytes] = []
    add_leaf, kept, closes = leaves.append, scan.kept, scan.closes
    parse, ts_ok, type_ok, sha = parse_canonical, _TS.fullmatch, _TYPE.fullmatch, hashlib.sha256
    known_types: set[str] = set()
    seq = start
    try:
        for seq in range(start, stop):
            line = lines[seq]
            event = parse(line)
            number, kind, ts = event.get("seq"), event.get("type"), event.get("ts")
            if type(number) is not int or number != seq:
                raise VerifyError(f"line {seq} carries seq {number!r}", "audit.event.seq")
            if event.get("log") != origin:
                raise VerifyError(
                    f"event {seq} is from log {event.get('log')!r}", "audit.event.log"
                )
            if type(kind) is not str:
                raise VerifyError(f"event {seq}: type {kind!r} is malformed", "audit.event.type")
            if kind not in known_types:  # each distinct type is matched once
                if not type_ok(kind):
                    raise VerifyError(
                        f"event {seq}: type {kind!r} is malformed", "audit.event.type"
                    )
                known_types.add(kind)
            if type(ts) is not str or not ts_ok(ts):
                raise VerifyError(f"event {seq}: ts {ts!r} is malformed", "audit.event.ts")
            version = event.get("v", 1)
            if type(event.get("actor")) is not dict or type(version) is not int or version != 1:
                raise VerifyError(
                    f"event {seq}: actor missing or unknown version", "audit.event.format"
                )
            leaf = sha(b"\x00" + line).digest()
            add_leaf(leaf)
            if "sha256" in event or kind.startswith(PROVABLE_PREFIXES):  # needs_inclusion_proof
                kept[seq] = (event, leaf)
            if kind == CLOSE_EVENT_TYPE:
                closes.append(seq)
    except CanonicalError as exc:
        scan.error = (f"event {seq}: {exc.message}", exc.code)
    except VerifyError as exc:
        scan.error = (exc.message, exc.code)
    scan.root = root(leaves)
    return scan


# Below this many events per chunk, forking costs more than it saves (a power of two).
MIN_CHUNK = 1 << 14

# Set just before the worker processes fork, so they read the lines without copying them.
_FORK_STATE: tuple[Sequence[bytes], str] | None = None


def _scan_chunk(bounds: tuple[int, int]) -> EventScan:
    assert _FORK_STATE is not None
    lines, origin = _FORK_STATE
    return scan_events(lines, bounds[0], bounds[1], origin)


def scan_all(lines: Sequence[bytes], origin: str, workers: int) -> list[EventScan]:
    """Scan every event, in `workers` forked processes for large logs. Chunks are aligned to a
    power of two, and the first error in log order wins, exactly as in one pass."""
    size = len(lines)
    chunk = max(MIN_CHUNK, 1 << (-(-size // (4 * workers)) - 1).bit_length())
    if workers <= 1 or size <= chunk:
        return [scan_events(lines, 0, size, origin)]
    global _FORK_STATE
    _FORK_STATE = (lines, origin)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_scan_chunk, [(s, min(s + chunk, size)) for s in range(0, size, chunk)])
    finally:
        _FORK_STATE = None
