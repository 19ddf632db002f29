"""A small, realistic hearing log and its bundle, built through the real code paths."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.audit.support import golden_cosigner, golden_signer
from vc_service.audit.bundle import BoundFile, build_bundle
from vc_service.audit.canonical import canonical_bytes
from vc_service.audit.checkpoint import Checkpoint, add_cosignature, sign_checkpoint
from vc_service.audit.policy import PolicyKey, TrustPolicy, TsaRoot
from vc_service.audit.tree import MerkleTree, leaf_hash

ORIGIN = "audit.court.example/hearing/0b5e2a8c-3f41-4d7e-9c2a-6f1e8d3b4a57"
PREFIX = "audit.court.example/hearing/"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VERIFY_NOW = datetime(2026, 11, 24, tzinfo=UTC)
MEDIA = [b"segment-0 " * 40, b"segment-1 " * 50, b"segment-2 " * 30]
MANIFEST = b'{"segments":3,"track":"judge"}\n'
MINUTES = b"<!doctype html><title>Minutes</title><p>Hearing minutes.</p>\n"
MINUTES_PDF = b"%PDF-1.4\n% Hearing minutes.\n%%EOF\n"


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_events(
    origin: str = ORIGIN, start: datetime = START, *, minutes_pdf: bool = False
) -> list[bytes]:
    judge = {"id": "u-judge-1", "name": "Richterin Müller", "role": "judge"}
    recorder = {"id": "recorder", "role": "recorder"}
    bodies: list[dict[str, object]] = [
        {
            "type": "hearing.created",
            "actor": judge,
            "requesting_state": "DE",
            "requested_state": "ES",
        },
        {"type": "participant.joined", "actor": {"id": "p-witness", "role": "witness"}},
        {
            "type": "consent.recorded",
            "actor": {"id": "p-witness", "role": "witness"},
            "consent": "recording",
        },
        {"type": "condition.met", "actor": judge, "condition": "identity_checked"},
    ]
    for part, content in enumerate(MEDIA):
        bodies.append(
            {
                "type": "media.segment",
                "actor": recorder,
                "track": "judge",
                "part": part,
                "sha256": sha(content),
                "bytes": len(content),
                "t0": ts(start + timedelta(minutes=part)),
                "t1": ts(start + timedelta(minutes=part + 1)),
            }
        )
    bodies += [
        {
            "type": "media.manifest",
            "actor": recorder,
            "sha256": sha(MANIFEST),
            "bytes": len(MANIFEST),
        },
        {
            "type": "minutes.generated",
            "actor": judge,
            "format": "html",
            "sha256": sha(MINUTES),
            "bytes": len(MINUTES),
        },
    ]
    if minutes_pdf:
        bodies.append(
            {
                "type": "minutes.generated",
                "actor": judge,
                "format": "pdf",
                "sha256": sha(MINUTES_PDF),
                "bytes": len(MINUTES_PDF),
            }
        )
    bodies += [
        {"type": "hearing.closed", "actor": judge},
    ]
    return [
        canonical_bytes(
            {**body, "log": origin, "seq": seq, "ts": ts(start + timedelta(seconds=seq))}
        )
        for seq, body in enumerate(bodies)
    ]


def checkpoint_for(events: list[bytes], size: int, origin: str = ORIGIN) -> bytes:
    tree = MerkleTree(leaf_hash(line) for line in events[:size])
    return sign_checkpoint(Checkpoint(origin, size, tree.root()), [golden_signer()])


def policy(
    *,
    quorum: int = 0,
    tsa_roots: tuple[TsaRoot, ...] = (),
    require_timestamp: bool = False,
    valid_from: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    valid_until: datetime | None = None,
) -> TrustPolicy:
    signer, witness = golden_signer(), golden_cosigner()
    return TrustPolicy(
        origin_prefix=PREFIX,
        log_keys=(PolicyKey(signer.name, signer.public_key, valid_from, valid_until),),
        cosigners=(PolicyKey(witness.name, witness.public_key, valid_from),),
        cosigner_quorum=quorum,
        tsa_roots=tsa_roots,
        require_timestamp=require_timestamp,
    )


@dataclass
class Sample:
    path: Path
    events: list[bytes]
    interim: list[int] = field(default_factory=list)


def build_sample(
    directory: Path,
    *,
    events: list[bytes] | None = None,
    interim: tuple[int, ...] = (3, 7, 10),
    cosign_at: datetime | None = None,
    timestamp: bytes | None = None,
    name: str = "bundle.zip",
    origin: str = ORIGIN,
    minutes_pdf: bool = False,
) -> Sample:
    events = events if events is not None else make_events(origin, minutes_pdf=minutes_pdf)
    final = checkpoint_for(events, len(events), origin)
    if cosign_at is not None:
        final = add_cosignature(final, golden_cosigner(), int(cosign_at.timestamp()))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    build_bundle(
        path,
        events=events,
        checkpoint=final,
        interim_checkpoints=[checkpoint_for(events, size, origin) for size in interim],
        timestamp=timestamp,
        media=[BoundFile(4 + part, content, ".webm") for part, content in enumerate(MEDIA)],
        media_manifest=BoundFile(7, MANIFEST),
        minutes_html=BoundFile(8, MINUTES),
        minutes_pdf=BoundFile(9, MINUTES_PDF) if minutes_pdf else None,
        public_keys={golden_signer().name: golden_signer().public_key},
    )
    return Sample(path, events, list(interim))


def rewrite(source: Path, target: Path, changes: dict[str, bytes | None]) -> Path:
    """Copy a bundle zip, replacing (bytes), removing (None) or adding members."""
    import zipfile

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in changes:
                continue
            new.writestr(info, old.read(info))
        for name, data in changes.items():
            if data is not None:
                new.writestr(name, data)
    return target


def member(path: Path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read(name)
