"""The event pass (verifier step 8): the shape-matching pass and the reference pass, which checks
every event by parsing it, must give the same result on every log: the same root, the same kept
events, the same closing events and the same first error, word for word."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.audit.factory import ORIGIN, make_events
from vc_service.audit import scan as scan_module
from vc_service.audit.canonical import canonical_bytes
from vc_service.audit.scan import EventScan, event_time, scan_events, scan_events_reference
from vc_service.audit.tree import leaf_hash, root

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ACTOR = {"id": "p-witness", "name": "Łukasz Wiśniewski", "role": "witness"}


def ts(seq: int) -> str:
    return (START + timedelta(milliseconds=seq)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event(seq: int, kind: str = "connection.state", **fields: Any) -> bytes:
    body = {"actor": ACTOR, "state": "connected", "node": "node-1", **fields}
    return canonical_bytes({**body, "type": kind, "log": ORIGIN, "seq": seq, "ts": ts(seq)})


def both(lines: list[bytes]) -> EventScan:
    reference = scan_events_reference(lines, 0, len(lines), ORIGIN)
    # Learning from the first event of each type puts as many lines as possible on the fast path.
    assert scan_events(lines, 0, len(lines), ORIGIN, learn_after=1) == reference
    assert scan_events(lines, 0, len(lines), ORIGIN) == reference
    return reference


def reference_checks(
    lines: list[bytes], monkeypatch: pytest.MonkeyPatch, learn_after: int
) -> list[int]:
    """Run the fast pass and return the seqs it checked the reference way."""
    checked: list[int] = []
    real = scan_module.check_event

    def counting(line: bytes, seq: int, origin: str) -> dict[str, object]:
        checked.append(seq)
        return real(line, seq, origin)

    monkeypatch.setattr(scan_module, "check_event", counting)
    scan_events(lines, 0, len(lines), ORIGIN, learn_after=learn_after)
    return checked


def test_a_good_log_is_checked_by_shape_after_the_first_event_of_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = [event(seq, rtt_ms=seq % 90, note=f"n{seq}") for seq in range(200)]
    lines += [event(200, "hearing.closed")]
    result = both(lines)
    assert result.error is None and result.closes == [200]
    assert result.root == root([leaf_hash(line) for line in lines])
    # The events of each type up to the one a shape was learnt from went the reference way; all
    # others matched the learnt shape.
    assert reference_checks(lines, monkeypatch, 1) == [0, 200]
    assert reference_checks(lines, monkeypatch, 32) == [*range(32), 200]


def test_the_realistic_hearing_log() -> None:
    lines = make_events()
    result = both(lines)
    assert result.error is None
    assert sorted(result.kept) == [2, 4, 5, 6, 7, 8]  # consent, segments, manifest, minutes


# Each line below follows 20 good events of the same shape, so the fast pass has learnt it;
# the expected error code is the reference pass's.
GOOD: dict[str, Any] = {"note": "ok", "rtt_ms": 5}
NEAR_MISSES: dict[str, tuple[bytes, str | None]] = {
    "good": (event(20, **GOOD), None),
    "escaped control": (event(20, note="a\x00b\x1f\t\n", rtt_ms=5), None),
    "DEL and non-ASCII raw": (event(20, note="\x7f é \u2028 \U0001f600", rtt_ms=5), None),
    "16-digit integer in range": (event(20, note="ok", rtt_ms=-9007199254740991), None),
    "integer out of range": (
        event(20, note="ok", rtt_ms=0).replace(b'"rtt_ms":0', b'"rtt_ms":9007199254740992'),
        "audit.canonical.integer",
    ),
    "minus zero": (
        event(20, **GOOD).replace(b'"rtt_ms":5', b'"rtt_ms":-0'),
        "audit.canonical.not_canonical",
    ),
    "leading zero": (
        event(20, **GOOD).replace(b'"rtt_ms":5', b'"rtt_ms":05'),
        "audit.canonical.syntax",
    ),
    "float": (
        event(20, **GOOD).replace(b'"rtt_ms":5', b'"rtt_ms":5.0'),
        "audit.canonical.float",
    ),
    "exponent": (
        event(20, **GOOD).replace(b'"rtt_ms":5', b'"rtt_ms":5e0'),
        "audit.canonical.float",
    ),
    "space after colon": (
        event(20, **GOOD).replace(b'"rtt_ms":5', b'"rtt_ms": 5'),
        "audit.canonical.not_canonical",
    ),
    "needless escape": (
        event(20, **GOOD).replace(b'"note":"ok"', b'"note":"\\u006fk"'),
        "audit.canonical.not_canonical",
    ),
    "escaped slash": (
        event(20, note="a/b", rtt_ms=5).replace(b"a/b", b"a\\/b"),
        "audit.canonical.not_canonical",
    ),
    "uppercase escape": (
        event(20, note="\x1f", rtt_ms=5).replace(b"\\u001f", b"\\u001F"),
        "audit.canonical.not_canonical",
    ),
    "escaped lone surrogate": (
        event(20, **GOOD).replace(b'"note":"ok"', b'"note":"\\ud800"'),
        "audit.canonical.string",
    ),
    "raw control character": (
        event(20, **GOOD).replace(b'"note":"ok"', b'"note":"o\x01k"'),
        "audit.canonical.syntax",
    ),
    "invalid UTF-8": (
        event(20, **GOOD).replace(b'"note":"ok"', b'"note":"o\xffk"'),
        "audit.canonical.utf8",
    ),
    "encoded surrogate": (
        event(20, **GOOD).replace(b'"note":"ok"', b'"note":"\xed\xa0\x80"'),
        "audit.canonical.utf8",
    ),
    "overlong encoding": (
        event(20, **GOOD).replace(b'"note":"ok"', b'"note":"\xc0\xaf"'),
        "audit.canonical.utf8",
    ),
    "duplicate key": (
        event(20, **GOOD).replace(b'"note":"ok"', b'"note":"ok","note":"ok"'),
        "audit.canonical.not_canonical",
    ),
    "keys out of order": (
        event(20, **GOOD).replace(b'"node":"node-1","note":"ok"', b'"note":"ok","node":"node-1"'),
        "audit.canonical.not_canonical",
    ),
    "seq repeated": (event(19, **GOOD), "audit.event.seq"),
    "seq as true": (
        event(20, **GOOD).replace(b'"seq":20', b'"seq":true'),
        "audit.event.seq",
    ),
    "other log": (
        event(20, **GOOD).replace(ORIGIN.encode(), ORIGIN[:-1].encode() + b"0"),
        "audit.event.log",
    ),
    "type in capitals": (event(20, "Connection.state", **GOOD), "audit.event.type"),
    "month 13": (
        event(20, **GOOD).replace(ts(20).encode(), b"2026-13-23T09:00:00.020000Z"),
        "audit.event.ts",
    ),
    "non-ASCII digit in ts": (
        event(20, **GOOD).replace(ts(20).encode(), "2026-11-23T09:00:00.02000٣Z".encode()),
        "audit.event.ts",
    ),
    "version 2": (event(20, v=2, **GOOD), "audit.event.format"),
    "actor not an object": (
        canonical_bytes({**json.loads(event(20, **GOOD)), "actor": "p-witness"}),
        "audit.event.format",
    ),
    "other structure": (event(20, note={"nested": [1, "x"]}, rtt_ms=5), None),
    "array of objects": (event(20, note=[{"a": 1}], rtt_ms=5), None),
    "trailing newline": (event(20, **GOOD) + b"\n", "audit.canonical.syntax"),
}


@pytest.mark.parametrize("case", list(NEAR_MISSES))
def test_near_misses_after_a_shape_is_learnt(case: str) -> None:
    line, code = NEAR_MISSES[case]
    lines = [event(seq, **GOOD) for seq in range(20)] + [line]
    result = both(lines)
    assert (result.error[1] if result.error else None) == code, result.error


def test_event_times_are_checked_exactly() -> None:
    assert event_time("2024-02-29T23:59:59.999999Z") == datetime(
        2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC
    )
    for bad in ("2026-02-29T00:00:00.000000Z", "2026-11-23T09:00:00.00000٣Z", "2026-11-23"):
        with pytest.raises(ValueError):
            event_time(bad)


# Hypothesis: logs of a few shapes (so the fast pass has something to learn), with strings of
# any character and nested values, then one line changed in one of many ways.
texts = st.text(max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | texts
nested = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner),
    max_leaves=6,
)
field_names = st.sampled_from(["bytes", "note", "peer", "part", "reason", "sha256", "v", "zone"])
templates = st.lists(
    st.tuples(
        st.sampled_from(["condition.met", "consent.recorded", "media.segment", "signal.ice"]),
        st.dictionaries(field_names, nested, max_size=4),
    ),
    min_size=1,
    max_size=3,
)


def build_log(chosen: list[tuple[str, dict[str, Any]]], values: list[str]) -> list[bytes]:
    lines = []
    for seq, text in enumerate(values):
        kind, fields = chosen[seq % len(chosen)]
        fields = {**fields, "note": text} if "note" in fields else fields
        lines.append(event(seq, kind, **fields))
    lines.append(event(len(values), "hearing.closed"))
    return lines


@settings(max_examples=300, deadline=None)
@given(
    chosen=templates,
    values=st.lists(texts, min_size=1, max_size=12),
    line=st.integers(min_value=0),
    position=st.integers(min_value=0),
    byte=st.integers(0, 255),
    action=st.sampled_from(["replace", "insert", "delete", "swap", "duplicate", "none"]),
)
def test_fast_and_reference_passes_agree(
    chosen: list[tuple[str, dict[str, Any]]],
    values: list[str],
    line: int,
    position: int,
    byte: int,
    action: str,
) -> None:
    lines = build_log(chosen, values)
    line %= len(lines)
    data = bytearray(lines[line])
    position %= len(data)
    if action == "replace":
        data[position] = byte
    elif action == "insert":
        data.insert(position, byte)
    elif action == "delete":
        del data[position]
    lines[line] = bytes(data)
    if action == "swap":
        other = (line + 1) % len(lines)
        lines[line], lines[other] = lines[other], lines[line]
    elif action == "duplicate":
        lines.insert(line, lines[line])
    result = both(lines)
    if action == "none":
        assert result.error is None or result.error[1] == "audit.event.format"  # "v": not 1
