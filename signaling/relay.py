"""Relaying offers, answers and ICE candidates between the admitted peers of a room.

Relaying needs neither the room's lock nor the audit log, with one exception: the first time a
DTLS fingerprint is seen in an offer or answer, it is recorded (under the room's lock, awaited)
before the SDP is passed on, so the log names every key that ever carried the hearing's media.
A message to the recorder goes to the recorder; anyone else must hold an admitted, connected seat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from signaling import protocol as p
from signaling.errors import RoomError
from signaling.permissions import Action, check
from signaling.recorder_seat import RecorderSeat
from signaling.roster import Roster
from signaling.seat import Seat
from signaling.states import State

RELAYED = frozenset({Action.OFFER, Action.ANSWER, Action.ICE})


class Relay:
    def __init__(
        self,
        roster: Roster,
        recorder: RecorderSeat,
        lock: asyncio.Lock,
        *,
        state: Callable[[], State],
        audit: Callable[..., Awaitable[int]],
        announce: Callable[[], None],
    ) -> None:
        self._roster = roster
        self._recorder = recorder
        self._lock = lock
        self._state = state
        self._audit = audit
        self._announce = announce

    async def relay(self, seat: Seat, action: Action, message: p.ClientMessage) -> None:
        assert isinstance(message, p.Offer | p.Answer | p.Ice)
        check(action, seat.role, seat.admitted, self._state())
        self._check_target(seat, message.to)
        if isinstance(message, p.Offer | p.Answer):
            new = [fp.as_text() for fp in message.summary.fingerprints]
            new = [fp for fp in new if fp not in seat.fingerprints]
            if new:
                await self._record_fingerprints(seat, action, message.to, new)
        if self._recorder.addresses(message.to):
            await self._recorder.relay(seat, message)
            return
        target = self.target(seat, message.to)
        assert target.conn is not None
        target.conn.send(p.relay_message(message, seat.peer_id))

    async def _record_fingerprints(
        self, seat: Seat, action: Action, to: str, new: list[str]
    ) -> None:
        async with self._lock:
            # Checked again: the room may have changed while this waited for the lock.
            check(action, seat.role, seat.admitted, self._state())
            self._check_target(seat, to)
            await self._audit(
                "media.fingerprint",
                seat.participant_id,
                peer=seat.peer_id,
                role=seat.role.value,
                to=to,
                sdp_type=action.value,
                fingerprints=new,
            )
            seat.fingerprints.update(new)
            self._announce()

    def _check_target(self, seat: Seat, peer_id: str) -> None:
        if not self._recorder.addresses(peer_id):
            self.target(seat, peer_id)

    def target(self, seat: Seat, peer_id: str) -> Seat:
        target = self._roster.peer(peer_id)
        # A peer in the lobby is reported exactly like a peer that does not exist, so that
        # nobody can probe who is waiting.
        if target is None or target is seat or not target.admitted:
            raise RoomError("peer.unknown", "no admitted peer has this id")
        if target.conn is None:
            raise RoomError("peer.unavailable", "this peer is reconnecting")
        return target
