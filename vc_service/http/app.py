"""The aiohttp application factory: wires middleware, routes and the service container."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import web

from vc_service.closing import clerk_routes, cosign_routes, recording_routes
from vc_service.hearings import invite_routes as hearing_invite_routes
from vc_service.hearings import openapi as hearing_openapi
from vc_service.hearings import routes as hearing_routes
from vc_service.http import auth_routes, health, housekeeping, legal_routes, live, pages
from vc_service.http.keys import SERVICES
from vc_service.http.middleware import (
    errors,
    no_secrets_in_query,
    request_context,
    security_headers,
    session_and_csrf,
)
from vc_service.services import Services

# Each feature module contributes its routes here; order does not matter.
ROUTE_TABLES: list[web.RouteTableDef] = [health.routes, auth_routes.routes]
ROUTE_TABLES += [hearing_routes.routes, hearing_invite_routes.routes, hearing_openapi.routes]
ROUTE_TABLES += [legal_routes.routes]
ROUTE_TABLES += [clerk_routes.routes, cosign_routes.routes, recording_routes.routes]
SETUP_HOOKS: list[Callable[[web.Application], None]] = [pages.setup, live.setup, housekeeping.setup]


def create_app(services: Services, *, own_services: bool = False) -> web.Application:
    app = web.Application(
        client_max_size=services.settings.max_body_bytes,
        middlewares=[
            request_context,
            security_headers,
            errors,
            no_secrets_in_query,
            session_and_csrf,
        ],
    )
    app[SERVICES] = services
    for table in ROUTE_TABLES:
        app.router.add_routes(table)
    for hook in SETUP_HOOKS:
        hook(app)
    if own_services:

        async def lifecycle(_: web.Application) -> AsyncIterator[None]:
            yield
            await services.close()

        app.cleanup_ctx.append(lifecycle)
    return app
