"""Issue 14 point 10 (the verifier's part): a track whose first parts are missing, and a
recording manifest announcing parts the log does not hold (or holding parts it does not
announce), fail step 11. Both verified before."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.audit.factory import ORIGIN, START, VERIFY_NOW, checkpoint_for, policy, sha, ts
from vc_service.audit.bundle import BoundFile, build_bundle
from vc_service.audit.canonical import canonical_bytes
from vc_service.audit.verify import VerificationReport, verify_bundle

MEDIA = [b"part-%d " % n * (30 + n) for n in range(4)]
JUDGE = {"id": "u-judge-1", "role": "judge"}
RECORDER = {"id": "recorder", "role": "recorder"}


def manifest(parts: int) -> bytes:
    return json.dumps(
        {
            "format": "vc-recording-manifest/1",
            "recording": "rec-1",
            "tracks": [
                {
                    "track": "judge",
                    "parts": [
                        {"part": n, "sha256": sha(MEDIA[n]), "bytes": len(MEDIA[n])}
                        for n in range(parts)
                    ],
                }
            ],
        },
        sort_keys=True,
    ).encode()


def bundle(tmp_path: Path, logged: list[int], announced: int | None) -> Path:
    bodies: list[dict[str, object]] = [{"type": "hearing.created", "actor": JUDGE}]
    for part in logged:
        bodies.append(
            {
                "type": "media.segment",
                "actor": RECORDER,
                "recording": "rec-1",
                "track": "judge",
                "part": part,
                "sha256": sha(MEDIA[part]),
                "bytes": len(MEDIA[part]),
                "t0": ts(START + timedelta(minutes=part)),
                "t1": ts(START + timedelta(minutes=part + 1)),
            }
        )
    document = manifest(announced) if announced is not None else None
    if document is not None:
        bodies.append(
            {
                "type": "media.manifest",
                "actor": RECORDER,
                "sha256": sha(document),
                "bytes": len(document),
            }
        )
    bodies.append({"type": "hearing.closed", "actor": JUDGE})
    events = [
        canonical_bytes({**b, "log": ORIGIN, "seq": n, "ts": ts(START + timedelta(minutes=n))})
        for n, b in enumerate(bodies)
    ]
    path = tmp_path / f"{'-'.join(map(str, logged))}-{announced}.zip"
    build_bundle(
        path,
        events=events,
        checkpoint=checkpoint_for(events, len(events)),
        media=[BoundFile(1 + i, MEDIA[part], ".webm") for i, part in enumerate(logged)],
        media_manifest=None if document is None else BoundFile(1 + len(logged), document),
    )
    return path


def failed(report: VerificationReport) -> tuple[int, str | None]:
    step = next(step for step in report.steps if not step.passed)
    return step.number, step.code


def test_the_manifest_and_the_log_hold_the_same_parts(tmp_path: Path) -> None:
    good = verify_bundle(bundle(tmp_path, [0, 1, 2], 3), policy(), now=VERIFY_NOW)
    assert good.ok, good.render()
    # The last part announced but never logged (or its event removed before signing).
    report = verify_bundle(bundle(tmp_path, [0, 1, 2], 4), policy(), now=VERIFY_NOW)
    assert failed(report) == (11, "audit.binding.manifest"), report.render()
    assert "announces parts 0..3, the log holds parts [0, 1, 2]" in report.render()
    # A part logged that the manifest leaves out.
    report = verify_bundle(bundle(tmp_path, [0, 1, 2, 3], 3), policy(), now=VERIFY_NOW)
    assert failed(report) == (11, "audit.binding.manifest")


def test_a_track_must_start_at_part_zero(tmp_path: Path) -> None:
    report = verify_bundle(bundle(tmp_path, [1, 2], None), policy(), now=VERIFY_NOW)
    assert failed(report) == (11, "audit.binding.segment")
    assert "judge starts at part 1, not 0" in report.render()
