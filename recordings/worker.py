"""The recorder process: `python -m recordings.worker`, driven over stdin/stdout (`protocol`).

Recording runs in its own process so that nothing it does (muxing, hashing, encryption, ffmpeg,
aiortc's packet handling for every recorded track) can stall the service's event loop.

Life of a worker: `start` (hearing, recording id, directory, key) -> any number of `offer`, `ice`,
`leave` -> `stop` (closes every connection, waits for the last segments, optionally finishes the
tracks with ffmpeg, writes `manifest.json`, replies with the manifest) -> exit 0. If stdin closes
first (the service died), it stops without finishing: every closed segment is already sealed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recordings import codecs, finish, tap, vault
from recordings import protocol as p
from recordings.archive import TrackInfo, seal_segment
from recordings.errors import RecordingError
from recordings.manifest import FinalFile, Manifest, SegmentEvent
from recordings.segments import FinishedSegment, TrackWriter

log = logging.getLogger("recordings.worker")


class State(enum.Enum):
    WAITING = "waiting"
    RECORDING = "recording"
    STOPPING = "stopping"
    STOPPED = "stopped"


class Worker:
    def __init__(self, emit: Callable[[dict[str, Any]], None]) -> None:
        self._emit = emit
        self.state = State.WAITING
        self._start: p.Start | None = None
        self._peers: dict[str, tap.PeerRecorder] = {}
        self._peer_locks: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self._counts: dict[tuple[str, str], int] = collections.defaultdict(int)
        self._events: list[SegmentEvent] = []
        self._loop = asyncio.get_running_loop()

    def _set_state(self, new: State) -> None:
        log.info("recorder %s -> %s", self.state.value, new.value)
        self.state = new

    def _require(self, *states: State) -> None:
        if self.state not in states:
            raise RecordingError(
                "recording.bad_state",
                f"the recorder is {self.state.value}",
                details={"state": self.state.value},
            )

    @property
    def _config(self) -> p.Start:
        assert self._start is not None, "started"
        return self._start

    async def handle(self, command: p.Command) -> dict[str, Any]:
        """The reply to one command; every command gets one, whatever goes wrong."""
        try:
            return await self._dispatch(command)
        except RecordingError as exc:
            return p.failed(command.id, exc)
        except Exception as exc:  # a bug or an aiortc failure: answer, log, keep recording
            log.exception("command %s failed", type(command).__name__)
            error = RecordingError("recording.internal", f"{type(exc).__name__}: {exc}")
            return p.failed(command.id, error)

    async def _dispatch(self, command: p.Command) -> dict[str, Any]:
        if isinstance(command, p.Ping):
            return p.ok(command.id, state=self.state.value)
        if isinstance(command, p.Start):
            self._require(State.WAITING)
            await self._begin(command)
            return p.ok(command.id)
        if isinstance(command, p.Stop):
            manifest = await self.stop(finishing=command.finish)
            return p.ok(command.id, manifest=manifest.to_json())
        async with self._peer_locks[command.peer]:
            self._require(State.RECORDING)
            if isinstance(command, p.Offer):
                return p.ok(command.id, sdp=await self._offer(command.peer, command.sdp))
            if isinstance(command, p.Ice):
                peer = self._peer(command.peer)
                await peer.add_ice(command.candidate, command.sdp_mid, command.sdp_mline_index)
                return p.ok(command.id)
            await self._leave(command.peer)
            return p.ok(command.id)

    async def _begin(self, command: p.Start) -> None:
        await tap.check_aiortc()
        directory = Path(command.directory)
        await asyncio.to_thread(vault.private_dir, directory)
        if command.host_addresses is not None:
            tap.restrict_host_addresses(command.host_addresses)
        self._start = command
        self._set_state(State.RECORDING)

    def _peer(self, peer_id: str) -> tap.PeerRecorder:
        peer = self._peers.get(peer_id)
        if peer is None:
            raise RecordingError("recording.peer_unknown", f"no connection with peer {peer_id}")
        return peer

    async def _offer(self, peer_id: str, sdp: str) -> str:
        start = self._config
        peer = self._peers.get(peer_id)
        if peer is not None and not peer.usable:
            # The participant reconnected with a new connection: end the old one's tracks.
            await self._leave(peer_id)
            peer = None
        if peer is not None:
            return await peer.answer(sdp)
        peer = tap.PeerRecorder(
            peer_id, tap.configuration(start.ice_servers), self._open_track, self._peer_state
        )
        try:
            answer = await peer.answer(sdp)
        except BaseException:
            # A first offer that fails leaves nothing behind: the next one starts afresh.
            await peer.close()
            raise
        self._peers[peer_id] = peer
        return answer

    async def _leave(self, peer_id: str) -> None:
        peer = self._peer(peer_id)
        del self._peers[peer_id]
        await self._join(await peer.close())

    async def _join(self, writers: list[TrackWriter]) -> None:
        for writer in writers:
            await asyncio.to_thread(writer.join)
            # Segment events were scheduled on the loop before the thread ended: let them run.
            await asyncio.sleep(0)
            parts = sum(1 for e in self._events if e.track == writer.name)
            self._emit(p.event("track_end", track=writer.name, parts=parts, dropped=writer.dropped))

    def _peer_state(self, peer: str, state: str) -> None:
        self._emit(p.event("peer", peer=peer, state=state))

    def _open_track(
        self, peer: str, kind: str, codec: str, want_keyframe: Callable[[], None]
    ) -> TrackWriter | None:
        if self.state is not State.RECORDING or codecs.KINDS[codec] != kind:
            return None
        start = self._config
        number = self._counts[(peer, kind)]
        self._counts[(peer, kind)] += 1
        track = f"{peer}-{kind}{number}"
        info = TrackInfo(start.hearing, start.recording, track, peer, kind, codec)
        writer = TrackWriter(
            track,
            codec,
            start.segment_ms,
            functools.partial(self._store, info),
            want_keyframe=want_keyframe,
            on_error=functools.partial(self._writer_failed, track),
        )
        self._emit(p.event("track", track=track, peer=peer, kind=kind, codec=codec))
        return writer

    def _store(self, info: TrackInfo, segment: FinishedSegment) -> None:
        """On the writer's thread: seal the segment, then report it on the loop."""
        config = self._config
        event = seal_segment(Path(config.directory), config.key, info, segment)
        self._loop.call_soon_threadsafe(self._segment, event)

    def _segment(self, event: SegmentEvent) -> None:
        self._events.append(event)
        self._emit(p.event("segment", **event.to_json()))

    def _writer_failed(self, track: str, exc: BaseException) -> None:
        message = f"track {track} stopped recording: {type(exc).__name__}: {exc}"
        fields = {"code": "recording.track_failed", "message": message, "track": track}
        self._loop.call_soon_threadsafe(self._emit, p.event("error", **fields))

    async def stop(self, *, finishing: bool) -> Manifest:
        self._require(State.RECORDING)
        start = self._config
        self._set_state(State.STOPPING)
        for peer_id in list(self._peers):
            async with self._peer_locks[peer_id]:
                if peer_id in self._peers:
                    await self._leave(peer_id)
        manifest = Manifest.from_events(
            start.hearing, start.recording, start.segment_ms, self._events
        )
        if finishing and manifest.tracks:

            def on_final(track: str, final: FinalFile) -> None:
                self._emit(p.event("final", track=track, **vars(final)))

            manifest = await finish.finish_recording(
                manifest, Path(start.directory), start.key, on_final=on_final
            )
        await asyncio.to_thread(finish.write_manifest, manifest, Path(start.directory))
        self._set_state(State.STOPPED)
        return manifest


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
    def emit(message: dict[str, Any]) -> None:
        writer.write(p.encode(message))

    worker = Worker(emit)
    pending: set[asyncio.Task[None]] = set()

    async def run(command: p.Command) -> None:
        emit(await worker.handle(command))

    while worker.state is not State.STOPPED:
        try:
            line = await reader.readline()
        except ValueError:  # longer than the reader's limit
            emit(p.event("error", code="recording.bad_request", message="line too long"))
            continue
        if not line:
            log.warning("the controller went away: stopping without finishing")
            if worker.state is State.RECORDING:
                await asyncio.gather(*pending, return_exceptions=True)
                await worker.stop(finishing=False)
            break
        try:
            command = p.parse_command(line)
        except RecordingError as exc:
            ident = exc.details.get("id")
            emit(
                p.failed(ident, exc)
                if isinstance(ident, int)
                else p.event("error", **exc.to_dict())
            )
            continue
        if isinstance(command, p.Stop):
            # Let commands already under way finish before the connections close.
            await asyncio.gather(*pending, return_exceptions=True)
            await run(command)
            continue
        task = asyncio.create_task(run(command))
        pending.add(task)
        task.add_done_callback(pending.discard)
    with contextlib.suppress(ConnectionError):
        await writer.drain()
    return 0


async def _main(protocol_fd: int) -> int:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=p.MAX_LINE)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    out = os.fdopen(protocol_fd, "wb", buffering=0)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, out)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    try:
        return await serve(reader, writer)
    finally:
        writer.close()


def main() -> int:
    # The protocol gets its own copy of stdout; fd 1 then points at stderr, so a stray print from
    # any library lands in the log instead of corrupting the protocol.
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("aioice", "aiortc"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return asyncio.run(_main(protocol_fd))


if __name__ == "__main__":
    sys.exit(main())
