"""The full matrix: every role x every action x every room state, against a real Room.

The expected outcome comes from the specification below, written out independently of
`signaling.permissions` (the issue's rules: a witness can never admit, record or see the lobby;
only the judge conducts; the authority may stop; the accused withdraws consent).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from signaling.errors import SignalingError
from signaling.protocol import Role
from signaling.services import Participant, RecordingRule, Stage
from tests.signaling.memory import condition, hearing
from tests.signaling.roomkit import Kit

ALL = frozenset(r.value for r in Role)
J = frozenset({"judge"})
JA = frozenset({"judge", "authority"})
LIVE = frozenset({"lobby", "session", "testimony", "paused"})
HEARING = frozenset({"session", "testimony", "paused"})
STATES = ("lobby", "session", "testimony", "paused", "closed")

SPEC: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "admit": (J, LIVE),
    "deny": (J, LIVE),
    "remove": (J, LIVE),
    "confirm_authority": (J, LIVE),
    "offer": (ALL, LIVE),
    "answer": (ALL, LIVE),
    "ice": (ALL, LIVE),
    "condition": (ALL, HEARING),
    "testimony.start": (J, frozenset({"session"})),
    "testimony.pause": (JA, frozenset({"testimony"})),
    # In session only to lift an authority's stop a rebuilt room inherited (test_conditions).
    "testimony.resume": (JA, frozenset({"session", "paused"})),
    "testimony.stop": (J, frozenset({"testimony", "paused"})),
    "consent_withdrawn": (frozenset({"accused"}), HEARING),
    "recording.start": (J, HEARING),
    "recording.stop": (J, HEARING),
    "end": (J, LIVE),
    "ping": (ALL, LIVE),
}

SDP = (Path(__file__).parent / "vectors" / "aiortc-offer.sdp").read_bytes().decode("ascii")
# C1 gates testimony and anyone may meet it; C2 is left for the probe to meet.
# authority-2 claimed its seat with its account and waits, unconfirmed, for the judge.
_BASE = hearing(
    conditions=(
        condition("C1", Stage.DURING, *Role),
        condition("C2", Stage.AFTER, *Role),
    ),
    recording=RecordingRule.ALLOWED,
)
MATRIX_HEARING = replace(
    _BASE,
    participants=(
        *_BASE.participants,
        Participant("authority-2", Role.AUTHORITY, "Authority Two", confirmed=False),
    ),
)


def expected(role: str, action: str, state: str) -> str | None:
    roles, states = SPEC[action]
    if state == "closed":
        return "room.not_seated"  # the end closed every connection
    admitted = role == "judge" or state != "lobby"
    if not admitted and action != "ping":
        return "perm.not_admitted"
    if role not in roles:
        return "perm.role"
    if state not in states:
        return "perm.state"
    if action == "testimony.resume" and state == "session":
        return "testimony.not_paused"  # no authority's stop to lift in this room
    return None


async def room_in(state: str, sender: str, action: str) -> Kit:
    """A room in `state` with `sender` seated (admitted unless the room is still in the lobby),
    an admitted target peer, and `party-2` waiting in the lobby."""
    kit = Kit(MATRIX_HEARING)
    await kit.join("judge-1")
    if state == "lobby":
        await kit.join("judge-2")  # the only kind of peer admitted while in the lobby
        if sender != "judge-1":
            await kit.join(sender)
    else:
        await kit.seat("witness-2")
        if sender != "judge-1":
            await kit.seat(sender)
        await kit.meet("judge-1", "C1")
        if action == "recording.stop":
            await kit.send("judge-1", {"type": "recording", "action": "start"})
        if state in ("testimony", "paused", "closed"):
            await kit.send("judge-1", {"type": "testimony", "action": "start"})
        if state == "paused":
            await kit.send("judge-1", {"type": "testimony", "action": "pause"})
    await kit.join("party-2")
    await kit.join("authority-2")
    if state == "closed":
        await kit.send("judge-1", {"type": "end"})
    assert kit.room.state.value == state
    return kit


def probe(kit: Kit, action: str, sender: str) -> dict[str, Any]:
    target = kit.inboxes["judge-2" if "judge-2" in kit.inboxes else "witness-2"].peer
    if target == kit.inboxes[sender].peer:
        target = kit.inboxes["judge-1"].peer
    kind, _, sub = action.partition(".")
    return {
        "admit": {"type": "admit", "peer": kit.inboxes["party-2"].peer},
        "deny": {"type": "deny", "peer": kit.inboxes["party-2"].peer},
        "remove": {"type": "remove", "peer": target},
        "confirm_authority": {"type": "confirm_authority", "peer": kit.inboxes["authority-2"].peer},
        "offer": {"type": "offer", "to": target, "sdp": SDP},
        "answer": {"type": "answer", "to": target, "sdp": SDP},
        "ice": {"type": "ice", "to": target, "candidate": ""},
        "condition": {"type": "condition", "condition": "C2", "method": "observation"},
        "testimony": {"type": "testimony", "action": sub},
        "consent_withdrawn": {"type": "consent_withdrawn"},
        "recording": {"type": "recording", "action": sub},
        "end": {"type": "end"},
        "ping": {"type": "ping"},
    }[kind]


@pytest.mark.parametrize("action", sorted(SPEC))
@pytest.mark.parametrize("role", sorted(ALL))
async def test_matrix(role: str, action: str) -> None:
    sender = f"{role}-1"
    for state in STATES:
        kit = await room_in(state, sender, action)
        before_events = len(kit.audit.events)
        message = probe(kit, action, sender)
        want = expected(role, action, state)
        if want is None:
            await kit.send(sender, message)
            audited = action not in ("ping", "ice")
            assert (len(kit.audit.events) > before_events) == audited, (state, action)
        else:
            with pytest.raises(SignalingError) as caught:
                await kit.send(sender, message)
            assert caught.value.code == want, (role, action, state)
            assert len(kit.audit.events) == before_events
            assert kit.room.state.value == state


def test_spec_covers_every_action() -> None:
    from signaling.permissions import PERMISSIONS

    assert {a.value for a in PERMISSIONS} == set(SPEC)
