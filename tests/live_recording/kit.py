"""Checks shared by the live recording tests: what the audit log says against what is on disk."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from recordings import vault
from recordings.manifest import Manifest, key_context
from signaling.client import MediaParticipant

KINDS = ("audio", "video")


def recorder_peer(person: MediaParticipant) -> str | None:
    joined = [m for m in person.received if m["type"] == "peer_joined"]
    found = [m for m in joined if m["role"] == "recorder"]
    return str(found[-1]["peer"]) if found else None


def connected_to_recorder(person: MediaParticipant) -> Callable[[], bool]:
    def check() -> bool:
        peer = recorder_peer(person)
        pc = person.pcs.get(peer) if peer else None
        return pc is not None and pc.connectionState == "connected"

    return check


def tracks_of(segments: Sequence[Mapping[str, Any]]) -> set[tuple[str, str]]:
    return {(str(s["peer"]), str(s["kind"])) for s in segments}


async def eventually(check: Callable[[], Awaitable[bool]], within: float) -> None:
    """For state only reachable by asking (the audit store): ask every 0.2 s."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.2)


def check_recording(
    directory: Path,
    key: bytes,
    hearing: str,
    segments: Sequence[Mapping[str, Any]],
    finished: Mapping[str, Any],
) -> Manifest:
    """Every `media.segment` hash is the hash of the decrypted file it names, the manifest on
    disk lists exactly those parts, and `recording.finished` names the manifest by its hash."""
    manifest_bytes = (directory / "manifest.json").read_bytes()
    assert hashlib.sha256(manifest_bytes).hexdigest() == finished["manifest_sha256"]
    manifest = Manifest.from_json(json.loads(manifest_bytes))
    assert manifest.hearing == hearing
    for segment in segments:
        context = key_context(hearing, manifest.recording, str(segment["track"]), segment["part"])
        plain = vault.open_bytes(key, context, directory / str(segment["path"]))
        assert hashlib.sha256(plain).hexdigest() == segment["sha256"]
        assert len(plain) == segment["bytes"]
    listed = {
        (track.track, part.part, part.sha256) for track in manifest.tracks for part in track.parts
    }
    logged = {(str(s["track"]), int(s["part"]), str(s["sha256"])) for s in segments}
    assert listed == logged
    return manifest
