"""The recorder in a live room: real aiortc participants through the real signaling server, the
real recorder process, the real service key; the audit log is signaling's in-memory sink."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from pathlib import Path

import aiohttp
import pytest

from signaling.client import MediaParticipant
from signaling.config import SignalingConfig
from tests.live_recording.kit import (
    KINDS,
    check_recording,
    connected_to_recorder,
    recorder_peer,
    tracks_of,
)
from tests.signaling.conftest import RunningServer, StartServer
from tests.signaling.memory import HEARING_CONDITIONS, hearing, services
from vc_service.live_recording import LiveRecorders
from vc_service.service_key import ServiceKey

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("loopback_ice")]

HEARING = "h-1"


async def serve(start_server: StartServer, data_dir: Path, key: ServiceKey) -> RunningServer:
    svc, auth, audit = services(hearing(HEARING, conditions=HEARING_CONDITIONS[1:3]))
    recorders = LiveRecorders(data_dir, key, host_addresses=("127.0.0.1",), segment_ms=1000)
    svc = dataclasses.replace(svc, recorder=recorders)
    return await start_server(shared=(svc, auth, audit), config=SignalingConfig())


async def seat(judge: MediaParticipant, person: MediaParticipant, pid: str) -> None:
    await person.join(token=f"tok-{HEARING}-{pid}", code="123456")
    await judge.wait_for(lambda: any(w["peer"] == person.peer for w in waiting(judge)))
    await judge.send({"type": "admit", "peer": person.peer})


def waiting(judge: MediaParticipant) -> list[dict[str, str]]:
    lobby = judge.last("lobby")
    return list(lobby["waiting"]) if lobby else []


def segments(server: RunningServer) -> list[dict[str, object]]:
    return [event.fields for event in server.audit.of_type("media.segment")]


async def test_recorder_joins_records_everyone_and_finishes(
    start_server: StartServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    key = ServiceKey(secrets.token_bytes(32))
    server = await serve(start_server, tmp_path, key)
    judge, witness, late = (MediaParticipant(session, server.url()) for _ in range(3))
    try:
        await judge.join(token=f"tok-{HEARING}-judge-1", code="123456")
        await seat(judge, witness, "witness-1")
        await judge.send({"type": "recording", "action": "start"})
        recorder = None
        for person in (judge, witness):
            await person.wait_for(connected_to_recorder(person), within=20)
            recorder = recorder_peer(person)
        assert recorder is not None
        joined = [m for m in witness.received if m.get("peer") == recorder]
        assert joined[0]["initiate"] is True and joined[0]["role"] == "recorder"
        state = witness.last("room_state") or {}
        assert state["recorder"] == recorder and state["recording"]["active"] is True

        # The recorder is addressable only for offer/answer/ice, and only ever answers.
        sdp = witness.pcs[recorder].localDescription.sdp
        await witness.send({"type": "answer", "to": recorder, "sdp": sdp, "id": "a1"})
        await judge.send({"type": "remove", "peer": recorder, "id": "r1"})
        await judge.send({"type": "admit", "peer": recorder, "id": "d1"})
        await judge.wait_for(lambda: "d1" in {m.get("ref") for m in judge.received})
        errors = {m.get("ref"): m.get("code") for m in judge.received + witness.received}
        assert errors["r1"] == "peer.unknown" and errors["d1"] == "peer.not_waiting"
        await witness.wait_for(lambda: any(m.get("ref") == "a1" for m in witness.received))
        assert [m["code"] for m in witness.received if m.get("ref") == "a1"] == [
            "recorder.answers_only"
        ]

        # Someone admitted later connects to the running recorder too.
        await seat(judge, late, "authority-1")
        await late.wait_for(connected_to_recorder(late), within=20)
        peers = {judge.peer, witness.peer, late.peer}
        wanted = {(peer, kind) for peer in peers for kind in KINDS}
        await judge.wait_for(lambda: wanted <= tracks_of(segments(server)), within=20)

        # A removed participant's connection to the recorder is closed; its segments stay.
        late_pc, changed = late.pcs[recorder], asyncio.Event()
        late_pc.on("connectionstatechange", changed.set)
        await judge.send({"type": "remove", "peer": late.peer})
        async with asyncio.timeout(10):
            while late_pc.connectionState == "connected":
                changed.clear()
                await changed.wait()
        await judge.send({"type": "recording", "action": "stop"})
        await witness.wait_for(
            lambda: any(
                m["type"] == "peer_left" and m["peer"] == recorder for m in witness.received
            )
        )
        await judge.wait_for(lambda: "recording.finished" in server.audit.types(), within=60)
    finally:
        for person in (judge, witness, late):
            await person.close()

    types = [t for t in server.audit.types() if t != "media.fingerprint"]
    started = server.audit.of_type("recording.started")[0].fields
    finished = server.audit.of_type("recording.finished")[0].fields
    assert types.index("recording.started") < types.index("media.segment")
    last_segment = len(types) - 1 - types[::-1].index("media.segment")
    assert types.index("recording.stopped") < last_segment < types.index("recording.finished")
    recording = str(started["recording"])
    assert finished["recording"] == recording
    assert all(e.actor == "system" for e in server.audit.of_type("media.segment"))
    directory = tmp_path / "recordings" / HEARING / recording
    logged = segments(server)
    assert tracks_of(logged) == wanted
    manifest = check_recording(
        directory, key.derive(f"recording:{HEARING}"), HEARING, logged, finished
    )
    assert finished["parts"] == len(logged) and finished["tracks"] == len(manifest.tracks) == 6
    # The participants' offers to the recorder carried their DTLS fingerprints: audited too.
    to_recorder = [
        e for e in server.audit.of_type("media.fingerprint") if e.fields["to"] == recorder
    ]
    assert {e.actor for e in to_recorder} == {"judge-1", "witness-1", "authority-1"}


async def test_the_end_of_the_hearing_finishes_the_recording(
    start_server: StartServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    key = ServiceKey(secrets.token_bytes(32))
    server = await serve(start_server, tmp_path, key)
    judge, witness = (
        MediaParticipant(session, server.url()),
        MediaParticipant(session, server.url()),
    )
    try:
        await judge.join(token=f"tok-{HEARING}-judge-1", code="123456")
        await seat(judge, witness, "witness-1")
        await judge.send({"type": "recording", "action": "start"})
        await judge.wait_for(connected_to_recorder(judge), within=20)
        await judge.wait_for(lambda: len(tracks_of(segments(server))) == 4, within=20)
        await judge.send({"type": "end", "reason": "heard"})
        await judge.wait_for(lambda: judge.last("closed") is not None)
        await judge.wait_for(lambda: "recording.finished" in server.audit.types(), within=60)
    finally:
        await judge.close()
        await witness.close()
    ended = server.audit.of_type("hearing.ended")[0].fields
    assert ended["recording_stopped"] is True
    finished = server.audit.of_type("recording.finished")[0].fields
    recording = str(server.audit.of_type("recording.started")[0].fields["recording"])
    directory = tmp_path / "recordings" / HEARING / recording
    logged = segments(server)
    check_recording(directory, key.derive(f"recording:{HEARING}"), HEARING, logged, finished)


async def test_a_recorder_that_cannot_start_changes_nothing(
    start_server: StartServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the recordings folder should be")
    server = await serve(start_server, blocked, ServiceKey(secrets.token_bytes(32)))
    judge, witness = (
        MediaParticipant(session, server.url()),
        MediaParticipant(session, server.url()),
    )
    try:
        await judge.join(token=f"tok-{HEARING}-judge-1", code="123456")
        await seat(judge, witness, "witness-1")
        await judge.wait_for(lambda: (judge.last("room_state") or {}).get("state") == "session")
        await judge.send({"type": "recording", "action": "start", "id": "s1"})
        await judge.wait_for(lambda: any(m.get("ref") == "s1" for m in judge.received), 20)
    finally:
        await judge.close()
        await witness.close()
    refused = next(m for m in judge.received if m.get("ref") == "s1")
    assert refused["type"] == "error" and refused["code"] == "recording.unavailable"
    assert refused["details"] == {"cause": "recording.internal"}
    assert str(tmp_path) not in refused["message"]
    assert "recording.started" not in server.audit.types()
    assert not [m for m in judge.received if m.get("role") == "recorder"]


async def test_a_participant_who_comes_back_is_recorded_on_fresh_tracks(
    start_server: StartServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    key = ServiceKey(secrets.token_bytes(32))
    server = await serve(start_server, tmp_path, key)
    judge, witness = (MediaParticipant(session, server.url()) for _ in range(2))
    back = MediaParticipant(session, server.url())
    try:
        await judge.join(token=f"tok-{HEARING}-judge-1", code="123456")
        await seat(judge, witness, "witness-1")
        await judge.send({"type": "recording", "action": "start"})
        await witness.wait_for(connected_to_recorder(witness), within=20)
        peer = witness.peer

        def tracks() -> set[str]:
            return {str(s["track"]) for s in segments(server) if s["peer"] == peer}

        await judge.wait_for(lambda: {f"{peer}-audio0", f"{peer}-video0"} <= tracks(), 20)
        resume = str(witness.welcome["resume"])
        await witness.close()
        await back.join(resume=resume)
        assert back.peer == peer
        await back.wait_for(connected_to_recorder(back), within=20)
        await judge.wait_for(lambda: {f"{peer}-audio1", f"{peer}-video1"} <= tracks(), 20)
        await judge.send({"type": "recording", "action": "stop"})
        await judge.wait_for(lambda: "recording.finished" in server.audit.types(), within=60)
    finally:
        for person in (judge, witness, back):
            await person.close()
    finished = server.audit.of_type("recording.finished")[0].fields
    recording = str(server.audit.of_type("recording.started")[0].fields["recording"])
    directory = tmp_path / "recordings" / HEARING / recording
    logged = segments(server)
    check_recording(directory, key.derive(f"recording:{HEARING}"), HEARING, logged, finished)
