"""The offline check's public key without building it by hand (issue 13, point 15), and a
verification that says "not checked" for what it did not check (point 14).

`vc-service keys export --pem` and the clerk's `log-key.pem` give the `log.pem` VERIFY.md asks
for: stock openssl verifies the sealed checkpoint's signature with it, by VERIFY.md's own
step-1 commands (`openssl pkeyutl -verify -pubin -inkey log.pem -rawin`). `keys trust-policy`
prints to stdout without `-o`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.closing.story import closed_hearing
from tests.closing.test_clerk_api import desk_of
from tests.hearings.kit import Court
from tests.helpers import StaffSession
from vc_service.audit.checkpoint import public_key_pem
from vc_service.audit.policy import load_policy
from vc_service.audit.report import STEPS
from vc_service.cli import main
from vc_service.closing.clerk_routes import checked_steps
from vc_service.closing.sealing import close_and_seal

__all__ = ["desk_of"]


# VERIFY.md, step 1 ("The checkpoint"): the note text, the signature of the key named NAME, and
# stock openssl with the log.pem received out of band.
CHECKPOINT_STEP = """
awk '{ l[NR] = $0; if ($0 == "") b = NR } END { for (i = 1; i < b; i++) print l[i] }' \\
  checkpoint > note.txt
grep -F -- "— $NAME " checkpoint | head -n 1 | awk '{ print $3 }' | base64 -d \\
  | tail -c 64 > sig.bin
openssl pkeyutl -verify -pubin -inkey log.pem -rawin -in note.txt -sigfile sig.bin
"""


def openssl_checks_checkpoint(folder: Path, key_name: str) -> subprocess.CompletedProcess[str]:
    """Run VERIFY.md's step 1 in an unpacked bundle holding `log.pem`."""
    return subprocess.run(
        ["sh", "-euc", CHECKPOINT_STEP], cwd=folder, env={**os.environ, "NAME": key_name},
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def verified(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == 0 and "Signature Verified Successfully" in result.stdout


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses the arguments
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def cli_env(lite: Court, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = lite.services.settings
    monkeypatch.setenv("VC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("VC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VC_LOG_FORMAT", "text")


async def sealed(lite: Court) -> str:
    closed = await closed_hearing(lite)
    await close_and_seal(lite.services, closed.record.id)
    return closed.record.id


def unpacked(bundle: bytes, folder: Path) -> Path:
    folder.mkdir()
    (folder / "bundle.zip").write_bytes(bundle)
    with zipfile.ZipFile(folder / "bundle.zip") as archive:
        archive.extractall(folder)
    return folder


async def test_keys_export_pem_verifies_the_sealed_checkpoint_with_openssl(
    lite: Court, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hid = await sealed(lite)
    bundle = tmp_path / "bundle.zip"
    await lite.services.audit.export(hid, bundle)
    folder = unpacked(bundle.read_bytes(), tmp_path / "unpacked")
    active = await lite.services.audit.keys.active()

    code, out, err = await asyncio.to_thread(
        run_cli, capsys, "keys", "export", "--pem", "--hearing", hid, "-o", str(folder / "log.pem")
    )
    assert code == 0, err
    assert active.name in out and active.key_id in out
    pem = (folder / "log.pem").read_bytes()
    assert pem == public_key_pem(active.public_key)
    shell = await asyncio.to_thread(openssl_checks_checkpoint, folder, active.name)
    assert verified(shell), shell.stdout + shell.stderr
    # Another key (the policy's raw base64 built by hand went wrong this way) fails.
    (folder / "log.pem").write_bytes(public_key_pem(bytes(32)))
    wrong = await asyncio.to_thread(openssl_checks_checkpoint, folder, active.name)
    assert not verified(wrong)
    # The same key on stdout (the default selection is the active key); which key on stderr.
    code, out, err = await asyncio.to_thread(run_cli, capsys, "keys", "export", "--pem")
    assert code == 0 and out.encode() == pem and active.name in err

    # After a rotation the hearing's key is still the one that signed it, not the new one.
    code, out, err = await asyncio.to_thread(run_cli, capsys, "keys", "rotate")
    assert code == 0, err
    code, out, err = await asyncio.to_thread(run_cli, capsys, "keys", "export", "--hearing", hid)
    assert code == 0 and out.encode() == pem, err
    code, out, err = await asyncio.to_thread(run_cli, capsys, "keys", "export", "--all")
    assert code == 0 and out.count("-----BEGIN PUBLIC KEY-----") == 2
    assert f"# key name {active.name}, key id {active.key_id}" in out
    code, out, err = await asyncio.to_thread(
        run_cli, capsys, "keys", "export", "--name", active.name, "--base64"
    )
    assert code == 0 and out.startswith(f"{active.name} ") and out.count("\n") == 1
    code, out, err = await asyncio.to_thread(
        run_cli, capsys, "keys", "export", "--name", "no/such-key"
    )
    assert code == 2 and "audit.key.not_found" in err


async def test_keys_trust_policy_without_output_prints_the_policy(
    lite: Court, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await asyncio.to_thread(run_cli, capsys, "keys", "trust-policy")
    assert code == 0, err  # it was a usage error (exit 2): -o was required
    assert out.startswith("# vc-service audit trust policy") and "1 log key(s)" in err
    policy = tmp_path / "piped.toml"
    policy.write_text(out, encoding="utf-8")
    assert len(load_policy(policy).log_keys) == 1
    code, out, err = await asyncio.to_thread(
        run_cli, capsys, "keys", "trust-policy", "--format", "json"
    )
    assert code == 0 and out.lstrip().startswith("{"), err


async def test_clerk_downloads_the_log_key_and_sees_what_was_not_checked(
    lite: Court, desk_of: dict[str, StaffSession], tmp_path: Path
) -> None:
    hid = await sealed(lite)
    clerk = desk_of["clerk"].client
    bundle = await (await clerk.get(f"/api/clerk/hearings/{hid}/bundle")).read()
    folder = unpacked(bundle, tmp_path / "unpacked")
    response = await clerk.get(f"/api/clerk/hearings/{hid}/log-key.pem")
    assert response.status == 200, await response.text()
    assert response.headers["Content-Disposition"] == 'attachment; filename="log.pem"'
    name = response.headers["X-Log-Key-Name"]
    (folder / "log.pem").write_bytes(await response.read())
    shell = await asyncio.to_thread(openssl_checks_checkpoint, folder, name)
    assert verified(shell), shell.stdout + shell.stderr
    other = await desk_of["other_clerk"].client.get(f"/api/clerk/hearings/{hid}/log-key.pem")
    assert other.status == 404
    # The minutes' page keeps its layout (an inline style) and runs nothing.
    minutes = await clerk.get(f"/api/clerk/hearings/{hid}/minutes.html")
    policy = minutes.headers["Content-Security-Policy"]
    assert policy == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert "<style>" in await minutes.text()

    # No TSA and no cosigner here: the verifier passes steps 5 and 6 with nothing to check.
    # The answer says so instead of counting them as passed.
    checked = await (await clerk.get(f"/api/clerk/hearings/{hid}/verification")).json()
    assert checked["ok"] is True
    by_number = {step["number"]: step for step in checked["steps"]}
    assert checked["not_checked"] == [5, 6]
    assert by_number[5]["status"] == "not_checked"
    assert "no cosigner is registered" in by_number[5]["reason"]
    assert by_number[6]["status"] == "not_checked"
    assert "no RFC 3161 timestamp" in by_number[6]["reason"]
    assert all(by_number[n]["status"] == "passed" for n in (1, 2, 3, 4, 7, 8, 9, 10, 11))
    assert checked["log_keys"] == [
        {
            "name": name,
            "key_id": (await lite.services.audit.keys.active()).key_id,
            "download": f"/api/clerk/hearings/{hid}/log-key.pem",
        }
    ]


def test_a_step_after_a_failure_is_not_checked_and_the_failure_stays_failed() -> None:
    steps = [
        {"number": n, "title": title, "passed": n < 4, "detail": "d", "code": None}
        for n, title in enumerate(STEPS, 1)
    ]
    steps[3]["detail"] = "bad signature"
    for later in steps[4:]:
        later["detail"] = "not run: step 4 failed"
    marked = checked_steps(steps, cosigners=1, timestamped=True)
    assert [s["status"] for s in marked[:4]] == ["passed"] * 3 + ["failed"]
    assert {s["status"] for s in marked[4:]} == {"not_checked"}
    assert marked[4]["reason"] == "not run: step 4 failed first"
    # With a cosigner and a timestamp, steps 5 and 6 that passed are passed.
    passed = [{**s, "passed": True} for s in steps]
    assert {s["status"] for s in checked_steps(passed, cosigners=1, timestamped=True)} == {"passed"}
