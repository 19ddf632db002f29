"""`RecorderProcess`: the service's handle on one recording, run by a worker process.

The room (signaling) feeds it each participant's SDP offer and ICE candidates and gets the answer
back; the recorder reports each closed segment as a `SegmentEvent`, which the room appends to the
audit log as `media.segment`. Whether recording is lawful is decided before this class is used.

    recorder = RecorderProcess(RecorderConfig(hearing_id, directory, key))
    await recorder.start()
    answer = await recorder.offer(peer_id, offer_sdp)
    async for event in recorder.events(): ...         # in its own task
    manifest = await recorder.stop()

All this side does is write and read short JSON lines on pipes, so the service's event loop never
waits on recording work. If the worker dies, every closed segment is already sealed on disk and
reported: `manifest_so_far()` plus `finish.finish_recording()` finish the recording without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import secrets
import sys
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recordings import protocol as p
from recordings.errors import RecordingError
from recordings.manifest import Manifest, SegmentEvent, check_id

log = logging.getLogger(__name__)
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


class State(enum.Enum):
    NEW = "new"
    STARTING = "starting"
    RECORDING = "recording"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True)
class RecorderConfig:
    hearing: str
    directory: Path
    key: bytes = field(repr=False)
    recording: str = field(default_factory=lambda: f"rec-{secrets.token_hex(8)}")
    segment_ms: int = 10_000
    ice_servers: tuple[p.IceServer, ...] = ()
    # Restrict the recorder's host ICE candidates to these addresses (None: all interfaces).
    host_addresses: tuple[str, ...] | None = None
    python: str = sys.executable
    command_timeout_s: float = 30.0
    stop_timeout_s: float = 600.0


@dataclass(frozen=True)
class Notice:
    """A worker event other than a segment: `peer` (connection state), `track` (a track started),
    `track_end`, `final` (a track's joined file), `error` (a track stopped recording)."""

    event: str
    fields: dict[str, Any]


RecorderEvent = SegmentEvent | Notice


class RecorderProcess:
    def __init__(self, config: RecorderConfig) -> None:
        check_id("hearing", config.hearing)
        check_id("recording", config.recording)
        if len(config.key) != 32:
            raise ValueError("the recording key is 32 bytes")
        self.config = config
        self.state = State.NEW
        self._process: asyncio.subprocess.Process | None = None
        self._ids = 0
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: asyncio.Queue[RecorderEvent | None] = asyncio.Queue()
        self._segments: list[SegmentEvent] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._stderr: deque[str] = deque(maxlen=20)
        self._failure: RecordingError | None = None

    @property
    def recording(self) -> str:
        return self.config.recording

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def _set_state(self, new: State) -> None:
        log.info("recording %s: %s -> %s", self.recording, self.state.value, new.value)
        self.state = new

    def _require(self, *states: State) -> None:
        if self.state not in states:
            raise RecordingError(
                "recording.bad_state",
                f"the recording is {self.state.value}",
                details={"state": self.state.value},
            )

    async def start(self) -> None:
        self._require(State.NEW)
        self._set_state(State.STARTING)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        self._process = await asyncio.create_subprocess_exec(
            self.config.python,
            "-m",
            "recordings.worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=p.MAX_LINE,
            env=env,
        )
        self._tasks = [
            asyncio.create_task(self._read_stdout()),
            asyncio.create_task(self._read_stderr()),
        ]
        command = p.Start(
            0,  # replaced by _call
            self.config.hearing,
            self.config.recording,
            str(self.config.directory),
            self.config.segment_ms,
            self.config.key,
            self.config.ice_servers,
            self.config.host_addresses,
        )
        try:
            await self._call(p.start_command(command))
        except RecordingError:
            await self.kill()
            raise
        self._set_state(State.RECORDING)

    async def offer(self, peer_id: str, sdp: str) -> str:
        """The recorder's SDP answer to this participant's offer."""
        self._require(State.RECORDING)
        reply = await self._call({"op": "offer", "peer": peer_id, "sdp": sdp})
        return str(reply["sdp"])

    async def add_ice(
        self,
        peer_id: str,
        candidate: str | None,
        sdp_mid: str | None = None,
        sdp_mline_index: int | None = None,
    ) -> None:
        """A trickled remote candidate (`a=candidate` text); None marks the end of candidates."""
        self._require(State.RECORDING)
        await self._call(
            {
                "op": "ice",
                "peer": peer_id,
                "candidate": candidate,
                "sdp_mid": sdp_mid,
                "sdp_mline_index": sdp_mline_index,
            }
        )

    async def leave(self, peer_id: str) -> None:
        """Close this participant's connection; returns once its last segments are reported."""
        self._require(State.RECORDING)
        await self._call({"op": "leave", "peer": peer_id})

    async def ping(self) -> str:
        reply = await self._call({"op": "ping"})
        return str(reply["state"])

    async def stop(self, *, finish: bool = True) -> Manifest:
        """Close every connection, wait for the last segments, join each track (`finish`), and
        return the manifest; the worker then exits."""
        self._require(State.RECORDING)
        self._set_state(State.STOPPING)
        try:
            reply = await self._call(
                {"op": "stop", "finish": finish}, wait_s=self.config.stop_timeout_s
            )
        except RecordingError:
            self._set_state(State.FAILED)
            await self.kill()
            raise
        manifest = Manifest.from_json(reply["manifest"])
        await self._wait_exit()
        self._set_state(State.STOPPED)
        return manifest

    def manifest_so_far(self) -> Manifest:
        """The manifest of every segment reported so far (without final files)."""
        return Manifest.from_events(
            self.config.hearing, self.config.recording, self.config.segment_ms, self._segments
        )

    async def events(self) -> AsyncIterator[RecorderEvent]:
        """Every event in order, until the worker exits. One consumer only."""
        while True:
            item = await self._events.get()
            if item is None:
                return
            yield item

    async def kill(self) -> None:
        """End the worker now (closed segments stay sealed on disk)."""
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        await self._wait_exit()
        if self.state not in (State.STOPPED, State.FAILED):
            self._set_state(State.FAILED)

    async def __aenter__(self) -> RecorderProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.state is State.RECORDING and exc_info[0] is None:
            await self.stop(finish=False)
        else:
            await self.kill()

    async def _call(
        self, message: dict[str, Any], *, wait_s: float | None = None
    ) -> dict[str, Any]:
        process = self._process
        if process is None or process.stdin is None or self._failure is not None:
            raise self._failure or RecordingError("recording.bad_state", "no worker process")
        self._ids += 1
        ident = self._ids
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        try:
            process.stdin.write(p.encode({**message, "id": ident}))
            await process.stdin.drain()
            reply = await asyncio.wait_for(future, wait_s or self.config.command_timeout_s)
        except (ConnectionError, BrokenPipeError):
            raise self._worker_failed("the worker's input pipe is closed") from None
        except TimeoutError:
            raise RecordingError(
                "recording.timeout", f"the worker did not answer {message['op']!r} in time"
            ) from None
        finally:
            self._waiting.pop(ident, None)
        if not reply.get("ok"):
            error = reply.get("error") or {}
            raise RecordingError(
                str(error.get("code", "recording.worker_failed")),
                str(error.get("message", "the worker refused the command")),
                details=dict(error.get("details") or {}),
            )
        return reply

    async def _read_stdout(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        try:
            while line := await stdout.readline():
                self._dispatch(p.parse_message(line))
        except (ValueError, RecordingError) as exc:
            log.error("recording %s: unreadable worker output: %s", self.recording, exc)
        finally:
            self._on_exit()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "reply" in message:
            future = self._waiting.get(message["reply"])
            if future is not None and not future.done():
                future.set_result(message)
            return
        name = str(message.pop("event"))
        if name == "segment":
            event = SegmentEvent.from_json(message)
            self._segments.append(event)
            self._events.put_nowait(event)
        else:
            self._events.put_nowait(Notice(name, message))

    def _on_exit(self) -> None:
        error = self._worker_failed("the worker process ended")
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(error)
        self._events.put_nowait(None)
        if self.state not in (State.STOPPING, State.STOPPED):
            self._failure = error
            self._set_state(State.FAILED)

    def _worker_failed(self, message: str) -> RecordingError:
        tail = list(self._stderr)
        return RecordingError("recording.worker_failed", message, details={"stderr": tail})

    async def _read_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        stderr = self._process.stderr
        while line := await stderr.readline():
            text = line.decode(errors="replace").rstrip()
            self._stderr.append(text)
            log.info("recorder %s: %s", self.recording, text)

    async def _wait_exit(self) -> None:
        if self._process is not None:
            await self._process.wait()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
