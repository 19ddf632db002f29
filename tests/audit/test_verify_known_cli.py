"""`vc-service log verify --known CHECKPOINT` (issue 14 point 8): a checkpoint the clerk already
holds must be a prefix of the bundle's log, or the verification fails as a fork."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.audit.factory import ORIGIN, PREFIX, build_sample, checkpoint_for, make_events
from tests.audit.support import golden_signer
from tests.audit.test_verify_time import _forked
from vc_service.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_log_verify_known(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = make_events()
    sample = build_sample(tmp_path, events=_forked(events, 3), interim=())
    policy = tmp_path / "trust.json"
    signer = golden_signer()
    policy.write_text(
        json.dumps(
            {
                "version": 1,
                "origin_prefix": PREFIX,
                "log_keys": [
                    {
                        "name": signer.name,
                        "public_key": base64.b64encode(signer.public_key).decode(),
                    }
                ],
            }
        )
    )
    args = ("log", "verify", str(sample.path), "--trust", str(policy), "--origin", ORIGIN)
    code, out = run(capsys, *args)
    assert code == 0, out
    held = tmp_path / "held.txt"
    held.write_bytes(checkpoint_for(_forked(events, 3), 6))
    code, out = run(capsys, *args, "--known", str(held))
    assert code == 0 and "known checkpoint(s) at size 6 consistent" in out, out
    # What the authority saw during the hearing said something else at event 3.
    held.write_bytes(checkpoint_for(events, 6))
    code, out = run(capsys, *args, "--known", str(held))
    assert code == 1 and "audit.proof.fork" in out and "NOT VERIFIED" in out, out
    code, out = run(capsys, *args, "--known", str(tmp_path / "missing.txt"))
    assert code == 2, out
