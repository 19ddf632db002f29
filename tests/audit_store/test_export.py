"""Export of a sealed hearing to the clerk bundle, and the CLI round trip export -> verify."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import subprocess
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vc_service.audit.bundle import BoundFile
from vc_service.audit.checkpoint import Cosigner, parse_signed_note, public_key_pem
from vc_service.audit.events import format_ts
from vc_service.audit.export import Attachments
from vc_service.audit.signing import LogNotClosed
from vc_service.audit.store import AuditStore
from vc_service.cli import main
from vc_service.closing.sealing import minutes_files
from vc_service.db import utcnow
from vc_service.services import Services

from .conftest import JUDGE, SYSTEM
from .helpers import close_and_seal, export_and_verify

SEGMENT = b"\x1aE\xdf\xa3 not really matroska" * 50
MINUTES = b"<!doctype html><title>Minutes</title><p>Heard the witness.</p>"


def binding(data: bytes) -> dict[str, object]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


async def sealed_hearing(audit: AuditStore, hearing: str) -> tuple[int, int]:
    await audit.append(hearing, "hearing.created", JUDGE, {"court": "Juzgado 4"})
    now = format_ts(utcnow())
    segment = await audit.append(
        hearing,
        "media.segment",
        SYSTEM,
        {"track": "judge", "part": 0, "t0": now, "t1": now, **binding(SEGMENT)},
    )
    minutes = await audit.append(
        hearing, "minutes.generated", SYSTEM, {"format": "html", **binding(MINUTES)}
    )
    await close_and_seal(audit, hearing)
    return segment, minutes


async def test_export_binds_files_and_verifies(
    audit: AuditStore, hearing: str, tmp_path: Path
) -> None:
    with pytest.raises(LogNotClosed) as caught:
        await audit.export(hearing, tmp_path / "early.zip")
    assert caught.value.code == "audit.log.not_sealed"
    segment, minutes = await sealed_hearing(audit, hearing)
    segment_file = tmp_path / "segment.mkv"
    segment_file.write_bytes(SEGMENT)

    async def recordings(hearing_id: str) -> Attachments:
        assert hearing_id == hearing
        # The minutes too: every file an event binds must be in the bundle (issue 14 point 3).
        return Attachments(
            media=[BoundFile(segment, segment_file, ".mkv")],
            minutes_html=BoundFile(minutes, MINUTES),
        )

    audit.attachment_sources.append(recordings)
    steps: list[str] = []
    out = tmp_path / "out" / "bundle.zip"
    index = await audit.export(
        hearing, out, steps.append, Attachments(minutes_html=BoundFile(minutes, MINUTES))
    )
    assert index["size"] == 4 and len(index["files"]) == 2
    assert any("2 bound file(s)" in step for step in steps)
    with zipfile.ZipFile(out) as archive:
        assert archive.read("media/judge/000000.mkv") == SEGMENT
        assert archive.read("minutes.html") == MINUTES
        lines = archive.read("events.jsonl").splitlines()
    assert lines == await audit.events(hearing)
    report = await export_and_verify(audit, hearing, out)
    assert report.ok, report.render()


async def test_cli_export_verify_show_and_keys(
    services: Services,
    hearing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VC_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("VC_DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("VC_LOG_FORMAT", "text")
    await sealed_hearing(services.audit, hearing)
    # The minutes' file where the sealing step keeps it, so that the export binds it.
    await minutes_files(services.audit).save(hearing, "html", MINUTES)

    async def cli(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        try:
            code = await asyncio.to_thread(main, list(argv))
        except SystemExit as exc:  # argparse refusing the arguments
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    bundle, policy = tmp_path / "hearing.zip", tmp_path / "trust.toml"
    code, out = await cli("log", "export", hearing, "-o", str(bundle))
    assert code == 0, out
    assert "4 events" in out and str(bundle) in out
    code, out = await cli("keys", "trust-policy", "-o", str(policy))
    assert code == 0, out
    assert 'origin_prefix = "vc.localhost/hearing/"' in policy.read_text()
    code, out = await cli(
        "log", "verify", str(bundle), "--trust", str(policy), "--hearing", hearing
    )
    assert code == 0, out
    assert out.count("PASS") == 11 and "result: VERIFIED" in out
    # The stock-tool route on the real export, with the real policy, which pins the verifier
    # the operator publishes with it (issue 14 point 1).
    published = tmp_path / "published"
    code, out = await cli("log", "verifier", "-o", str(published))
    assert code == 0 and out.count("  scripts/") == 5, out
    pins = [line for line in out.splitlines() if "  " in line]
    assert all(f'"{pin}"' in policy.read_text() for pin in pins)
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unzipped)
    code, out = await cli("keys", "export", "-o", str(unzipped / "log.pem"))
    assert code == 0, out
    key_name = out.split("key name ")[1].split(",")[0]
    shell = await asyncio.to_thread(
        subprocess.run,
        [
            *("sh", str(published / "scripts/verify.sh"), "-p", str(policy), "-k", "log.pem"),
            *("-n", key_name, "-o", f"vc.localhost/hearing/{hearing}", "."),
        ],
        cwd=unzipped,
        capture_output=True,
        text=True,
    )
    assert shell.returncode == 0 and "VERIFIED" in shell.stdout, shell.stdout + shell.stderr

    # A tampered bundle fails (exit 1) and says which step.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "events.jsonl":
                data = data.replace(b"Juzgado 4", b"Juzgado 5")
            target.writestr(info, data)
    code, out = await cli(
        "log", "verify", str(tampered), "--trust", str(policy), "--hearing", hearing
    )
    assert code == 1 and "FAIL" in out and "NOT VERIFIED" in out
    # The hearing is the clerk's input (issue 14 point 4): required, and another one fails.
    code, out = await cli("log", "verify", str(bundle), "--trust", str(policy))
    assert code == 2 and "--hearing" in out
    other = str(uuid.uuid4())
    code, out = await cli("log", "verify", str(bundle), "--trust", str(policy), "--hearing", other)
    assert code == 1 and "FAIL  3." in out and "audit.checkpoint.origin" in out
    origin = f"vc.localhost/hearing/{hearing}"
    code, out = await cli("log", "verify", str(bundle), "--trust", str(policy), "--origin", origin)
    assert code == 0, out
    # Bad input is exit 2.
    code, out = await cli(
        "log", "verify", str(bundle), "--trust", str(tmp_path / "none.toml"), "--hearing", hearing
    )
    assert code == 2 and "trust policy" in out
    code, out = await cli(
        "log", "verify", str(tmp_path / "none.zip"), "--trust", str(policy), "--hearing", hearing
    )
    assert code == 2
    # Another hearing, never logged (replacing a character of the id failed when it had none).
    code, out = await cli("log", "export", str(uuid.uuid4()), "-o", str(tmp_path / "x"))
    assert code == 2 and "audit.log.not_sealed" in out

    # A cosigner registered from its PEM file, then its line over the final checkpoint.
    witness = Cosigner("authority.example.es/witness", Ed25519PrivateKey.generate())
    pem = tmp_path / "witness.pem"
    pem.write_bytes(public_key_pem(witness.public_key))
    code, out = await cli("log", "cosigner", hearing, witness.name, str(pem))
    assert code == 0 and witness.key_id.hex() in out
    final = await services.audit.signer.signed_note(hearing, 4)
    assert final is not None
    line = tmp_path / "line.txt"
    line.write_text(witness.cosign(parse_signed_note(final).body, int(time.time())).line())
    code, out = await cli("log", "cosign", hearing, "--line", str(line))
    assert code == 0 and "verified and stored" in out
    prefix, blob = line.read_text().rstrip("\n").rsplit(" ", 1)
    forged = bytearray(base64.b64decode(blob))
    forged[-1] ^= 1  # one bit of the signature
    line.write_text(f"{prefix} {base64.b64encode(bytes(forged)).decode()}\n")
    code, out = await cli("log", "cosign", hearing, "--line", str(line))
    assert code == 2 and "audit.checkpoint.bad_cosignature" in out

    code, out = await cli("log", "show", hearing)
    assert code == 0 and "sealed" in out and "hearing.closed" in out and "(final)" in out
    code, out = await cli("keys", "rotate")
    assert code == 0 and "retired" in out and "active" in out
    code, out = await cli("keys", "list")
    assert code == 0 and out.count("vc.localhost/audit-key/") == 2 and "retired" in out
    json_policy = tmp_path / "trust.json"
    code, out = await cli("keys", "trust-policy", "-o", str(json_policy))
    assert code == 0 and "2 log key(s)" in out
    # The old key's window still covers the sealed hearing.
    code, out = await cli(
        "log", "verify", str(bundle), "--trust", str(json_policy), "--hearing", hearing
    )
    assert code == 0, out
