"""Test helpers shared across suites: staff accounts and signing in through the real API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient

from vc_service.accounts import totp
from vc_service.accounts.models import Role
from vc_service.services import Services

PASSWORD = "correct horse battery staple"


@dataclass
class StaffSession:
    """A signed-in staff member: the client carries the session cookie; send `csrf` on writes."""

    client: TestClient[Any, Any]
    csrf: str
    user_id: str
    username: str
    secret: str

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}


async def make_user(
    services: Services,
    username: str,
    role: Role,
    *,
    court_state: str = "DE",
    court_tz: str = "Europe/Berlin",
    court_id: str | None = None,
) -> str:
    if court_id is None:
        court = await services.accounts.create_court(f"Court of {username}", court_state, court_tz)
        court_id = court.id
    user = await services.accounts.create_user(
        court_id=court_id,
        username=username,
        display_name=username.title(),
        role=role,
        password=PASSWORD,
    )
    return user.id


async def csrf_cookie(client: TestClient[Any, Any]) -> str:
    """The double-submit cookie a browser gets on its first page; sent back as a header."""
    if "vc_csrf" not in {c.key for c in client.session.cookie_jar}:
        await client.get("/healthz")
    for cookie in client.session.cookie_jar:
        if cookie.key == "vc_csrf":
            return cookie.value
    raise AssertionError("the server set no vc_csrf cookie")


async def sign_in(
    client: TestClient[Any, Any], username: str, password: str = PASSWORD, secret: str = ""
) -> StaffSession:
    """Sign in through the API: password, then enrolment (first time) or a TOTP code."""
    token = await csrf_cookie(client)
    response = await client.post(
        "/api/auth/sign-in",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": token},
    )
    assert response.status == 200, await response.text()
    step = await response.json()
    if step["next"] == "enrol":
        secret = step["secret"]
    assert secret, "an enrolled user needs the secret from their first sign-in"
    response = await client.post(
        "/api/auth/second-factor",
        json={"ticket": step["ticket"], "code": totp.code_now(secret)},
        headers={"X-CSRF-Token": token},
    )
    assert response.status == 200, await response.text()
    body = await response.json()
    return StaffSession(client, body["csrf_token"], body["user"]["id"], username, secret)


async def staff(
    services: Services, client: TestClient[Any, Any], username: str, role: Role, **court: Any
) -> StaffSession:
    await make_user(services, username, role, **court)
    return await sign_in(client, username)
