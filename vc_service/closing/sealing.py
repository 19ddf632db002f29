"""Close and seal a hearing: recordings settled -> minutes -> `minutes.generated` x2 ->
`hearing.closed` (with the `after` conditions left open) -> final signed checkpoint -> hearing
`sealed`.

Every step looks at what the log and the hearing already say before acting, so the whole thing
is idempotent and resumes after a crash between any two steps: the minutes are a pure function
of the events before the first `minutes.generated` (rebuilt byte for byte if their files were
lost), the store refuses a second `hearing.closed`, `seal` and `advance` are idempotent.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from vc_service.audit.bundle import BoundFile
from vc_service.audit.events import CLOSING_EVENT, LogSealed
from vc_service.audit.export import Attachments
from vc_service.audit.store import AuditStore
from vc_service.closing import settle
from vc_service.closing.minutes import build_minutes, render_html, render_pdf
from vc_service.errors import InvalidStateError, NotFound
from vc_service.hearings.lifecycle import State
from vc_service.hearings.opening import SYSTEM
from vc_service.hearings.registry import Hearings

log = logging.getLogger(__name__)

MINUTES_EVENT = "minutes.generated"
MANIFEST_EVENT = "media.manifest"
FINISHED_EVENT = "recording.finished"
FORMATS = {"html": ("minutes.html", "text/html"), "pdf": ("minutes.pdf", "application/pdf")}
_LOCKS: dict[str, asyncio.Lock] = {}


class SealParts(Protocol):
    """What sealing needs; `Services` has both."""

    @property
    def audit(self) -> AuditStore: ...

    @property
    def hearings(self) -> Hearings: ...


@dataclass(frozen=True)
class Parts:
    audit: AuditStore
    hearings: Hearings


@dataclass
class SealResult:
    hearing_id: str
    size: int  # events in the sealed log
    checkpoint: bytes  # the final signed note
    minutes_seqs: dict[str, int]  # format -> seq of its minutes.generated event
    done: list[str] = field(default_factory=list)  # steps this call performed (empty: no-op)


class MinutesFiles:
    """Where the minutes' files live (`<data_dir>/minutes/<hearing>/`), and the attachment
    source that puts them into the export bundle. Registered once on the audit store."""

    def __init__(self, audit: AuditStore, data_dir: Path) -> None:
        self.audit = audit
        self.data_dir = data_dir
        self.root = data_dir / "minutes"

    def path(self, hearing_id: str, fmt: str) -> Path:
        return self.root / hearing_id / FORMATS[fmt][0]

    async def __call__(self, hearing_id: str) -> Attachments:
        events = await _events(self.audit, hearing_id)
        found = Attachments()
        for fmt, (seq, event) in _minutes_events(events).items():
            data = await self.content(hearing_id, events, fmt)
            if hashlib.sha256(data).hexdigest() != event.get("sha256"):
                log.error("minutes.%s of hearing %s do not match event %d", fmt, hearing_id, seq)
                continue
            bound = BoundFile(seq, data)
            if fmt == "html":
                found.minutes_html = bound
            else:
                found.minutes_pdf = bound
        manifest = _manifest_event(events)
        if manifest is not None:
            path = self.data_dir / str(manifest["path"])
            if await asyncio.to_thread(_digest, path) == manifest["sha256"]:
                found.media_manifest = BoundFile(int(manifest["seq"]), path)
            else:
                log.error("the recording manifest of hearing %s is missing or changed", hearing_id)
        return found

    async def content(self, hearing_id: str, events: list[dict[str, Any]], fmt: str) -> bytes:
        """The stored file, or the same bytes rebuilt from the events if it was lost."""
        path = self.path(hearing_id, fmt)
        if await asyncio.to_thread(path.is_file):
            return await asyncio.to_thread(path.read_bytes)
        return (await asyncio.to_thread(render, _covered(events)))[fmt]

    async def save(self, hearing_id: str, fmt: str, data: bytes) -> None:
        path = self.path(hearing_id, fmt)

        def write() -> None:
            # The minutes hold personal data: private to the service's user, like the database.
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
                f.write(data)
            tmp.replace(path)

        await asyncio.to_thread(write)


def install(audit: AuditStore, data_dir: Path) -> MinutesFiles:
    """Register the minutes' attachment source on the store (once); return it."""
    for source in audit.attachment_sources:
        if isinstance(source, MinutesFiles):
            return source
    files = MinutesFiles(audit, data_dir)
    audit.attachment_sources.append(files)
    return files


def minutes_files(audit: AuditStore) -> MinutesFiles:
    for source in audit.attachment_sources:
        if isinstance(source, MinutesFiles):
            return source
    return install(audit, audit.settings.data_dir)


def render(events: list[dict[str, Any]]) -> dict[str, bytes]:
    minutes = build_minutes(events)
    return {"html": render_html(minutes).encode("utf-8"), "pdf": render_pdf(minutes)}


async def _events(audit: AuditStore, hearing_id: str) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in await audit.events(hearing_id)]


def _minutes_events(events: list[dict[str, Any]]) -> dict[str, tuple[int, dict[str, Any]]]:
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for event in events:
        if event["type"] == MINUTES_EVENT and event.get("format") in FORMATS:
            found.setdefault(str(event["format"]), (int(event["seq"]), event))
    return found


def _digest(path: Path) -> str | None:
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest_event(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last `media.manifest` event: the bundle has room for one manifest."""
    bound = [e for e in events if e["type"] == MANIFEST_EVENT]
    return bound[-1] if bound else None


def _covered(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events the minutes describe: all before the first minutes event or the close."""
    for index, event in enumerate(events):
        if event["type"] in (MINUTES_EVENT, CLOSING_EVENT):
            return events[:index]
    return events


# -- the steps ---------------------------------------------------------------------------------


async def bind_manifest(parts: SealParts, hearing_id: str) -> int | None:
    """Bind the last finished recording's manifest (if any, and intact on disk) with a
    `media.manifest` event carrying its sha256 and bytes: `recording.finished` names the file
    but the bundle binds files by those two fields. Returns the event's seq, or None."""
    audit = parts.audit
    events = await _events(audit, hearing_id)
    if any(e["type"] in (MANIFEST_EVENT, MINUTES_EVENT, CLOSING_EVENT) for e in events):
        bound = _manifest_event(events)
        return None if bound is None else int(bound["seq"])
    finished = [e for e in events if e["type"] == FINISHED_EVENT and e.get("manifest")]
    if not finished:
        return None
    last = finished[-1]
    path = minutes_files(audit).data_dir / str(last["manifest"])
    data = await asyncio.to_thread(lambda: path.read_bytes() if path.is_file() else None)
    digest = None if data is None else hashlib.sha256(data).hexdigest()
    if data is None or digest != last.get("manifest_sha256"):
        log.error("hearing %s: manifest %s is missing or changed; not bound", hearing_id, path)
        return None
    fields: dict[str, object] = {
        "recording": last.get("recording"),
        "path": str(last["manifest"]),
        "sha256": digest,
        "bytes": len(data),
        "finished_seq": int(last["seq"]),
    }
    return await audit.append(hearing_id, MANIFEST_EVENT, SYSTEM, fields)


async def left_open(parts: SealParts, hearing_id: str) -> list[dict[str, object]]:
    """The legal decision's `after` conditions (e.g. `minutes.drawn_up`) that no `condition.met`
    event meets, each with the roles that meet it. The room's end listed them and asked those
    roles (`hearing.ended`, `open_after`); a hearing is sealed whether or not they answered,
    and its last event says what was left open."""
    info = await parts.hearings.room_info(hearing_id)
    if info is None:
        return []
    events = await _events(parts.audit, hearing_id)
    met = {e.get("condition") for e in events if e["type"] == "condition.met"}
    return [
        {"condition": str(c["id"]), "satisfied_by": sorted(str(r) for r in c["satisfied_by"])}
        for c in info.conditions
        if c.get("stage") == "after" and c["id"] not in met
    ]


async def write_minutes(parts: SealParts, hearing_id: str) -> dict[str, int]:
    """Steps (a)+(b): build the minutes, store the files, append one `minutes.generated` per
    format (sha256 + bytes bind the file in the bundle). Skips formats already in the log."""
    audit = parts.audit
    events = await _events(audit, hearing_id)
    have = {fmt: seq for fmt, (seq, _) in _minutes_events(events).items()}
    if set(have) == set(FORMATS) or any(e["type"] == CLOSING_EVENT for e in events):
        return have
    covered = _covered(events)
    rendered = await asyncio.to_thread(render, covered)
    files = minutes_files(audit)
    for fmt, data in rendered.items():
        if fmt in have:
            continue
        await files.save(hearing_id, fmt, data)
        name, media_type = FORMATS[fmt]
        fields: dict[str, object] = {
            "format": fmt,
            "path": name,
            "media_type": media_type,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "events": len(covered),
        }
        have[fmt] = await audit.append(hearing_id, MINUTES_EVENT, SYSTEM, fields)
    return have


async def append_closed(parts: SealParts, hearing_id: str, minutes: dict[str, int]) -> bool:
    """Step (c): the log's last leaf, listing the `after` conditions left open (`left_open`,
    an empty list when none is). False if the log already had it."""
    fields: dict[str, object] = {
        "minutes": {fmt: minutes[fmt] for fmt in sorted(minutes)},
        "left_open": await left_open(parts, hearing_id),
    }
    try:
        await parts.audit.append(hearing_id, CLOSING_EVENT, SYSTEM, fields)
    except LogSealed:
        return False
    return True


async def close_and_seal(
    parts: SealParts, hearing_id: str, recordings_within: float = settle.RETRY_SECONDS
) -> SealResult:
    """Seal a closed hearing (see the module doc). Idempotent; a sealed hearing is a no-op.
    Recordings still finishing get `recordings_within` seconds to report (`settle`)."""
    lock = _LOCKS.setdefault(hearing_id, asyncio.Lock())
    async with lock:
        return await _close_and_seal(parts, hearing_id, recordings_within)


async def _close_and_seal(
    parts: SealParts, hearing_id: str, recordings_within: float
) -> SealResult:
    info = await parts.hearings.room_info(hearing_id)
    if info is None:
        raise NotFound(f"no hearing {hearing_id}", code="hearing.not_found")
    if info.state not in (State.CLOSED, State.SEALED):
        raise InvalidStateError(
            f"hearing {hearing_id} is {info.state}; only a closed hearing can be sealed",
            code="hearing.not_closed",
            details={"state": info.state},
        )
    audit = parts.audit
    done: list[str] = []
    head = await audit.head(hearing_id)
    if head is None or head.closed_size is None:
        if await settle.settle_recordings(audit, hearing_id, recordings_within):
            done.append("recordings_unfinished")
        before = await audit.size(hearing_id)
        await bind_manifest(parts, hearing_id)
        if await audit.size(hearing_id) > before:
            done.append("manifest")
        before = await audit.size(hearing_id)
        minutes = await write_minutes(parts, hearing_id)
        if await audit.size(hearing_id) > before:
            done.append("minutes")
        if await append_closed(parts, hearing_id, minutes):
            done.append("closed")
        head = await audit.head(hearing_id)
    assert head is not None and head.closed_size is not None
    if head.sealed_at is None:
        done.append("sealed")
    note = await audit.seal(hearing_id)
    if info.state != State.SEALED:
        await parts.hearings.advance(hearing_id, State.SEALED, SYSTEM, event=None)
        done.append("state")
    events = await _events(audit, hearing_id)
    seqs = {fmt: seq for fmt, (seq, _) in _minutes_events(events).items()}
    log.info("hearing %s sealed at size %d (%s)", hearing_id, head.closed_size, done or "no-op")
    return SealResult(hearing_id, head.closed_size, note, seqs, done)


_BACKGROUND: set[asyncio.Task[None]] = set()


def seal_in_background(hearings: Hearings, hearing_id: str) -> asyncio.Task[None]:
    """Run `close_and_seal` as a task (the room's end must not wait for the PDF and the TSA)."""

    async def run() -> None:
        try:
            parts = Parts(hearings.audit, hearings)
            await close_and_seal(parts, hearing_id, settle.BACKGROUND_SECONDS)
        except Exception:
            log.exception("sealing hearing %s failed; retry with `vc-service log seal`", hearing_id)

    task = asyncio.get_running_loop().create_task(run(), name=f"seal-{hearing_id}")
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)
    return task


async def wait_background() -> None:
    """Wait for the sealing tasks in flight (tests, shutdown)."""
    while _BACKGROUND:
        await asyncio.gather(*list(_BACKGROUND), return_exceptions=True)
