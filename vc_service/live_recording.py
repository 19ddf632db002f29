"""Signaling's recorder (`RecorderFactory` / `RecorderBridge`) over `recordings.RecorderProcess`.

Each recording is one worker process writing under
`<data_dir>/recordings/<hearing>/<recording>/` with the hearing's key
`ServiceKey.derive("recording:<hearing>")`; its manifest ends in `manifest.json` there.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from recordings.errors import RecordingError
from recordings.manifest import SegmentEvent
from recordings.protocol import IceServer
from recordings.recorder import RecorderConfig, RecorderProcess
from signaling import credentials
from signaling.errors import RoomError
from vc_service import clock
from vc_service.service_key import ServiceKey
from vc_service.services import Services

MANIFEST = "manifest.json"
log = logging.getLogger(__name__)


# Refusals a participant can act on keep their message; anything else (paths, worker output)
# stays in the service log.
_TOLD = frozenset(
    {"recording.codec_unsupported", "recording.bad_request", "recording.peer_unknown"}
)


def _room_error(exc: RecordingError) -> RoomError:
    if exc.code in _TOLD:
        return RoomError(exc.code, exc.message)
    log.warning("recorder: %s", exc)
    return RoomError(
        "recording.unavailable", "the recorder is unavailable", details={"cause": exc.code}
    )


class LiveRecording:
    """One running recording (`signaling.services.RecorderBridge`)."""

    def __init__(self, process: RecorderProcess) -> None:
        self.process = process

    @property
    def recording_id(self) -> str:
        return self.process.recording

    @property
    def directory(self) -> Path:
        return self.process.config.directory

    async def offer(self, peer_id: str, sdp: str) -> str:
        try:
            return await self.process.offer(peer_id, sdp)
        except RecordingError as exc:
            raise _room_error(exc) from None

    async def add_ice(
        self, peer_id: str, candidate: str | None, sdp_mid: str | None, sdp_mline_index: int | None
    ) -> None:
        try:
            await self.process.add_ice(peer_id, candidate, sdp_mid, sdp_mline_index)
        except RecordingError as exc:
            raise _room_error(exc) from None

    async def leave(self, peer_id: str) -> None:
        try:
            await self.process.leave(peer_id)
        except RecordingError as exc:
            raise _room_error(exc) from None

    async def segments(self) -> AsyncIterator[Mapping[str, Any]]:
        async for event in self.process.events():
            if isinstance(event, SegmentEvent):
                yield event.audit_fields()

    async def stop(self) -> Mapping[str, Any]:
        manifest = await self.process.stop(finish=True)
        path = self.directory / MANIFEST
        tracks = manifest.to_json()["tracks"]
        return {
            "recording": manifest.recording,
            "manifest": str(Path("recordings") / manifest.hearing / manifest.recording / MANIFEST),
            "manifest_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "tracks": len(tracks),
            "parts": sum(len(track["parts"]) for track in tracks),
        }

    async def abort(self) -> None:
        await self.process.kill()


class LiveRecorders:
    """Starts recordings (`signaling.services.RecorderFactory`)."""

    def __init__(
        self,
        data_dir: Path,
        key: ServiceKey,
        ice_servers: Callable[[str], list[dict[str, Any]]] = lambda _who: [],
        *,
        host_addresses: tuple[str, ...] | None = None,
        segment_ms: int = 10_000,
    ) -> None:
        self.data_dir = data_dir
        self._key = key
        self._ice_servers = ice_servers
        self.host_addresses = host_addresses
        self.segment_ms = segment_ms
        self.started: list[LiveRecording] = []

    @classmethod
    def from_services(cls, services: Services) -> LiveRecorders:
        settings = services.settings
        secret = None
        if settings.turn_secret_file is not None:
            secret = settings.turn_secret_file.read_bytes().strip()

        def ice(who: str) -> list[dict[str, Any]]:
            return credentials.ice_servers(
                settings.ice_servers, secret, who, settings.turn_ttl_seconds, clock.seconds()
            )

        return cls(settings.data_dir, services.key, ice)

    async def start(self, hearing_id: str) -> LiveRecording:
        servers = tuple(
            IceServer(
                tuple(s["urls"]),
                s.get("username"),
                s.get("credential"),
            )
            for s in self._ice_servers(f"recorder-{hearing_id}")
        )
        config = RecorderConfig(
            hearing=hearing_id,
            directory=Path(),
            key=self._key.derive(f"recording:{hearing_id}"),
            segment_ms=self.segment_ms,
            ice_servers=servers,
            host_addresses=self.host_addresses,
        )
        directory = self.data_dir / "recordings" / hearing_id / config.recording
        process = RecorderProcess(replace(config, directory=directory))
        try:
            await process.start()
        except RecordingError as exc:
            raise _room_error(exc) from None
        recording = LiveRecording(process)
        self.started.append(recording)
        return recording
