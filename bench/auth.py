"""Sign-in abuse benchmark: the concurrency attacks of issue 12 against a real server, on loopback.

    .venv/bin/python bench/auth.py

Starts `vc-service serve` on 127.0.0.1 (a free port) over a temporary SQLite database, with three
accounts made beforehand, then, as an attacker's script would, sends every request of a burst at
once (bounded: 100 + 200 + 5 requests, then 80 timed one by one):
    100 sign-ins for an account not yet enrolled, 99 wrong passwords and the right one last;
    200 wrong TOTP codes on one ticket;
    the same valid code on 5 tickets.
Prints:
    auth attempts checked past the lock: N   (passwords and codes checked after
                                               VC_LOGIN_MAX_FAILURES failures; must be 0)
    code reuse sessions: N                   (sessions the 5 tickets got; must be at most 1)
    sign-in time <case>: N ms, and its ratio to a wrong password (the baseline, measured in the
                                               same run): locked, disabled and unknown accounts
                                               must not differ from it
    burst of ...: how long each burst took
Checks are counted from the server's own `auth_events` (each checked password or code leaves one).
Exits 0 after printing, as every bench script: the figures say whether the limits hold.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from vc_service import migrate  # noqa: E402
from vc_service.accounts import totp  # noqa: E402
from vc_service.accounts.models import AuthEvent, Role  # noqa: E402
from vc_service.accounts.service import ClientInfo  # noqa: E402
from vc_service.config import load_settings  # noqa: E402
from vc_service.services import Services  # noqa: E402

PASSWORD = "correct horse battery staple"  # noqa: S105 (the bench accounts' own)
SIGN_INS, CODES, REUSES, TIMED = 100, 200, 5, 20


def settings_env(data_dir: Path) -> dict[str, str]:
    return {"VC_DATA_DIR": str(data_dir), "VC_LOG_FORMAT": "text"}


async def prepare(data_dir: Path) -> dict[str, str]:
    """The accounts: `target` (not enrolled), `guessed` and `reused` (enrolled), `gone`
    (disabled), `plain00`... Returns the enrolled accounts' TOTP secrets."""
    services = Services.build(load_settings(environ=settings_env(data_dir)))
    try:
        await migrate.upgrade(services.db)
        court = await services.accounts.create_court("Bench court", "DE", "Europe/Berlin")
        secrets: dict[str, str] = {}
        # One `plain` account per timed wrong password, so none of them locks.
        plain = [f"plain{n:02d}" for n in range(TIMED)]
        for name in ("target", "guessed", "reused", "gone", *plain):
            await services.accounts.create_user(
                court_id=court.id, username=name, display_name=name, role=Role.JUDGE,
                password=PASSWORD,
            )  # fmt: skip
        for name in ("guessed", "reused"):
            step = await services.accounts.sign_in(name, PASSWORD, ClientInfo())
            code = totp.code_now(step.secret)
            await services.accounts.second_factor(step.ticket, code, ClientInfo())
            secrets[name] = step.secret
        await services.accounts.set_disabled("gone", True)
        return secrets
    finally:
        await services.close()


PASSWORD_CHECKS = {("sign_in.failure", "wrong password"), ("sign_in.locked", "wrong password")}
CODE_CHECKS = {("sign_in.failure", "wrong code"), ("sign_in.locked", "wrong code")}


async def checks(data_dir: Path) -> tuple[int, int, int]:
    """The passwords checked for `target` and the codes checked for `guessed` (each check
    leaves one event), and the server's failure limit."""
    settings = load_settings(environ=settings_env(data_dir))
    services = Services.build(settings)
    try:
        async with services.db.session() as s:
            query = select(AuthEvent.username, AuthEvent.kind, AuthEvent.reason)
            rows = (await s.execute(query)).all()
    finally:
        await services.close()
    passwords = codes = 0
    for username, kind, reason in rows:
        if username == "target":
            passwords += (kind, reason) in PASSWORD_CHECKS or kind == "sign_in.password_ok"
        elif username == "guessed":
            # The ticket's own sign-in and the enrolment before the bench are not code guesses.
            codes += (kind, reason) in CODE_CHECKS
    return passwords, codes, settings.login_max_failures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "vc_service", "serve", "--bind", f"127.0.0.1:{port}"],
        env={**os.environ, **settings_env(data_dir)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        if "listening on" in line:
            return server
    raise SystemExit(f"the server did not start (exit {server.wait()})")


class Attacker:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base
        self.csrf = ""

    async def ready(self) -> Attacker:
        """Fetch the double-submit cookie a browser gets on its first page."""
        async with self.http.get(f"{self.base}/healthz") as response:
            await response.read()
        self.csrf = next(c.value for c in self.http.cookie_jar if c.key == "vc_csrf")
        return self

    async def post(self, path: str, body: dict[str, str]) -> tuple[int, dict[str, Any]]:
        headers = {"X-CSRF-Token": self.csrf}
        async with self.http.post(f"{self.base}{path}", json=body, headers=headers) as response:
            return response.status, await response.json()

    def sign_in(self, username: str, password: str) -> Any:
        return self.post("/api/auth/sign-in", {"username": username, "password": password})

    def code(self, ticket: str, code: str) -> Any:
        return self.post("/api/auth/second-factor", {"ticket": ticket, "code": code})


def wrong_codes(secret: str, count: int) -> list[str]:
    now = time.time()
    valid = {totp.code_now(secret, now + d * totp.INTERVAL) for d in (-2, -1, 0, 1, 2)}
    return [c for c in (f"{n:06d}" for n in range(count + len(valid))) if c not in valid][:count]


async def attack(base: str, secrets: dict[str, str]) -> tuple[int, dict[str, float]]:
    """The three bursts and the timed answers; returns the sessions the reused code got and
    the figures to print."""
    figures: dict[str, float] = {}
    connector = aiohttp.TCPConnector(limit=0)
    # unsafe: the server is an IP address (127.0.0.1), whose cookies aiohttp drops otherwise.
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as http:
        attacker = await Attacker(http, base).ready()
        guesses = [f"wrong guess {n:03d}" for n in range(SIGN_INS - 1)] + [PASSWORD]
        start = time.perf_counter()
        await asyncio.gather(*(attacker.sign_in("target", g) for g in guesses))
        figures["sign-ins"] = time.perf_counter() - start

        status, step = await attacker.sign_in("guessed", PASSWORD)
        assert status == 200, step
        start = time.perf_counter()
        await asyncio.gather(
            *(attacker.code(step["ticket"], c) for c in wrong_codes(secrets["guessed"], CODES))
        )
        figures["codes"] = time.perf_counter() - start

        tickets = []
        for _ in range(REUSES):
            status, step = await attacker.sign_in("reused", PASSWORD)
            assert status == 200, step
            tickets.append(step["ticket"])
        # The next step's code: accepted (the window allows it) and never used at enrolment.
        code = totp.code_now(secrets["reused"], time.time() + totp.INTERVAL)
        start = time.perf_counter()
        answers = await asyncio.gather(*(attacker.code(t, code) for t in tickets))
        figures["reuses"] = time.perf_counter() - start
        sessions = sum(1 for status, _ in answers if status == 200)

    # One request at a time, so the figure is the server's work, not a queue.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        attacker = await Attacker(http, base).ready()
        times: dict[str, list[float]] = {}
        for n in range(TIMED):
            cases = {
                "wrong password": (f"plain{n:02d}", "wrong password!"),
                "locked": ("target", PASSWORD),
                "disabled": ("gone", PASSWORD),
                "unknown user": ("nobody", PASSWORD),
            }
            for name, (username, password) in cases.items():
                start = time.perf_counter()
                status, body = await attacker.sign_in(username, password)
                times.setdefault(name, []).append(time.perf_counter() - start)
                assert status == 401 and body["error"]["code"] == "auth.invalid_credentials"
        for name, values in times.items():
            figures[name] = statistics.median(values)
    return sessions, figures


async def run(data_dir: Path) -> int:
    secrets = await prepare(data_dir)
    port = free_port()
    server = start_server(data_dir, port)
    try:
        sessions, figures = await attack(f"http://127.0.0.1:{port}", secrets)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    passwords, codes, limit = await checks(data_dir)
    past = max(0, passwords - limit) + max(0, codes - limit)
    print(f"auth attempts checked past the lock: {past}")
    print(f"code reuse sessions: {sessions}")
    print(f"auth passwords checked in the burst: {passwords} checks (limit {limit})")
    print(f"auth codes checked in the burst: {codes} checks (limit {limit})")
    # The baseline: a wrong password for an enrolled account, measured in the same run.
    baseline = figures["wrong password"] * 1000
    print(f"sign-in time wrong password (baseline, median of {TIMED}): {baseline:.1f} ms")
    for name in ("locked", "disabled", "unknown user"):
        print(f"sign-in time {name}: {figures[name] * 1000:.1f} ms")
        print(f"sign-in time ratio {name} to wrong password: {figures[name] * 1000 / baseline:.2f}")
    print(f"burst of {SIGN_INS} sign-ins: {figures['sign-ins']:.2f} s")
    print(f"burst of {CODES} codes: {figures['codes']:.2f} s")
    print(f"burst of {REUSES} code reuses: {figures['reuses'] * 1000:.0f} ms")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vc-bench-auth-") as folder:
        return asyncio.run(run(Path(folder) / "var"))


if __name__ == "__main__":
    raise SystemExit(main())
