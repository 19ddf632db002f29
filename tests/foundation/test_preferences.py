"""The staff pages' language kept with the account (issue 13 point 9): chosen once with
PUT /api/auth/preferences, it is in every later session's `user.language`, on any browser; a
language the pages lack is refused. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.helpers import PASSWORD, csrf_cookie, make_user, sign_in
from vc_service.accounts import totp
from vc_service.accounts.models import Role
from vc_service.http.app import create_app
from vc_service.services import Services

Client = TestClient[Any, Any]


@pytest.fixture
async def two_browsers(any_services: Services) -> AsyncIterator[tuple[Client, Client]]:
    app = create_app(any_services)
    async with (
        TestClient(TestServer(app, host="127.0.0.1")) as first,
        TestClient(TestServer(app, host="127.0.0.1")) as second,
    ):
        yield first, second


async def session_user(client: Client) -> dict[str, Any]:
    response = await client.get("/api/auth/session")
    assert response.status == 200
    user: dict[str, Any] = (await response.json())["user"]
    return user


async def test_the_language_follows_the_person_to_another_browser(
    any_services: Services, two_browsers: tuple[Client, Client]
) -> None:
    office, courtroom = two_browsers
    await make_user(any_services, "richterin", Role.JUDGE)
    first = await sign_in(office, "richterin")
    assert (await session_user(office))["language"] is None  # never chose: the browser decides

    response = await office.put(
        "/api/auth/preferences", json={"language": "de"}, headers=first.headers()
    )
    assert response.status == 200
    assert await response.json() == {"language": "de"}
    assert (await session_user(office))["language"] == "de"

    # Another browser, another session: the choice is the account's, not the browser's. Its
    # code is the next time step's (a code is accepted once): the service's clock moves on.
    later = any_services.accounts.clock() + timedelta(seconds=30)
    any_services.accounts.clock = lambda: later
    token = await csrf_cookie(courtroom)
    response = await courtroom.post(
        "/api/auth/sign-in",
        json={"username": "richterin", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    ticket = (await response.json())["ticket"]
    response = await courtroom.post(
        "/api/auth/second-factor",
        json={"ticket": ticket, "code": totp.code_now(first.secret, later.timestamp())},
        headers={"X-CSRF-Token": token},
    )
    assert response.status == 200, await response.text()
    assert (await session_user(courtroom))["language"] == "de"


async def test_only_the_staff_pages_languages_and_only_signed_in(
    any_services: Services, two_browsers: tuple[Client, Client]
) -> None:
    browser, stranger = two_browsers
    await make_user(any_services, "greffier", Role.CLERK)
    clerk = await sign_in(browser, "greffier")
    for wrong in ("pt", "", "FR", 7, None):
        response = await browser.put(
            "/api/auth/preferences", json={"language": wrong}, headers=clerk.headers()
        )
        assert response.status == 422, wrong
        body = await response.json()
        assert body["error"]["code"] == "request.invalid_fields"
        assert set(body["error"]["details"]["fields"]) == {"language"}
    assert (await session_user(browser))["language"] is None

    response = await stranger.put("/api/auth/preferences", json={"language": "fr"})
    assert response.status in (401, 403)  # no session (and no CSRF token) changes nothing
    assert (await session_user(browser))["language"] is None
