"""Fixtures for recorder tests: loopback-only ICE, a recording key, real aiortc sender peers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from recordings.recorder import RecorderConfig, RecorderEvent, RecorderProcess
from tests.recordings.media import MovingVideo, Tone

KEY = bytes.fromhex("a1" * 32)


@pytest.fixture
def loopback_ice(monkeypatch: pytest.MonkeyPatch) -> None:
    """aioice skips 127.0.0.1 and gathers the machine's other addresses: keep media on loopback.
    (The recorder process gets the same restriction through `host_addresses`.)"""
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


def recorder_config(directory: Path, **overrides: object) -> RecorderConfig:
    values: dict[str, object] = {
        "hearing": "h-1",
        "directory": directory,
        "key": KEY,
        "recording": "rec-1",
        "segment_ms": 1000,
        "host_addresses": ("127.0.0.1",),
        "command_timeout_s": 20.0,
    }
    values.update(overrides)
    return RecorderConfig(**values)  # type: ignore[arg-type]


@dataclass
class Watched:
    """A running recorder and every event it reported, gathered by a background task."""

    recorder: RecorderProcess
    events: list[RecorderEvent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, check: Callable[[list[RecorderEvent]], bool], within_s: float) -> None:
        async with asyncio.timeout(within_s):
            while not check(self.events):
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def watched(tmp_path: Path, loopback_ice: None) -> AsyncIterator[Watched]:
    recorder = RecorderProcess(recorder_config(tmp_path / "rec"))
    await recorder.start()
    result = Watched(recorder)

    async def gather() -> None:
        async for event in recorder.events():
            result.events.append(event)
            result.changed.set()

    task = asyncio.create_task(gather())
    yield result
    await recorder.kill()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)


class Sender:
    """A participant: a real aiortc peer sending a tone and moving video to the recorder."""

    def __init__(self, *, audio: bool = True, video: bool = True) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        if audio:
            self.pc.addTrack(Tone())
        if video:
            self.pc.addTrack(MovingVideo())

    async def connect(self, recorder: RecorderProcess, peer: str) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await recorder.offer(peer, self.pc.localDescription.sdp)
        await self.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))

    async def close(self) -> None:
        await self.pc.close()


@pytest.fixture
async def senders() -> AsyncIterator[Callable[..., Sender]]:
    made: list[Sender] = []

    def make(**kwargs: bool) -> Sender:
        sender = Sender(**kwargs)
        made.append(sender)
        return sender

    yield make
    for sender in made:
        await sender.close()
