"""Running the stock-tool route (VERIFY.md and scripts/*.sh) with the real tools, as a clerk
does: with the trust policy (which pins the verifier files), the log key and the origin of the
hearing asked about, all given from outside the bundle."""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.audit.factory import ORIGIN, PREFIX
from tests.audit.support import LOG_KEY_NAME, golden_signer
from vc_service.audit.bundle import verifier_file, verifier_pins
from vc_service.audit.checkpoint import public_key_pem
from vc_service.audit.keys import policy_text
from vc_service.audit.policy import parse_policy

POLICY_FILE = "policy.toml"


@dataclass
class ShellResult:
    ok: bool
    output: str


def policy_toml() -> str:
    """The clerk's trust policy: the golden log key and the pins of this verifier's files."""
    signer = golden_signer()
    doc = {
        "version": 1,
        "origin_prefix": PREFIX,
        "verifier_sha256": verifier_pins(),
        "log_keys": [
            {
                "name": signer.name,
                "public_key": public_key_pem(signer.public_key).decode("ascii"),
                "valid_from": "2026-01-01T00:00:00Z",
            }
        ],
    }
    text = policy_text(doc, "toml")
    parse_policy(text, "toml")  # a policy the CLI reads too
    return text


def unpack(bundle: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(directory)
    return clerk_files(directory)


def clerk_files(directory: Path) -> Path:
    """What the clerk received out of band (never keys/ from the bundle), next to the bundle."""
    (directory / "log.pem").write_bytes(public_key_pem(golden_signer().public_key))
    (directory / POLICY_FILE).write_text(policy_toml(), encoding="utf-8")
    return directory


def run_sh(script: str, cwd: Path) -> ShellResult:
    result = subprocess.run(
        ["sh", "-c", script], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
    return ShellResult(result.returncode == 0, result.stdout + result.stderr)


def verify_sh(directory: Path, *options: str, origin: str = ORIGIN) -> ShellResult:
    """`scripts/verify.sh` run directly, with the policy, key and the expected origin."""
    args = ["sh", "scripts/verify.sh", "-p", POLICY_FILE, "-k", "log.pem", "-n", LOG_KEY_NAME]
    args += [*options, "-o", origin, "."]
    result = subprocess.run(
        args, cwd=directory, capture_output=True, text=True, check=False, timeout=300
    )
    return ShellResult(result.returncode == 0, result.stdout + result.stderr)


def verify_md_commands(directory: Path, origin: str = ORIGIN, *, steps_only: bool = False) -> str:
    """Every ```sh block of the published VERIFY.md (the copy the policy pins, never the one a
    bundle brings), in order, as one script; the first block (the clerk's inputs) set to this
    clerk's files and the hearing asked about. `steps_only` leaves out `scripts/verify.sh`, to
    show that the step-by-step commands stand on their own."""
    text = verifier_file("VERIFY.md").decode("utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    if steps_only:
        blocks = [block for block in blocks if "scripts/verify.sh" not in block]
    assert blocks and "ORIGIN=" in blocks[0], "VERIFY.md does not start with the inputs"
    tsa = "tsa-root.pem" if (directory / "tsa-root.pem").exists() else ""
    inputs = (
        f"POLICY={POLICY_FILE}\nKEY=log.pem\nNAME='{LOG_KEY_NAME}'\nORIGIN='{origin}'\n"
        f"TSA_ROOT='{tsa}'\n"
    )
    return "set -eu\n" + "\n".join([inputs, *blocks[1:]])
