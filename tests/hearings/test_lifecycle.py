"""The hearing state machine: every legal transition works, every other one names the state."""

from __future__ import annotations

import logging

import pytest

from vc_service.errors import InvalidStateError, ValidationFailed
from vc_service.hearings.lifecycle import (
    EDITABLE,
    TRANSITIONS,
    Lifecycle,
    State,
    parse_state,
)

HAPPY_PATH = [
    State.SCHEDULED,
    State.OPEN,
    State.IN_SESSION,
    State.TESTIMONY,
    State.IN_SESSION,
    State.TESTIMONY,
    State.CLOSED,
    State.SEALED,
]


def test_the_whole_life_of_a_hearing_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    machine = Lifecycle("h1", State.DRAFT)
    with caplog.at_level(logging.INFO, logger="vc_service.hearings.lifecycle"):
        for target in HAPPY_PATH:
            machine.to(target)
    assert machine.state is State.SEALED
    assert "hearing h1: draft -> scheduled" in caplog.text
    assert "hearing h1: closed -> sealed" in caplog.text


@pytest.mark.parametrize("start", list(State))
@pytest.mark.parametrize("target", list(State))
def test_every_pair_is_allowed_or_refused_naming_the_state(start: State, target: State) -> None:
    machine = Lifecycle("h2", start)
    if target in TRANSITIONS[start]:
        assert machine.to(target) is start
        assert machine.state is target
        return
    with pytest.raises(InvalidStateError) as caught:
        machine.to(target)
    assert caught.value.code == "hearing.invalid_transition"
    assert f"is {start.value}" in caught.value.message
    assert caught.value.details == {"state": start.value, "target": target.value}
    assert caught.value.status == 409
    assert machine.state is start  # nothing changed


def test_sealed_and_cancelled_are_final() -> None:
    assert TRANSITIONS[State.SEALED] == frozenset()
    assert TRANSITIONS[State.CANCELLED] == frozenset()
    # Once people are in the room a hearing can only end, never be cancelled.
    assert State.CANCELLED not in TRANSITIONS[State.IN_SESSION]
    assert State.CANCELLED not in TRANSITIONS[State.TESTIMONY]


def test_require_names_the_state_and_the_action() -> None:
    machine = Lifecycle("h3", State.OPEN)
    with pytest.raises(InvalidStateError) as caught:
        machine.require(EDITABLE, "reschedule")
    assert caught.value.code == "hearing.wrong_state"
    assert "is open; cannot reschedule" in caught.value.message
    Lifecycle("h3", State.DRAFT).require(EDITABLE, "reschedule")


def test_unknown_state_names_are_refused() -> None:
    assert parse_state("testimony") is State.TESTIMONY
    with pytest.raises(ValidationFailed) as caught:
        parse_state("adjourned")
    assert caught.value.code == "hearing.unknown_state"
