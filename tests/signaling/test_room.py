from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from signaling.errors import (
    CLOSE_EXCLUDED,
    CLOSE_NORMAL,
    CLOSE_REPLACED,
    AuditUnavailable,
    AuthError,
    PermissionDenied,
    RoomError,
    SignalingError,
)
from signaling.protocol import DocumentType, MetBy, Ping, Role
from signaling.services import ConditionRecord, Identity, RecordingRule
from tests.signaling.memory import HEARING_CONDITIONS, hearing
from tests.signaling.roomkit import Inbox, Kit

SDP = (Path(__file__).parent / "vectors" / "aiortc-offer.sdp").read_bytes().decode("ascii")


async def code_of(kit: Kit, pid: str, message: Mapping[str, Any]) -> str:
    with pytest.raises(SignalingError) as caught:
        await kit.send(pid, message)
    return caught.value.code


async def test_lobby_admission_and_introductions() -> None:
    kit = Kit()
    judge = await kit.join("judge-1")
    assert judge.last("welcome")["seat"] == "admitted"
    witness = await kit.join("witness-1")
    assert witness.last("welcome")["seat"] == "lobby"
    assert witness.last("room_state") == {"type": "room_state", "state": "lobby", "seat": "lobby"}
    waiting = judge.last("lobby")["waiting"]
    assert [(w["peer"], w["role"]) for w in waiting] == [(witness.peer, "witness")]

    await kit.admit("witness-1")
    assert kit.room.state.value == "session"
    assert judge.last("lobby")["waiting"] == []
    joined = witness.last("peer_joined")
    assert (joined["peer"], joined["initiate"]) == (judge.peer, True)
    assert judge.last("peer_joined")["peer"] == witness.peer
    assert judge.last("peer_joined")["initiate"] is False
    state = witness.last("room_state")
    assert state["seat"] == "admitted"
    assert {p["peer"] for p in state["participants"]} == {judge.peer, witness.peer}
    # The witness never saw the lobby list, even while others waited.
    await kit.join("party-1")
    assert witness.of_type("lobby") == []
    assert kit.audit.types() == [
        "participant.joined",
        "participant.joined",
        "participant.admitted",
        "participant.joined",
    ]


async def test_a_lobby_peer_looks_exactly_like_a_missing_one() -> None:
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("witness-1")
    waiting = await kit.join("party-1")
    to_lobby = await code_of(kit, "witness-1", {"type": "ice", "to": waiting.peer, "candidate": ""})
    to_nobody = await code_of(kit, "witness-1", {"type": "ice", "to": "p-forged", "candidate": ""})
    assert to_lobby == to_nobody == "peer.unknown"
    # Nor can someone in the lobby address anybody, or learn the lobby.
    judge_peer = kit.inboxes["judge-1"].peer
    message = {"type": "ice", "to": judge_peer, "candidate": ""}
    assert await code_of(kit, "party-1", message) == "perm.not_admitted"
    assert waiting.of_type("lobby") == [] and waiting.of_type("peer_joined") == []


async def test_relay_sets_from_and_records_each_new_fingerprint_once() -> None:
    kit = Kit()
    judge = await kit.join("judge-1")
    await kit.seat("witness-1")
    await kit.send("witness-1", {"type": "offer", "to": judge.peer, "sdp": SDP})
    offer = judge.last("offer")
    assert offer["from"] == kit.inboxes["witness-1"].peer and offer["sdp"] == SDP
    records = kit.audit.of_type("media.fingerprint")
    assert len(records) == 1
    assert records[0].actor == "witness-1"
    assert records[0].fields["to"] == judge.peer
    assert records[0].fields["fingerprints"][0].startswith("sha-256 EA:98:A2")
    await kit.send("witness-1", {"type": "offer", "to": judge.peer, "sdp": SDP})
    assert len(kit.audit.of_type("media.fingerprint")) == 1
    assert len(judge.of_type("offer")) == 2
    shown = judge.last("room_state")["participants"]
    witness_view = next(p for p in shown if p["role"] == "witness")
    assert witness_view["fingerprints"] == sorted(records[0].fields["fingerprints"])


async def test_testimony_needs_every_during_condition_met_by_an_allowed_present_role() -> None:
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("authority-1", "accused-1", "witness-1")
    start = {"type": "testimony", "action": "start"}
    assert await code_of(kit, "judge-1", start) == "testimony.conditions_unmet"
    # The wrong role cannot meet a condition, a before-stage one is not met in the room.
    identified = {
        "type": "condition",
        "condition": "C-AUTHORITY-ID",
        "method": "identity_document",
        "document_type": "passport",
        "details": "19FV54321",
    }
    assert await code_of(kit, "judge-1", identified) == "perm.condition_role"
    assert await code_of(kit, "witness-1", identified) == "perm.condition_role"
    await kit.send("authority-1", identified)
    assert await code_of(kit, "authority-1", identified) == "condition.already_met"
    notice = {"type": "condition", "condition": "C-NOTICE", "method": "other"}
    assert await code_of(kit, "judge-1", notice) == "condition.stage"
    unknown = {"type": "condition", "condition": "C-NOPE", "method": "other"}
    assert await code_of(kit, "judge-1", unknown) == "condition.unknown"
    await kit.meet("judge-1", "C-RIGHTS")
    with pytest.raises(RoomError) as caught:
        await kit.send("judge-1", start)
    assert caught.value.details == {"conditions": ["C-CONSENT"]}
    await kit.meet("accused-1", "C-CONSENT")
    await kit.send("judge-1", start)
    assert kit.room.state.value == "testimony"
    met = kit.audit.of_type("condition.met")[0]
    assert met.actor == "authority-1"
    assert met.fields["method"] == "identity_document"
    assert met.fields["document_type"] == "passport"
    state = kit.inboxes["witness-1"].last("room_state")
    assert state["testimony"] == "running"
    by_id = {c["id"]: c for c in state["conditions"]}
    # The witness learns that it was met and when, not who met it nor their note.
    assert set(by_id["C-AUTHORITY-ID"]["met"]) == {"at"}
    staff = {c["id"]: c for c in kit.inboxes["judge-1"].last("room_state")["conditions"]}
    assert staff["C-AUTHORITY-ID"]["met"]["role"] == "authority"
    assert staff["C-MINUTES"]["met"] is None


async def test_consent_withdrawal_ends_testimony_at_once_for_good() -> None:
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("authority-1", "accused-1")
    for pid, cid in [("authority-1", "C-AUTHORITY-ID"), ("judge-1", "C-RIGHTS")]:
        await kit.meet(pid, cid)
    await kit.meet("accused-1", "C-CONSENT")
    await kit.send("judge-1", {"type": "testimony", "action": "start"})
    await kit.send("accused-1", {"type": "consent_withdrawn", "note": "I stop here"})
    assert kit.room.state.value == "session"
    event = kit.audit.of_type("consent.withdrawn")[0]
    assert event.fields["testimony_stopped"] is True
    assert event.fields["lapsed_conditions"] == ["C-CONSENT"]
    start = {"type": "testimony", "action": "start"}
    assert await code_of(kit, "judge-1", start) == "testimony.consent_withdrawn"
    assert await code_of(kit, "accused-1", {"type": "consent_withdrawn"}) == (
        "consent.already_withdrawn"
    )


async def test_authority_stop_can_only_be_lifted_by_the_authority() -> None:
    kit = Kit(hearing(conditions=()))
    await kit.join("judge-1")
    await kit.seat("authority-1")
    await kit.send("judge-1", {"type": "testimony", "action": "start"})
    await kit.send("authority-1", {"type": "testimony", "action": "pause"})
    assert kit.room.state.value == "paused"
    assert kit.audit.of_type("testimony.paused")[0].fields["reason"] == "fundamental_principles"
    resume = {"type": "testimony", "action": "resume"}
    assert await code_of(kit, "judge-1", resume) == "perm.authority_stop"
    await kit.send("authority-1", resume)
    assert kit.room.state.value == "testimony"


@pytest.mark.parametrize("rule", [RecordingRule.PROHIBITED, RecordingRule.UNKNOWN])
async def test_recording_refused_unless_lawful(rule: RecordingRule) -> None:
    kit = Kit(hearing(recording=rule))
    await kit.join("judge-1")
    await kit.seat("witness-1")
    with pytest.raises(RoomError) as caught:
        await kit.send("judge-1", {"type": "recording", "action": "start"})
    assert caught.value.code == "recording.unlawful"
    assert caught.value.details == {"rule": rule.value}
    assert kit.audit.of_type("recording.started") == []


async def test_mandatory_recording_gates_testimony() -> None:
    kit = Kit(hearing(conditions=(), recording=RecordingRule.MANDATORY))
    await kit.join("judge-1")
    await kit.seat("witness-1")
    start = {"type": "testimony", "action": "start"}
    assert await code_of(kit, "judge-1", start) == "testimony.recording_required"
    await kit.send("judge-1", {"type": "recording", "action": "start"})
    await kit.send("judge-1", start)
    stop = {"type": "recording", "action": "stop"}
    assert await code_of(kit, "judge-1", stop) == "recording.mandatory"
    assert kit.inboxes["witness-1"].last("room_state")["recording"] == {
        "rule": "mandatory",
        "active": True,
    }


async def test_committed_before_acknowledged() -> None:
    kit = Kit()
    judge = await kit.join("judge-1")
    witness = await kit.join("witness-1")
    gate = asyncio.Event()
    kit.audit.gate = gate
    admitting = asyncio.create_task(kit.admit("witness-1"))
    await asyncio.sleep(0.01)
    assert not admitting.done()
    assert witness.of_type("peer_joined") == [] and judge.of_type("peer_joined") == []
    assert kit.room.state.value == "lobby"
    gate.set()
    await admitting
    assert witness.of_type("peer_joined") and kit.audit.types()[-1] == "participant.admitted"


async def test_audit_outage_changes_nothing() -> None:
    kit = Kit()
    judge = await kit.join("judge-1")
    await kit.join("witness-1")
    sent_before = len(judge.messages)
    kit.audit.failing = True
    with pytest.raises(AuditUnavailable):
        await kit.admit("witness-1")
    assert kit.room.state.value == "lobby"
    assert len(judge.messages) == sent_before
    kit.audit.failing = False
    await kit.admit("witness-1")
    assert kit.room.state.value == "session"


async def test_deny_and_remove_close_with_4003_and_revoke_resume() -> None:
    kit = Kit()
    judge = await kit.join("judge-1")
    party = await kit.join("party-1")
    await kit.send("judge-1", {"type": "deny", "peer": party.peer, "reason": "unknown person"})
    assert party.closed == (CLOSE_EXCLUDED, "denied")
    assert party.last("closed")["reason"] == "denied"
    with pytest.raises(AuthError) as caught:
        await kit.resume(party.resume)
    assert caught.value.code == "auth.revoked"
    await kit.seat("witness-1")
    witness = kit.inboxes["witness-1"]
    await kit.send("judge-1", {"type": "remove", "peer": witness.peer})
    assert witness.closed == (CLOSE_EXCLUDED, "removed")
    assert judge.last("peer_left") == {
        "type": "peer_left",
        "peer": witness.peer,
        "reason": "removed",
    }
    me = {"type": "remove", "peer": judge.peer}
    assert await code_of(kit, "judge-1", me) == "room.self"
    assert kit.audit.types()[-1] == "participant.removed"


async def test_reconnection_within_grace_keeps_the_seat() -> None:
    kit = Kit(grace=5.0)
    judge = await kit.join("judge-1")
    await kit.seat("witness-1")
    witness = kit.inboxes["witness-1"]
    peer, token = witness.peer, witness.resume
    await kit.room.disconnected(witness)
    assert judge.last("peer_reconnecting") == {"type": "peer_reconnecting", "peer": peer}
    ice = {"type": "ice", "to": peer, "candidate": ""}
    assert await code_of(kit, "judge-1", ice) == "peer.unavailable"

    back = await kit.resume(token)
    assert back.last("welcome")["peer"] == peer
    assert back.last("welcome")["seat"] == "admitted"
    assert back.last("welcome")["resume"] != token
    assert back.last("peer_joined")["initiate"] is True
    rejoined = judge.last("peer_joined")
    assert rejoined["peer"] == peer and rejoined["resumed"] is True
    assert "participant.admitted" not in kit.audit.types()[-2:]
    # The token worked once.
    with pytest.raises(AuthError) as caught:
        await kit.resume(token)
    assert caught.value.code == "auth.replayed"


async def test_grace_expiry_frees_the_seat_and_lapses_its_conditions() -> None:
    kit = Kit(hearing(conditions=hearing().conditions[1:2]), grace=0.05)
    await kit.join("judge-1")
    await kit.seat("authority-1", "witness-1")
    await kit.meet("authority-1", "C-AUTHORITY-ID")
    await kit.send("judge-1", {"type": "testimony", "action": "start"})
    authority = kit.inboxes["authority-1"]
    await kit.room.disconnected(authority)
    assert kit.room.state.value == "testimony"  # the grace period is not yet over
    await asyncio.sleep(0.2)
    assert kit.room.state.value == "paused"
    left = kit.audit.of_type("participant.left")[0]
    assert left.actor == "system"
    assert left.fields["reason"] == "timeout"
    assert left.fields["lapsed_conditions"] == ["C-AUTHORITY-ID"]
    assert left.fields["testimony_paused"] is True
    judge = kit.inboxes["judge-1"]
    assert judge.last("peer_left") == {
        "type": "peer_left",
        "peer": authority.peer,
        "reason": "timeout",
    }
    assert judge.last("room_state")["paused_by"] == "system"
    # Back after the grace period: through the lobby again, same peer id.
    back = await kit.resume(authority.resume)
    assert back.last("welcome")["seat"] == "lobby"


async def test_a_second_hello_replaces_the_first_connection() -> None:
    kit = Kit()
    first = await kit.join("judge-1")
    second = await kit.join("judge-1")
    assert first.closed == (CLOSE_REPLACED, "replaced")
    assert second.peer == first.peer
    with pytest.raises(RoomError):
        await kit.room.handle(first, Ping(None, None))


async def test_only_participants_of_this_hearing_get_in() -> None:
    kit = Kit()
    await kit.join("judge-1")
    stranger = Identity("h-1", "nobody", Role.WITNESS, "Nobody")
    wrong_role = Identity("h-1", "witness-1", Role.JUDGE, "Witness claims judge")
    other = Identity("h-2", "witness-1", Role.WITNESS, "Witness One")
    for bad, code in [
        (stranger, "auth.not_participant"),
        (wrong_role, "auth.not_participant"),
        (other, "auth.wrong_hearing"),
    ]:
        inbox = Inbox()
        with pytest.raises(AuthError) as caught:
            await kit.room.join(inbox, bad)
        assert caught.value.code == code
        assert inbox.messages == []


async def test_end_closes_everyone_and_the_room() -> None:
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("witness-1")
    waiting = await kit.join("party-1")
    await kit.send("judge-1", {"type": "end", "reason": "done"})
    for inbox in kit.inboxes.values():
        assert inbox.closed == (CLOSE_NORMAL, "ended")
        assert inbox.last("closed")["reason"] == "ended"
    assert waiting.closed == (CLOSE_NORMAL, "ended")
    with pytest.raises(RoomError) as caught:
        await kit.join("witness-2")
    assert caught.value.code == "room.closed"
    assert kit.audit.types()[-1] == "hearing.ended"


async def test_conditions_restored_after_a_restart_count_once_their_holder_is_back() -> None:
    record = ConditionRecord(
        "C-AUTHORITY-ID",
        "authority-1",
        Role.AUTHORITY,
        MetBy.IDENTITY_DOCUMENT,
        DocumentType.NATIONAL_ID,
    )
    info = replace(hearing(conditions=hearing().conditions[1:2]), conditions_met=(record,))
    kit = Kit(info)
    await kit.join("judge-1")
    await kit.seat("witness-1")
    start = {"type": "testimony", "action": "start"}
    assert await code_of(kit, "judge-1", start) == "testimony.conditions_unmet"
    await kit.seat("authority-1")
    await kit.send("judge-1", start)
    assert kit.room.state.value == "testimony"


def utc(value: str) -> datetime:
    """An RFC 3339 UTC time in the audit log's format (microseconds, `Z`)."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", value), value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


async def test_room_state_says_when_each_condition_was_met() -> None:
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("authority-1")
    before = datetime.now(UTC)
    await kit.meet("authority-1", "C-AUTHORITY-ID")
    after = datetime.now(UTC)
    # Everyone sees the same time, including someone who comes in later.
    late = await kit.join("witness-1")
    await kit.admit("witness-1")
    seen = [
        {c["id"]: c["met"] for c in inbox.last("room_state")["conditions"]}
        for inbox in (kit.inboxes["judge-1"], kit.inboxes["authority-1"], late)
    ]
    assert seen[0] == seen[1]
    # The witness (not staff) sees only when, the same time.
    assert seen[2]["C-AUTHORITY-ID"] == {"at": seen[0]["C-AUTHORITY-ID"]["at"]}
    met = seen[0]["C-AUTHORITY-ID"]
    assert met["participant"] == "authority-1" and met["method"] == "observation"
    # Recorded once the event was written, by the room's clock: within this test's window.
    assert before - timedelta(seconds=1) <= utc(met["at"]) <= after + timedelta(seconds=1)
    assert seen[0]["C-RIGHTS"] is None


async def test_a_restored_condition_keeps_the_time_it_was_met() -> None:
    dated = ConditionRecord(
        "C-AUTHORITY-ID",
        "authority-1",
        Role.AUTHORITY,
        MetBy.OBSERVATION,
        at="2026-03-02T09:15:07.250000Z",
    )
    undated = ConditionRecord("C-RIGHTS", "judge-1", Role.JUDGE, MetBy.ORAL_DECLARATION)
    info = replace(hearing(), conditions_met=(dated, undated))
    kit = Kit(info)
    judge = await kit.join("judge-1")
    by_id = {c["id"]: c["met"] for c in judge.last("room_state")["conditions"]}
    assert by_id["C-AUTHORITY-ID"]["at"] == "2026-03-02T09:15:07.250000Z"
    assert by_id["C-AUTHORITY-ID"]["name"] == "Authority One"
    # A directory that does not know the time restores the condition without one.
    assert by_id["C-RIGHTS"]["at"] is None


async def test_ping_answers_even_in_the_lobby() -> None:
    kit = Kit()
    await kit.join("judge-1")
    party = await kit.join("party-1")
    await kit.send("party-1", {"type": "ping", "nonce": "n7"})
    assert party.last("pong") == {"type": "pong", "nonce": "n7"}
    with pytest.raises(PermissionDenied):
        await kit.send("party-1", {"type": "end"})


async def test_participants_read_the_conditions_in_plain_language_and_staff_as_the_law_says() -> (
    None
):
    kit = Kit()
    await kit.join("judge-1")
    await kit.seat("authority-1", "witness-1", "accused-1")
    await kit.meet("authority-1", "C-AUTHORITY-ID")
    for staff in ("judge-1", "authority-1"):
        conditions = kit.inboxes[staff].last("room_state")["conditions"]
        assert [c["id"] for c in conditions] == [c.id for c in HEARING_CONDITIONS]
        assert conditions[1]["text"] == "text of C-AUTHORITY-ID"
        assert conditions[1]["citation"] == "citation of C-AUTHORITY-ID"
    for person in ("witness-1", "accused-1"):
        state = kit.inboxes[person].last("room_state")
        # Only what happens in the room, in every language the texts exist in.
        assert state["conditions"] == [
            {
                "id": cid,
                "stage": "during",
                "satisfied_by": roles,
                "plain": {"en": f"plain English of {cid}", "fr": f"texte clair de {cid}"},
                "citation": f"public citation of {cid}",
                "met": met,
            }
            for cid, roles, met in (
                ("C-AUTHORITY-ID", ["authority"], {"at": state["conditions"][0]["met"]["at"]}),
                ("C-RIGHTS", ["authority", "judge"], None),
                ("C-CONSENT", ["accused"], None),
            )
        ]
        assert "text of" not in json.dumps(state)
