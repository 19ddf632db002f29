"""The clerk's recordings over the real app: a lawful hearing recorded for real (aiortc peers
through the room, the recorder process, the audit log), ended while recording, then listed and
downloaded by the clerk, each file hashing to the value the signed log binds; the refusals; a
manifest or a file changed on disk after the hearing; `vc-service recording export`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.closing.story import closed_hearing
from tests.closing.test_clerk_api import Client, desk_of, staff_of
from tests.hearings.kit import Court
from tests.hearings.test_gateway import gateway
from tests.helpers import StaffSession
from tests.live_recording.kit import eventually
from tests.live_recording.test_app_recording import (
    lawful,
    open_recorded_hearing,
    recording_finished,
    recording_room,
)
from tests.signaling.conftest import loopback_ice
from vc_service import cli
from vc_service.closing.sealing import wait_background
from vc_service.hearings.lifecycle import State
from vc_service.http.app import create_app
from vc_service.live_recording import LiveRecording
from vc_service.services import Services

# Fixtures shared with the clerk API and live recording tests.
__all__ = ["desk_of", "lawful", "loopback_ice"]
EBML = bytes.fromhex("1a45dfa3")  # every WebM file starts with this
LONG_FINISH_SECONDS = 3


async def record_and_end(
    desk: Court, server: TestServer, hearing_id: str, *, stop_first: bool = True
) -> None:
    """Judge and authority record (`recording_room`); the judge stops the recording and waits
    for `recording.finished` (unless not `stop_first`), then ends the hearing."""
    async with (
        aiohttp.ClientSession() as session,
        recording_room(desk, server, session, hearing_id) as (judge, _, _),
    ):
        if stop_first:
            await judge.send({"type": "recording", "action": "stop"})
            await eventually(recording_finished(desk, hearing_id), within=60)
        await judge.send({"type": "end", "reason": "heard"})
        await judge.wait_for(lambda: judge.last("closed") is not None, within=10)


async def sealed(desk: Court, hearing_id: str) -> list[dict[str, Any]]:
    async def done() -> bool:
        info = await desk.hearings.room_info(hearing_id)
        return info is not None and info.state == State.SEALED

    await eventually(done, within=60)
    await wait_background()
    return await desk.events(hearing_id)


async def get_json(client: Client, path: str) -> tuple[int, Any]:
    response = await client.get(path)
    return response.status, await response.json()


def sha256sum_check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"],
        cwd=folder, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.usefixtures("loopback_ice")
async def test_clerk_lists_and_downloads_what_the_log_binds(
    lawful: Court,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    services = lawful.services
    hearing_id = await open_recorded_hearing(lawful)
    app = create_app(services)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    clients: list[Client] = []
    try:
        staff = await staff_of(lawful, app, clients)
        await record_and_end(lawful, server, hearing_id)
        log = await sealed(lawful, hearing_id)
        clerk = staff["clerk"].client
        base = f"/api/clerk/hearings/{hearing_id}/recordings"

        # The listing: what the log says, with each file's hash from the manifest it binds.
        status, body = await get_json(clerk, base)
        assert status == 200, body
        started = next(e for e in log if e["type"] == "recording.started")
        finished = next(e for e in log if e["type"] == "recording.finished")
        [listed] = body["recordings"]
        assert listed["recording"] == started["recording"] == finished["recording"]
        assert (listed["state"], listed["intact"], listed["problem"]) == ("finished", True, None)
        assert listed["manifest_sha256"] == finished["manifest_sha256"]
        assert listed["stopped_at"] == next(
            e["ts"] for e in log if e["type"] == "recording.stopped"
        )
        directory = services.settings.data_dir / str(Path(finished["manifest"]).parent)
        manifest = json.loads((directory / "manifest.json").read_bytes())
        finals = {t["track"]: t["final"] for t in manifest["tracks"]}
        assert len(listed["tracks"]) == 4
        names = {
            e["actor"]["id"]: e["actor"]["name"] for e in log if e["actor"]["role"] != "system"
        }
        for track in listed["tracks"]:
            assert track["sha256"] == finals[track["track"]]["sha256"]
            assert track["bytes"] == finals[track["track"]]["bytes"]
            assert track["duration_us"] > 0 and track["parts"] >= 1
            who = track["participant"]
            assert who is not None and who["name"] == names[who["id"]], track
            assert track["file"] == f"{listed['recording']}-{track['track']}.webm"
        assert {t["participant"]["role"] for t in listed["tracks"]} == {"judge", "authority"}
        # A judge of the court reads them too.
        assert (await get_json(staff["judge"].client, base))[1] == body

        # Each download hashes to the value bound in the log.
        for track in listed["tracks"]:
            response = await clerk.get(track["download"])
            data = await response.read()
            assert response.status == 200
            assert response.content_type == f"{track['kind']}/webm"
            disposition = response.headers["Content-Disposition"]
            assert disposition == f'attachment; filename="{track["file"]}"'
            assert response.headers["X-Content-SHA256"] == track["sha256"]
            assert response.headers["Cache-Control"] == "no-store"
            assert hashlib.sha256(data).hexdigest() == track["sha256"]
            assert len(data) == track["bytes"] and data.startswith(EBML)
        downloads = services.settings.data_dir / "downloads"
        assert list(downloads.iterdir()) == []  # no plaintext left behind

        # The refusals, each with its code.
        first = listed["tracks"][0]["download"]
        refusals = {
            f"{base}/rec-0000000000000000/tracks/x": (404, "recording.not_found"),
            f"{base}/{listed['recording']}/tracks/nobody-video0": (
                404, "recording.track_not_found"),
        }  # fmt: skip
        for path, (code, error) in refusals.items():
            status, answer = await get_json(clerk, path)
            assert (status, answer["error"]["code"]) == (code, error), path
        for path in (base, first):
            status, answer = await get_json(staff["other_clerk"].client, path)
            assert (status, answer["error"]["code"]) == (404, "hearing.not_found")
            status, answer = await get_json(staff["authority"].client, path)
            assert (status, answer["error"]["code"]) == (403, "auth.wrong_role")

        # The CLI exports the same files; `sha256sum -c` agrees.
        out = tmp_path / "export"
        monkeypatch.setattr(os, "environ", {**os.environ, **_env(services)})
        code = await asyncio.to_thread(
            cli.main, ["recording", "export", hearing_id, "-o", str(out)]
        )
        assert code == 0
        folder = out / listed["recording"]
        code = await asyncio.to_thread(cli.main, ["recording", "list", hearing_id])
        printed = capsys.readouterr().out
        assert code == 0 and f"recording {listed['recording']}: finished" in printed
        for track in listed["tracks"]:
            assert f"{track['sha256']}  {track['file']}" in printed
        checked = await asyncio.to_thread(sha256sum_check, folder)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        for track in listed["tracks"]:
            exported = folder / "final" / f"{track['track']}.webm"
            assert hashlib.sha256(exported.read_bytes()).hexdigest() == track["sha256"]

        # A final file changed on disk: it no longer decrypts, and nothing is handed out.
        final = directory / finals[listed["tracks"][0]["track"]]["path"]
        original = final.read_bytes()
        final.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
        status, answer = await get_json(clerk, first)
        assert (status, answer["error"]["code"]) == (409, "recording.damaged")
        assert answer["error"]["details"]["cause"] == "recording.decrypt_failed"
        assert list(downloads.iterdir()) == []
        final.write_bytes(original)

        # A manifest changed on disk: its hashes are no longer shown, downloads are refused.
        manifest_path = directory / "manifest.json"
        manifest_path.write_bytes(manifest_path.read_bytes() + b" ")
        status, body = await get_json(clerk, base)
        [changed] = body["recordings"]
        assert changed["intact"] is False
        assert changed["problem"]["code"] == "recording.manifest_changed"
        assert all(t["sha256"] is None and t["download"] is None for t in changed["tracks"])
        assert {t["track"] for t in changed["tracks"]} == {t["track"] for t in listed["tracks"]}
        status, answer = await get_json(clerk, first)
        assert (status, answer["error"]["code"]) == (409, "recording.damaged")
        assert answer["error"]["details"]["cause"] == "recording.manifest_changed"
        code = await asyncio.to_thread(
            cli.main, ["recording", "export", hearing_id, "-o", str(tmp_path / "again")]
        )
        assert code == 1
    finally:
        for client in clients:
            await client.close()
        await server.close()


@pytest.mark.slow
@pytest.mark.usefixtures("loopback_ice")
async def test_ending_the_hearing_while_recording_keeps_the_recording(
    lawful: Court, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Joining a long hearing's tracks takes a while; a short test recording finishes in about a
    # second, which would make the outcome a race with sealing. Take as long as a long one.
    real_stop = LiveRecording.stop

    async def long_finish(self: LiveRecording) -> Mapping[str, Any]:
        await asyncio.sleep(LONG_FINISH_SECONDS)
        return await real_stop(self)

    monkeypatch.setattr(LiveRecording, "stop", long_finish)
    hearing_id = await open_recorded_hearing(lawful)
    server = TestServer(create_app(lawful.services), host="127.0.0.1")
    await server.start_server()
    try:
        await record_and_end(lawful, server, hearing_id, stop_first=False)
        log = await sealed(lawful, hearing_id)
    finally:
        await server.close()
    types = [e["type"] for e in log]
    assert "recording.finished" in types, types
    assert types.index("recording.finished") < types.index("hearing.closed")


def _env(services: Services) -> dict[str, str]:
    settings = services.settings
    return {"VC_DATA_DIR": str(settings.data_dir), "VC_LEGAL_PROFILES_DIR": str(
        settings.legal_profiles_dir)}  # fmt: skip


async def test_a_hearing_must_have_ended(lite: Court, desk_of: dict[str, StaffSession]) -> None:
    running = await closed_hearing(lite, ended=False)
    base = f"/api/clerk/hearings/{running.record.id}/recordings"
    for path in (base, f"{base}/rec-1/tracks/t"):
        status, answer = await get_json(desk_of["clerk"].client, path)
        assert (status, answer["error"]["code"]) == (409, "hearing.not_closed"), path
    status, answer = await get_json(desk_of["clerk"].client, "/api/clerk/hearings/nope/recordings")
    assert (status, answer["error"]["code"]) == (404, "hearing.not_found")
    # A HEAD would decrypt a whole track for its headers: not offered.
    head = await desk_of["clerk"].client.head(f"{base}/rec-1/tracks/t")
    assert head.status == 405


async def test_a_recording_that_never_finished_is_listed_without_files(
    lite: Court, desk_of: dict[str, StaffSession]
) -> None:
    closed = await closed_hearing(lite, ended=False)
    hid = closed.record.id
    doors = gateway(lite)
    await doors.append(hid, "recording.started", closed.judge, {"rule": "allowed",
                                                                "recording": "rec-1"})  # fmt: skip
    segment = {
        "recording": "rec-1", "track": "p2-video0", "peer": "p2", "kind": "video", "part": 0,
        "path": "segments/p2-video0/00000.webm.vcrec", "sha256": "ab" * 32, "bytes": 10,
        "start_us": 0, "end_us": 2_000_000, "t0": "2026-11-23T09:00:00.000000Z",
        "t1": "2026-11-23T09:00:02.000000Z", "codec": "vp8", "container": "webm",
    }  # fmt: skip
    await doors.append(hid, "media.segment", "system", segment)
    await doors.append(hid, "recording.failed", "system", {"recording": "rec-1",
                                                           "code": "recording.failed"})  # fmt: skip
    await lite.hearings.schedule.record_room_event(
        hid, "hearing.ended", {"role": "judge", "id": closed.judge, "name": "Judge"},
        {"reason": "heard"}, State.CLOSED,
    )  # fmt: skip
    clerk = desk_of["clerk"].client
    status, body = await get_json(clerk, f"/api/clerk/hearings/{hid}/recordings")
    assert status == 200, body
    [listed] = body["recordings"]
    assert (listed["recording"], listed["state"], listed["intact"]) == ("rec-1", "failed", False)
    [track] = listed["tracks"]
    assert track["participant"]["id"] == closed.witness  # p2 is the witness's peer in the log
    assert (track["duration_us"], track["parts"], track["download"]) == (2_000_000, 1, None)
    status, answer = await get_json(
        clerk, f"/api/clerk/hearings/{hid}/recordings/rec-1/tracks/p2-video0"
    )
    assert (status, answer["error"]["code"]) == (409, "recording.not_finished")


async def test_a_hearing_without_recording_lists_none(
    lite: Court, desk_of: dict[str, StaffSession]
) -> None:
    closed = await closed_hearing(lite)
    status, body = await get_json(
        desk_of["clerk"].client, f"/api/clerk/hearings/{closed.record.id}/recordings"
    )
    assert (status, body["recordings"]) == (200, [])
