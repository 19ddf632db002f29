"""Real media: three aiortc peers join through the real server on loopback, are admitted,
negotiate DTLS-SRTP with each other and receive each other's audio and video frames."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest

from signaling.client import MediaParticipant
from tests.signaling.conftest import StartServer
from tests.signaling.memory import HEARING_CONDITIONS, hearing

pytestmark = pytest.mark.slow

KINDS = ("audio", "video")


def local_fingerprints(participant: MediaParticipant) -> set[str]:
    prints: set[str] = set()
    for pc in participant.pcs.values():
        for transceiver in pc.getTransceivers():
            params = transceiver.sender.transport.getLocalParameters()
            prints |= {f"{f.algorithm} {f.value}" for f in params.fingerprints}
    return prints


def has_frames_from(person: MediaParticipant, others: list[str]) -> Callable[[], bool]:
    return lambda: all(person.frames.get((peer, kind), 0) > 0 for peer in others for kind in KINDS)


def local_addresses(participant: MediaParticipant) -> set[str]:
    return {
        candidate.ip
        for pc in participant.pcs.values()
        for transceiver in pc.getTransceivers()
        for candidate in transceiver.sender.transport.transport.iceGatherer.getLocalCandidates()
    }


@pytest.mark.usefixtures("loopback_ice")
async def test_three_peers_admitted_negotiate_and_receive_frames(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    server = await start_server(hearing(conditions=HEARING_CONDITIONS[1:3]))
    people = {
        pid: MediaParticipant(session, server.url())
        for pid in ("judge-1", "authority-1", "witness-1")
    }
    judge, authority, witness = people.values()
    try:
        for pid, person in people.items():
            await person.join(token=f"tok-h-1-{pid}", code="123456")

        def waiting() -> list[str]:
            lobby = judge.last("lobby")
            return [w["peer"] for w in lobby["waiting"]] if lobby else []

        await judge.wait_for(lambda: len(waiting()) == 2)
        for peer in waiting():
            await judge.send({"type": "admit", "peer": peer})

        for person in people.values():
            others = [o.peer for o in people.values() if o is not person]
            await person.wait_for(has_frames_from(person, others), within=30)
            assert local_addresses(person) == {"127.0.0.1"}

        # The legal steps, then testimony, then the end.
        await authority.send(
            {
                "type": "condition",
                "condition": "C-AUTHORITY-ID",
                "method": "identity_document",
                "document_type": "national_id",
                "details": "X4RTBPFW4",
            }
        )
        await judge.send(
            {"type": "condition", "condition": "C-RIGHTS", "method": "oral_declaration"}
        )
        await judge.send({"type": "testimony", "action": "start"})
        await witness.wait_for(
            lambda: (witness.last("room_state") or {}).get("testimony") == "running"
        )
        # Fingerprints the server recorded are the ones each peer's DTLS really uses.
        recorded: dict[str, set[str]] = {}
        for event in server.audit.of_type("media.fingerprint"):
            recorded.setdefault(event.actor, set()).update(event.fields["fingerprints"])
        for pid, person in people.items():
            assert recorded[pid] == local_fingerprints(person), pid
        await judge.send({"type": "end", "reason": "heard"})
        await witness.wait_for(lambda: witness.last("closed") is not None)
    finally:
        for person in people.values():
            await person.close()

    steps = [t for t in server.audit.types() if t != "media.fingerprint"]
    assert steps == [
        "room.opened",
        "participant.joined",
        "participant.joined",
        "participant.joined",
        "participant.admitted",
        "participant.admitted",
        "condition.met",
        "condition.met",
        "testimony.started",
        "hearing.ended",
    ]
    # Each of the three peer connections was negotiated once from each side.
    assert len(server.audit.of_type("media.fingerprint")) == 6
