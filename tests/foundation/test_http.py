"""The HTTP skeleton: one error shape, CSRF, cookies, probes, headers, sign-in over the API."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.helpers import PASSWORD, csrf_cookie, make_user, sign_in
from vc_service.accounts.models import Role
from vc_service.services import Services

Client = TestClient[Any, Any]


def assert_error(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"error"}
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "request_id" in body["error"]["details"]
    assert "Traceback" not in str(body)


async def test_probes(client: Client) -> None:
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    body = await ready.json()
    assert ready.status == 200, body
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"


async def test_unknown_route_and_method(client: Client) -> None:
    response = await client.get("/api/nope")
    assert response.status == 404
    assert_error(await response.json(), "route.not_found")
    response = await client.get("/api/auth/sign-in")
    assert response.status == 405
    assert_error(await response.json(), "route.method_not_allowed")


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "request.malformed_json"),
        (b"[1, 2]", "application/json", 400, "request.not_an_object"),
        (b'{"username": "a"}', "application/json", 422, "request.invalid_fields"),
        (b'{"username": 5, "password": []}', "application/json", 422, "request.invalid_fields"),
        (
            b'{"username": "a", "password": "b"}',
            "text/plain",
            415,
            "request.unsupported_media_type",
        ),
        (
            b'{"username": "' + b"x" * 5000 + b'", "password": "b"}',
            "application/json",
            422,
            "request.invalid_fields",
        ),
    ],
)
async def test_bad_bodies_get_typed_errors(
    client: Client, body: bytes, content_type: str, status: int, code: str
) -> None:
    token = await csrf_cookie(client)
    response = await client.post(
        "/api/auth/sign-in",
        data=body,
        headers={"Content-Type": content_type, "X-CSRF-Token": token},
    )
    assert response.status == status
    assert_error(await response.json(), code)


async def test_oversize_body_is_refused(client: Client, services: Services) -> None:
    token = await csrf_cookie(client)
    big = b'{"username": "' + b"x" * (services.settings.max_body_bytes + 10) + b'"}'
    response = await client.post(
        "/api/auth/sign-in",
        data=big,
        headers={"Content-Type": "application/json", "X-CSRF-Token": token},
    )
    assert response.status == 413
    assert_error(await response.json(), "request.too_large")


async def test_csrf_is_required_on_writes(client: Client, services: Services) -> None:
    body = {"username": "a", "password": "b"}
    response = await client.post("/api/auth/sign-in", json=body)
    assert response.status == 403
    assert_error(await response.json(), "csrf.missing_or_invalid")
    token = await csrf_cookie(client)
    response = await client.post(
        "/api/auth/sign-in", json=body, headers={"X-CSRF-Token": token + "x"}
    )
    assert response.status == 403
    response = await client.post(
        "/api/auth/sign-in",
        json=body,
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert response.status == 403
    assert_error(await response.json(), "csrf.bad_origin")

    await make_user(services, "judge", Role.JUDGE)
    staff = await sign_in(client, "judge")
    # Signed in, the double-submit cookie no longer suffices: the session's own token is needed.
    response = await client.post("/api/auth/sign-out", json={}, headers={"X-CSRF-Token": token})
    assert response.status == 403
    response = await client.post("/api/auth/sign-out", json={}, headers=staff.headers())
    assert response.status == 200


async def test_sign_in_session_cookie_and_sign_out(client: Client, services: Services) -> None:
    await make_user(services, "judge", Role.JUDGE)
    staff = await sign_in(client, "judge")
    response = await client.get("/api/auth/session")
    assert response.status == 200
    assert (await response.json())["user"]["role"] == "judge"
    raw_cookie = next(c for c in client.session.cookie_jar if c.key == "vc_session")
    assert raw_cookie["httponly"] and raw_cookie["samesite"] == "Strict"
    await client.post("/api/auth/sign-out", json={}, headers=staff.headers())
    response = await client.get("/api/auth/session")
    assert response.status == 401
    assert_error(await response.json(), "auth.required")


async def test_wrong_password_over_http(client: Client, services: Services) -> None:
    await make_user(services, "judge", Role.JUDGE)
    token = await csrf_cookie(client)
    response = await client.post(
        "/api/auth/sign-in",
        json={"username": "judge", "password": PASSWORD + "!"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status == 401
    assert_error(await response.json(), "auth.invalid_credentials")


async def test_request_id_and_security_headers(client: Client) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": "abcdef123456"})
    assert response.headers["X-Request-Id"] == "abcdef123456"
    response = await client.get("/sign-in")
    assert response.status == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(response.headers["X-Request-Id"]) == 32
