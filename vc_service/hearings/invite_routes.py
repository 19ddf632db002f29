"""The participant's API behind an invitation link (`/join/{hearing_id}#{token}`).

The token travels in the `X-Invitation-Token` header, never in the path or the query string (proxies
log query strings; `?token=` is refused for every path by `http.middleware.no_secrets_in_query`).
"""

from __future__ import annotations

from aiohttp import web

from vc_service.errors import Unauthenticated
from vc_service.hearings.routes import hearings_of, ics_response
from vc_service.http.validation import Fields, read_json

routes = web.RouteTableDef()
INVITE = "/api/invite/{hearing_id}"
TOKEN_HEADER = "X-Invitation-Token"  # noqa: S105 - a header name, not a secret


def token_of(request: web.Request, body_token: str = "") -> str:
    token = body_token or request.headers.get(TOKEN_HEADER, "")
    if not token or len(token) > 100:
        raise Unauthenticated(
            f"send the invitation token in the {TOKEN_HEADER} header",
            code="invitation.token_missing",
        )
    return token


@routes.get(INVITE)
async def lookup(request: web.Request) -> web.Response:
    hearing_id = request.match_info["hearing_id"]
    info = await hearings_of(request).joining.lookup(hearing_id, token_of(request))
    return web.json_response(info)


@routes.post(INVITE + "/join")
async def join(request: web.Request) -> web.Response:
    fields = Fields(await read_json(request))
    code = fields.text("code", max_len=6, min_len=6)
    body_token = fields.text("token", required=False, max_len=100)
    fields.done()
    hearing_id = request.match_info["hearing_id"]
    grant = await hearings_of(request).joining.join(hearing_id, token_of(request, body_token), code)
    return web.json_response(grant.to_dict())


@routes.get(INVITE + "/calendar.ics")
async def calendar(request: web.Request) -> web.Response:
    hearing_id = request.match_info["hearing_id"]
    body = await hearings_of(request).joining.calendar(hearing_id, token_of(request))
    return ics_response(body)
