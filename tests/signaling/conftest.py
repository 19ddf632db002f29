"""Fixtures for signaling: real servers on 127.0.0.1, real Redis, loopback-only ICE."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from signaling.backplane import Backplane
from signaling.config import SignalingConfig
from signaling.node import SignalingNode
from signaling.server import DEFAULT_PATH, SignalingHandler
from signaling.services import HearingInfo, Services
from tests.conftest import need_real_part
from tests.signaling.memory import MemoryAudit, MemoryAuthenticator, hearing, services

REDIS_URL = os.environ.get("VC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def loopback_ice(monkeypatch: pytest.MonkeyPatch) -> None:
    """aioice skips 127.0.0.1 and gathers the machine's other addresses: keep media on loopback."""
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


@pytest.fixture
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:
        need_real_part("Redis at " + REDIS_URL, f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    # One namespace per test, so that tests never see each other's rooms or nodes.
    yield f"vc:test:{uuid.uuid4().hex[:12]}"


@dataclass
class RunningServer:
    base: str
    handler: SignalingHandler
    services: Services
    auth: MemoryAuthenticator
    audit: MemoryAudit
    server: TestServer

    def url(self, hearing_id: str = "h-1") -> str:
        return f"{self.base}/ws/hearings/{hearing_id}"

    @property
    def node(self) -> SignalingNode:
        return self.handler.node


StartServer = Callable[..., Awaitable[RunningServer]]


@pytest.fixture
async def start_server() -> AsyncIterator[StartServer]:
    running: list[RunningServer] = []

    async def start(
        *hearings: HearingInfo,
        config: SignalingConfig | None = None,
        backplane: Backplane | None = None,
        shared: tuple[Services, MemoryAuthenticator, MemoryAudit] | None = None,
    ) -> RunningServer:
        config = config or SignalingConfig()
        svc, auth, audit = shared or services(*(hearings or (hearing(),)))
        handler = SignalingHandler(svc, config, SignalingNode(svc, config, backplane))
        app = web.Application()
        app.router.add_get(DEFAULT_PATH, handler.handle)
        app.on_startup.append(handler.on_startup)
        app.on_shutdown.append(handler.on_shutdown)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        base = f"ws://127.0.0.1:{server.port}"
        result = RunningServer(base, handler, svc, auth, audit, server)
        running.append(result)
        return result

    yield start
    for item in reversed(running):
        await item.server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client
