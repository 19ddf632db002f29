"""A wheel built from the repository serves every page and static file, from its own files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vc_service.http.pages import PAGES

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"

# Run from the unpacked wheel: every page and static file over HTTP on 127.0.0.1.
SERVE_ALL = """
import asyncio, json, sys
from pathlib import Path
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import vc_service
from vc_service.http import pages

site = Path(sys.argv[1])
assert Path(vc_service.__file__).resolve().is_relative_to(site), vc_service.__file__
expected = json.load(sys.stdin)

async def main() -> None:
    app = web.Application()
    pages.setup(app)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for path in pages.PAGES:
            response = await client.get(path.replace("{hearing_id}", "h-1"))
            assert response.status == 200, (path, response.status)
            assert "<html" in (await response.text()).lower(), path
        for name, size in expected.items():
            response = await client.get(f"/static/{name}")
            assert response.status == 200, (name, response.status)
            assert len(await response.read()) == size, name
    print(len(pages.PAGES), len(expected))

asyncio.run(main())
"""


@pytest.mark.timeout(300)
def test_a_built_wheel_serves_every_page(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("vc_service-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    assert not (site / "vc_service" / "web").is_symlink()
    static = {
        path.relative_to(WEB / "static").as_posix(): path.stat().st_size
        for path in (WEB / "static").rglob("*")
        if path.is_file()
    }
    served = subprocess.run(
        [sys.executable, "-c", SERVE_ALL, str(site)],
        input=json.dumps(static),
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.split() == [str(len(PAGES)), str(len(static))]
