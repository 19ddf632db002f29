"""A test client for the signaling WebSocket: real aiohttp client, real frames, on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any

import aiohttp


class WsClient:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []
        self._unread: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._done = asyncio.Event()
        self.close_code: int | None = None
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def connect(
        cls,
        session: aiohttp.ClientSession,
        url: str,
        *,
        origin: str | None = None,
        autoping: bool = True,
    ) -> WsClient:
        """`autoping=False`: the client reads but never answers the server's pings, as when
        its network has gone and nothing it sends arrives any more."""
        headers = {"Origin": origin} if origin else {}
        ws = await session.ws_connect(url, headers=headers, max_msg_size=0, autoping=autoping)
        return cls(ws)

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    message = json.loads(msg.data)
                    self.seen.append(message)
                    self._unread.append(message)
                    self._arrived.set()
        finally:
            self.close_code = self.ws.close_code
            self._done.set()
            self._arrived.set()

    async def send(self, message: Mapping[str, Any]) -> None:
        await self.ws.send_str(json.dumps(message))

    async def send_raw(self, data: str | bytes) -> None:
        if isinstance(data, bytes):
            await self.ws.send_bytes(data)
        else:
            await self.ws.send_str(data)

    async def hello(self, token: str, code: str = "123456") -> dict[str, Any]:
        await self.send({"type": "hello", "v": 1, "token": token, "code": code})
        return await self.next("welcome")

    async def next(self, kind: str | None = None, within: float = 3.0) -> dict[str, Any]:
        """The next unread message (of `kind`, skipping others, which stay readable)."""
        async with asyncio.timeout(within):
            while True:
                for index, message in enumerate(self._unread):
                    if kind is None or message["type"] == kind:
                        return self._unread.pop(index)
                if self._done.is_set():
                    raise AssertionError(f"closed ({self.close_code}) before a {kind} message")
                self._arrived.clear()
                await self._arrived.wait()

    def pending(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self._unread if m["type"] == kind]

    async def wait_closed(self, within: float = 3.0) -> int | None:
        async with asyncio.timeout(within):
            await self._done.wait()
        return self.close_code

    async def close(self) -> None:
        await self.ws.close()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def drop(self) -> None:
        """Vanish without a closing handshake, like a laptop closing its lid."""
        self.ws._writer.transport.abort()
        with contextlib.suppress(Exception):
            await self.wait_closed()
        self._reader.cancel()
