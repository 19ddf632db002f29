"""Shared fixtures: settings in a temporary data dir, the service container on SQLite or on the
real PostgreSQL, and an HTTP client over the real application."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from vc_service import migrate
from vc_service.config import Settings, load_settings
from vc_service.http.app import create_app
from vc_service.services import Services

PG_ADMIN_DSN = os.environ.get("VC_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_real_part(name: str, problem: str) -> None:
    """A real service is missing: fail under CI, skip with a reason elsewhere."""
    message = f"{name} is not reachable ({problem})"
    if IN_CI:
        pytest.fail(f"{message}; CI must provide it", pytrace=False)
    pytest.skip(message)


def _pg_reachable() -> str | None:
    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
        return None
    except Exception as exc:  # any failure means "not reachable"; the reason is reported
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def postgres_problem() -> str | None:
    return _pg_reachable()


def _pg_admin(sql: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture
def pg_database_url(postgres_problem: str | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if postgres_problem:
        need_real_part("PostgreSQL at 127.0.0.1:5432", postgres_problem)
    name = f"vc_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each supported database in turn, for storage tests."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_database_url")
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'var' / 'vc.sqlite3'}"


def make_settings(data_dir: Path, database_url: str = "", **env: str) -> Settings:
    environ = {"VC_DATA_DIR": str(data_dir), "VC_LOG_FORMAT": "text", **env}
    if database_url:
        environ["VC_DATABASE_URL"] = database_url
    return load_settings(environ=environ)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "var")


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    built = Services.build(settings)
    await migrate.upgrade(built.db)
    yield built
    await built.close()


@pytest.fixture
async def any_services(database_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    """The service container on SQLite and on PostgreSQL, for storage tests."""
    built = Services.build(make_settings(tmp_path / "var", database_url))
    await migrate.upgrade(built.db)
    yield built
    await built.close()


@pytest.fixture
async def client(services: Services) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = create_app(services)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client
