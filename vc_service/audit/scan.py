"""Step (8) of the verifier, the event pass: every event of the log checked and hashed, in one
process or in forked workers for large logs (same verdict, same messages).

This is where the verifier spends its time. Checking each event the reference way
(`check_event`: parse it strictly, compare its re-encoding byte for byte, then its fields) costs
a JSON parse and a JSON encode per event, about 10 µs. So once events of a type have passed that
way (`LEARN_AFTER` of them), the shape of the last one is learnt: a regular expression
(`canonical.structure_pattern`) with this log's origin, `ts` in its exact format, `v` = 1 if
present, and `seq` and `type` captured. A later line that is UTF-8 and matches a learnt shape is
the canonical encoding of an event that passes every check of `check_event`, with the seq, type
and ts captured, so checking it takes one match (about 1.5 µs); the events that steps 9 to 11 read
are still parsed. A line that matches no shape (a new shape, or anything wrong with it) goes the
reference way, which decides and names the error. `scan_events_reference` checks every line the
reference way; the tests hold both to the same results, on mutated logs too.

Times never run backwards: each event's `ts` is at or after the one before (issue 14 point 5:
without a timestamp the last event's `ts` is the reference time, and a log whose times jump
back could place its end in another key's window). `ts` has one fixed width, so comparing the
bytes compares the instants.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vc_service.audit.bundle import CLOSE_EVENT_TYPE, PROVABLE_PREFIXES
from vc_service.audit.canonical import (
    CanonicalError,
    canonical_bytes,
    parse_canonical,
    structure_pattern,
)
from vc_service.audit.report import VerifyError
from vc_service.audit.tree import root

# ASCII digits only: RFC 3339 has no others (a str pattern's `\d` would take any Unicode digit).
_TS_PATTERN = (
    rb"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    rb"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}Z"
)
_TYPE_PATTERN = rb"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+"
_TS = re.compile(_TS_PATTERN.decode("ascii"))
_TYPE = re.compile(_TYPE_PATTERN.decode("ascii"))

_LEAF_PREFIX = hashlib.sha256(b"\x00")  # copied per leaf: SHA-256(0x00 ‖ line)


def event_time(value: object) -> datetime:
    """An event time: RFC 3339 UTC with exactly six fractional digits and `Z`."""
    if not isinstance(value, str) or not _TS.fullmatch(value):
        raise VerifyError(f"time {value!r} is not RFC 3339 UTC with microseconds", "audit.event.ts")
    try:
        # The pattern fixed every field's place and digits; the constructor checks the date.
        return datetime(
            int(value[0:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]),
            int(value[14:16]), int(value[17:19]), int(value[20:26]), tzinfo=UTC,
        )  # fmt: skip
    except ValueError as exc:
        raise VerifyError(f"time {value!r} is not a real date", "audit.event.ts") from exc


def check_event(line: bytes, seq: int, origin: str) -> dict[str, object]:
    """The reference check of one event: UTF-8 JSON in the restricted profile and byte for byte
    canonical, `seq` = its line number, `log` = origin, well-formed type and ts, an actor, no
    version but 1. Raises `CanonicalError` or `VerifyError` naming the first failed check."""
    event = parse_canonical(line)
    number, kind, ts = event.get("seq"), event.get("type"), event.get("ts")
    if type(number) is not int or number != seq:
        raise VerifyError(f"line {seq} carries seq {number!r}", "audit.event.seq")
    if event.get("log") != origin:
        raise VerifyError(f"event {seq} is from log {event.get('log')!r}", "audit.event.log")
    if type(kind) is not str or not _TYPE.fullmatch(kind):
        raise VerifyError(f"event {seq}: type {kind!r} is malformed", "audit.event.type")
    if type(ts) is not str or not _TS.fullmatch(ts):
        raise VerifyError(f"event {seq}: ts {ts!r} is malformed", "audit.event.ts")
    version = event.get("v", 1)
    if type(event.get("actor")) is not dict or type(version) is not int or version != 1:
        raise VerifyError(f"event {seq}: actor missing or unknown version", "audit.event.format")
    return event


def _kept(event: dict[str, object]) -> bool:
    """Steps 9 to 11 need it: it binds a file or concerns media or consent (bundle.py's
    `needs_inclusion_proof`)."""
    kind = event["type"]
    return "sha256" in event or (isinstance(kind, str) and kind.startswith(PROVABLE_PREFIXES))


@dataclass
class EventScan:
    """What one pass over a range of events found (for the whole log or one worker's part)."""

    root: bytes = b""
    kept: dict[int, tuple[dict[str, object], bytes]] = field(default_factory=dict)
    closes: list[int] = field(default_factory=list)
    error: tuple[str, str] | None = None  # message and code of the first bad event


def scan_events_reference(lines: Sequence[bytes], start: int, stop: int, origin: str) -> EventScan:
    """`scan_events` with every event checked the reference way (for the tests)."""
    scan = EventScan()
    leaves: list[bytes] = []
    seq = start
    previous = _ts_before(lines, start)
    try:
        for seq in range(start, stop):
            line = lines[seq]
            event = check_event(line, seq, origin)
            previous = _in_order(seq, str(event["ts"]).encode("ascii"), previous)
            leaf = hashlib.sha256(b"\x00" + line).digest()
            leaves.append(leaf)
            if _kept(event):
                scan.kept[seq] = (event, leaf)
            if event["type"] == CLOSE_EVENT_TYPE:
                scan.closes.append(seq)
    except CanonicalError as exc:
        scan.error = (f"event {seq}: {exc.message}", exc.code)
    except VerifyError as exc:
        scan.error = (exc.message, exc.code)
    scan.root = root(leaves)
    return scan


def _ts_before(lines: Sequence[bytes], start: int) -> bytes:
    """The ts of the event before `start` (another worker's range checks that event itself;
    if it is bad, that range's error comes first in log order and wins)."""
    if start == 0:
        return b""
    try:
        stamp = parse_canonical(lines[start - 1]).get("ts")
    except CanonicalError:
        return b""
    return stamp.encode("ascii") if isinstance(stamp, str) and _TS.fullmatch(stamp) else b""


def _in_order(seq: int, stamp: bytes, previous: bytes) -> bytes:
    if stamp < previous:
        raise VerifyError(
            f"event {seq}: ts {stamp.decode()} is before the previous event's "
            f"{previous.decode()}; a log's times never run backwards",
            "audit.event.ts_order",
        )
    return stamp


_Match = Callable[[bytes], "re.Match[bytes] | None"]


@dataclass(frozen=True)
class _Shape:
    match: _Match
    has_sha256: bool


# A shape is learnt from every this many events of one type that were checked the reference way:
# compiling a pattern costs about as much as checking a few hundred events, so a short log never
# pays for it, and a long one soon does.
LEARN_AFTER = 32


class _Shapes:
    """The shapes learnt from one log's events, filed by the event type they were learnt from.
    Bounded, so that a log of ever new shapes costs a few failed matches per line at most."""

    MAX_SHAPES = 64
    MAX_PER_TYPE = 4

    def __init__(self, origin: str, learn_after: int) -> None:
        self._learn_after = learn_after
        self._missed: dict[bytes, int] = {}
        self._top = {
            "log": re.escape(canonical_bytes(origin)),
            "seq": rb"(?P<seq>0|[1-9][0-9]{0,14})",
            "type": rb'"(?P<type>' + _TYPE_PATTERN + rb')"',
            "ts": rb'"(?P<ts>' + _TS_PATTERN + rb')"',
            "v": rb"1",
        }
        self._compiled: dict[bytes, _Shape] = {}
        self._by_type: dict[bytes, list[_Shape]] = {}

    def missed(self, event: dict[str, object]) -> _Shape | None:
        """An event that passed the reference way: learn its shape if it is time to."""
        kind = str(event["type"]).encode("ascii")
        self._missed[kind] = missed = self._missed.get(kind, 0) + 1
        if missed % self._learn_after:
            return None
        filed = self._by_type.setdefault(kind, [])
        if len(filed) >= self.MAX_PER_TYPE:
            return None
        source = structure_pattern(event, self._top)
        if source is None:
            return None
        shape = self._compiled.get(source)
        if shape is None:
            if len(self._compiled) >= self.MAX_SHAPES:
                return None
            shape = _Shape(re.compile(source).fullmatch, "sha256" in event)
            self._compiled[source] = shape
        if shape not in filed:
            filed.append(shape)
        return shape

    def find(self, line: bytes) -> tuple[_Shape, re.Match[bytes]] | tuple[None, None]:
        # Only a guess at the type (the last `"type":"`); the match decides.
        at = line.rfind(b'"type":"') + 8
        for shape in self._by_type.get(line[at : line.find(b'"', at)], ()):
            found = shape.match(line)
            if found is not None:
                return shape, found
        return None, None


def _utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def scan_events(
    lines: Sequence[bytes], start: int, stop: int, origin: str, *, learn_after: int = LEARN_AFTER
) -> EventScan:
    """Step 8 for the events [start, stop): each checked and hashed; returns the range's root,
    the events steps 9 to 11 look at (with their leaf hashes) and the closing events."""
    scan = EventScan()
    leaves: list[bytes] = []
    add_leaf, kept, closes = leaves.append, scan.kept, scan.closes
    copy_prefix, parse = _LEAF_PREFIX.copy, parse_canonical
    shapes = _Shapes(origin, learn_after)
    types: dict[bytes, tuple[bool, bool]] = {}  # type -> (kept for its type, closes the log)
    shape: _Shape | None = None  # the last one that matched
    seq = start
    previous = _ts_before(lines, start)
    try:
        for seq in range(start, stop):
            line = lines[seq]
            found = shape.match(line) if shape is not None else None
            if found is None:
                shape, found = shapes.find(line)
            if found is not None and int(found["seq"]) == seq and (line.isascii() or _utf8(line)):
                assert shape is not None
                stamp = found["ts"]
                if stamp < previous:
                    _in_order(seq, stamp, previous)
                previous = stamp
                kind = found["type"]
                flags = types.get(kind)
                if flags is None:
                    name = kind.decode("ascii")
                    flags = types[kind] = (
                        name.startswith(PROVABLE_PREFIXES),
                        name == CLOSE_EVENT_TYPE,
                    )
                digest = copy_prefix()
                digest.update(line)
                leaf = digest.digest()
                add_leaf(leaf)
                if flags[0] or shape.has_sha256:
                    kept[seq] = (parse(line), leaf)
                if flags[1]:
                    closes.append(seq)
                continue
            event = check_event(line, seq, origin)
            previous = _in_order(seq, str(event["ts"]).encode("ascii"), previous)
            digest = copy_prefix()
            digest.update(line)
            leaf = digest.digest()
            add_leaf(leaf)
            if _kept(event):
                kept[seq] = (event, leaf)
            if event["type"] == CLOSE_EVENT_TYPE:
                closes.append(seq)
            shape = shapes.missed(event)
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
