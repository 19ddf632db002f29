"""Sealing a closed segment into the recording's folder, and what is reported about it.

The one function both the worker and any offline tool use, so the file name, the key context and
the reported hash can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recordings import codecs, vault
from recordings.manifest import SegmentEvent, key_context, part_path, rfc3339
from recordings.segments import FinishedSegment


@dataclass(frozen=True)
class TrackInfo:
    hearing: str
    recording: str
    track: str
    peer: str
    kind: str
    codec: str


def seal_segment(
    directory: Path, key: bytes, info: TrackInfo, segment: FinishedSegment
) -> SegmentEvent:
    """Encrypt the segment to `segments/<track>/<part>.webm.vcrec` (blocking) and describe it:
    the hash and length are those of the plaintext, which is what a clerk checks after export."""
    path = part_path(info.track, segment.part)
    context = key_context(info.hearing, info.recording, info.track, segment.part)
    sealed = vault.seal_bytes(key, context, segment.data, directory / path)
    return SegmentEvent(
        hearing=info.hearing,
        recording=info.recording,
        track=info.track,
        peer=info.peer,
        kind=info.kind,
        part=segment.part,
        path=path,
        sha256=sealed.sha256,
        bytes=sealed.bytes,
        start_us=segment.start_us,
        end_us=segment.end_us,
        t0=rfc3339(segment.origin_us + segment.start_us),
        t1=rfc3339(segment.origin_us + segment.end_us),
        codec=info.codec,
        container=codecs.CONTAINER,
    )
