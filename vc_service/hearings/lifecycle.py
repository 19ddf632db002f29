"""The hearing's life cycle: one state enum, one transition table, one `_set_state()`. Pure.

    draft -> scheduled -> open (lobby) -> in_session -> testimony -> closed -> sealed
      |          |          |                 ^             |
      |          |          +--> closed       +-------------+   (testimony paused or ended)
      +----------+----------+--> cancelled

A hearing is created as a draft and becomes `scheduled` once the legal decision lets it; a
reschedule whose decision turns `unknown` sends it back to `draft` until a judge records the
legal review. The room drives `in_session` and `testimony`; the audit log seals a closed one.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from vc_service.errors import InvalidStateError, ValidationFailed

log = logging.getLogger(__name__)


class State(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    IN_SESSION = "in_session"
    TESTIMONY = "testimony"
    CLOSED = "closed"
    SEALED = "sealed"
    CANCELLED = "cancelled"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.SCHEDULED, State.CANCELLED}),
    State.SCHEDULED: frozenset({State.DRAFT, State.OPEN, State.CANCELLED}),
    State.OPEN: frozenset({State.IN_SESSION, State.CLOSED, State.CANCELLED}),
    State.IN_SESSION: frozenset({State.TESTIMONY, State.CLOSED}),
    State.TESTIMONY: frozenset({State.IN_SESSION, State.CLOSED}),
    State.CLOSED: frozenset({State.SEALED}),
    State.SEALED: frozenset(),
    State.CANCELLED: frozenset(),
}

# Times, venue and participants may change only before anybody has been let in.
EDITABLE = frozenset({State.DRAFT, State.SCHEDULED})
# Invitations can be issued once the legal decision allows the hearing, until it ends.
INVITABLE = frozenset({State.SCHEDULED, State.OPEN, State.IN_SESSION, State.TESTIMONY})
# An invitation's one-time code can be exchanged for a join credential in these states.
JOINABLE = frozenset({State.SCHEDULED, State.OPEN, State.IN_SESSION, State.TESTIMONY})
# A hearing in these states holds its judge, people and venue (conflict checks).
ACTIVE = frozenset({State.DRAFT, State.SCHEDULED, State.OPEN, State.IN_SESSION, State.TESTIMONY})


def parse_state(text: str) -> State:
    try:
        return State(text)
    except ValueError:
        known = ", ".join(state.value for state in State)
        raise ValidationFailed(
            f"unknown hearing state {text!r}; known states: {known}",
            code="hearing.unknown_state",
            details={"fields": {"state": f"must be one of {known}"}},
        ) from None


class Lifecycle:
    """The state machine of one hearing. Guards raise `InvalidStateError` naming the state."""

    def __init__(self, hearing_id: str, state: State) -> None:
        self.hearing_id = hearing_id
        self._state = state

    @property
    def state(self) -> State:
        return self._state

    def can(self, target: State) -> bool:
        return target in TRANSITIONS[self._state]

    def to(self, target: State) -> State:
        """Move to `target`; returns the previous state."""
        if not self.can(target):
            allowed = ", ".join(sorted(s.value for s in TRANSITIONS[self._state])) or "none"
            raise InvalidStateError(
                f"hearing {self.hearing_id} is {self._state.value}; it cannot become "
                f"{target.value} (allowed from {self._state.value}: {allowed})",
                code="hearing.invalid_transition",
                details={"state": self._state.value, "target": target.value},
            )
        previous = self._state
        self._set_state(target)
        return previous

    def require(self, allowed: frozenset[State], action: str) -> None:
        """Refuse `action` unless the hearing is in one of `allowed`."""
        if self._state not in allowed:
            wanted = ", ".join(sorted(s.value for s in allowed))
            raise InvalidStateError(
                f"hearing {self.hearing_id} is {self._state.value}; "
                f"cannot {action} (only when {wanted})",
                code="hearing.wrong_state",
                details={"state": self._state.value, "action": action},
            )

    def _set_state(self, state: State) -> None:
        log.info("hearing %s: %s -> %s", self.hearing_id, self._state.value, state.value)
        self._state = state
