"""What the live hearing calls: signaling's Authenticator and HearingDirectory over the real
service, the life-cycle moves of the room, and the participant API over HTTP."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

import pytest

from signaling.credentials import ResumeTokens
from signaling.errors import AuthError
from signaling.protocol import DocumentType
from signaling.protocol import Role as SignalingRole
from signaling.room import Room, RoomSettings
from signaling.services import AuthRequest, ConditionRecord, Identity, RecordingRule, Stage
from tests.hearings.conftest import Login
from tests.hearings.kit import Court, draft_body, iso, slot
from tests.hearings.test_invitations import at, codes, during, invite, open_hearing, wrong
from tests.helpers import csrf_cookie
from tests.signaling.roomkit import Inbox
from vc_service.accounts.models import Role
from vc_service.errors import InvalidStateError
from vc_service.hearings.credentials import JoinRefused
from vc_service.hearings.gateway import RoomGateway
from vc_service.hearings.lifecycle import State
from vc_service.hearings.opening import SYSTEM
from vc_service.hearings.registry import RoomInfo
from vc_service.services import Services


def gateway(court: Court) -> RoomGateway:
    return RoomGateway(court.hearings, court.services.accounts)


async def test_hello_with_a_credential_or_with_token_and_code(lite: Court) -> None:
    record = await open_hearing(lite)
    issued = await invite(lite, record)
    at(lite, during(record))
    doors = gateway(lite)
    direct = await doors.authenticate(AuthRequest(record.id, token=issued.token, code=issued.code))
    assert direct.role is SignalingRole.WITNESS and direct.display_name == "Camille Martin"
    with pytest.raises(AuthError) as replay:
        await doors.authenticate(AuthRequest(record.id, token=issued.token, code=issued.code))
    assert replay.value.code == "auth.replayed"
    grant = await lite.hearings.join_with_account(lite.authority_fr.principal, record.id)
    seated = await doors.authenticate(AuthRequest(record.id, session=grant.credential))
    assert seated.role is SignalingRole.AUTHORITY and seated.hearing_id == record.id
    cases = [
        (AuthRequest(record.id, session=grant.credential), "auth.replayed"),
        (AuthRequest(record.id, session="something-else"), "auth.bad_session"),
        (AuthRequest(record.id, token="x" * 43, code="123456"), "auth.bad_token"),
        (AuthRequest(record.id), "auth.bad_session"),
    ]
    for request, code in cases:
        with pytest.raises(AuthError) as caught:
            await doors.authenticate(request)
        assert caught.value.code == code
    current = (await codes(lite, record))[0]
    with pytest.raises(AuthError) as bad_code:
        await doors.authenticate(AuthRequest(record.id, token=issued.token, code=wrong(current)))
    assert bad_code.value.code == "auth.bad_code"


async def test_the_directory_gives_conditions_recording_and_participants(lite: Court) -> None:
    record = await lite.create()
    info = await gateway(lite).load(record.id)
    assert info is not None and info.state == "scheduled" and not info.joinable
    assert [p.role for p in info.participants] == [
        SignalingRole.JUDGE, SignalingRole.WITNESS, SignalingRole.AUTHORITY,
        SignalingRole.INTERPRETER,
    ]  # fmt: skip
    during_ids = {c.id for c in info.conditions if c.stage is Stage.DURING}
    assert "identity.verified" in during_ids
    assert all(c.satisfied_by and c.citation for c in info.conditions)
    assert info.recording is RecordingRule.PROHIBITED  # recording was not requested
    assert await gateway(lite).load("no-such-hearing") is None


async def test_recording_in_the_room_follows_the_request_and_the_law(patched: Court) -> None:
    record = await patched.create(recording_requested=True, starts_at=iso(slot(hour=10)))
    info = await gateway(patched).load(record.id)
    assert info is not None and info.recording is RecordingRule.ALLOWED
    room = await patched.hearings.room_info(record.id)
    assert isinstance(room, RoomInfo) and room.recording_permitted and room.consent == "yes"


async def test_the_room_moves_the_life_cycle_with_its_events(lite: Court) -> None:
    hearings = lite.hearings
    record = await open_hearing(lite)
    actor = {"role": "judge", "id": lite.judge.principal.user_id, "name": "Judge Berlin"}
    assert await hearings.advance(record.id, State.IN_SESSION, actor) is State.OPEN
    assert await hearings.advance(record.id, State.IN_SESSION, actor) is State.IN_SESSION
    await hearings.advance(record.id, State.TESTIMONY, actor)
    with pytest.raises(InvalidStateError) as caught:
        await hearings.advance(record.id, State.SEALED, SYSTEM)
    assert "is testimony" in caught.value.message
    await hearings.advance(
        record.id, State.CLOSED, actor, event="hearing.closed", fields={"reason": "ended"}
    )
    await hearings.advance(record.id, State.SEALED, SYSTEM, event=None)
    events = await lite.events(record.id)
    moves = [(e.get("from"), e.get("to")) for e in events if "to" in e]
    assert moves[-4:] == [
        ("scheduled", "open"), ("open", "in_session"), ("in_session", "testimony"),
        ("testimony", "closed"),
    ]  # fmt: skip
    assert events[-1]["type"] == "hearing.closed" and events[-1]["reason"] == "ended"
    assert (await hearings.room_info(record.id) or pytest.fail()).state == "sealed"


async def test_a_participant_joins_over_http(login: Login, services: Services) -> None:
    judge = await login("judge", Role.JUDGE)
    response = await judge.client.post("/api/hearings", json=draft_body(), headers=judge.headers())
    created = await response.json()
    hid, witness = created["id"], created["participants"][1]["id"]
    base = f"/api/hearings/{hid}/participants/{witness}"
    issued = await (await judge.client.post(f"{base}/invitation", headers=judge.headers())).json()
    prefix = "data:image/svg+xml;base64,"
    assert issued["qr_svg"].startswith(prefix)
    assert b"<svg" in base64.b64decode(issued["qr_svg"][len(prefix) :])
    start = datetime.fromisoformat(created["starts_at"].replace("Z", "+00:00"))
    services.hearings.schedule.clock = lambda: start - timedelta(minutes=10)
    # The participant's browser: no account, the token in a header, the CSRF cookie.
    client = judge.client
    client.session.cookie_jar.clear()
    token = {"X-Invitation-Token": issued["token"]}
    info = await client.get(f"/api/invite/{hid}", headers=token)
    assert info.status == 200 and (await info.json())["participant"]["role"] == "witness"
    missing = await client.get(f"/api/invite/{hid}")
    assert (await missing.json())["error"]["code"] == "invitation.token_missing"
    ics = await client.get(f"/api/invite/{hid}/calendar.ics", headers=token)
    assert ics.status == 200 and ics.content_type == "text/calendar"
    csrf = await csrf_cookie(client)
    headers = {**token, "X-CSRF-Token": csrf}
    wrong = await client.post(f"/api/invite/{hid}/join", json={"code": "12345"}, headers=headers)
    assert wrong.status == 422
    joined = await client.post(
        f"/api/invite/{hid}/join", json={"code": issued["code"]}, headers=headers
    )
    grant = await joined.json()
    assert joined.status == 200, grant
    # The judge has not opened the waiting room: the room refuses the credential without using
    # it up, and the participant's page waits (the browser tests follow it into the room).
    assert grant["lobby_open"] is False
    assert grant["participant"]["id"] == witness
    with pytest.raises(JoinRefused) as early:
        await services.hearings.verify_join(hid, grant["credential"])
    assert early.value.code == "auth.not_open"


async def test_room_events_move_the_life_cycle_and_survive_a_restart(lite: Court) -> None:
    record = await open_hearing(lite)
    witness, authority = record.participants[1].id, record.participants[2].id
    doors = gateway(lite)

    async def state() -> str:
        info = await doors.load(record.id)
        assert info is not None
        return info.state

    seq = await doors.append(record.id, "participant.admitted", witness, {"by": "judge"})
    assert await state() == "in_session"
    met = {"condition": "identity.verified", "citation": "c", "stage": "during",
           "method": "identity_document", "document_type": "passport", "note": None}  # fmt: skip
    assert await doors.append(record.id, "condition.met", authority, met) == seq + 1
    present = {**met, "condition": "authority.present", "document_type": None}
    await doors.append(record.id, "condition.met", authority, present)
    # A fresh gateway (a restarted server) restores what the room had recorded.
    info = await gateway(lite).load(record.id)
    assert info is not None
    assert [(m.condition_id, m.participant_id, m.document_type) for m in info.conditions_met] == [
        ("identity.verified", authority, DocumentType.PASSPORT),
        ("authority.present", authority, None),
    ]
    left = {"lapsed_conditions": ["authority.present"], "testimony_paused": False}
    await doors.append(record.id, "participant.left", authority, left)
    await doors.append(record.id, "testimony.started", "system", {"reason": "judge"})
    assert await state() == "testimony"
    withdrawn: dict[str, Any] = {"note": None, "testimony_stopped": True, "lapsed_conditions": []}
    await doors.append(record.id, "consent.withdrawn", witness, withdrawn)
    info = await doors.load(record.id)
    assert info is not None and info.state == "in_session" and info.consent_withdrawn
    assert [m.condition_id for m in info.conditions_met] == ["identity.verified"]
    # Past the planned end the link still works while the hearing runs.
    issued = await invite(lite, record)
    at(lite, record.hearing.ends_at + timedelta(minutes=20))
    assert (await lite.hearings.joining.lookup(record.id, issued.token))["hearing"]["id"]
    await doors.append(record.id, "hearing.ended", "system", {"reason": "judge"})
    assert await state() == "closed"
    events = await lite.events(record.id)
    moves = [e["hearing_state"] for e in events if "hearing_state" in e]
    assert moves == [
        {"from": "open", "to": "in_session"}, {"from": "in_session", "to": "testimony"},
        {"from": "testimony", "to": "in_session"}, {"from": "in_session", "to": "closed"},
    ]  # fmt: skip
    assert events[-1]["actor"] == {"role": "system", "id": "vc-service", "name": "vc-service"}
    with pytest.raises(ValueError):
        await doors.append(record.id, "participant.left", "not-a-participant", {})


async def test_a_room_rebuilt_from_the_log_says_when_each_condition_was_met(lite: Court) -> None:
    record = await open_hearing(lite)
    judge, authority = record.participants[0], record.participants[2]
    doors = gateway(lite)
    met = {"condition": "identity.verified", "citation": "c", "stage": "during",
           "method": "identity_document", "document_type": "passport", "note": None}  # fmt: skip
    await doors.append(record.id, "condition.met", authority.id, met)
    present = {**met, "condition": "authority.present", "document_type": None}
    await doors.append(record.id, "condition.met", authority.id, present)
    written = {
        e["condition"]: e["ts"]
        for e in await lite.events(record.id)
        if e["type"] == "condition.met" and e["stage"] == "during"
    }
    assert list(written) == ["identity.verified", "authority.present"]
    # Another node, or this one after a restart, loads the hearing afresh.
    info = await gateway(lite).load(record.id)
    assert info is not None
    restored = {}
    for m in info.conditions_met:
        assert isinstance(m, ConditionRecord)
        restored[m.condition_id] = m.at
    assert restored == written
    # ... and the room it opens shows the judge those times, not when the room was rebuilt.
    settings = RoomSettings(ResumeTokens(b"k" * 32, 3600))
    room = Room(info, gateway(lite), settings)
    inbox = Inbox()
    seated = info.participant(judge.id)
    assert seated is not None and seated.role is SignalingRole.JUDGE
    identity = Identity(record.id, judge.id, seated.role, seated.display_name)
    await room.join(inbox, identity)
    conditions = {c["id"]: c["met"] for c in inbox.last("room_state")["conditions"]}
    for cid, ts in written.items():
        assert conditions[cid]["at"] == ts
        assert conditions[cid]["participant"] == authority.id
