"""Fixtures of the hearings tests: a court with its staff on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import make_settings
from tests.hearings.kit import Court, court, patched_profiles
from tests.helpers import StaffSession, make_user, sign_in
from vc_service import migrate
from vc_service.accounts.models import Role
from vc_service.http.app import create_app
from vc_service.services import Services


@pytest.fixture
async def desk(any_services: Services) -> Court:
    """Staff of two German courts plus French and Swiss authorities, on each database."""
    return await court(any_services)


@pytest.fixture
async def lite(services: Services) -> Court:
    """The same staff on SQLite only, for tests about rules rather than storage."""
    return await court(services)


Login = Callable[..., Awaitable[StaffSession]]


@pytest.fixture
async def login(services: Services) -> AsyncIterator[Login]:
    """Sign staff in through the real API, each in their own browser (client and cookie jar)."""
    async with AsyncExitStack() as stack:
        courts: dict[str, str] = {}

        async def sign(
            username: str, role: Role, state: str = "DE", tz: str = "Europe/Berlin", court: str = ""
        ) -> StaffSession:
            key = court or f"{state}-court"
            if key not in courts:
                courts[key] = (await services.accounts.create_court(key, state, tz)).id
            await make_user(services, username, role, court_id=courts[key])
            client = TestClient(TestServer(create_app(services), host="127.0.0.1"))
            await stack.enter_async_context(client)
            return await sign_in(client, username)

        yield sign


@pytest.fixture(scope="session")
def fixture_profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return patched_profiles(tmp_path_factory.mktemp("profiles"))


@pytest.fixture
async def patched(tmp_path: Path, fixture_profiles: Path) -> AsyncIterator[Court]:
    """A court whose legal profiles carry FR working hours and lawful recording DE -> FR."""
    settings = make_settings(tmp_path / "var", VC_LEGAL_PROFILES_DIR=str(fixture_profiles))
    built = Services.build(settings)
    await migrate.upgrade(built.db)
    yield await court(built)
    await built.close()
