"""Running the bundle's own shell route (VERIFY.md and scripts/*.sh) with the real tools."""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.audit.support import LOG_KEY_NAME, golden_signer
from vc_service.audit.checkpoint import public_key_pem


@dataclass
class ShellResult:
    ok: bool
    output: str


def unpack(bundle: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(directory)
    # The clerk's trusted key, received out of band (never keys/ from the bundle).
    (directory / "log.pem").write_bytes(public_key_pem(golden_signer().public_key))
    return directory


def run_sh(script: str, cwd: Path) -> ShellResult:
    result = subprocess.run(
        ["sh", "-c", script], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    return ShellResult(result.returncode == 0, result.stdout + result.stderr)


def verify_sh(directory: Path, *options: str, origin: str | None = None) -> ShellResult:
    args = ["sh", "scripts/verify.sh", "-k", "log.pem", "-n", LOG_KEY_NAME, *options]
    if origin:
        args += ["-o", origin]
    result = subprocess.run(
        [*args, "."], cwd=directory, capture_output=True, text=True, check=False, timeout=120
    )
    return ShellResult(result.returncode == 0, result.stdout + result.stderr)


def verify_md_commands(directory: Path) -> str:
    """Every ```sh block of the bundle's VERIFY.md, in order, as one script."""
    text = (directory / "VERIFY.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    assert blocks, "VERIFY.md has no commands"
    return "set -eu\n" + "\n".join(blocks)
