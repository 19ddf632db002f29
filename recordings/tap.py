"""The recorder's side of one participant's connection: an aiortc peer that never decodes.

aiortc has no public way to receive encoded frames: each `RTCRtpReceiver` reassembles frames in
its jitter buffer and hands them to a decoder thread through a queue. This module is the ONE place
that reaches into aiortc's internals, and it does so at two points, both checked at start-up
(`check_aiortc()`) so an aiortc upgrade that moves them fails loudly, never silently:

1. the receiver's decoder queue (`_RTCRtpReceiver__decoder_queue`) is replaced, before the
   receiver starts, by a `FrameTap` that passes each reassembled frame to our segment writer
   instead of the decoder. Nothing is decoded, so a recorded track costs almost no CPU; the
   end-of-track marker still reaches the idle decoder thread so aiortc shuts down as usual;
2. a key frame is requested with the receiver's own RTCP PLI sender (`_send_rtcp_pli`).

Only VP8 and Opus are negotiated (every browser offers both): they are muxed into WebM as they are.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import time
from collections.abc import Callable
from typing import Any

import aioice.ice
from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.sdp import SessionDescription, candidate_from_sdp

from recordings import codecs
from recordings.errors import RecordingError
from recordings.protocol import IceServer
from recordings.segments import EncodedFrame, TrackWriter

log = logging.getLogger(__name__)

_QUEUE_ATTR = "_RTCRtpReceiver__decoder_queue"
_PREFERRED = {"video": ("video/VP8", "video/rtx"), "audio": ("audio/opus",)}

# Opens the writer for a new track: (peer, kind, codec, request_keyframe) -> writer or None.
TrackFactory = Callable[[str, str, str, Callable[[], None]], TrackWriter | None]


async def check_aiortc() -> None:
    """Fail at start-up if the aiortc internals this module relies on have moved."""
    probe = RTCPeerConnection()
    try:
        receiver = probe.addTransceiver("video", direction="recvonly").receiver
        if not isinstance(getattr(receiver, _QUEUE_ATTR, None), queue.Queue) or not hasattr(
            receiver, "_send_rtcp_pli"
        ):
            raise RecordingError(
                "recording.unsupported_aiortc",
                "this aiortc version hides received frames differently; recordings/tap.py "
                "must be updated",
            )
    finally:
        await probe.close()


def restrict_host_addresses(addresses: tuple[str, ...]) -> None:
    """Gather host candidates only on these addresses (aioice otherwise uses every interface
    except loopback). The worker is its own process, so this changes nothing elsewhere."""
    chosen = list(addresses)
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: list(chosen)


def configuration(servers: tuple[IceServer, ...]) -> RTCConfiguration:
    return RTCConfiguration(
        iceServers=[RTCIceServer(list(s.urls), s.username, s.credential) for s in servers]
    )


class FrameTap(queue.Queue[Any]):
    """Stands in for a receiver's decoder queue (see the module docstring)."""

    def __init__(
        self, on_frame: Callable[[str, bytes, int], None], on_end: Callable[[], None]
    ) -> None:
        super().__init__()
        self._on_frame = on_frame
        self._on_end = on_end

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            self._on_end()
            super().put(None, block, timeout)
            return
        codec, frame = item
        self._on_frame(codec.name, frame.data, frame.timestamp)


class TrackTap:
    """One receiver of one peer: starts a writer on the first frame, feeds it, ends it."""

    def __init__(self, peer: str, kind: str, receiver: RTCRtpReceiver, factory: TrackFactory):
        self.peer = peer
        self.kind = kind
        self.receiver = receiver
        self.writer: TrackWriter | None = None
        self._factory = factory
        self._refused = False
        self._ended = False
        self._loop = asyncio.get_running_loop()
        self._tasks: set[asyncio.Task[None]] = set()
        setattr(receiver, _QUEUE_ATTR, FrameTap(self._frame, self._end))

    def _frame(self, rtp_codec: str, data: bytes, pts: int) -> None:
        if self._ended:
            return
        if self.writer is None:
            if self._refused:
                return
            codec = codecs.RTP_NAMES.get(rtp_codec)
            writer = None
            if codec is not None:
                writer = self._factory(self.peer, self.kind, codec, self._keyframe_from_thread)
            if writer is None:
                self._refused = True
                return
            self.writer = writer
        self.writer.push(EncodedFrame(data, pts, time.time_ns() // 1000))

    def _end(self) -> None:
        if self._ended:
            return
        self._ended = True
        if self.writer is not None:
            self.writer.end()

    def _keyframe_from_thread(self) -> None:
        self._loop.call_soon_threadsafe(self._request_keyframe)

    def _request_keyframe(self) -> None:
        for source in self.receiver.getSynchronizationSources():
            # Every active SSRC of this receiver: a PLI naming the RTX stream is ignored.
            task = asyncio.ensure_future(self.receiver._send_rtcp_pli(source.source))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


class PeerRecorder:
    """The recorder's RTCPeerConnection with one participant (it answers, it never sends)."""

    def __init__(
        self,
        peer: str,
        config: RTCConfiguration,
        factory: TrackFactory,
        on_state: Callable[[str, str], None],
    ) -> None:
        self.peer = peer
        self.pc = RTCPeerConnection(config)
        self.taps: list[TrackTap] = []
        self._factory = factory

        @self.pc.on("connectionstatechange")
        def _state() -> None:
            on_state(peer, self.pc.connectionState)

    @property
    def usable(self) -> bool:
        return self.pc.connectionState not in ("failed", "closed")

    async def answer(self, sdp: str) -> str:
        if self.pc.signalingState != "stable":
            raise RecordingError(
                "recording.bad_state",
                f"peer {self.peer} is negotiating ({self.pc.signalingState})",
            )
        try:
            media = SessionDescription.parse(sdp).media
        except (ValueError, AssertionError, IndexError, KeyError) as exc:
            raise RecordingError("recording.bad_request", f"unreadable SDP offer: {exc}") from None
        if not sdp.startswith("v=0") or not any(m.kind in _PREFERRED for m in media):
            raise RecordingError("recording.bad_request", "the offer has no audio or video")
        self._prepare(media)
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        except Exception as exc:  # aiortc raises several types; the message names the media
            raise RecordingError(
                "recording.codec_unsupported",
                f"cannot receive this offer (the recorder takes VP8 video and Opus audio): {exc}",
            ) from None
        for transceiver in self.pc.getTransceivers():
            self._tap(transceiver)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return str(self.pc.localDescription.sdp)

    def _prepare(self, media: list[Any]) -> None:
        """Create a receive-only transceiver with our codec preferences for each new m-line:
        aiortc matches them to the offer, and answers with VP8/Opus whatever the offer's order."""
        transceivers = self.pc.getTransceivers()
        known = {t.mid for t in transceivers if t.mid is not None}
        spare = {
            kind: sum(1 for t in transceivers if t.mid is None and t.kind == kind)
            for kind in _PREFERRED
        }
        for m in media:
            if m.kind not in _PREFERRED or m.rtp.muxId in known:
                continue
            if spare[m.kind]:
                spare[m.kind] -= 1
                continue
            transceiver = self.pc.addTransceiver(m.kind, direction="recvonly")
            capabilities = RTCRtpReceiver.getCapabilities(m.kind)
            assert capabilities is not None
            transceiver.setCodecPreferences(
                [c for c in capabilities.codecs if c.mimeType in _PREFERRED[m.kind]]
            )

    def _tap(self, transceiver: RTCRtpTransceiver) -> None:
        receiver = transceiver.receiver
        if any(tap.receiver is receiver for tap in self.taps):
            return
        self.taps.append(TrackTap(self.peer, transceiver.kind, receiver, self._factory))

    async def add_ice(
        self, candidate: str | None, sdp_mid: str | None, sdp_mline_index: int | None
    ) -> None:
        if candidate is None or not candidate.strip():
            await self.pc.addIceCandidate(None)
            return
        try:
            parsed = candidate_from_sdp(candidate.removeprefix("candidate:"))
        except (AssertionError, ValueError, IndexError) as exc:
            raise RecordingError("recording.bad_request", f"unreadable candidate: {exc}") from None
        parsed.sdpMid = sdp_mid
        parsed.sdpMLineIndex = sdp_mline_index
        try:
            await self.pc.addIceCandidate(parsed)
        except ValueError as exc:
            raise RecordingError("recording.bad_request", str(exc)) from None

    async def close(self) -> list[TrackWriter]:
        """Close the connection; each writer gets its end marker. Returns them to be joined."""
        await self.pc.close()
        for tap in self.taps:
            # A receiver that never started never sends the end marker itself.
            tap._end()
        return [tap.writer for tap in self.taps if tap.writer is not None]
