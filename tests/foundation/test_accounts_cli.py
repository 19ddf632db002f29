"""`vc-service user reset-totp`: re-enrolment is an administrator's act, recorded, run as a real
process against the same database the service uses."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from tests.conftest import make_settings
from tests.foundation.test_cli import cli
from tests.helpers import PASSWORD
from vc_service.accounts import totp
from vc_service.accounts.models import AuthEvent, User
from vc_service.accounts.service import ClientInfo
from vc_service.services import Services

NOW = datetime(2031, 3, 4, 9, 0, 7, tzinfo=UTC)


async def _enrol(data_dir: Path) -> None:
    services = Services.build(make_settings(data_dir))
    services.accounts.clock = lambda: NOW
    try:
        step = await services.accounts.sign_in("judge", PASSWORD, ClientInfo())
        code = totp.code_now(step.secret, NOW.timestamp())
        await services.accounts.second_factor(step.ticket, code, ClientInfo())
    finally:
        await services.close()


async def _state(data_dir: Path) -> tuple[bool, list[str]]:
    services = Services.build(make_settings(data_dir))
    try:
        async with services.db.session() as s:
            user = await s.scalar(select(User).where(User.username == "judge"))
            kinds = list(await s.scalars(select(AuthEvent.kind).order_by(AuthEvent.id)))
        assert user is not None
        return user.totp_enrolled, kinds
    finally:
        await services.close()


def test_reset_totp_command(tmp_path: Path) -> None:
    data = tmp_path / "var"
    assert cli(data, "db", "upgrade").returncode == 0
    court = cli(data, "court", "add", "Amtsgericht Test", "--state", "DE", "--tz", "Europe/Berlin")
    added = cli(
        data,
        "user",
        "add",
        "judge",
        "--role",
        "judge",
        "--court",
        court.stdout.strip(),
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    asyncio.run(_enrol(data))
    assert re.search(r"judge\s+judge\s+enrolled", cli(data, "user", "list").stdout)

    reset = cli(data, "user", "reset-totp", "judge")
    assert reset.returncode == 0, reset.stderr
    assert "judge enrols a new second factor" in reset.stdout
    assert re.search(r"judge\s+judge\s+pending", cli(data, "user", "list").stdout)
    enrolled, kinds = asyncio.run(_state(data))
    assert not enrolled and kinds[-1] == "user.totp_reset"

    unknown = cli(data, "user", "reset-totp", "nobody")
    assert unknown.returncode == 2 and "[user.not_found]" in unknown.stderr
    assert "usage: vc-service" in cli(data, "user", "reset-totp", "--help").stdout
