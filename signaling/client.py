"""A participant that speaks our protocol with a real aiortc peer connection per remote peer.

Used by the integration tests and the join-time benchmark, and usable by any server-side peer
(e.g. a recorder) that must join a hearing like everybody else. It follows the protocol's
negotiation rule: on `peer_joined` the side told to `initiate` offers; the other answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

log = logging.getLogger(__name__)


class SmallVideoTrack(VideoStreamTrack):
    """aiortc's synthetic video, at a size that keeps encoding cheap in tests."""

    def __init__(self, width: int = 160, height: int = 120) -> None:
        super().__init__()
        self._size = (width, height)

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(width=self._size[0], height=self._size[1])
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.pts = pts
        frame.time_base = time_base
        return frame


def synthetic_tracks() -> list[MediaStreamTrack]:
    return [AudioStreamTrack(), SmallVideoTrack()]


def rtc_configuration(ice_servers: list[Mapping[str, Any]]) -> RTCConfiguration:
    """The welcome's ICE servers; an empty list means none (no public STUN fallback)."""
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(
                urls=server["urls"],
                username=server.get("username"),
                credential=server.get("credential"),
            )
            for server in ice_servers
        ]
    )


class MediaParticipant:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        tracks: Callable[[], list[MediaStreamTrack]] = synthetic_tracks,
    ) -> None:
        self._session = session
        self._url = url
        self._tracks = tracks
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.welcome: dict[str, Any] = {}
        self.received: list[dict[str, Any]] = []
        self.pcs: dict[str, RTCPeerConnection] = {}
        # (remote peer id, kind) -> frames decoded; first video frame time per remote peer.
        self.frames: dict[tuple[str, str], int] = {}
        self.first_video: dict[str, float] = {}
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def peer(self) -> str:
        return str(self.welcome["peer"])

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def join(self, **hello: str) -> dict[str, Any]:
        self.ws = await self._session.ws_connect(self._url)
        await self.send({"type": "hello", "v": 1, **hello})
        self._spawn(self._read())
        await self.wait_for(lambda: bool(self.welcome))
        return self.welcome

    async def send(self, message: Mapping[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps(message))

    async def wait_for(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def last(self, kind: str) -> dict[str, Any] | None:
        return next((m for m in reversed(self.received) if m["type"] == kind), None)

    async def _read(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                break
            message = json.loads(msg.data)
            self.received.append(message)
            try:
                await self._on(message)
            except Exception:
                log.exception("participant: handling %s failed", message["type"])
            self._changed.set()
        self._changed.set()

    async def _on(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "welcome":
            self.welcome = message
        elif kind == "peer_joined":
            await self._drop(message["peer"])
            if message["initiate"]:
                pc = self._pc(message["peer"])
                for track in self._tracks():
                    pc.addTrack(track)
                await pc.setLocalDescription(await pc.createOffer())
                await self._send_description(message["peer"], pc)
        elif kind == "offer":
            pc = self._pc(message["from"])
            await pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "offer"))
            for track in self._tracks():
                pc.addTrack(track)
            await pc.setLocalDescription(await pc.createAnswer())
            await self._send_description(message["from"], pc)
        elif kind == "answer" and message["from"] in self.pcs:
            desc = RTCSessionDescription(message["sdp"], "answer")
            await self.pcs[message["from"]].setRemoteDescription(desc)
        elif kind == "ice" and message["from"] in self.pcs and message["candidate"]:
            candidate = candidate_from_sdp(message["candidate"].removeprefix("candidate:"))
            candidate.sdpMid = message["sdpMid"]
            candidate.sdpMLineIndex = message["sdpMLineIndex"]
            await self.pcs[message["from"]].addIceCandidate(candidate)
        elif kind == "peer_left":
            await self._drop(message["peer"])

    def _pc(self, peer: str) -> RTCPeerConnection:
        pc = RTCPeerConnection(rtc_configuration(self.welcome.get("ice_servers", [])))
        self.pcs[peer] = pc

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self._spawn(self._consume(peer, track))

        return pc

    async def _send_description(self, peer: str, pc: RTCPeerConnection) -> None:
        # aiortc gathers every candidate before setLocalDescription returns: no trickle needed.
        desc = pc.localDescription
        await self.send({"type": desc.type, "to": peer, "sdp": desc.sdp})

    async def _consume(self, peer: str, track: MediaStreamTrack) -> None:
        key = (peer, track.kind)
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                self.frames[key] = self.frames.get(key, 0) + 1
                if track.kind == "video" and peer not in self.first_video:
                    self.first_video[peer] = time.monotonic()
                self._changed.set()

    async def _drop(self, peer: str) -> None:
        pc = self.pcs.pop(peer, None)
        if pc is not None:
            await pc.close()

    async def close(self) -> None:
        for peer in list(self.pcs):
            await self._drop(peer)
        if self.ws is not None:
            await self.ws.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
