"""The recording manifest and the segment event. Pure: values in, values or `RecordingError` out.

A `SegmentEvent` is what the recorder reports for each closed segment and what the room appends to
the audit log as `media.segment`. The `Manifest` gathers them per track, with the finished file of
each track, and goes into the clerk's export bundle. Every value is an integer, a string or null, so
the manifest and the events fit the audit log's canonical JSON profile.

Names and paths (relative to the recording's directory):
    segments/<track>/<part, 5 digits>.webm.vcrec   one closed segment, encrypted (`vault`)
    final/<track>.webm.vcrec                        the track's segments joined, encrypted
Decrypted for export, each loses its `.vcrec` suffix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from recordings.errors import RecordingError

FORMAT = "vc-recording-manifest/1"
SEGMENT_EVENT_TYPE = "media.segment"
SEALED_SUFFIX = ".vcrec"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def rfc3339(epoch_us: int) -> str:
    """`2026-11-23T09:00:00.000000Z`: the audit log's time format, exact to the microsecond."""
    return (_EPOCH + timedelta(microseconds=epoch_us)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_id(what: str, value: object) -> str:
    """Ids end up in file names and key contexts: keep them short and plain."""
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise RecordingError(
            "recording.bad_request",
            f"{what} must be 1-64 characters of letters, digits, '_', '.', '-'",
            details={"field": what},
        )
    return value


def part_path(track: str, part: int) -> str:
    return f"segments/{track}/{part:05d}.webm{SEALED_SUFFIX}"


def final_path(track: str) -> str:
    return f"final/{track}.webm{SEALED_SUFFIX}"


def exported_path(path: str) -> str:
    return path.removesuffix(SEALED_SUFFIX)


def key_context(hearing: str, recording: str, track: str, part: int | None) -> str:
    """What a sealed file is bound to (see `vault`): moving it elsewhere breaks decryption."""
    return f"{hearing}/{recording}/{track}/{'final' if part is None else part}"


@dataclass(frozen=True)
class SegmentEvent:
    hearing: str
    recording: str
    track: str
    peer: str
    kind: str
    part: int
    path: str
    sha256: str
    bytes: int
    start_us: int
    end_us: int
    t0: str
    t1: str
    codec: str
    container: str

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SegmentEvent:
        values = _fields(data, cls.__dataclass_fields__, "segment event")
        event = cls(**values)
        _check_part(event.part, event.sha256, event.bytes, event.start_us, event.end_us)
        return event

    def audit_fields(self) -> dict[str, object]:
        """The fields of the `media.segment` audit event (the hearing id is the log's own)."""
        fields = self.to_json()
        del fields["hearing"]
        return fields

    def to_part(self) -> Part:
        return Part(
            self.part,
            self.path,
            self.sha256,
            self.bytes,
            self.start_us,
            self.end_us,
            self.t0,
            self.t1,
        )


@dataclass(frozen=True)
class Part:
    part: int
    path: str
    sha256: str
    bytes: int
    start_us: int
    end_us: int
    t0: str
    t1: str


@dataclass(frozen=True)
class FinalFile:
    path: str
    sha256: str
    bytes: int
    duration_us: int
    packets: int
    codec: str
    container: str


@dataclass(frozen=True)
class Track:
    track: str
    peer: str
    kind: str
    codec: str
    container: str
    parts: tuple[Part, ...] = ()
    final: FinalFile | None = None

    @property
    def duration_us(self) -> int:
        return self.parts[-1].end_us - self.parts[0].start_us if self.parts else 0


@dataclass(frozen=True)
class Manifest:
    hearing: str
    recording: str
    segment_ms: int
    tracks: tuple[Track, ...] = field(default=())

    def with_event(self, event: SegmentEvent) -> Manifest:
        """This manifest with one more part (events may arrive in any order across tracks)."""
        if (event.hearing, event.recording) != (self.hearing, self.recording):
            raise RecordingError(
                "recording.manifest_invalid", "the event belongs to another recording"
            )
        tracks = list(self.tracks)
        for i, track in enumerate(tracks):
            if track.track == event.track:
                parts = tuple(sorted((*track.parts, event.to_part()), key=lambda p: p.part))
                tracks[i] = replace(track, parts=parts)
                break
        else:
            tracks.append(
                Track(
                    event.track,
                    event.peer,
                    event.kind,
                    event.codec,
                    event.container,
                    (event.to_part(),),
                )
            )
        return replace(self, tracks=tuple(tracks))

    @classmethod
    def from_events(
        cls, hearing: str, recording: str, segment_ms: int, events: Iterable[SegmentEvent]
    ) -> Manifest:
        manifest = cls(hearing, recording, segment_ms)
        for event in events:
            manifest = manifest.with_event(event)
        return manifest

    def with_final(self, track: str, final: FinalFile) -> Manifest:
        tracks = tuple(replace(t, final=final) if t.track == track else t for t in self.tracks)
        return replace(self, tracks=tracks)

    def track(self, name: str) -> Track:
        for track in self.tracks:
            if track.track == name:
                return track
        raise RecordingError("recording.manifest_invalid", f"no track {name!r} in the manifest")

    def check(self) -> None:
        """Raise unless every track's parts are numbered 0..n-1 and tile its timeline."""
        for track in self.tracks:
            if not track.parts:
                raise _invalid(f"track {track.track} has no parts")
            for i, part in enumerate(track.parts):
                where = f"track {track.track} part {part.part}"
                if part.part != i:
                    raise _invalid(f"{where}: parts must be numbered 0..n-1, expected {i}")
                _check_part(part.part, part.sha256, part.bytes, part.start_us, part.end_us)
                if part.t0 > part.t1:
                    raise _invalid(f"{where}: t0 is after t1")
                if i and part.start_us != track.parts[i - 1].end_us:
                    raise _invalid(
                        f"{where}: starts at {part.start_us} us, previous ends "
                        f"at {track.parts[i - 1].end_us} us"
                    )
                if i and part.t0 != track.parts[i - 1].t1:
                    raise _invalid(f"{where}: t0 differs from the previous part's t1")

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "hearing": self.hearing,
            "recording": self.recording,
            "segment_ms": self.segment_ms,
            "encryption": "vcrec/1",
            "tracks": [
                {
                    "track": t.track,
                    "peer": t.peer,
                    "kind": t.kind,
                    "codec": t.codec,
                    "container": t.container,
                    "duration_us": t.duration_us,
                    "parts": [vars(p) for p in t.parts],
                    "final": None if t.final is None else vars(t.final),
                }
                for t in self.tracks
            ],
        }

    def dumps(self) -> bytes:
        """Stable bytes (sorted keys, ASCII) for the file in the bundle and for hashing."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return text.encode("ascii")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise _invalid(f"not a {FORMAT} document")
        tracks = []
        for raw in _list(data.get("tracks"), "tracks"):
            parts = tuple(
                Part(**_fields(p, Part.__dataclass_fields__, "part"))
                for p in _list(raw.get("parts"), "parts")
            )
            final_raw = raw.get("final")
            final = (
                None
                if final_raw is None
                else FinalFile(**_fields(final_raw, FinalFile.__dataclass_fields__, "final"))
            )
            head = _fields(
                {k: raw.get(k) for k in ("track", "peer", "kind", "codec", "container")},
                {"track": 0, "peer": 0, "kind": 0, "codec": 0, "container": 0},
                "track",
            )
            tracks.append(Track(**head, parts=parts, final=final))
        head = _fields(
            {k: data.get(k) for k in ("hearing", "recording", "segment_ms")},
            {"hearing": 0, "recording": 0, "segment_ms": 0},
            "manifest",
        )
        return cls(**head, tracks=tuple(tracks))

    @classmethod
    def loads(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise _invalid(f"the manifest is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise _invalid("the manifest is not a JSON object")
        return cls.from_json(data)


_INT_FIELDS = {"part", "bytes", "start_us", "end_us", "duration_us", "packets", "segment_ms"}


def _fields(data: object, names: Iterable[str], what: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise _invalid(f"{what} is not an object")
    out: dict[str, Any] = {}
    for name in names:
        value = data.get(name)
        wanted: type = int if name in _INT_FIELDS else str
        if type(value) is not wanted:
            raise _invalid(f"{what}: field {name!r} must be {wanted.__name__}")
        out[name] = value
    return out


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _invalid(f"{what} must be a list")
    return value


def _check_part(part: int, sha256: str, length: int, start_us: int, end_us: int) -> None:
    if part < 0 or length < 0:
        raise _invalid("part numbers and lengths are never negative")
    if not _HEX64.match(sha256):
        raise _invalid("sha256 must be 64 lowercase hex digits")
    if not 0 <= start_us < end_us:
        raise _invalid("a part must start at or after 0 and end after it starts")


def _invalid(message: str) -> RecordingError:
    return RecordingError("recording.manifest_invalid", message)
