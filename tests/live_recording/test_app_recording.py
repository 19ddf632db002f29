"""The recorder through the real service: a hearing whose legal decision makes recording lawful
(test profiles: criminal recording allowed DE -> FR), staff joining the room at /ws/hearings/{id}
with their join credentials, the real audit store and the service's data directory and key."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from signaling.client import MediaParticipant
from signaling.services import RecordingRule
from tests.conftest import make_settings
from tests.hearings.kit import Court, court, iso, patched_profiles, slot
from tests.live_recording.kit import (
    KINDS,
    check_recording,
    connected_to_recorder,
    eventually,
    recorder_peer,
    tracks_of,
)
from vc_service import migrate
from vc_service.hearings.gateway import RoomGateway
from vc_service.http.app import create_app
from vc_service.http.live import LIVE
from vc_service.live_recording import LiveRecorders
from vc_service.services import Services

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("loopback_ice")]


@pytest.fixture
async def lawful(tmp_path: Path) -> AsyncIterator[Court]:
    profiles = patched_profiles(tmp_path / "profiles")
    settings = make_settings(tmp_path / "var", VC_LEGAL_PROFILES_DIR=str(profiles))
    built = Services.build(settings)
    await migrate.upgrade(built.db)
    yield await court(built)
    await built.close()


async def open_recorded_hearing(desk: Court) -> str:
    record = await desk.create(recording_requested=True, starts_at=iso(slot(hour=10)))
    version = record.version
    for condition in record.hearing.legal_decision["conditions"]:
        if condition["stage"] == "before":
            met = await desk.hearings.schedule.record_condition(
                desk.judge.viewer, record.id, version, condition["id"], "done"
            )
            version = met.version
    await desk.hearings.schedule.open(desk.judge.viewer, record.id, version)
    info = await RoomGateway(desk.hearings, desk.services.accounts).load(record.id)
    assert info is not None and info.recording is RecordingRule.ALLOWED
    return record.id


async def events(desk: Court, hearing_id: str) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in await desk.services.audit.events(hearing_id)]


@asynccontextmanager
async def recording_room(
    desk: Court, server: TestServer, session: aiohttp.ClientSession, hearing_id: str
) -> AsyncIterator[tuple[MediaParticipant, MediaParticipant, set[tuple[str, str]]]]:
    """Judge and authority (real aiortc peers) join with their accounts' credentials, the judge
    admits the authority and starts recording; yields them, with the (peer, kind) tracks
    wanted, once every track has a segment in the log. The peers are closed on exit."""
    recorders = server.app[LIVE].node.services.recorder
    assert isinstance(recorders, LiveRecorders)
    recorders.host_addresses, recorders.segment_ms = ("127.0.0.1",), 1000
    url = f"ws://127.0.0.1:{server.port}/ws/hearings/{hearing_id}"
    judge, authority = MediaParticipant(session, url), MediaParticipant(session, url)
    try:
        grant = await desk.hearings.join_with_account(desk.judge.principal, hearing_id)
        await judge.join(session=grant.credential)
        grant = await desk.hearings.join_with_account(desk.authority_fr.principal, hearing_id)
        await authority.join(session=grant.credential)
        await judge.wait_for(lambda: bool((judge.last("lobby") or {}).get("waiting")))
        await judge.send({"type": "admit", "peer": authority.peer})
        await judge.send({"type": "recording", "action": "start"})
        for person in (judge, authority):
            await person.wait_for(connected_to_recorder(person), within=20)
        wanted = {(p.peer, kind) for p in (judge, authority) for kind in KINDS}

        async def all_tracks_logged() -> bool:
            segments = [e for e in await events(desk, hearing_id) if e["type"] == "media.segment"]
            return wanted <= tracks_of(segments)

        await eventually(all_tracks_logged, within=20)
        yield judge, authority, wanted
    finally:
        for person in (judge, authority):
            await person.close()


def recording_finished(desk: Court, hearing_id: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return "recording.finished" in [e["type"] for e in await events(desk, hearing_id)]

    return check


async def test_judge_records_a_lawful_hearing_through_the_service(
    lawful: Court, session: aiohttp.ClientSession
) -> None:
    services = lawful.services
    hearing_id = await open_recorded_hearing(lawful)
    server = TestServer(create_app(services), host="127.0.0.1")
    await server.start_server()
    try:
        async with recording_room(lawful, server, session, hearing_id) as room:
            judge, authority, wanted = room
            await judge.send({"type": "recording", "action": "stop"})
            await eventually(recording_finished(lawful, hearing_id), within=60)
            assert recorder_peer(judge) == recorder_peer(authority)
    finally:
        await server.close()

    log = await events(lawful, hearing_id)
    started = next(e for e in log if e["type"] == "recording.started")
    finished = next(e for e in log if e["type"] == "recording.finished")
    segments = [e for e in log if e["type"] == "media.segment"]
    assert started["rule"] == "allowed" and finished["recording"] == started["recording"]
    assert all(e["actor"]["role"] == "system" for e in segments)
    directory = services.settings.data_dir / "recordings" / hearing_id / started["recording"]
    key = services.key.derive(f"recording:{hearing_id}")
    manifest = check_recording(directory, key, hearing_id, segments, finished)
    assert tracks_of(segments) == wanted and len(manifest.tracks) == 4
    assert finished["manifest"] == f"recordings/{hearing_id}/{started['recording']}/manifest.json"
