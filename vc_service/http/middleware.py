"""Request id, access log, the one error shape, session resolution, CSRF and security headers,
and the refusal of secrets in query strings."""

from __future__ import annotations

import logging
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from vc_service.errors import BadRequest, Forbidden, ServiceError
from vc_service.http.keys import PRINCIPAL_KEY, SERVICES
from vc_service.logs import request_id

log = logging.getLogger("vc_service.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "vc_session"
CSRF_COOKIE = "vc_csrf"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_HTTP_CODES = {
    400: "request.invalid",
    401: "auth.required",
    403: "auth.forbidden",
    404: "route.not_found",
    405: "route.method_not_allowed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
    429: "request.rate_limited",
}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(self), geolocation=()",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        # 'self' covers ws: and wss: to this origin (CSP Level 3); bare ws: wss: would let a
        # page open sockets to any host.
        "connect-src 'self'; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
}


def error_response(
    status: int, code: str, message: str, details: dict[str, object]
) -> web.Response:
    details = {**details, "request_id": request_id.get()}
    return web.json_response(
        {"error": {"code": code, "message": message, "details": details}}, status=status
    )


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get("X-Request-Id", "")
    rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    token = request_id.set(rid)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = rid
        return response
    finally:
        # Only the path: query strings may carry tokens, which never go to logs.
        log.info(
            "%s %s -> %s",
            request.method,
            request.path,
            status,
            extra={"ms": round((time.perf_counter() - started) * 1000, 1)},
        )
        request_id.reset(token)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ServiceError as exc:
        if exc.status >= 500:
            log.error("service error %s: %s", exc.code, exc.message)
        response = error_response(exc.status, exc.code, exc.message, exc.details)
        retry = exc.details.get("retry_after_seconds")
        if retry is not None:
            response.headers["Retry-After"] = str(retry)
        return response
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, f"http.{exc.status}")
        message = exc.reason
        if exc.status == 404:
            message = f"no route for {request.method} {request.path}"
        elif exc.status == 413:
            message = "the request body is too large"
        response = error_response(exc.status, code, message, {})
        if exc.status == 405 and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("unhandled error")
        return error_response(500, "internal", "internal error; quote the request id", {})


# Query parameters that would carry a bearer secret. Proxies and browser histories keep query
# strings, so an invitation token must ride in the link's fragment and then in a header.
SECRET_PARAMETERS = ("token",)


@web.middleware
async def no_secrets_in_query(request: web.Request, handler: Handler) -> web.StreamResponse:
    found = [name for name in SECRET_PARAMETERS if name in request.query]
    if found:
        raise BadRequest(
            f"the {found[0]} query parameter is refused: query strings reach proxy logs. "
            "Open an invitation as /join/{hearing_id}#{token} (the token after #); the API takes "
            "it in the X-Invitation-Token header",
            code="request.secret_in_query",
            details={"parameter": found[0]},
        )
    return await handler(request)


@web.middleware
async def session_and_csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    services = request.app[SERVICES]
    token = request.cookies.get(SESSION_COOKIE)
    principal = await services.accounts.resolve(token) if token else None
    request[PRINCIPAL_KEY] = principal
    if request.method in UNSAFE:
        origin = request.headers.get("Origin")
        if origin is not None and origin not in services.settings.origins:
            raise Forbidden(f"origin {origin} is not allowed", code="csrf.bad_origin")
        sent = request.headers.get(CSRF_HEADER, "")
        # Signed in: the token is bound to the session. Before sign-in: double-submit cookie.
        expected = principal.csrf_token if principal else request.cookies.get(CSRF_COOKIE, "")
        if not expected or not sent or not secrets.compare_digest(sent, expected):
            raise Forbidden(
                f"missing or wrong {CSRF_HEADER} header", code="csrf.missing_or_invalid"
            )
    response = await handler(request)
    if CSRF_COOKIE not in request.cookies and not response.prepared:
        response.set_cookie(
            CSRF_COOKIE,
            secrets.token_urlsafe(32),
            httponly=False,
            samesite="Strict",
            secure=services.settings.tls_enabled,
            path="/",
        )
    return response


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if not response.prepared:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
    return response
