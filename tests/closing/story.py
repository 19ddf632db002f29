"""A closed hearing with a real log: scheduled, opened, the room's events through the real
gateway (joins, admissions, fingerprints, conditions, an interruption, testimony), then ended."""

from __future__ import annotations

from dataclasses import dataclass

from tests.hearings.kit import Court
from tests.hearings.test_gateway import gateway, open_hearing
from vc_service.hearings.lifecycle import State
from vc_service.hearings.views import HearingRecord

HOSTILE = '<script>alert("x")</script> & Zoë Łukasiewicz'
# Documentation addresses (RFC 5737, RFC 3849): where the participants connected from.
ADDRESS = "192.0.2.10"
MOVED = "2001:db8::7"
FINGERPRINT = "sha-256 " + ":".join(["AB"] * 32)


@dataclass
class Closed:
    record: HearingRecord
    judge: str
    witness: str
    authority: str


async def closed_hearing(court: Court, ended: bool = True) -> Closed:
    record = await open_hearing(court)
    doors = gateway(court)
    judge, witness, authority = (p.id for p in record.participants[:3])
    hid = record.id
    await doors.append(hid, "room.opened", "system", {"recording_rule": "prohibited"})
    for pid, role, seat in ((judge, "judge", "admitted"), (witness, "witness", "lobby")):
        fields = {"role": role, "peer": None, "seat": seat, "via": "hello", "address": ADDRESS}
        await doors.append(hid, "participant.joined", pid, fields)
    await doors.append(hid, "participant.joined", authority, {"role": "authority", "via": "hello"})
    for pid, role in ((witness, "witness"), (authority, "authority")):
        await doors.append(hid, "participant.admitted", judge, {"participant": pid, "role": role})
    await doors.append(
        hid,
        "media.fingerprint",
        witness,
        {"peer": "p2", "to": "p1", "sdp_type": "answer", "fingerprints": [FINGERPRINT]},
    )
    met = {"condition": "identity.verified", "citation": "c", "stage": "during",
           "method": "identity_document", "document_type": "passport", "note": HOSTILE}  # fmt: skip
    await doors.append(hid, "condition.met", authority, met)
    await doors.append(
        hid, "participant.disconnected", witness, {"peer": "p2", "grace_seconds": 30}
    )
    await doors.append(
        hid, "participant.reconnected", witness, {"peer": "p2", "via": "resume", "address": MOVED}
    )
    await doors.append(hid, "testimony.started", judge, {"reason": "judge"})
    await doors.append(hid, "testimony.paused", judge, {"reason": "judge"})
    await doors.append(hid, "testimony.stopped", judge, {"reason": "judge"})
    if ended:
        # Straight to the service: the gateway would also start sealing (tested on its own).
        actor = {"role": "judge", "id": judge, "name": record.participants[0].name}
        reason: dict[str, object] = {"reason": "heard"}
        await court.hearings.schedule.record_room_event(
            hid, "hearing.ended", actor, reason, State.CLOSED
        )
    return Closed(record, judge, witness, authority)
