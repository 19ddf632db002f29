"""Who is in a room: seats by participant, by peer id and by connection, and sending to them.

The room decides; the roster keeps the three indexes consistent and knows who may hear what
(admitted participants hear the room; only judges hear the lobby).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from signaling import views
from signaling.protocol import Role, ServerMessage
from signaling.seat import Connection, Seat
from signaling.states import SeatState


class Roster:
    def __init__(self) -> None:
        self._seats: dict[str, Seat] = {}  # by participant id
        self._peers: dict[str, Seat] = {}  # by peer id
        self._conns: dict[str, Seat] = {}  # by connection id

    def __iter__(self) -> Iterator[Seat]:
        return iter(self._seats.values())

    def add(self, seat: Seat) -> None:
        self._seats[seat.participant_id] = seat
        self._peers[seat.peer_id] = seat

    def seat(self, participant_id: str) -> Seat | None:
        return self._seats.get(participant_id)

    def peer(self, peer_id: str) -> Seat | None:
        return self._peers.get(peer_id)

    def holder(self, conn: Connection) -> Seat | None:
        return self._conns.get(conn.conn_id)

    @property
    def idle(self) -> bool:
        """No one connected and no seat waiting for its holder to come back."""
        return not self._conns and not any(s.grace for s in self._seats.values())

    def attach(self, seat: Seat, conn: Connection) -> Connection | None:
        """Put `conn` into the seat; return the connection it replaces, if any."""
        old = seat.conn
        if old is not None:
            self._conns.pop(old.conn_id, None)
        seat.conn = conn
        self._conns[conn.conn_id] = seat
        return old

    def detach(self, conn: Connection) -> Seat | None:
        """Forget a connection; return its seat if the connection still held it."""
        seat = self._conns.pop(conn.conn_id, None)
        if seat is None or seat.conn is not conn:
            return None
        seat.conn = None
        return seat

    def release_all(self) -> list[Connection]:
        """Detach every connection (the room closes or moves); return them to be closed."""
        conns = [seat.conn for seat in self._conns.values() if seat.conn is not None]
        for seat in self._seats.values():
            seat.conn = None
            seat.cancel_grace()
        self._conns.clear()
        return conns

    def present(self) -> set[str]:
        """Participant ids holding an admitted seat (connected or reconnecting)."""
        return {pid for pid, seat in self._seats.items() if seat.admitted}

    def send_admitted(self, message: ServerMessage, *, role: Role | None = None) -> None:
        for seat in self._seats.values():
            if seat.admitted and seat.conn is not None and role in (None, seat.role):
                seat.conn.send(message)

    def send_each_admitted(self, message_for: Callable[[Seat], ServerMessage]) -> None:
        """Send each admitted seat its own message (what it may see depends on its role)."""
        for seat in self._seats.values():
            if seat.admitted and seat.conn is not None:
                seat.conn.send(message_for(seat))

    def lobby_message(self) -> ServerMessage:
        return views.lobby(s for s in self._seats.values() if s.state is SeatState.LOBBY)

    def lobby_changed(self) -> None:
        self.send_admitted(self.lobby_message(), role=Role.JUDGE)

    def introduce(self, seat: Seat, *, resumed: bool) -> None:
        """Tell a newly admitted (or returning) seat who is here, and them about it."""
        if seat.conn is None:
            return
        for other in self._seats.values():
            if other is seat or not other.admitted or other.conn is None:
                continue
            seat.conn.send(views.peer_joined(other, initiate=True))
            other.conn.send(views.peer_joined(seat, initiate=False, resumed=resumed))
        if seat.role is Role.JUDGE:
            seat.conn.send(self.lobby_message())

    def participants_view(self) -> list[dict[str, Any]]:
        return [views.participant(seat) for seat in self._seats.values() if seat.admitted]

    def presence(self) -> dict[str, dict[str, Any]]:
        return {
            seat.peer_id: {
                "participant": seat.participant_id,
                "role": seat.role.value,
                "name": seat.name,
                "seat": seat.state.value,
                "connected": seat.connected,
            }
            for seat in self._seats.values()
            if seat.active
        }
