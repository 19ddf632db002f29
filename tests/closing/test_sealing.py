"""close_and_seal: the log ends with the minutes then hearing.closed, the bundle verifies, every
step is idempotent, and a crash between any two steps is resumed by calling it again."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.closing.story import closed_hearing
from tests.hearings.kit import Court
from tests.hearings.test_gateway import gateway
from vc_service.audit.events import CLOSING_EVENT as CLOSING
from vc_service.audit.keys import trust_policy_document
from vc_service.audit.policy import policy_from_dict
from vc_service.audit.verify import verify_bundle
from vc_service.closing.sealing import (
    append_closed,
    close_and_seal,
    minutes_files,
    wait_background,
    write_minutes,
)
from vc_service.errors import InvalidStateError
from vc_service.hearings.lifecycle import State
from vc_service.hearings.opening import SYSTEM
from vc_service.services import Services


async def verified(services: Services, bundle: Path) -> bool:
    prefix = f"{services.settings.audit_origin_domain}/hearing/"
    keys = await services.audit.keys.all()
    policy = policy_from_dict(trust_policy_document(keys, prefix))
    report = verify_bundle(bundle, policy)
    assert report.ok, report.render()
    return report.ok


async def test_seal_binds_the_minutes_and_verifies(desk: Court, tmp_path: Path) -> None:
    services = desk.services
    closed = await closed_hearing(desk)
    hid = closed.record.id
    result = await close_and_seal(services, hid)
    assert result.done == ["minutes", "closed", "sealed", "state"]
    events = await desk.events(hid)
    assert [e["type"] for e in events[-3:]] == [
        "minutes.generated", "minutes.generated", "hearing.closed",
    ]  # fmt: skip
    assert result.size == len(events) and result.minutes_seqs == {
        "html": len(events) - 3, "pdf": len(events) - 2,
    }  # fmt: skip
    assert (await desk.hearings.room_info(hid) or pytest.fail()).state == "sealed"
    again = await close_and_seal(services, hid)
    assert again.done == [] and again.checkpoint == result.checkpoint
    assert len(await desk.events(hid)) == len(events)
    bundle = tmp_path / "b.zip"
    await services.audit.export(hid, bundle)
    with zipfile.ZipFile(bundle) as archive:
        page = archive.read("minutes.html")
        assert hashlib.sha256(page).hexdigest() == events[-3]["sha256"]
        assert archive.read("minutes.pdf").startswith(b"%PDF-")
    assert await verified(services, bundle)


async def test_a_crash_between_any_two_steps_is_resumed(lite: Court, tmp_path: Path) -> None:
    services = lite.services
    closed = await closed_hearing(lite)
    hid = closed.record.id
    # Crash after the minutes were written.
    first = await write_minutes(services, hid)
    assert await write_minutes(services, hid) == first  # no second pair
    # The files were lost with the crash: the export rebuilds the same bytes from the log.
    files = minutes_files(services.audit)
    for fmt in ("html", "pdf"):
        files.path(hid, fmt).unlink()
    # Crash after hearing.closed: the second one is refused by the store, not duplicated.
    assert await append_closed(services, hid, first)
    assert not await append_closed(services, hid, first)
    result = await close_and_seal(services, hid)
    assert result.done == ["sealed", "state"] and result.minutes_seqs == first
    bundle = tmp_path / "b.zip"
    await services.audit.export(hid, bundle)
    with zipfile.ZipFile(bundle) as archive:
        assert {"minutes.html", "minutes.pdf"} <= set(archive.namelist())
    assert await verified(services, bundle)


async def test_only_a_closed_hearing_is_sealed(lite: Court) -> None:
    closed = await closed_hearing(lite, ended=False)
    with pytest.raises(InvalidStateError) as caught:
        await close_and_seal(lite.services, closed.record.id)
    assert caught.value.code == "hearing.not_closed"
    assert [e["type"] for e in await lite.events(closed.record.id)][-1] == "testimony.stopped"


async def test_sealed_log_but_hearing_still_closed(lite: Court) -> None:
    services = lite.services
    closed = await closed_hearing(lite)
    hid = closed.record.id
    await append_closed(services, hid, await write_minutes(services, hid))
    await services.audit.seal(hid)
    result = await close_and_seal(services, hid)
    assert result.done == ["state"]
    assert json.loads((await services.audit.events(hid))[-1])["type"] == "hearing.closed"


async def test_the_rooms_end_seals_the_hearing_in_the_background(lite: Court) -> None:
    closed = await closed_hearing(lite, ended=False)
    hid = closed.record.id
    await gateway(lite).append(hid, "hearing.ended", closed.judge, {"reason": "heard"})
    await wait_background()
    assert (await lite.hearings.room_info(hid) or pytest.fail()).state == "sealed"
    types = [e["type"] for e in await lite.events(hid)]
    assert types[-4:] == ["hearing.ended", "minutes.generated", "minutes.generated", CLOSING]
    head = await lite.services.audit.head(hid)
    assert head is not None and head.sealed_at is not None


async def test_log_seal_command_retries_sealing(lite: Court) -> None:
    services = lite.services
    closed = await closed_hearing(lite)
    hid = closed.record.id
    env = {**os.environ, "VC_DATA_DIR": str(services.settings.data_dir), "VC_LOG_FORMAT": "text"}
    command = [sys.executable, "-m", "vc_service", "log", "seal", hid]
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "did minutes, closed, sealed, state" in done.stdout
    again = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, env=env, timeout=60
    )
    assert again.returncode == 0 and "nothing (already sealed)" in again.stdout
    assert (await lite.hearings.room_info(hid) or pytest.fail()).state == "sealed"


async def test_a_finished_recordings_manifest_is_bound(lite: Court, tmp_path: Path) -> None:
    services = lite.services
    closed = await closed_hearing(lite, ended=False)
    hid = closed.record.id
    relative = Path("recordings") / hid / "rec-1" / "manifest.json"
    manifest = services.settings.data_dir / relative
    manifest.parent.mkdir(parents=True)
    manifest.write_bytes(b'{"recording": "rec-1", "tracks": []}\n')
    finished = {
        "recording": "rec-1",
        "manifest": str(relative),
        "manifest_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest(),
        "tracks": 0,
        "parts": 0,
    }
    await gateway(lite).append(hid, "recording.finished", "system", finished)
    await lite.hearings.advance(hid, State.CLOSED, SYSTEM)
    result = await close_and_seal(services, hid)
    assert result.done == ["manifest", "minutes", "closed", "sealed", "state"]
    events = await lite.events(hid)
    bound = next(e for e in events if e["type"] == "media.manifest")
    assert bound["bytes"] == manifest.stat().st_size and bound["recording"] == "rec-1"
    bundle = tmp_path / "b.zip"
    await services.audit.export(hid, bundle)
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read("media/manifest.json") == manifest.read_bytes()
        # The minutes (in the German court's language) say the manifest was bound.
        assert "Die Liste der Dateien der Aufzeichnung wurde an das Protokoll gebunden" in (
            archive.read("minutes.html").decode()
        )
    assert await verified(services, bundle)


async def test_sealing_waits_for_a_recording_still_finishing(lite: Court) -> None:
    closed = await closed_hearing(lite, ended=False)
    hid = closed.record.id
    doors = gateway(lite)
    await doors.append(hid, "recording.started", "system", {"recording": "rec-2"})
    await doors.append(hid, "hearing.ended", closed.judge, {"reason": "heard"})
    # The room sealed in the background at the end; the recorder reports a moment later.
    await asyncio.sleep(1.0)
    assert (await lite.hearings.room_info(hid) or pytest.fail()).state == "closed"
    await doors.append(hid, "recording.failed", "system", {"recording": "rec-2", "code": "x"})
    await wait_background()
    types = [e["type"] for e in await lite.events(hid)]
    assert types.index("recording.failed") < types.index("minutes.generated") < len(types) - 1
    assert (await lite.hearings.room_info(hid) or pytest.fail()).state == "sealed"


async def test_a_recorder_that_never_reports_is_recorded_as_unfinished(lite: Court) -> None:
    services = lite.services
    closed = await closed_hearing(lite, ended=False)
    hid = closed.record.id
    await gateway(lite).append(hid, "recording.started", "system", {"recording": "rec-3"})
    await lite.hearings.advance(hid, State.CLOSED, SYSTEM)
    result = await close_and_seal(services, hid, recordings_within=0.5)
    assert result.done[:2] == ["recordings_unfinished", "minutes"]
    given_up = next(e for e in await lite.events(hid) if e["type"] == "recording.failed")
    assert (given_up["recording"], given_up["code"]) == ("rec-3", "recording.unfinished")
    assert given_up["actor"]["role"] == "system"


async def test_the_minutes_files_are_private(lite: Court) -> None:
    """They hold personal data (issue 12 finding 8): 0600 files in a 0700 folder, whatever the
    umask."""
    services = lite.services
    hid = (await closed_hearing(lite)).record.id
    previous = os.umask(0o022)
    try:
        await write_minutes(services, hid)
    finally:
        os.umask(previous)
    files = minutes_files(services.audit)
    for fmt in ("html", "pdf"):
        path = files.path(hid, fmt)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, fmt
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
