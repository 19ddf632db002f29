"""A network link between a browser and the service that a test can cut the way a real network
fails: silently.

Chromium's offline emulation (`BrowserContext.set_offline`) is not a network failure for an open
WebSocket: the socket stays up underneath and Chromium answers the server's pings, so whether the
server ever learns of the drop depends on a race between the emulation and the page's own close
frame (microsoft/playwright#4910, and the Chromium bugs it links). A real drop is what the
service's heartbeat exists for, so the tests that lose the network route the participant's page
through this relay on 127.0.0.1 and cut it: bytes already on their way and every later byte are
dropped in both directions, nothing is closed, and connection attempts made while the link is down
are refused. When the link comes back, the connections it cut are closed (their peers had long
given up on them) and new ones are relayed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

CHUNK = 64 * 1024


class NetworkLink:
    """A TCP relay from `url` (127.0.0.1, a port of its own) to the service at `target_port`."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._target_port = 0
        # A connection relays only while it belongs to the link's current generation: cutting the
        # link starts a new one, so everything opened before is dead for good.
        self._generation = 0
        self._up = True
        self._writers: dict[int, list[asyncio.StreamWriter]] = {}
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def carrying(self, url: str) -> str:
        """`url` (the service's), reached over this link."""
        parts = urlsplit(url)
        return urlunsplit(("http", f"127.0.0.1:{self.port}", *parts[2:]))

    def listen(self) -> None:
        """Take a port now (the service must know this origin before it starts)."""
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]

    def forward_to(self, target_port: int) -> None:
        self._target_port = target_port

    def cut(self) -> None:
        self._call(self._set(up=False))

    def restore(self) -> None:
        self._call(self._set(up=True))

    def close(self) -> None:
        if self._server is not None:
            self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _call(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=10)

    async def _set(self, *, up: bool) -> None:
        if not up and self._up:
            self._generation += 1
        if up and not self._up:
            # Back online: the connections the cut left hanging are closed, as an operating
            # system does once their retransmissions give up.
            for generation in [g for g in self._writers if g != self._generation]:
                for writer in self._writers.pop(generation):
                    writer.transport.abort()
        self._up = up

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for writers in self._writers.values():
            for writer in writers:
                writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._up:
            writer.transport.abort()  # no route: the attempt fails at once
            return
        generation = self._generation
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.setdefault(generation, []).extend([writer, up_writer])
        try:
            await asyncio.gather(
                self._pump(reader, up_writer, generation),
                self._pump(up_reader, writer, generation),
            )
        finally:
            for end in (writer, up_writer):
                end.close()
                with contextlib.suppress(ValueError, KeyError):
                    self._writers[generation].remove(end)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, generation: int
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(CHUNK):
                if generation == self._generation and self._up:
                    writer.write(data)
                    await writer.drain()
            # An end of stream crosses only a live link: a cut one stays silent.
            if generation == self._generation and self._up and writer.can_write_eof():
                writer.write_eof()


@contextmanager
def network_link() -> Iterator[NetworkLink]:
    link = NetworkLink()
    link.listen()
    try:
        yield link
    finally:
        link.close()
