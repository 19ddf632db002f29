"""A client's WebSocket as the room sees it: non-blocking sends through a bounded queue.

The room never awaits a client. Each connection has its own queue, drained by a writer task
that exists only while there is something to write (an idle participant costs no task). A client
that does not read fills its queue and is cut off, instead of growing the server's memory.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import deque

from aiohttp import web

from signaling.errors import CLOSE_POLICY
from signaling.protocol import ServerMessage, encode

log = logging.getLogger(__name__)


class WebSocketConnection:
    def __init__(self, ws: web.WebSocketResponse, queue_limit: int, remote: str = "") -> None:
        self.conn_id = "c-" + secrets.token_hex(8)
        self.remote = remote
        self._ws = ws
        self._limit = queue_limit
        self._queue: deque[str] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._close: tuple[int, str] | None = None

    @property
    def closing(self) -> bool:
        return self._close is not None

    def send(self, message: ServerMessage) -> None:
        if self._close is None:
            self.send_text(encode(message))

    def send_text(self, text: str) -> None:
        """Send already-encoded JSON text."""
        if self._close is not None:
            return
        if len(self._queue) >= self._limit:
            log.warning("connection %s: send queue full, closing", self.conn_id)
            self._queue.clear()
            self.close(CLOSE_POLICY, "send queue overflow")
            return
        self._queue.append(text)
        self._wake()

    def close(self, code: int, reason: str) -> None:
        """Close after what is already queued has been written (e.g. `error` then close)."""
        if self._close is None:
            self._close = (code, reason)
            self._wake()

    def _wake(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._queue:
                text = self._queue.popleft()
                if self._ws.closed:
                    self._queue.clear()
                    break
                await self._ws.send_str(text)
            if self._close is not None and not self._ws.closed:
                code, reason = self._close
                await self._ws.close(code=code, message=reason.encode("utf-8")[:120])
        except (ConnectionError, RuntimeError) as exc:
            # The peer vanished mid-write; the reader side notices and frees the seat.
            log.info("connection %s: write failed: %s", self.conn_id, type(exc).__name__)
            self._queue.clear()
        finally:
            self._writer = None
            if self._queue and not self._ws.closed:
                self._wake()

    async def flushed(self) -> None:
        """Wait until queued messages (and a requested close) have been written."""
        while self._writer is not None:
            await asyncio.shield(self._writer)


class RateLimiter:
    """Token bucket: `rate` messages per second on average, bursts up to `burst`. Pure."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._last = now

    def allow(self, now: float) -> bool:
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False
