"""A participant's seat in a room, and the connection through which they hold it.

The seat outlives its connection: when the socket drops the seat stays (reconnecting) for the
grace period, and a resume puts a new connection into the same seat, with the same peer id.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Protocol

from signaling.errors import RoomError
from signaling.protocol import Role, ServerMessage
from signaling.states import SeatState

log = logging.getLogger(__name__)


class Connection(Protocol):
    """One client's socket, local or on another node. Sending never blocks and never raises:
    a slow or dead client must not stall the room."""

    @property
    def conn_id(self) -> str: ...

    # The client's network address as this service saw it ("" if unknown): the minutes say
    # who connected from where.
    @property
    def remote(self) -> str: ...

    def send(self, message: ServerMessage) -> None: ...

    def close(self, code: int, reason: str) -> None: ...


_ALLOWED: dict[SeatState, frozenset[SeatState]] = {
    SeatState.LOBBY: frozenset({SeatState.ADMITTED, SeatState.GONE}),
    SeatState.ADMITTED: frozenset({SeatState.GONE}),
    SeatState.GONE: frozenset({SeatState.LOBBY, SeatState.ADMITTED}),
}


def new_peer_id() -> str:
    return "p-" + secrets.token_urlsafe(12)


class Seat:
    def __init__(
        self, participant_id: str, role: Role, name: str, nonce: str, state: SeatState
    ) -> None:
        self.participant_id = participant_id
        self.peer_id = new_peer_id()
        self.role = role
        self.name = name
        self.nonce = nonce
        self._state = state
        self.conn: Connection | None = None
        # Why the seat was lost: "left", "denied", "removed", "timeout"; resume refuses the first
        # three because the judge decided.
        self.gone_reason: str | None = None
        self.grace: asyncio.TimerHandle | None = None
        self.fingerprints: set[str] = set()
        # False until the judge confirms an authority who claimed an unnamed seat.
        self.confirmed = True

    def __repr__(self) -> str:
        return f"<Seat {self.peer_id} {self.role.value} {self._state.value}>"

    @property
    def state(self) -> SeatState:
        return self._state

    @property
    def active(self) -> bool:
        return self._state is not SeatState.GONE

    @property
    def admitted(self) -> bool:
        return self._state is SeatState.ADMITTED

    @property
    def connected(self) -> bool:
        return self.conn is not None

    def _set_state(self, new: SeatState) -> None:
        if new not in _ALLOWED[self._state]:
            raise RoomError(
                "seat.invalid_transition",
                f"the seat is {self._state.value}; it cannot become {new.value}",
            )
        log.info("seat %s: %s -> %s", self.peer_id, self._state.value, new.value)
        self._state = new

    def admit(self) -> None:
        self._set_state(SeatState.ADMITTED)

    def leave(self, reason: str) -> None:
        self._set_state(SeatState.GONE)
        self.gone_reason = reason
        self.cancel_grace()

    def return_to(self, state: SeatState) -> None:
        self._set_state(state)
        self.gone_reason = None

    def cancel_grace(self) -> None:
        if self.grace is not None:
            self.grace.cancel()
            self.grace = None
