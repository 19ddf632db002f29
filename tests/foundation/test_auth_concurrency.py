"""Sign-in under parallel requests (issue 12 points 1 to 4 and 9), through the real application on
SQLite and on the real PostgreSQL: every request of a burst is sent at once with asyncio.gather,
as an attacker's script would. Instants come from a fixed clock (`NOW`), TOTP codes too."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete, func, select

from tests.helpers import PASSWORD, csrf_cookie, make_user
from vc_service.accounts import totp
from vc_service.accounts.models import AuthEvent, Role, SignInStep, User, WebSession
from vc_service.accounts.service import ClientInfo
from vc_service.http.app import create_app
from vc_service.services import Services

Client = TestClient[web.Request, web.Application]
CLIENT = ClientInfo(ip="127.0.0.1", user_agent="pytest")
# After the wall clock, so the server's housekeeping never expires what a test made.
NOW = datetime(2031, 3, 4, 9, 0, 7, tzinfo=UTC)


@pytest.fixture
async def client(any_services: Services) -> AsyncIterator[Client]:
    any_services.accounts.clock = lambda: NOW
    app = create_app(any_services)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def post(client: Client, path: str, body: dict[str, str]) -> tuple[int, dict[str, Any]]:
    token = await csrf_cookie(client)
    response = await client.post(path, json=body, headers={"X-CSRF-Token": token})
    return response.status, await response.json()


def sign_in(client: Client, username: str, password: str) -> Any:
    return post(client, "/api/auth/sign-in", {"username": username, "password": password})


def second_factor(client: Client, ticket: str, code: str) -> Any:
    return post(client, "/api/auth/second-factor", {"ticket": ticket, "code": code})


async def enrolled(services: Services, username: str) -> str:
    """A user enrolled through the service (leaving no session); returns the TOTP secret."""
    await make_user(services, username, Role.AUTHORITY)
    step = await services.accounts.sign_in(username, PASSWORD, CLIENT)
    previous = datetime.fromtimestamp(NOW.timestamp() - totp.INTERVAL * 2, UTC)
    services.accounts.clock = lambda: previous
    await services.accounts.second_factor(
        step.ticket, totp.code_now(step.secret, previous.timestamp()), CLIENT
    )
    services.accounts.clock = lambda: NOW
    async with services.db.transaction() as s:
        await s.execute(delete(WebSession))
    return step.secret


def wrong_codes(secret: str, count: int) -> list[str]:
    """`count` codes that no step of the accepted window gives."""
    valid = {totp.code_now(secret, NOW.timestamp() + d * totp.INTERVAL) for d in (-1, 0, 1)}
    codes = (f"{n:06d}" for n in range(1_000_000))
    return [c for c, _ in zip((c for c in codes if c not in valid), range(count), strict=False)]


async def reasons(services: Services) -> Counter[str]:
    async with services.db.session() as s:
        rows = await s.execute(select(AuthEvent.kind, AuthEvent.reason))
        return Counter(f"{kind}:{reason}" for kind, reason in rows)


async def stored_user(services: Services, username: str) -> User:
    async with services.db.session() as s:
        user = await s.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


async def count(services: Services, model: type[Any]) -> int:
    async with services.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_parallel_wrong_passwords_never_reach_the_right_one(
    client: Client, any_services: Services
) -> None:
    """Point 1: 100 sign-ins at once for a user not yet enrolled, the right password last. At
    most VC_LOGIN_MAX_FAILURES passwords are checked; the right one, after them, is refused."""
    limit = any_services.settings.login_max_failures
    await make_user(any_services, "target", Role.JUDGE)
    guesses = [f"wrong guess {n:03d}" for n in range(99)] + [PASSWORD]
    answers = await asyncio.gather(*(sign_in(client, "target", g) for g in guesses))

    assert all(status == 401 for status, _ in answers), Counter(s for s, _ in answers)
    assert {body["error"]["code"] for _, body in answers} == {"auth.invalid_credentials"}
    assert await count(any_services, SignInStep) == 0  # no enrolment ticket, no secret
    user = await stored_user(any_services, "target")
    assert user.failed_attempts == limit  # no lost update
    assert user.locked_until is not None and user.locked_until > NOW
    seen = await reasons(any_services)
    checked = seen["sign_in.failure:wrong password"] + seen["sign_in.locked:wrong password"]
    assert checked == limit, seen  # none checked past the lock
    assert seen["sign_in.refused:locked"] == len(guesses) - limit


async def test_parallel_wrong_codes_stop_at_the_lock(
    client: Client, any_services: Services
) -> None:
    """Point 3: 200 wrong codes at once on one ticket: only VC_LOGIN_MAX_FAILURES are checked,
    the counter counts each, and the right code after them is refused."""
    limit = any_services.settings.login_max_failures
    secret = await enrolled(any_services, "guessed")
    status, step = await sign_in(client, "guessed", PASSWORD)
    assert status == 200 and step["next"] == "totp"
    answers = await asyncio.gather(
        *(second_factor(client, step["ticket"], c) for c in wrong_codes(secret, 200))
    )

    codes = Counter(body["error"]["code"] for _, body in answers)
    assert codes == {"auth.invalid_code": limit, "auth.locked": 200 - limit}, codes
    assert {status for status, body in answers if body["error"]["code"] == "auth.locked"} == {429}
    user = await stored_user(any_services, "guessed")
    assert user.failed_attempts == limit and user.locked_until is not None
    seen = await reasons(any_services)
    assert seen["sign_in.failure:wrong code"] + seen["sign_in.locked:wrong code"] == limit, seen
    status, body = await second_factor(
        client, step["ticket"], totp.code_now(secret, NOW.timestamp())
    )
    assert status == 429 and body["error"]["code"] == "auth.locked"
    assert await count(any_services, WebSession) == 0


async def test_one_code_on_five_tickets_gives_one_session(
    client: Client, any_services: Services
) -> None:
    """Point 4: five tickets and the same valid code at once: exactly one session."""
    secret = await enrolled(any_services, "reused")
    tickets = []
    for _ in range(5):
        status, step = await sign_in(client, "reused", PASSWORD)
        assert status == 200
        tickets.append(step["ticket"])
    code = totp.code_now(secret, NOW.timestamp())
    answers = await asyncio.gather(*(second_factor(client, t, code) for t in tickets))

    statuses = Counter(status for status, _ in answers)
    assert statuses == {200: 1, 401: 4}, answers
    assert {b["error"]["code"] for s, b in answers if s == 401} == {"auth.code_replayed"}
    assert await count(any_services, WebSession) == 1


async def test_one_code_on_one_ticket_sent_five_times_gives_one_session(
    client: Client, any_services: Services
) -> None:
    """The same ticket and code sent five times at once (a double-clicked form): one session."""
    secret = await enrolled(any_services, "clicker")
    status, step = await sign_in(client, "clicker", PASSWORD)
    assert status == 200
    code = totp.code_now(secret, NOW.timestamp())
    answers = await asyncio.gather(*(second_factor(client, step["ticket"], code) for _ in range(5)))
    assert Counter(status for status, _ in answers)[200] == 1, answers
    assert await count(any_services, WebSession) == 1


async def test_parallel_enrolments_keep_one_secret(client: Client, any_services: Services) -> None:
    """Point 2 under concurrency: five enrolment tickets (five secrets, as an attacker holding
    the password and the victim would have) completed at once: one wins, its secret is kept,
    and the account then signs in only with that secret."""
    await make_user(any_services, "enrolee", Role.CLERK)
    steps = []
    for _ in range(5):
        status, step = await sign_in(client, "enrolee", PASSWORD)
        assert status == 200 and step["next"] == "enrol"
        steps.append(step)
    answers = await asyncio.gather(
        *(
            second_factor(client, s["ticket"], totp.code_now(s["secret"], NOW.timestamp()))
            for s in steps
        )
    )

    winners = [s for s, (status, _) in zip(steps, answers, strict=True) if status == 200]
    assert len(winners) == 1, answers
    assert {b["error"]["code"] for s, b in answers if s != 200} <= {
        "auth.enrolment_void",
        "auth.ticket_expired",
        "auth.code_replayed",
    }
    assert await count(any_services, WebSession) == 1
    assert await count(any_services, SignInStep) == 0
    later = datetime.fromtimestamp(NOW.timestamp() + totp.INTERVAL, UTC)
    any_services.accounts.clock = lambda: later
    for step in steps:
        client.session.cookie_jar.clear()  # sign in afresh, as another browser would
        status, ticket = await sign_in(client, "enrolee", PASSWORD)
        assert status == 200 and ticket["next"] == "totp"
        status, _ = await second_factor(
            client, ticket["ticket"], totp.code_now(step["secret"], later.timestamp())
        )
        assert (status == 200) is (step is winners[0])


async def test_locked_disabled_and_unknown_answer_as_a_wrong_password(
    client: Client, any_services: Services
) -> None:
    """Point 9: the same status and body (but the request id) for a wrong password and for a
    locked, disabled or unknown account given the right password."""
    for name in ("plain", "locked", "disabled"):
        await make_user(any_services, name, Role.JUDGE)
    for _ in range(any_services.settings.login_max_failures):
        await sign_in(client, "locked", "wrong password!")
    await any_services.accounts.set_disabled("disabled", True)

    answers = [
        await sign_in(client, "plain", "wrong password!"),
        await sign_in(client, "locked", PASSWORD),
        await sign_in(client, "disabled", PASSWORD),
        await sign_in(client, "nobody", PASSWORD),
    ]
    for _, body in answers:
        body["error"]["details"].pop("request_id")
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == 401
