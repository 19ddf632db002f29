"""Sign-in (password, then TOTP or enrolment), session info, sign-out."""

from __future__ import annotations

from aiohttp import web

from vc_service.accounts.models import STAFF_LANGUAGES, Role
from vc_service.accounts.service import ClientInfo, Principal
from vc_service.errors import Forbidden, Unauthenticated
from vc_service.http.keys import PRINCIPAL_KEY, SERVICES
from vc_service.http.middleware import SESSION_COOKIE
from vc_service.http.validation import Fields, read_json

routes = web.RouteTableDef()


def client_info(request: web.Request) -> ClientInfo:
    return ClientInfo(
        ip=request.remote or "", user_agent=request.headers.get("User-Agent", "")[:300]
    )


def principal_of(request: web.Request) -> Principal | None:
    return request.get(PRINCIPAL_KEY)


def require(request: web.Request, *roles: Role) -> Principal:
    """The signed-in principal, if it has one of `roles` (any role when none given)."""
    principal = principal_of(request)
    if principal is None:
        raise Unauthenticated("sign in first", code="auth.required")
    if roles and principal.role not in roles:
        allowed = ", ".join(role.value for role in roles)
        raise Forbidden(
            f"this needs the role {allowed}; you are {principal.role.value}",
            code="auth.wrong_role",
        )
    return principal


@routes.post("/api/auth/sign-in")
async def sign_in(request: web.Request) -> web.Response:
    fields = Fields(await read_json(request))
    username = fields.text("username", max_len=64)
    password = fields.text("password", max_len=1024)
    fields.done()
    step = await request.app[SERVICES].accounts.sign_in(username, password, client_info(request))
    body: dict[str, str] = {"next": step.purpose, "ticket": step.ticket}
    if step.purpose == "enrol":
        body.update(provisioning_uri=step.provisioning_uri, secret=step.secret, qr_svg=step.qr_svg)
    return web.json_response(body)


@routes.post("/api/auth/second-factor")
async def second_factor(request: web.Request) -> web.Response:
    fields = Fields(await read_json(request))
    ticket = fields.text("ticket", max_len=100)
    code = fields.text("code", max_len=6, min_len=6)
    fields.done()
    services = request.app[SERVICES]
    grant = await services.accounts.second_factor(ticket, code, client_info(request))
    response = web.json_response(
        {
            "user": {
                "id": grant.user.id,
                "username": grant.user.username,
                "display_name": grant.user.display_name,
                "role": grant.user.role.value,
            },
            "csrf_token": grant.csrf_token,
            "expires_at": grant.expires_at.isoformat(),
        }
    )
    response.set_cookie(
        SESSION_COOKIE,
        grant.token,
        httponly=True,
        samesite="Strict",
        secure=services.settings.tls_enabled,
        path="/",
        max_age=services.settings.session_max_hours * 3600,
    )
    return response


@routes.get("/api/auth/session")
async def session(request: web.Request) -> web.Response:
    principal = require(request)
    return web.json_response({"user": principal.to_dict(), "csrf_token": principal.csrf_token})


@routes.post("/api/auth/sign-out")
async def sign_out(request: web.Request) -> web.Response:
    principal = require(request)
    await request.app[SERVICES].accounts.sign_out(principal, client_info(request))
    response = web.json_response({"signed_out": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@routes.put("/api/auth/preferences")
async def preferences(request: web.Request) -> web.Response:
    """The signed-in person's preferences: the staff pages' language, kept with the account so
    it follows them to any browser (a court's shared computers)."""
    principal = require(request)
    fields = Fields(await read_json(request))
    language = fields.choice("language", STAFF_LANGUAGES)
    fields.done()
    await request.app[SERVICES].accounts.set_language(principal, language)
    return web.json_response({"language": language})
