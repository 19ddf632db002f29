"""The clerk's recordings of a closed hearing: what the signed log says was recorded, and each
track's file, decrypted and checked against the hash the log binds, as a download.

The same readers as the rest of the clerk's API (`clerk_routes`): clerks and judges of the
hearing's court; another court's hearing is 404, other roles 403. Recordings are readable once
the hearing is closed (the judge ended it), sealed or not.

A download is decrypted into a private folder off the event loop and checked against the
manifest's SHA-256 before the response starts, so a clerk never receives bytes that differ
from what the log binds. The plaintext's name is removed before streaming begins: the open
descriptor is all that is left, and the disk blocks go when it closes.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from aiohttp import web

from vc_service.accounts.service import Principal
from vc_service.closing import clerk_openapi  # noqa: F401  (documents these routes)
from vc_service.closing import recording_catalog as catalog
from vc_service.closing.clerk_routes import LISTED, READERS
from vc_service.errors import Conflict, NotFound
from vc_service.hearings.models import Hearing
from vc_service.http.auth_routes import require
from vc_service.http.keys import SERVICES
from vc_service.services import Services

routes = web.RouteTableDef()
log = logging.getLogger(__name__)
CHUNK = 256 * 1024
DOWNLOADS = "downloads"  # under the data directory; one private folder per download
STALE_SECONDS = 3600
MEDIA_TYPES = {"audio": "audio/webm", "video": "video/webm"}


async def ended_hearing(services: Services, hearing_id: str, court_id: str | None) -> Hearing:
    """The hearing (of `court_id`'s court, when given) once it has ended (closed or sealed)."""
    async with services.db.session() as session:
        hearing = await session.get(Hearing, hearing_id)
    if hearing is None or (court_id is not None and hearing.court_id != court_id):
        where = "" if court_id is None else " in your court"
        raise NotFound(f"no hearing {hearing_id}{where}", code="hearing.not_found")
    if hearing.state not in LISTED:
        raise Conflict(
            f"hearing {hearing.id} is {hearing.state}; its recordings are available once the "
            "hearing is closed",
            code="hearing.not_closed",
            details={"state": hearing.state},
        )
    return hearing


async def closed_hearing(request: web.Request) -> tuple[Services, Principal, Hearing]:
    """The clerk API's access rule, then: the hearing has ended (closed or sealed)."""
    principal = require(request, *READERS)
    services = request.app[SERVICES]
    hearing = await ended_hearing(services, request.match_info["hearing_id"], principal.court_id)
    return services, principal, hearing


async def recordings_of(services: Services, hearing_id: str) -> list[catalog.RecordingEntry]:
    events = [json.loads(raw) for raw in await services.audit.events(hearing_id)]
    data_dir = services.settings.data_dir
    return await asyncio.to_thread(catalog.catalog, events, data_dir, hearing_id)


def _download_url(hearing_id: str, recording: str, track: str) -> str:
    return f"/api/clerk/hearings/{hearing_id}/recordings/{recording}/tracks/{track}"


@routes.get("/api/clerk/hearings/{hearing_id}/recordings")
async def clerk_recordings(request: web.Request) -> web.Response:
    services, _, hearing = await closed_hearing(request)
    found = []
    for entry in await recordings_of(services, hearing.id):
        listed = entry.to_json()
        for track in listed["tracks"]:
            downloadable = entry.manifest is not None and track["file"] is not None
            track["download"] = (
                _download_url(hearing.id, entry.recording, track["track"]) if downloadable else None
            )
        found.append(listed)
    return web.json_response({"hearing_id": hearing.id, "recordings": found})


# No HEAD: answering one would decrypt and check the whole track only to send its headers.
@routes.get(
    "/api/clerk/hearings/{hearing_id}/recordings/{recording_id}/tracks/{track}", allow_head=False
)
async def clerk_recording_track(request: web.Request) -> web.StreamResponse:
    services, principal, hearing = await closed_hearing(request)
    entries = await recordings_of(services, hearing.id)
    entry = catalog.find(entries, request.match_info["recording_id"])
    track = entry.track(request.match_info["track"])
    directory = catalog.recording_directory(services.settings.data_dir, hearing.id, entry.recording)
    key = services.key.derive(f"recording:{hearing.id}")
    root = services.settings.data_dir / DOWNLOADS
    handle = await asyncio.to_thread(_decrypt, entry, track.track, directory, key, root)
    try:
        assert track.file is not None and track.sha256 is not None and track.bytes is not None
        digest = base64.b64encode(bytes.fromhex(track.sha256)).decode()
        response = web.StreamResponse(
            headers={
                "Content-Type": MEDIA_TYPES.get(track.kind, "application/octet-stream"),
                "Content-Disposition": f'attachment; filename="{track.file}"',
                "Content-Length": str(track.bytes),
                "Cache-Control": "no-store",
                # RFC 9530, and the hex form a clerk compares with `sha256sum` and the page.
                "Repr-Digest": f"sha-256=:{digest}:",
                "X-Content-SHA256": track.sha256,
            }
        )
        log.info(
            "recording %s track %s of hearing %s handed to %s",
            entry.recording, track.track, hearing.id, principal.username,
        )  # fmt: skip
        await response.prepare(request)
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        await asyncio.to_thread(handle.close)


def _decrypt(
    entry: catalog.RecordingEntry, track: str, directory: Path, key: bytes, root: Path
) -> BinaryIO:
    """Decrypt and check one track in a private folder; return it open, its name removed."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(root)
    folder = Path(tempfile.mkdtemp(prefix="track-", dir=root))  # mode 0700
    try:
        path = catalog.export_track(entry, track, directory, key, folder)
        return path.open("rb")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sweep(root: Path) -> None:
    """Remove what a crashed download left behind (the names are removed as soon as the file
    is open, so only a crash between decrypting and opening leaves one)."""
    cutoff = time.time() - STALE_SECONDS
    for folder in root.glob("track-*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
