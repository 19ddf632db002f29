"""The service's clock (`vc_service.clock`): VC_CLOCK_START moves every date a process makes."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from vc_service.config import load_settings
from vc_service.errors import ConfigError

START = datetime(2026, 10, 25, 0, 59, 30, tzinfo=UTC)  # half a minute before Paris leaves DST

# Builds the services as every command does, then prints what the process's clocks say.
PROBE = """
import sys
from vc_service.accounts import totp
from vc_service.config import load_settings
from vc_service.db import utcnow
from vc_service.services import Services
from vc_service import clock
Services.build(load_settings())
print(utcnow().isoformat())
print(clock.seconds())
print(totp.code_now(sys.argv[1]))
"""


def test_the_start_is_an_instant_with_its_offset(tmp_path: Path) -> None:
    env = {"VC_DATA_DIR": str(tmp_path), "VC_CLOCK_START": "2026-10-25T00:59:30+00:00"}
    assert load_settings(environ=env).clock_start == START
    for wrong in ("2026-10-25T00:59:30", "next Monday", "2026-13-01T00:00:00Z"):
        with pytest.raises(ConfigError) as error:
            load_settings(environ={**env, "VC_CLOCK_START": wrong})
        assert error.value.details == {"setting": "VC_CLOCK_START"}
    assert load_settings(environ={"VC_DATA_DIR": str(tmp_path)}).clock_start is None


def test_a_process_started_at_an_instant_dates_everything_from_it(tmp_path: Path) -> None:
    secret = pyotp.random_base32()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, secret],
        env={"VC_DATA_DIR": str(tmp_path), "VC_CLOCK_START": START.isoformat(), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    stamp, seconds, code = done.stdout.split()
    now = datetime.fromisoformat(stamp)
    assert START <= now < START + timedelta(seconds=30)
    assert abs(float(seconds) - now.timestamp()) < 5
    # The second factor follows the same clock: the code of the shifted time, not of today.
    assert code in {pyotp.TOTP(secret).at(START + timedelta(seconds=s)) for s in (0, 30, 60)}
    assert "VC_CLOCK_START" in done.stderr
