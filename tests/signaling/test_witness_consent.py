"""A witness withdraws her consent where the legal decision makes it a condition (issue 13
point 3): testimony stops at once and her conditions lapse, as for an accused; where her consent
is no condition of the hearing the room refuses her."""

from __future__ import annotations

from signaling.protocol import Role
from signaling.services import Stage
from tests.signaling.memory import condition, hearing
from tests.signaling.roomkit import Kit
from tests.signaling.test_room import code_of

WITNESS_HEARING = (
    condition("C-AUTHORITY-ID", Stage.DURING, Role.AUTHORITY),
    condition("consent.person", Stage.DURING, Role.WITNESS),
)


async def test_a_witness_whose_consent_is_a_condition_withdraws_it() -> None:
    kit = Kit(hearing(conditions=WITNESS_HEARING))
    await kit.join("judge-1")
    await kit.seat("authority-1", "witness-1")
    await kit.meet("authority-1", "C-AUTHORITY-ID")
    await kit.send(
        "witness-1", {"type": "condition", "condition": "consent.person", "method": "own_click"}
    )
    await kit.send("judge-1", {"type": "testimony", "action": "start"})
    assert kit.room.state.value == "testimony"
    await kit.send("witness-1", {"type": "consent_withdrawn"})
    assert kit.room.state.value == "session"
    event = kit.audit.of_type("consent.withdrawn")[0]
    assert event.fields["testimony_stopped"] is True
    assert event.fields["lapsed_conditions"] == ["consent.person"]
    assert kit.inboxes["witness-1"].last("room_state")["consent_withdrawn"] is True
    start = {"type": "testimony", "action": "start"}
    assert await code_of(kit, "judge-1", start) == "testimony.consent_withdrawn"


async def test_a_witness_whose_consent_is_no_condition_cannot_withdraw_it() -> None:
    kit = Kit(hearing(conditions=(condition("C-AUTHORITY-ID", Stage.DURING, Role.AUTHORITY),)))
    await kit.join("judge-1")
    await kit.seat("witness-1")
    assert await code_of(kit, "witness-1", {"type": "consent_withdrawn"}) == "perm.role"
    assert kit.audit.of_type("consent.withdrawn") == []
