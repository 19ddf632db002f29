"""What a closed hearing recorded, read from its signed log and checked against the files, and
each track's file decrypted for the clerk.

A hash is shown or handed out only along the log's own chain:

1. `recording.finished` names the manifest and its SHA-256; `manifest.json` on disk must hash
   to it (stops a manifest edited or swapped on disk after the hearing);
2. the manifest's parts must be exactly the log's `media.segment` events, hash for hash (stops
   a manifest listing other segments than the ones logged while recording);
3. a track's file must decrypt (AES-256-GCM, bound to its hearing, recording and track) to the
   length and SHA-256 the manifest gives; `recordings.export` checks this before any byte of it
   is handed out.

A recording without `recording.finished` (it failed, or is still finishing) is listed from its
`media.segment` events, with no file to download. `catalog` reads files: call it in a thread.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from recordings.errors import RecordingError
from recordings.export import export_recording
from recordings.manifest import ID_PATTERN, Manifest, exported_path
from vc_service.errors import Conflict, NotFound

STARTED, STOPPED, FINISHED, FAILED = (
    "recording.started",
    "recording.stopped",
    "recording.finished",
    "recording.failed",
)
SEGMENT = "media.segment"
ENDED = "hearing.ended"
MANIFEST = "manifest.json"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "role": self.role}


@dataclass(frozen=True)
class TrackEntry:
    track: str
    peer: str
    kind: str  # audio | video
    codec: str
    person: Person | None
    duration_us: int
    parts: int
    file: str | None  # the download's name, e.g. "alice-video0.webm"; None: nothing to download
    sha256: str | None  # of that file's plaintext, from the manifest the log binds
    bytes: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "track": self.track,
            "peer": self.peer,
            "kind": self.kind,
            "codec": self.codec,
            "participant": None if self.person is None else self.person.to_json(),
            "duration_us": self.duration_us,
            "parts": self.parts,
            "file": self.file,
            "sha256": self.sha256,
            "bytes": self.bytes,
        }


@dataclass(frozen=True)
class Problem:
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class RecordingEntry:
    recording: str
    state: str  # finished | failed | unfinished
    started_at: str
    started_seq: int
    stopped_at: str | None
    finished_seq: int | None
    manifest_path: str | None  # relative to the data directory
    manifest_sha256: str | None
    tracks: tuple[TrackEntry, ...]
    problem: Problem | None = None
    manifest: Manifest | None = None  # set only when steps 1 and 2 held

    def to_json(self) -> dict[str, Any]:
        return {
            "recording": self.recording,
            "state": self.state,
            "started_at": self.started_at,
            "started_seq": self.started_seq,
            "stopped_at": self.stopped_at,
            "finished_seq": self.finished_seq,
            "manifest": self.manifest_path,
            "manifest_sha256": self.manifest_sha256,
            "intact": self.problem is None and self.manifest is not None,
            "problem": None if self.problem is None else self.problem.to_json(),
            "tracks": [track.to_json() for track in self.tracks],
        }

    def track(self, name: str) -> TrackEntry:
        for track in self.tracks:
            if track.track == name:
                return track
        raise NotFound(
            f"recording {self.recording} has no track {name!r}",
            code="recording.track_not_found",
            details={"recording": self.recording, "track": name},
        )


# -- from the log (pure) ------------------------------------------------------------------------


def people_by_peer(events: Iterable[Mapping[str, Any]]) -> dict[str, Person]:
    """Who each room peer id was: an event about someone (`participant`) names that person's
    peer; any other event a participant caused names the actor's own peer."""
    names: dict[str, str] = {}
    roles: dict[str, str] = {}
    peers: dict[str, str] = {}
    for event in events:
        actor = event.get("actor") or {}
        actor_id = actor.get("id")
        by_person = actor.get("role") != "system" and isinstance(actor_id, str)
        if by_person:
            names.setdefault(str(actor_id), str(actor.get("name") or ""))
            roles.setdefault(str(actor_id), str(actor.get("role") or ""))
        subject, peer = event.get("participant"), event.get("peer")
        if isinstance(subject, str) and isinstance(event.get("role"), str):
            roles.setdefault(subject, str(event["role"]))
        if not isinstance(peer, str):
            continue
        if isinstance(subject, str):
            peers.setdefault(peer, subject)
        elif by_person:
            peers.setdefault(peer, str(actor_id))
    return {
        peer: Person(pid, names.get(pid) or pid, roles.get(pid, "")) for peer, pid in peers.items()
    }


def _download_name(recording: str, track: str) -> str:
    return _SAFE.sub("_", f"{recording}-{track}.webm")


def _segments_of(events: Sequence[Mapping[str, Any]], recording: str) -> list[Mapping[str, Any]]:
    return [e for e in events if e["type"] == SEGMENT and e.get("recording") == recording]


def _tracks_from_segments(
    segments: Sequence[Mapping[str, Any]], people: Mapping[str, Person]
) -> tuple[TrackEntry, ...]:
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for segment in segments:
        grouped.setdefault(str(segment.get("track")), []).append(segment)
    tracks = []
    for name, parts in grouped.items():
        first = parts[0]
        peer = str(first.get("peer"))
        start = min(int(p.get("start_us", 0)) for p in parts)
        end = max(int(p.get("end_us", 0)) for p in parts)
        tracks.append(
            TrackEntry(name, peer, str(first.get("kind")), str(first.get("codec")),
                       people.get(peer), end - start, len(parts), None, None, None)
        )  # fmt: skip
    return tuple(tracks)


def _tracks_from_manifest(
    manifest: Manifest, people: Mapping[str, Person]
) -> tuple[TrackEntry, ...]:
    tracks = []
    for t in manifest.tracks:
        final = t.final
        tracks.append(
            TrackEntry(
                t.track, t.peer, t.kind, t.codec, people.get(t.peer),
                final.duration_us if final is not None else t.duration_us, len(t.parts),
                None if final is None else _download_name(manifest.recording, t.track),
                None if final is None else final.sha256,
                None if final is None else final.bytes,
            )
        )  # fmt: skip
    return tuple(tracks)


def check_manifest(
    raw: bytes | None,
    hearing_id: str,
    recording: str,
    finished: Mapping[str, Any],
    segments: Sequence[Mapping[str, Any]],
) -> Manifest:
    """Steps 1 and 2 of the module doc; raise `RecordingError` naming the first that fails."""
    if raw is None:
        raise RecordingError("recording.manifest_missing", "the recording's manifest is missing")
    if hashlib.sha256(raw).hexdigest() != finished.get("manifest_sha256"):
        raise RecordingError(
            "recording.manifest_changed",
            "the manifest on disk is not the one the signed log names (SHA-256 differs)",
        )
    manifest = Manifest.loads(raw)
    if (manifest.hearing, manifest.recording) != (hearing_id, recording):
        raise RecordingError(
            "recording.manifest_invalid", "the manifest belongs to another recording"
        )
    manifest.check()
    listed = {(t.track, p.part, p.sha256, p.bytes) for t in manifest.tracks for p in t.parts}
    logged = {
        (str(s.get("track")), s.get("part"), str(s.get("sha256")), s.get("bytes")) for s in segments
    }
    if listed != logged:
        raise RecordingError(
            "recording.segments_mismatch",
            "the manifest's segments are not the ones the signed log recorded",
            details={"logged": len(logged), "listed": len(listed)},
        )
    return manifest


# -- with the files (blocking) -------------------------------------------------------------------


def expected_manifest_path(hearing_id: str, recording: str) -> str:
    return f"recordings/{hearing_id}/{recording}/{MANIFEST}"


def recording_directory(data_dir: Path, hearing_id: str, recording: str) -> Path:
    return data_dir / "recordings" / hearing_id / recording


def catalog(
    events: Sequence[Mapping[str, Any]], data_dir: Path, hearing_id: str
) -> list[RecordingEntry]:
    """Every recording the log started, oldest first, each checked as the module doc says."""
    people = people_by_peer(events)
    entries: list[RecordingEntry] = []
    for index, event in enumerate(events):
        if event["type"] != STARTED or not isinstance(event.get("recording"), str):
            continue
        recording = str(event["recording"])
        if not ID_PATTERN.match(recording):
            continue  # never reaches a path; the recorder makes only plain ids
        later = events[index + 1 :]
        stopped = next(
            (e for e in later if e["type"] == STOPPED or
             (e["type"] == ENDED and e.get("recording_stopped"))),
            None,
        )  # fmt: skip
        ends = [e for e in later if e.get("recording") == recording]
        finished = next((e for e in ends if e["type"] == FINISHED), None)
        failed = next((e for e in ends if e["type"] == FAILED), None)
        segments = _segments_of(events, recording)
        entry = RecordingEntry(
            recording=recording,
            state="finished" if finished else "failed" if failed else "unfinished",
            started_at=str(event["ts"]),
            started_seq=int(event["seq"]),
            stopped_at=None if stopped is None else str(stopped["ts"]),
            finished_seq=None if finished is None else int(finished["seq"]),
            manifest_path=None if finished is None else str(finished.get("manifest")),
            manifest_sha256=None if finished is None else str(finished.get("manifest_sha256")),
            tracks=_tracks_from_segments(segments, people),
        )
        if finished is not None:
            entry = _with_manifest(entry, finished, segments, people, data_dir, hearing_id)
        entries.append(entry)
    return entries


def _with_manifest(
    entry: RecordingEntry,
    finished: Mapping[str, Any],
    segments: Sequence[Mapping[str, Any]],
    people: Mapping[str, Person],
    data_dir: Path,
    hearing_id: str,
) -> RecordingEntry:
    if entry.manifest_path != expected_manifest_path(hearing_id, entry.recording):
        problem = Problem("recording.manifest_invalid", "the log names an unexpected manifest")
        return replace(entry, problem=problem)
    path = recording_directory(data_dir, hearing_id, entry.recording) / MANIFEST
    raw = path.read_bytes() if path.is_file() else None
    try:
        manifest = check_manifest(raw, hearing_id, entry.recording, finished, segments)
    except RecordingError as exc:
        return replace(entry, problem=Problem(exc.code, exc.message))
    return replace(entry, manifest=manifest, tracks=_tracks_from_manifest(manifest, people))


def find(entries: Sequence[RecordingEntry], recording: str) -> RecordingEntry:
    for entry in entries:
        if entry.recording == recording:
            return entry
    raise NotFound(
        f"this hearing has no recording {recording!r}",
        code="recording.not_found",
        details={"recording": recording},
    )


def _usable(entry: RecordingEntry) -> Manifest:
    if entry.state != "finished":
        raise Conflict(
            f"recording {entry.recording} is {entry.state}: it has no finished files",
            code="recording.not_finished",
            details={"recording": entry.recording, "state": entry.state},
        )
    if entry.manifest is None:
        problem = entry.problem or Problem("recording.damaged", "the recording cannot be read")
        raise Conflict(
            f"recording {entry.recording} does not match its signed log: {problem.message}",
            code="recording.damaged",
            details={"recording": entry.recording, "cause": problem.code},
        )
    return entry.manifest


def export_track(entry: RecordingEntry, track: str, directory: Path, key: bytes, out: Path) -> Path:
    """Decrypt one track's file into `out` (checked against the manifest); return its path."""
    manifest = _usable(entry)
    found = manifest.track(entry.track(track).track)
    if found.final is None:
        raise Conflict(
            f"track {track} of recording {entry.recording} has no finished file",
            code="recording.not_finished",
            details={"recording": entry.recording, "track": track},
        )
    try:
        export_recording(replace(manifest, tracks=(found,)), directory, key, out)
    except (RecordingError, OSError) as exc:
        raise _damaged(entry, exc) from None
    return out / exported_path(found.final.path)


def export_entry(
    entry: RecordingEntry, directory: Path, key: bytes, out: Path, *, parts: bool = False
) -> list[Path]:
    """Decrypt a whole recording (final files, parts if asked, manifest.json, SHA256SUMS)."""
    manifest = _usable(entry)
    try:
        return export_recording(manifest, directory, key, out, parts=parts)
    except (RecordingError, OSError) as exc:
        raise _damaged(entry, exc) from None


def _damaged(entry: RecordingEntry, exc: RecordingError | OSError) -> Conflict:
    # A missing file is damage too; its path stays in the service's log, not in the answer.
    if isinstance(exc, RecordingError):
        cause, message = exc.code, exc.message
    else:
        cause, message = "recording.file_missing", "a file of the recording cannot be read"
    return Conflict(
        f"recording {entry.recording} cannot be exported: {message}",
        code="recording.damaged",
        details={"recording": entry.recording, "cause": cause},
    )
