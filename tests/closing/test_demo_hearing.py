"""`vc-service demo-hearing` end to end as a user runs it: a subprocess, real aiortc peers on
loopback, a sealed bundle that verifies."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vc_service", "demo-hearing", "--data-dir", str(data_dir)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_demo_hearing_runs_the_whole_story(tmp_path: Path) -> None:
    done = run(tmp_path / "demo")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    for step in (
        "legal decision: conditional",
        "invitation issued to the witness",
        "before-condition met: request.accepted",
        "lobby open",
        "joined over the WebSocket",
        "everyone receives everyone's audio and video",
        "during-condition met in the room by the authority: identity.verified",
        "testimony started",
        "testimony stopped",
        "the judge ended the hearing",
        "sealed: ",
        "result: VERIFIED",
        "verified: the sealed bundle",
    ):
        assert step in out, step
    bundle = Path(next(line for line in out.splitlines() if line.startswith("==> bundle: "))[12:])
    policy = Path(next(line for line in out.splitlines() if "==> trust policy: " in line)[18:])
    assert bundle.is_file() and policy.is_file()
    with zipfile.ZipFile(bundle) as archive:
        minutes = archive.read("minutes.html").decode("utf-8")
    # The demo's court is German: so are its minutes.
    assert "Camille Martin" in minutes and "Fingerabdruck des DTLS-Zertifikats" in minutes
    assert "Beginn der Aussage" in minutes and "beendete die Vernehmung" in minutes
