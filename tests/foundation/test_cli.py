"""The `vc-service` command line and the first README command, run as real processes."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

from vc_service.accounts import totp

ROOT = Path(__file__).parents[2]


def cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VC_DATA_DIR": str(data_dir), "VC_LOG_FORMAT": "text"}
    return subprocess.run(
        [sys.executable, "-m", "vc_service", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_help_on_every_command(tmp_path: Path) -> None:
    for args in (
        ["--help"],
        ["serve", "--help"],
        ["db", "upgrade", "--help"],
        ["user", "add", "--help"],
        ["user", "list", "--help"],
        ["user", "disable", "--help"],
    ):
        result = cli(tmp_path, *args)
        assert result.returncode == 0, result.stderr
        assert "usage: vc-service" in result.stdout


def test_db_upgrade_and_user_lifecycle(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "applied migration 0001_foundation" in result.stdout
    court = cli(
        tmp_path, "court", "add", "Amtsgericht Test", "--state", "DE", "--tz", "Europe/Berlin"
    )
    court_id = court.stdout.strip()
    assert court.returncode == 0 and len(court_id) == 36
    added = cli(
        tmp_path,
        "user",
        "add",
        "judge",
        "--role",
        "judge",
        "--court",
        court_id,
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    listed = cli(tmp_path, "user", "list")
    assert re.search(r"judge\s+judge\s+pending\s+active", listed.stdout), listed.stdout
    assert cli(tmp_path, "user", "disable", "judge").returncode == 0
    assert "disabled" in cli(tmp_path, "user", "list").stdout

    short = cli(
        tmp_path, "user", "add", "clerk", "--role", "clerk", "--court", court_id, stdin="short\n"
    )
    assert short.returncode == 2
    assert "[request.invalid_fields]" in short.stderr and "Traceback" not in short.stderr
    dup = cli(
        tmp_path,
        "user",
        "add",
        "judge",
        "--role",
        "clerk",
        "--court",
        court_id,
        stdin="a long enough password\n",
    )
    assert dup.returncode == 2 and "[user.exists]" in dup.stderr
    missing = cli(tmp_path, "user", "disable", "nobody")
    assert missing.returncode == 2 and "[user.not_found]" in missing.stderr


def test_invalid_configuration_refuses_to_start(tmp_path: Path) -> None:
    env_bad = {**os.environ, "VC_DATA_DIR": str(tmp_path), "VC_BIND": "not-an-address"}
    result = subprocess.run(
        [sys.executable, "-m", "vc_service", "serve"],
        capture_output=True,
        text=True,
        env=env_bad,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert "VC_BIND" in result.stderr and "Traceback" not in result.stderr


def test_invalid_legal_profile_refuses_to_start(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    source = ROOT / "legal_profiles" / "data" / "DE.toml"
    (profiles / "DE.toml").write_text(source.read_text().replace("[treaties", "[treatiez", 1))
    env = {**os.environ, "VC_DATA_DIR": str(tmp_path), "VC_LEGAL_PROFILES_DIR": str(profiles)}
    result = subprocess.run(
        [sys.executable, "-m", "vc_service", "serve"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "DE.toml" in result.stderr and "[legal.profile_invalid]" in result.stderr
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_readme_serve_command_bootstraps_demo_and_a_judge_signs_in(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {**os.environ, "VC_DATA_DIR": str(tmp_path), "VC_LOG_FORMAT": "text"}
    # Exactly the README's first command; the virtualenv exists, so it installs nothing.
    process = await asyncio.create_subprocess_exec(
        str(ROOT / "scripts" / "serve"),
        "--bind",
        f"127.0.0.1:{port}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None
    output = ""
    try:
        async with asyncio.timeout(60):
            while "listening on" not in output:
                line = await process.stdout.readline()
                assert line, f"server exited early:\n{output}"
                output += line.decode()
        assert f"http://127.0.0.1:{port}/" in output
        match = re.search(r"judge\s+username judge\s+password (\S+)", output)
        assert match, output
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            await http.get(f"{base}/sign-in")
            csrf = next(c.value for c in http.cookie_jar if c.key == "vc_csrf")
            step = await (
                await http.post(
                    f"{base}/api/auth/sign-in",
                    json={"username": "judge", "password": match.group(1)},
                    headers={"X-CSRF-Token": csrf},
                )
            ).json()
            assert step["next"] == "enrol"
            done = await http.post(
                f"{base}/api/auth/second-factor",
                json={"ticket": step["ticket"], "code": totp.code_now(step["secret"])},
                headers={"X-CSRF-Token": csrf},
            )
            assert done.status == 200
            me = await (await http.get(f"{base}/api/auth/session")).json()
            assert me["user"]["role"] == "judge"
            home = await http.get(f"{base}/home")
            assert home.status == 200 and "home.js" in await home.text()
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
    # A second start keeps the accounts and shows the same credentials.
    again = cli(tmp_path, "user", "list")
    assert again.stdout.count("\n") == 4, again.stdout
