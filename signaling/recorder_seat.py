"""The recorder's place in a room: a server-side peer that receives everyone's media.

It is not a seat: nobody admits, denies, removes or addresses it except with an offer or an ICE
candidate, and it never offers or sends media. While a recording runs, every admitted participant
is told about it (`peer_joined`, role `recorder`, `initiate`: they offer, it answers), and so is
everyone admitted later. Each closed segment's `media.segment` event is appended to the audit log
(awaited, one at a time, in order) before the next is taken; `recording.finished` comes after the
last one.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import secrets
from collections.abc import Callable
from typing import Any

from signaling import protocol as p
from signaling.errors import RoomError, SignalingError
from signaling.procedure import SYSTEM
from signaling.seat import Seat
from signaling.services import AuditSink, RecorderBridge, RecorderFactory

log = logging.getLogger(__name__)

RECORDER_ROLE = "recorder"
RECORDER_NAME = "Recorder"
SEGMENT_EVENT = "media.segment"
# An outage of the audit log must not lose a segment's hash: retry, slower and slower.
_RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


class State(enum.Enum):
    IDLE = "idle"
    RECORDING = "recording"


class RecorderSeat:
    def __init__(
        self,
        hearing_id: str,
        factory: RecorderFactory | None,
        sink: AuditSink,
        spawn: Callable[[Any], None],
    ) -> None:
        self.hearing_id = hearing_id
        self._factory = factory
        self._sink = sink
        self._spawn = spawn
        self._state = State.IDLE
        self.peer_id: str | None = None
        self._bridge: RecorderBridge | None = None
        self._pump: asyncio.Task[None] | None = None
        self._offered: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self._factory is not None

    @property
    def active(self) -> bool:
        return self._state is State.RECORDING

    def _set_state(self, new: State) -> None:
        log.info("room %s recorder: %s -> %s", self.hearing_id, self._state.value, new.value)
        self._state = new

    def addresses(self, peer_id: str) -> bool:
        return self.active and peer_id == self.peer_id

    # --- life cycle (called under the room's lock) -------------------------------------------

    async def prepare(self) -> RecorderBridge | None:
        """Start a recorder before the start is audited; None when recording is not wired."""
        if self._factory is None:
            return None
        try:
            return await self._factory.start(self.hearing_id)
        except SignalingError:
            raise
        except Exception:
            log.exception("room %s: the recorder did not start", self.hearing_id)
            raise RoomError("recording.unavailable", "the recorder could not start") from None

    def begin(self, bridge: RecorderBridge) -> None:
        self._bridge = bridge
        self.peer_id = "recorder-" + secrets.token_urlsafe(9)
        self._offered.clear()
        self._pump = asyncio.get_running_loop().create_task(self._append_segments(bridge))
        self._set_state(State.RECORDING)

    def joined_message(self) -> p.ServerMessage:
        assert self.peer_id is not None
        return {
            "type": "peer_joined",
            "peer": self.peer_id,
            "role": RECORDER_ROLE,
            "name": RECORDER_NAME,
            "initiate": True,
            "resumed": False,
        }

    def introduce(self, seat: Seat) -> None:
        """Ask an admitted participant to connect to the recorder."""
        if self.active and seat.admitted and seat.conn is not None:
            seat.conn.send(self.joined_message())

    def end(self) -> p.ServerMessage | None:
        """Stop recording: returns the `peer_left` to send; the recorder finishes in the
        background and `recording.finished` is appended when it is done."""
        bridge, pump, peer = self._bridge, self._pump, self.peer_id
        if not self.active or bridge is None or pump is None or peer is None:
            return None
        self._bridge, self._pump = None, None
        self._set_state(State.IDLE)
        self._spawn(self._finish(bridge, pump))
        return {"type": "peer_left", "peer": peer, "reason": "recording_stopped"}

    def seat_gone(self, peer_id: str) -> None:
        bridge = self._bridge
        if self.active and bridge is not None and peer_id in self._offered:
            self._offered.discard(peer_id)
            self._spawn(self._leave(bridge, peer_id))

    async def abort(self) -> None:
        """The room goes away on this node: end the worker now."""
        bridge, pump = self._bridge, self._pump
        self._bridge, self._pump = None, None
        if self.active:
            self._set_state(State.IDLE)
        if bridge is not None:
            with contextlib.suppress(Exception):
                await bridge.abort()
        if pump is not None:
            pump.cancel()

    # --- media negotiation (no lock: like any relay) -----------------------------------------

    async def relay(self, seat: Seat, message: p.Offer | p.Answer | p.Ice) -> None:
        bridge = self._bridge
        if bridge is None or seat.conn is None:
            raise RoomError("peer.unknown", "no admitted peer has this id")
        try:
            if isinstance(message, p.Answer):
                raise RoomError("recorder.answers_only", "the recorder never offers; offer to it")
            if isinstance(message, p.Ice):
                candidate = message.candidate or None  # empty: the end of candidates
                await bridge.add_ice(
                    seat.peer_id, candidate, message.sdp_mid, message.sdp_mline_index
                )
                return
            if seat.peer_id in self._offered:
                # A new offer (reload, ICE restart): the recorder starts a fresh connection.
                await bridge.leave(seat.peer_id)
            self._offered.add(seat.peer_id)
            answer = await bridge.offer(seat.peer_id, message.sdp)
        except SignalingError:
            raise
        except Exception:
            log.exception("room %s: the recorder failed a relay", self.hearing_id)
            raise RoomError("recorder.failed", "the recorder could not take this") from None
        if seat.conn is not None and self._bridge is bridge:
            seat.conn.send({"type": "answer", "from": self.peer_id, "sdp": answer})

    # --- background ------------------------------------------------------------------------

    async def _append(self, event: str, fields: dict[str, Any]) -> None:
        for delay in (*_RETRY_SECONDS, None):
            try:
                await self._sink.append(self.hearing_id, event, SYSTEM, fields)
                return
            except Exception:
                log.exception("room %s: appending %s failed", self.hearing_id, event)
                if delay is None:
                    raise
                await asyncio.sleep(delay)

    async def _append_segments(self, bridge: RecorderBridge) -> None:
        async for fields in bridge.segments():
            await self._append(SEGMENT_EVENT, dict(fields))

    async def _leave(self, bridge: RecorderBridge, peer_id: str) -> None:
        try:
            await bridge.leave(peer_id)
        except Exception as exc:
            log.warning("room %s: recorder leave %s: %s", self.hearing_id, peer_id, exc)

    async def _finish(self, bridge: RecorderBridge, pump: asyncio.Task[None]) -> None:
        try:
            summary = await bridge.stop()
        except Exception:
            log.exception("room %s: the recording did not finish", self.hearing_id)
            await pump
            await self._append(
                "recording.failed", {"recording": bridge.recording_id, "code": "recording.failed"}
            )
            return
        await pump
        await self._append("recording.finished", dict(summary))
