"""A room rebuilt from the real log on SQLite and PostgreSQL: it shows the conditions met before
the hearing as met (issue 13 point 7), keeps an authority's stop the last room saw, and the
sealed log says which `after` conditions were left open (point 12)."""

from __future__ import annotations

import json

from signaling.credentials import ResumeTokens
from signaling.protocol import Role
from signaling.room import Room, RoomSettings
from signaling.services import Identity
from tests.closing.story import closed_hearing
from tests.hearings.conftest import desk  # noqa: F401  (the fixture, on both databases)
from tests.hearings.kit import Court
from tests.hearings.test_gateway import gateway, open_hearing
from tests.signaling.memory import MemoryAudit
from tests.signaling.roomkit import Inbox
from vc_service.closing.sealing import close_and_seal


async def test_a_rebuilt_room_shows_the_before_conditions_met_and_keeps_the_authoritys_stop(
    desk: Court,  # noqa: F811
) -> None:
    record = await open_hearing(desk)
    judge, authority = record.participants[0], record.participants[2]
    doors = gateway(desk)
    before = [
        c["id"] for c in record.hearing.legal_decision["conditions"] if c["stage"] == "before"
    ]
    assert before, "the test hearing has conditions to meet before the lobby opens"

    await doors.append(record.id, "testimony.started", judge.id, {"reason": "judge"})
    await doors.append(
        record.id, "testimony.paused", authority.id, {"reason": "fundamental_principles"}
    )
    info = await doors.load(record.id)
    assert info is not None and info.authority_stop
    assert [m.condition_id for m in info.met_before] == before
    assert {m.method for m in info.met_before} == {"recorded_by_judge"}
    assert info.conditions_met == ()

    room = Room(info, MemoryAudit(), RoomSettings(ResumeTokens(b"k" * 32, 3600)))
    inbox = Inbox()
    await room.join(inbox, Identity(record.id, judge.id, Role.JUDGE, judge.name))
    state = inbox.last("room_state")
    shown = {c["id"]: c["met"] for c in state["conditions"]}
    for cid in before:
        assert shown[cid] is not None, cid
        assert shown[cid]["name"] == desk.judge.viewer.actor()["name"]
        assert shown[cid]["method"] == "recorded_by_judge"
    assert state["paused_by"] == "authority"

    # The authority lifting its stop ends it for every later room; a judge's pause is no stop.
    await doors.append(
        record.id, "testimony.resumed", authority.id, {"reason": "fundamental_principles"}
    )
    await doors.append(record.id, "testimony.paused", judge.id, {"reason": "judge"})
    info = await doors.load(record.id)
    assert info is not None and not info.authority_stop


async def test_sealing_records_the_after_conditions_left_open(desk: Court) -> None:  # noqa: F811
    closed = await closed_hearing(desk)
    hid = closed.record.id
    after = [
        {"condition": c["id"], "satisfied_by": sorted(c["satisfied_by"])}
        for c in closed.record.hearing.legal_decision["conditions"]
        if c["stage"] == "after"
    ]
    assert [c["condition"] for c in after] == ["minutes.drawn_up"]
    await close_and_seal(desk.services, hid)
    events = [json.loads(raw) for raw in await desk.services.audit.events(hid)]
    assert events[-1]["type"] == "hearing.closed"
    assert events[-1]["left_open"] == after
