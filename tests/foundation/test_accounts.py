"""Accounts and sign-in against SQLite and the real PostgreSQL (the same code, both backends)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.helpers import PASSWORD, make_user
from vc_service.accounts import totp
from vc_service.accounts.models import AuthEvent, Role, User, WebSession
from vc_service.accounts.service import ClientInfo
from vc_service.db import utcnow
from vc_service.errors import Conflict, Locked, Unauthenticated, ValidationFailed
from vc_service.services import Services

CLIENT = ClientInfo(ip="127.0.0.1", user_agent="pytest")


async def _enrol(services: Services, username: str) -> str:
    step = await services.accounts.sign_in(username, PASSWORD, CLIENT)
    assert step.purpose == "enrol" and step.provisioning_uri.startswith("otpauth://totp/")
    assert step.qr_svg.startswith("data:image/svg+xml;base64,")
    await services.accounts.second_factor(step.ticket, totp.code_now(step.secret), CLIENT)
    return step.secret


async def test_enrolment_then_totp_sign_in(any_services: Services) -> None:
    await make_user(any_services, "judge1", Role.JUDGE)
    secret = await _enrol(any_services, "judge1")
    step = await any_services.accounts.sign_in("judge1", PASSWORD, CLIENT)
    assert step.purpose == "totp" and not step.secret
    grant = await any_services.accounts.second_factor(
        step.ticket, totp.code_now(secret, time.time() + 30), CLIENT
    )
    principal = await any_services.accounts.resolve(grant.token)
    assert principal is not None and principal.role is Role.JUDGE
    async with any_services.db.session() as s:
        user = await s.scalar(select(User).where(User.username == "judge1"))
        assert user is not None and user.totp_enrolled
        assert user.totp_secret_enc is not None and secret.encode() not in user.totp_secret_enc
        assert user.password_hash.startswith("scrypt$")
        kinds = list(await s.scalars(select(AuthEvent.kind).order_by(AuthEvent.id)))
    assert kinds == [
        "sign_in.password_ok",
        "totp.enrolled",
        "sign_in.success",
        "sign_in.password_ok",
        "sign_in.success",
    ]


async def test_replayed_code_is_refused(any_services: Services) -> None:
    await make_user(any_services, "clerk1", Role.CLERK)
    secret = await _enrol(any_services, "clerk1")
    step = await any_services.accounts.sign_in("clerk1", PASSWORD, CLIENT)
    with pytest.raises(Unauthenticated) as caught:
        await any_services.accounts.second_factor(step.ticket, totp.code_now(secret), CLIENT)
    assert caught.value.code == "auth.code_replayed"


async def test_wrong_password_and_unknown_user_look_alike(any_services: Services) -> None:
    await make_user(any_services, "judge2", Role.JUDGE)
    with pytest.raises(Unauthenticated) as wrong:
        await any_services.accounts.sign_in("judge2", "not the password", CLIENT)
    with pytest.raises(Unauthenticated) as unknown:
        await any_services.accounts.sign_in("nobody", "not the password", CLIENT)
    assert wrong.value.code == unknown.value.code == "auth.invalid_credentials"
    assert wrong.value.message == unknown.value.message


async def test_lockout_after_repeated_failures(any_services: Services) -> None:
    await make_user(any_services, "judge3", Role.JUDGE)
    for _ in range(any_services.settings.login_max_failures - 1):
        with pytest.raises(Unauthenticated):
            await any_services.accounts.sign_in("judge3", "wrong password!", CLIENT)
    with pytest.raises(Unauthenticated):
        await any_services.accounts.sign_in("judge3", "wrong password!", CLIENT)
    # Locked now: even the right password is refused until the lock expires.
    with pytest.raises(Locked) as caught:
        await any_services.accounts.sign_in("judge3", PASSWORD, CLIENT)
    assert caught.value.details["retry_after_seconds"] > 0
    async with any_services.db.transaction() as s:
        await s.execute(update(User).where(User.username == "judge3").values(locked_until=utcnow()))
    step = await any_services.accounts.sign_in("judge3", PASSWORD, CLIENT)
    assert step.purpose == "enrol"


async def test_wrong_codes_count_towards_lockout(any_services: Services) -> None:
    await make_user(any_services, "auth1", Role.AUTHORITY)
    step = await any_services.accounts.sign_in("auth1", PASSWORD, CLIENT)
    for _ in range(any_services.settings.login_max_failures):
        with pytest.raises(Unauthenticated) as caught:
            await any_services.accounts.second_factor(step.ticket, "000000", CLIENT)
        assert caught.value.code in {"auth.invalid_code", "auth.code_replayed"}
    with pytest.raises(Locked):
        await any_services.accounts.second_factor(step.ticket, totp.code_now(step.secret), CLIENT)


async def test_expired_and_idle_sessions_end(any_services: Services) -> None:
    await make_user(any_services, "judge4", Role.JUDGE)
    step = await any_services.accounts.sign_in("judge4", PASSWORD, CLIENT)
    grant = await any_services.accounts.second_factor(
        step.ticket, totp.code_now(step.secret), CLIENT
    )
    idle = timedelta(minutes=any_services.settings.session_idle_minutes + 1)
    async with any_services.db.transaction() as s:
        await s.execute(update(WebSession).values(last_seen_at=utcnow() - idle))
    assert await any_services.accounts.resolve(grant.token) is None
    assert await any_services.accounts.resolve("made-up-token") is None


async def test_disabled_user_cannot_sign_in_and_loses_sessions(any_services: Services) -> None:
    await make_user(any_services, "judge5", Role.JUDGE)
    step = await any_services.accounts.sign_in("judge5", PASSWORD, CLIENT)
    grant = await any_services.accounts.second_factor(
        step.ticket, totp.code_now(step.secret), CLIENT
    )
    await any_services.accounts.set_disabled("judge5", True)
    assert await any_services.accounts.resolve(grant.token) is None
    with pytest.raises(Unauthenticated) as caught:
        await any_services.accounts.sign_in("judge5", PASSWORD, CLIENT)
    assert caught.value.code == "auth.disabled"


async def test_bad_accounts_are_refused_whole(any_services: Services) -> None:
    court = await any_services.accounts.create_court("C", "DE", "Europe/Berlin")
    with pytest.raises(ValidationFailed):
        await any_services.accounts.create_user(
            court_id=court.id,
            username="short",
            display_name="S",
            role=Role.JUDGE,
            password="short",
        )
    await make_user(any_services, "dup", Role.JUDGE, court_id=court.id)
    with pytest.raises(Conflict):
        await make_user(any_services, "dup", Role.CLERK, court_id=court.id)
    # SQL-ish input is data, never code.
    await make_user(any_services, "x'); DROP TABLE users;--", Role.CLERK, court_id=court.id)
    names = {user.username for user in await any_services.accounts.list_users()}
    assert names == {"dup", "x'); DROP TABLE users;--"}
