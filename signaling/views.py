"""Server messages that describe the room: who is there, who waits, what state it is in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from signaling.protocol import ServerMessage
from signaling.seat import Seat

# A participant renegotiating many times must not grow everybody's room_state without bound.
MAX_SHOWN_FINGERPRINTS = 8


def peer_view(seat: Seat) -> dict[str, Any]:
    return {"peer": seat.peer_id, "role": seat.role.value, "name": seat.name}


def peer_joined(seat: Seat, *, initiate: bool, resumed: bool = False) -> ServerMessage:
    # `initiate`: the receiver makes the offer. The newcomer initiates, so that everyone present
    # simply answers; on `resumed` the receiver drops its old connection with that peer first.
    return {"type": "peer_joined", **peer_view(seat), "initiate": initiate, "resumed": resumed}


def peer_left(seat: Seat, reason: str) -> ServerMessage:
    return {"type": "peer_left", "peer": seat.peer_id, "reason": reason}


def peer_reconnecting(seat: Seat) -> ServerMessage:
    return {"type": "peer_reconnecting", "peer": seat.peer_id}


def lobby(waiting: Iterable[Seat]) -> ServerMessage:
    return {
        "type": "lobby",
        "waiting": [
            {**peer_view(seat), "connected": seat.connected, "confirmed": seat.confirmed}
            for seat in waiting
        ],
    }


def participant(seat: Seat) -> dict[str, Any]:
    return {
        **peer_view(seat),
        "connected": seat.connected,
        "confirmed": seat.confirmed,
        "fingerprints": sorted(seat.fingerprints)[:MAX_SHOWN_FINGERPRINTS],
    }


def waiting_state(state: str) -> ServerMessage:
    """What someone in the lobby learns: only that they wait, never who else is there."""
    return {"type": "room_state", "state": state, "seat": "lobby"}
