"""Builds a sealed hearing's clerk bundle from the database with `bundle.build_bundle`.

Files that other parts own (recording segments and manifest, minutes) reach the bundle through
attachment sources: async callables registered on the store that return the files bound to
events of one hearing. The zip is written in a worker thread (hashing media and compressing
events must not stall the event loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vc_service.audit.bundle import BoundFile, CourtPart, build_bundle
from vc_service.audit.signing import LogNotClosed

if TYPE_CHECKING:
    from vc_service.audit.store import AuditStore

Progress = Callable[[str], None]


@dataclass
class Attachments:
    """Files bound to events of one hearing (each event carries the file's sha256 and bytes)."""

    media: list[BoundFile] = field(default_factory=list)
    media_manifest: BoundFile | None = None
    minutes_html: BoundFile | None = None
    minutes_pdf: BoundFile | None = None

    def merge(self, other: Attachments) -> None:
        self.media.extend(other.media)
        self.media_manifest = other.media_manifest or self.media_manifest
        self.minutes_html = other.minutes_html or self.minutes_html
        self.minutes_pdf = other.minutes_pdf or self.minutes_pdf


# The recordings and minutes parts register one each on `services.audit.attachment_sources`.
AttachmentSource = Callable[[str], Awaitable[Attachments]]


def _quiet(_: str) -> None:
    return None


async def export_bundle(
    store: AuditStore,
    hearing_id: str,
    out: Path,
    progress: Progress = _quiet,
    extra: Attachments | None = None,
) -> dict[str, Any]:
    """Write the bundle of a sealed hearing to `out`; returns the bundle index."""
    size = await store.signer.final_size(hearing_id)
    if size is None:
        raise LogNotClosed(
            "audit.log.not_sealed",
            f"the log of hearing {hearing_id} is not sealed; seal it before exporting",
            {"hearing_id": hearing_id},
        )
    events = (await store.events(hearing_id))[:size]
    progress(f"{len(events)} events of {store.origin(hearing_id)}")
    final = await store.signer.signed_note(hearing_id, size)
    assert final is not None  # sealing stored it
    interim = [
        bytes(row.note) for row in await store.signer.checkpoints(hearing_id) if row.size < size
    ]
    progress(f"final checkpoint at size {size}, {len(interim)} interim checkpoint(s)")
    stamp = await store.signer.timestamp(hearing_id, size)
    progress("RFC 3161 timestamp included" if stamp else "no RFC 3161 timestamp (none configured)")
    keys = {info.name: info.public_key for info in await store.keys.all()}
    keys.update({key.name: key.public_key for key in await store.keys.cosigners(hearing_id)})
    files = Attachments()
    for source in store.attachment_sources:
        files.merge(await source(hearing_id))
    if extra is not None:
        files.merge(extra)
    bound = len(files.media) + sum(
        item is not None for item in (files.media_manifest, files.minutes_html, files.minutes_pdf)
    )
    progress(f"{bound} bound file(s) (recording segments, manifest, minutes)")
    proof = await store.court_proof(hearing_id)
    court = None
    if proof is None:
        progress("no court log entry (a hearing without a court, or sealed before court logs)")
    else:
        court = CourtPart(proof.checkpoint, proof.event, proof.seq, proof.proof)
        progress(f"court log: the hearing's final checkpoint is its event {proof.seq}")
    out.parent.mkdir(parents=True, exist_ok=True)
    index = await asyncio.to_thread(
        build_bundle,
        out,
        events=events,
        checkpoint=final,
        interim_checkpoints=interim,
        timestamp=None if stamp is None else bytes(stamp.reply),
        media=files.media,
        media_manifest=files.media_manifest,
        minutes_html=files.minutes_html,
        minutes_pdf=files.minutes_pdf,
        public_keys=keys,
        court=court,
    )
    written = await asyncio.to_thread(lambda: out.stat().st_size)
    progress(f"wrote {out} ({written} bytes)")
    return index
