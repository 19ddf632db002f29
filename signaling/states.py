"""The two state enums of a live hearing: the room's and each participant's seat.

They live apart from the machines that drive them (`room.Room`, `seat.Seat`) because the
permission table is written in their terms too.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """The room: lobby -> session (someone admitted) -> testimony <-> paused -> closed."""

    LOBBY = "lobby"
    SESSION = "session"
    TESTIMONY = "testimony"
    PAUSED = "paused"
    CLOSED = "closed"


LIVE_STATES = frozenset({State.LOBBY, State.SESSION, State.TESTIMONY, State.PAUSED})


class SeatState(StrEnum):
    """A participant's place: waiting in the lobby, admitted, or gone (left, denied, removed)."""

    LOBBY = "lobby"
    ADMITTED = "admitted"
    GONE = "gone"
