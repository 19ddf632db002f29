"""Liveness and readiness probes."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from vc_service import migrate
from vc_service.http.keys import SERVICES

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    checks: dict[str, str] = {}
    try:
        async with services.db.session() as s:
            await s.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current = await migrate.current_revisions(services.db)
        heads = migrate.head_revisions()
        checks["migrations"] = "ok" if current == heads else f"pending: {sorted(heads - current)}"
    except Exception as exc:  # readiness reports any failure instead of raising it
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["legal_profiles"] = f"ok ({len(services.legal)} states)"
    ready = all(value == "ok" or value.startswith("ok ") for value in checks.values())
    return web.json_response(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status=200 if ready else 503,
    )
