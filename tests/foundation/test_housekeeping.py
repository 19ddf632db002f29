from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from tests.helpers import PASSWORD, make_user
from vc_service.accounts import totp
from vc_service.accounts.models import Role, SignInStep, WebSession
from vc_service.accounts.service import ClientInfo
from vc_service.db import utcnow
from vc_service.http.housekeeping import run_once
from vc_service.services import Services


async def test_expired_sessions_and_tickets_are_forgotten(any_services: Services) -> None:
    await make_user(any_services, "judge", Role.JUDGE)
    step = await any_services.accounts.sign_in("judge", PASSWORD, ClientInfo())
    grant = await any_services.accounts.second_factor(
        step.ticket, totp.code_now(step.secret), ClientInfo()
    )
    await any_services.accounts.sign_in("judge", PASSWORD, ClientInfo())  # a ticket left unused
    assert await run_once(any_services) == {
        "sessions_expired": 0,
        "sign_in_steps_expired": 0,
        "letters_sent": 0,
    }
    past = utcnow() - timedelta(seconds=1)
    async with any_services.db.transaction() as s:
        await s.execute(update(WebSession).values(expires_at=past))
        await s.execute(update(SignInStep).values(expires_at=past))
    done = await run_once(any_services)
    assert done["sessions_expired"] == 1 and done["sign_in_steps_expired"] == 1
    assert await any_services.accounts.resolve(grant.token) is None
    async with any_services.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(SignInStep)) == 0
