"""The manifest: built from segment events, checked for tiling, strict when read back."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from recordings.errors import RecordingError
from recordings.manifest import FinalFile, Manifest, SegmentEvent, part_path, rfc3339

ORIGIN = 1_795_000_000_000_000


def event(track: str, part: int, start: int, end: int, **overrides: object) -> SegmentEvent:
    kind = "video" if "video" in track else "audio"
    values: dict[str, object] = {
        "hearing": "h-1", "recording": "rec-1", "track": track, "peer": track.split("-")[0],
        "kind": kind, "part": part, "path": part_path(track, part), "sha256": f"{part:064x}",
        "bytes": 100 + part, "start_us": start, "end_us": end, "t0": rfc3339(ORIGIN + start),
        "t1": rfc3339(ORIGIN + end), "codec": "vp8" if kind == "video" else "opus",
        "container": "webm",
    }  # fmt: skip
    values.update(overrides)
    return SegmentEvent(**values)  # type: ignore[arg-type]


EVENTS = [
    event("alice-audio0", 1, 1_000_000, 2_000_000),
    event("alice-video0", 0, 0, 980_000),
    event("alice-audio0", 0, 0, 1_000_000),
    event("alice-video0", 1, 980_000, 1_500_000),
]


def test_rfc3339_is_exact_to_the_microsecond() -> None:
    assert rfc3339(0) == "1970-01-01T00:00:00.000000Z"
    assert rfc3339(ORIGIN + 1) == "2026-11-18T11:06:40.000001Z"


def test_events_in_any_order_make_ordered_tracks() -> None:
    manifest = Manifest.from_events("h-1", "rec-1", 1000, EVENTS)
    manifest.check()
    audio = manifest.track("alice-audio0")
    assert [p.part for p in audio.parts] == [0, 1] and audio.duration_us == 2_000_000
    assert manifest.track("alice-video0").duration_us == 1_500_000
    assert event("alice-audio0", 0, 0, 1).audit_fields().keys() == {
        "recording", "track", "peer", "kind", "part", "path", "sha256", "bytes", "start_us",
        "end_us", "t0", "t1", "codec", "container",
    }  # fmt: skip


def test_json_round_trip_and_stable_bytes() -> None:
    final = FinalFile("final/alice-audio0.webm.vcrec", "f" * 64, 10, 2_000_000, 100, "opus", "webm")
    manifest = Manifest.from_events("h-1", "rec-1", 1000, EVENTS).with_final("alice-audio0", final)
    raw = manifest.dumps()
    assert Manifest.loads(raw) == manifest
    assert raw == Manifest.loads(raw).dumps()
    assert json.loads(raw)["format"] == "vc-recording-manifest/1"


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([event("a-audio0", 1, 0, 1000)], "numbered"),
        ([event("a-audio0", 0, 0, 1000), event("a-audio0", 0, 0, 1000)], "numbered"),
        ([event("a-audio0", 0, 0, 1000), event("a-audio0", 1, 1001, 2000)], "previous ends"),
        ([event("a-audio0", 0, 0, 1000), event("a-audio0", 1, 999, 2000)], "previous ends"),
        (
            [event("a-audio0", 0, 0, 1000), event("a-audio0", 1, 1000, 2000, t0=rfc3339(5))],
            "t0",
        ),
    ],
)
def test_gaps_overlaps_and_misnumbering_are_caught(
    events: list[SegmentEvent], message: str
) -> None:
    with pytest.raises(RecordingError) as caught:
        Manifest.from_events("h-1", "rec-1", 1000, events).check()
    assert caught.value.code == "recording.manifest_invalid" and message in caught.value.message


def test_events_of_another_recording_are_refused() -> None:
    with pytest.raises(RecordingError):
        Manifest("h-1", "rec-2", 1000).with_event(EVENTS[0])


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(format="other/1"),
        lambda d: d.update(segment_ms=1000.0),
        lambda d: d["tracks"][0]["parts"][0].update(bytes=True),
        lambda d: d["tracks"][0]["parts"][0].update(sha256=None),
        lambda d: d["tracks"][0].update(parts={}),
        lambda d: d.update(tracks=None),
    ],
)
def test_reading_back_is_strict(change: Callable[[dict[str, Any]], None]) -> None:
    data = Manifest.from_events("h-1", "rec-1", 1000, EVENTS).to_json()
    change(data)
    with pytest.raises(RecordingError) as caught:
        Manifest.from_json(data)
    assert caught.value.code == "recording.manifest_invalid"


def test_segment_events_are_validated_when_read() -> None:
    good = event("a-audio0", 0, 0, 1000).to_json()
    assert SegmentEvent.from_json(good) == event("a-audio0", 0, 0, 1000)
    for bad in ({"sha256": "XYZ"}, {"end_us": 0}, {"part": "0"}):
        with pytest.raises(RecordingError):
            SegmentEvent.from_json({**good, **bad})
