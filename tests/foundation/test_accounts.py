"""Accounts and sign-in against SQLite and the real PostgreSQL (the same code, both backends).
Instants come from a fixed clock (`NOW`), TOTP codes too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, make_user
from vc_service.accounts import passwords, totp
from vc_service.accounts.models import AuthEvent, Role, SignInStep, User
from vc_service.accounts.service import ClientInfo, token_hash
from vc_service.errors import Conflict, Locked, NotFound, Unauthenticated, ValidationFailed
from vc_service.services import Services

CLIENT = ClientInfo(ip="127.0.0.1", user_agent="pytest")
# After the wall clock, so the server's housekeeping never expires what a test made.
NOW = datetime(2031, 3, 4, 9, 0, 7, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(any_services: Services) -> None:
    any_services.accounts.clock = lambda: NOW


def at(services: Services, moment: datetime) -> None:
    services.accounts.clock = lambda: moment


def code(secret: str, moment: datetime = NOW) -> str:
    return totp.code_now(secret, moment.timestamp())


async def _enrol(services: Services, username: str) -> str:
    step = await services.accounts.sign_in(username, PASSWORD, CLIENT)
    assert step.purpose == "enrol" and step.provisioning_uri.startswith("otpauth://totp/")
    assert step.qr_svg.startswith("data:image/svg+xml;base64,")
    await services.accounts.second_factor(step.ticket, code(step.secret), CLIENT)
    return step.secret


async def _kinds(services: Services) -> list[str]:
    async with services.db.session() as s:
        return list(await s.scalars(select(AuthEvent.kind).order_by(AuthEvent.id)))


async def test_enrolment_then_totp_sign_in(any_services: Services) -> None:
    await make_user(any_services, "judge1", Role.JUDGE)
    secret = await _enrol(any_services, "judge1")
    step = await any_services.accounts.sign_in("judge1", PASSWORD, CLIENT)
    assert step.purpose == "totp" and not step.secret
    later = NOW + timedelta(seconds=30)
    at(any_services, later)
    grant = await any_services.accounts.second_factor(step.ticket, code(secret, later), CLIENT)
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
        await any_services.accounts.second_factor(step.ticket, code(secret), CLIENT)
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
    for _ in range(any_services.settings.login_max_failures):
        with pytest.raises(Unauthenticated):
            await any_services.accounts.sign_in("judge3", "wrong password!", CLIENT)
    # Locked now: even the right password is refused, and in the words of a wrong one.
    with pytest.raises(Unauthenticated) as caught:
        await any_services.accounts.sign_in("judge3", PASSWORD, CLIENT)
    assert caught.value.code == "auth.invalid_credentials"
    at(any_services, NOW + timedelta(seconds=any_services.settings.login_lockout_seconds))
    step = await any_services.accounts.sign_in("judge3", PASSWORD, CLIENT)
    assert step.purpose == "enrol"
    kinds = await _kinds(any_services)
    assert kinds[-3:] == ["sign_in.locked", "sign_in.refused", "sign_in.password_ok"]


async def test_each_failure_past_the_threshold_doubles_the_lock(any_services: Services) -> None:
    await make_user(any_services, "judge6", Role.JUDGE)
    base = any_services.settings.login_lockout_seconds
    for _ in range(any_services.settings.login_max_failures):
        with pytest.raises(Unauthenticated):
            await any_services.accounts.sign_in("judge6", "wrong password!", CLIENT)
    moment = NOW
    for doubling in range(1, 4):
        moment += timedelta(seconds=base * 2 ** (doubling - 1))
        at(any_services, moment)
        with pytest.raises(Unauthenticated):
            await any_services.accounts.sign_in("judge6", "wrong password!", CLIENT)
        async with any_services.db.session() as s:
            user = await s.scalar(select(User).where(User.username == "judge6"))
        assert user is not None and user.locked_until == moment + timedelta(
            seconds=base * 2**doubling
        )
    # A right password gives its attempt back and lifts the lock that attempt set.
    moment += timedelta(seconds=base * 2**3)
    at(any_services, moment)
    await any_services.accounts.sign_in("judge6", PASSWORD, CLIENT)
    async with any_services.db.session() as s:
        user = await s.scalar(select(User).where(User.username == "judge6"))
    assert user is not None and user.locked_until is None
    assert user.failed_attempts == any_services.settings.login_max_failures + 3


async def test_wrong_codes_count_towards_lockout(any_services: Services) -> None:
    await make_user(any_services, "auth1", Role.AUTHORITY)
    step = await any_services.accounts.sign_in("auth1", PASSWORD, CLIENT)
    for _ in range(any_services.settings.login_max_failures):
        with pytest.raises(Unauthenticated) as caught:
            await any_services.accounts.second_factor(step.ticket, "000000", CLIENT)
        assert caught.value.code in {"auth.invalid_code", "auth.code_replayed"}
    # The ticket's holder knows the password, so the second step may say it is locked.
    with pytest.raises(Locked) as locked:
        await any_services.accounts.second_factor(step.ticket, code(step.secret), CLIENT)
    assert locked.value.details["retry_after_seconds"] > 0


async def test_expired_and_idle_sessions_end(any_services: Services) -> None:
    await make_user(any_services, "judge4", Role.JUDGE)
    step = await any_services.accounts.sign_in("judge4", PASSWORD, CLIENT)
    grant = await any_services.accounts.second_factor(step.ticket, code(step.secret), CLIENT)
    idle = timedelta(minutes=any_services.settings.session_idle_minutes)
    at(any_services, NOW + idle)
    assert await any_services.accounts.resolve(grant.token) is None
    assert await any_services.accounts.resolve("made-up-token") is None


async def test_disabled_user_cannot_sign_in_and_loses_sessions(any_services: Services) -> None:
    await make_user(any_services, "judge5", Role.JUDGE)
    step = await any_services.accounts.sign_in("judge5", PASSWORD, CLIENT)
    grant = await any_services.accounts.second_factor(step.ticket, code(step.secret), CLIENT)
    await any_services.accounts.set_disabled("judge5", True)
    assert await any_services.accounts.resolve(grant.token) is None
    with pytest.raises(Unauthenticated) as caught:
        await any_services.accounts.sign_in("judge5", PASSWORD, CLIENT)
    assert caught.value.code == "auth.invalid_credentials"


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


async def test_locked_and_disabled_accounts_cost_a_hash_like_a_wrong_password(
    any_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 point 9: the account's state must not show in the answer or its timing, so a
    refused account runs scrypt (on the dummy hash) just as a wrong password does."""
    await make_user(any_services, "locked", Role.JUDGE)
    await make_user(any_services, "disabled", Role.JUDGE)
    await make_user(any_services, "plain", Role.JUDGE)
    for _ in range(any_services.settings.login_max_failures):
        with pytest.raises(Unauthenticated):
            await any_services.accounts.sign_in("locked", "wrong password!", CLIENT)
    await any_services.accounts.set_disabled("disabled", True)
    hashed: list[str] = []
    real = passwords.verify_password

    def counting(password: str, encoded: str) -> bool:
        hashed.append(encoded)
        return real(password, encoded)

    monkeypatch.setattr(passwords, "verify_password", counting)
    answers = []
    for username, password in [
        ("plain", "wrong password!"),
        ("locked", PASSWORD),
        ("disabled", PASSWORD),
        ("nobody", PASSWORD),
    ]:
        with pytest.raises(Unauthenticated) as caught:
            await any_services.accounts.sign_in(username, password, CLIENT)
        answers.append((caught.value.status, caught.value.to_dict()))
    assert all(answer == answers[0] for answer in answers), answers
    assert len(hashed) == 4
    assert hashed[1:] == [passwords.DUMMY_HASH] * 3
    assert hashed[0].startswith("scrypt$") and hashed[0] != passwords.DUMMY_HASH


async def test_an_old_enrolment_ticket_cannot_replace_the_secret(any_services: Services) -> None:
    """Issue 12 point 2: the attacker signs in before the victim enrols (ticket A); the victim
    enrols with ticket B; ticket A is then void and the victim's secret stays."""
    await make_user(any_services, "victim", Role.AUTHORITY)
    attacker = await any_services.accounts.sign_in("victim", PASSWORD, CLIENT)
    victim = await any_services.accounts.sign_in("victim", PASSWORD, CLIENT)
    assert attacker.purpose == victim.purpose == "enrol" and attacker.secret != victim.secret
    await any_services.accounts.second_factor(victim.ticket, code(victim.secret), CLIENT)
    later = NOW + timedelta(seconds=30)
    at(any_services, later)
    with pytest.raises(Unauthenticated) as caught:
        await any_services.accounts.second_factor(
            attacker.ticket, code(attacker.secret, later), CLIENT
        )
    assert caught.value.code in {"auth.enrolment_void", "auth.ticket_expired"}
    async with any_services.db.session() as s:
        assert await s.scalar(select(SignInStep.ticket_hash)) is None  # every ticket used up
    # The victim still signs in with their own secret; the attacker's does not work.
    step = await any_services.accounts.sign_in("victim", PASSWORD, CLIENT)
    assert step.purpose == "totp"
    with pytest.raises(Unauthenticated):
        await any_services.accounts.second_factor(step.ticket, code(attacker.secret, later), CLIENT)
    grant = await any_services.accounts.second_factor(
        step.ticket, code(victim.secret, later), CLIENT
    )
    assert grant.user.username == "victim"


async def test_an_enrolment_ticket_refused_even_if_it_survives(any_services: Services) -> None:
    """Voiding the other tickets is not the only guard: an enrolment ticket written back (as a
    sign-in racing the enrolment would write it) is refused for an enrolled account."""
    await make_user(any_services, "racer", Role.CLERK)
    first = await any_services.accounts.sign_in("racer", PASSWORD, CLIENT)
    second = await any_services.accounts.sign_in("racer", PASSWORD, CLIENT)
    async with any_services.db.session() as s:
        stale = await s.get(SignInStep, token_hash(second.ticket))
        assert stale is not None
    await any_services.accounts.second_factor(first.ticket, code(first.secret), CLIENT)
    async with any_services.db.transaction() as s:
        columns = ("ticket_hash", "user_id", "purpose", "expires_at", "pending_secret_enc")
        s.add(SignInStep(**{name: getattr(stale, name) for name in columns}))
    later = NOW + timedelta(seconds=30)
    at(any_services, later)
    with pytest.raises(Unauthenticated) as caught:
        await any_services.accounts.second_factor(second.ticket, code(second.secret, later), CLIENT)
    assert caught.value.code == "auth.enrolment_void"
    step = await any_services.accounts.sign_in("racer", PASSWORD, CLIENT)
    await any_services.accounts.second_factor(step.ticket, code(first.secret, later), CLIENT)


async def test_reset_totp_is_an_audited_admin_act(any_services: Services) -> None:
    await make_user(any_services, "lostphone", Role.JUDGE)
    old = await _enrol(any_services, "lostphone")
    step = await any_services.accounts.sign_in("lostphone", PASSWORD, CLIENT)
    later = NOW + timedelta(seconds=30)
    at(any_services, later)
    grant = await any_services.accounts.second_factor(step.ticket, code(old, later), CLIENT)
    pending = await any_services.accounts.sign_in("lostphone", PASSWORD, CLIENT)

    user = await any_services.accounts.reset_totp("lostphone")
    assert not user.totp_enrolled and user.totp_secret_enc is None
    assert (await _kinds(any_services))[-1] == "user.totp_reset"
    # Sessions end and tickets issued before the reset are void.
    assert await any_services.accounts.resolve(grant.token) is None
    with pytest.raises(Unauthenticated) as caught:
        await any_services.accounts.second_factor(pending.ticket, code(old, later), CLIENT)
    assert caught.value.code == "auth.ticket_expired"
    # The next sign-in enrols a new secret; the old one no longer works.
    step = await any_services.accounts.sign_in("lostphone", PASSWORD, CLIENT)
    assert step.purpose == "enrol" and step.secret != old
    after = later + timedelta(seconds=30)
    at(any_services, after)
    await any_services.accounts.second_factor(step.ticket, code(step.secret, after), CLIENT)
    with pytest.raises(NotFound):
        await any_services.accounts.reset_totp("nobody")
