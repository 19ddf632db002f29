"""The real service in its own process, as a browser meets it: `vc-service serve` on a free
loopback port with a fresh data directory, demo accounts bootstrapped, users added by the CLI."""

from __future__ import annotations

import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pyotp
from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
READY = re.compile(r"vc-service listening on (\S+?)/?\s")
DEMO_LINE = re.compile(r"^\s+(\w+)\s+username (\S+)\s+password (\S+)", re.MULTILINE)
START_TIMEOUT = 60.0
# The instant the service's clock starts at (VC_CLOCK_START), whatever day the suite runs: a
# Wednesday morning in Paris, working hours for weeks ahead, the spring DST change 18 days on.
REFERENCE = datetime(2026, 3, 11, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveService:
    """One running `vc-service serve`; `stop()` ends it. Its output is kept in `log_file`."""

    data_dir: Path
    env: dict[str, str]
    base_url: str = ""
    demo: dict[str, Account] = field(default_factory=dict)
    log_file: Path = Path()
    _process: subprocess.Popen[bytes] | None = None
    _launched: float = 0.0  # time.monotonic() when the service's clock started, about
    _court_id: str = ""
    # How to run `vc-service`: this checkout's package with this interpreter.
    command: tuple[str, ...] = (sys.executable, "-m", "vc_service")

    @classmethod
    def start(
        cls, work_dir: Path, command: tuple[str, ...] = (), port: int = 0, **settings: str
    ) -> LiveService:
        data_dir = work_dir / "var"
        # The machine's own settings never leak in; the caller's do.
        inherited = {
            name: value
            for name, value in os.environ.items()
            if name not in ("VC_CONFIG", "VC_DATABASE_URL", "VC_PUBLIC_URL", "VC_ALLOWED_ORIGINS")
        }
        env = {
            **inherited,
            "VC_DATA_DIR": str(data_dir),
            "VC_LOG_FORMAT": "text",
            "VC_LOG_LEVEL": "INFO",
            "VC_CLOCK_START": REFERENCE.isoformat(),
            **settings,
        }
        service = cls(data_dir=data_dir, env=env, log_file=work_dir / "service.log")
        if command:
            service.command = command
        service._launch(f"127.0.0.1:{port or free_port()}")
        return service

    @classmethod
    @contextmanager
    def running(
        cls, work_dir: Path, command: tuple[str, ...] = (), port: int = 0, **settings: str
    ) -> Iterator[LiveService]:
        """`start`, and `stop` however the block ends (for fixtures)."""
        service = cls.start(work_dir, command, port, **settings)
        try:
            yield service
        finally:
            service.stop()

    def _launch(self, bind: str) -> None:
        self._launched = time.monotonic()
        with self.log_file.open("wb") as log:
            self._process = subprocess.Popen(
                [*self.command, "serve", "--bootstrap-demo", "--bind", bind],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = self.output()
            ready = READY.search(text)
            if ready:
                self.base_url = ready.group(1)
                self.demo = {
                    role: Account(username, password, role)
                    for role, username, password in DEMO_LINE.findall(text)
                }
                return
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"vc-service did not start; its output:\n{self.output()}")

    def output(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def now(self) -> datetime:
        """The service's clock: it started at VC_CLOCK_START and runs at the system's pace."""
        started = datetime.fromisoformat(self.env["VC_CLOCK_START"])
        return started + timedelta(seconds=time.monotonic() - self._launched)

    def totp(self, secret: str) -> str:
        """The code an authenticator app shows at the service's time."""
        return pyotp.TOTP(secret).at(self.now())

    def url(self, path: str) -> str:
        return self.base_url + path

    def cli(self, *args: str, stdin: str = "") -> str:
        """Run `vc-service ARGS` against this service's data directory; return its stdout."""
        done = subprocess.run(
            [*self.command, *args],
            cwd=REPO,
            # The command's clock starts where the service's is now, so its dates follow on.
            env={**self.env, "VC_CLOCK_START": self.now().isoformat()},
            input=stdin.encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"vc-service {' '.join(args)} failed: {done.stderr.decode()}")
        return done.stdout.decode()

    def add_user(self, role: str, prefix: str = "user") -> Account:
        """A fresh account (TOTP not yet enrolled) in the service's test court."""
        if not self._court_id:
            self._court_id = self.cli(
                "court", "add", "Browser test court", "--state", "DE", "--tz", "Europe/Berlin"
            ).strip()
        username = f"{prefix}-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(12)
        self.cli(
            "user", "add", username, "--role", role, "--court", self._court_id,
            "--name", f"{role.title()} {username}", stdin=password + "\n",
        )  # fmt: skip
        return Account(username, password, role)

    def move_hearing(self, hearing_id: str, starts_at: datetime, ends_at: datetime) -> None:
        """Time passes: move a hearing in the service's SQLite database (stored as naive UTC)."""
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        with closing(sqlite3.connect(self.data_dir / "vc.sqlite3", timeout=10)) as db, db:
            db.execute(
                "UPDATE hearings SET starts_at = ?, ends_at = ? WHERE id = ?",
                (
                    starts_at.astimezone(UTC).strftime(fmt),
                    ends_at.astimezone(UTC).strftime(fmt),
                    hearing_id,
                ),
            )

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def page_totp(page: Page, secret: str) -> str:
    """The code an authenticator app shows at the page's time (the service's, see conftest)."""
    return pyotp.TOTP(secret).at(page_now(page, UTC))


def page_now(page: Page, zone: tzinfo) -> datetime:
    """The page's clock (the service's, see conftest), in `zone`."""
    return datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, zone)
