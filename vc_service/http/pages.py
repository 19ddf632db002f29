"""Serves the browser pages in `web/` (plain HTML + ES modules, no build step).

The package reaches them as `vc_service/web`: a link to the repository's top-level `web/` in a
checkout, the files themselves in a built wheel (package data), so an installed service serves
every page too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

WEB_DIR = Path(__file__).resolve().parents[1] / "web"

# path -> page file; each page loads its own module from /static/js/.
PAGES: dict[str, str] = {
    "/": "index.html",
    "/sign-in": "sign-in.html",
    "/home": "home.html",
    # Invitation links are /join/<hearing id>#<token>: the fragment never reaches the server
    # or its logs. Plain /join is the camera and microphone check on its own.
    "/join": "join.html",
    "/join/{hearing_id}": "join.html",
    "/clerk": "clerk.html",
    "/judge": "judge.html",
    "/authority": "authority.html",
    # The live room for staff accounts (judge, authority, clerk).
    "/hearings/{hearing_id}/live": "hearing.html",
}


def setup(app: web.Application) -> None:
    for path, name in PAGES.items():
        app.router.add_get(path, _serve(WEB_DIR / name))
    app.router.add_static("/static/", WEB_DIR / "static", append_version=False)


def _serve(file: Path) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
    async def handler(_: web.Request) -> web.FileResponse:
        return web.FileResponse(file, headers={"Cache-Control": "no-cache"})

    return handler
