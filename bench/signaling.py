"""Signaling benchmark: our server against a bare aiohttp WebSocket relay, in one run, on loopback.

    .venv/bin/python bench/signaling.py [--quick]

Each server runs in its own process (one core), the load generator in this one. Rooms of 4 peers
exchange offer/answer/candidate-sized messages. Prints:
    relay throughput ratio: R          (ours / bare at saturation; target >= 0.7)
    relay p99 latency: N ms            (2,000 relayed msgs/s over 500 rooms of 4; target <= 5 ms)
    memory per idle participant: N KiB (5,000 joined, admitted, idle; target < 50 KiB)
    join time: N ms                    (aiortc hello -> first remote video frame, median)
and the baseline figures behind them. Our server runs with its checks on (validation, SDP checks,
permissions, rate limit at 1,000 msgs/s per socket) and an audit sink that keeps nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import resource
import signal
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signaling.config import SignalingConfig  # noqa: E402
from signaling.errors import AuthError  # noqa: E402
from signaling.protocol import Role  # noqa: E402
from signaling.server import setup  # noqa: E402
from signaling.services import (  # noqa: E402
    AuthRequest,
    HearingInfo,
    Identity,
    Participant,
    RecordingRule,
    Services,
)

ROLES = (Role.JUDGE, Role.AUTHORITY, Role.WITNESS, Role.EXPERT)
SDP = (ROOT / "tests/signaling/vectors/aiortc-offer.sdp").read_bytes().decode("ascii")
CANDIDATE = "candidate:{n} 1 udp 2122252543 127.0.0.1 {port} typ host generation 0 ufrag Ab1c"

# --- the servers ------------------------------------------------------------------------------


class BenchDirectory:
    """Every hearing `r<N>` exists, with four participants and no legal conditions."""

    async def load(self, hearing_id: str) -> HearingInfo:
        people = tuple(Participant(f"{i}", role, f"P{i}") for i, role in enumerate(ROLES))
        people += tuple(Participant(f"j{i}", Role.WITNESS, f"J{i}") for i in range(8))
        return HearingInfo(hearing_id, "open", (), RecordingRule.ALLOWED, people)


class BenchAuthenticator:
    """Token `<hearing>/<participant>`, code 000000."""

    async def authenticate(self, request: AuthRequest) -> Identity:
        hearing_id, _, pid = (request.token or "").partition("/")
        if request.code != "000000" or hearing_id != request.hearing_id:
            raise AuthError("auth.bad_code", "bad code")
        role = ROLES[int(pid)] if pid.isdigit() else Role.WITNESS
        return Identity(hearing_id, pid, role, pid)


class CountingAudit:
    """Durable storage is the database's cost, not signaling's: count, keep nothing."""

    def __init__(self) -> None:
        self.count = 0

    async def append(
        self, hearing_id: str, event: str, actor: str, fields: Mapping[str, Any]
    ) -> int:
        self.count += 1
        return self.count


def ours_app() -> web.Application:
    app = web.Application()
    services = Services(BenchAuthenticator(), BenchDirectory(), CountingAudit())
    setup(app, services, SignalingConfig(rate_per_second=1000, rate_burst=1000))
    return app


def bare_app() -> web.Application:
    """The baseline: join a room by index, relay JSON to an index, no checks at all."""
    rooms: dict[str, dict[int, web.WebSocketResponse]] = {}

    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=64 * 1024, compress=False)  # same transport
        await ws.prepare(request)
        room, index = request.match_info["room"], int(request.query["i"])
        rooms.setdefault(room, {})[index] = ws
        async for msg in ws:
            message = json.loads(msg.data)
            target = rooms[room].get(message.pop("to"))
            if target is not None:
                message["from"] = index
                await target.send_str(json.dumps(message))
        rooms[room].pop(index, None)
        return ws

    app = web.Application()
    app.router.add_get("/bare/{room}", handle)
    return app


def serve(kind: str) -> None:
    profile = os.environ.get("VC_BENCH_PROFILE")  # a path: write cProfile stats there on exit

    async def main() -> None:
        runner = web.AppRunner(ours_app() if kind == "ours" else bare_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        print(f"READY {runner.addresses[0][1]}", flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()

    if not profile:
        asyncio.run(main())
        return
    import cProfile

    with cProfile.Profile() as profiler:
        asyncio.run(main())
    profiler.dump_stats(profile)


class ServerProcess:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0

    async def __aenter__(self) -> ServerProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", self.kind, stdout=asyncio.subprocess.PIPE
        )
        assert self.proc.stdout is not None
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 60)).decode()
        self.port = int(line.split()[1])
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        await self.proc.wait()

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        assert self.proc is not None
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(
            next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
        )


# --- the load generator ---------------------------------------------------------------------


class Peer:
    """One simulated participant of either server. Once set up, `on_text` sees the raw text it
    receives: the load generator must stay cheaper than the servers it measures."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.id: str | int = ""
        self.welcome: dict[str, Any] = {}
        self.on_text: Callable[[str], None] = lambda text: None
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                if self.id == "":
                    self.inbox.put_nowait(json.loads(msg.data))
                else:
                    self.on_text(msg.data)

    async def wait(self, kind: str) -> dict[str, Any]:
        while True:
            message = await asyncio.wait_for(self.inbox.get(), 30)
            if message.get("type") == kind:
                return message


async def open_room(
    session: aiohttp.ClientSession, server: ServerProcess, room: str, size: int = 4
) -> list[Peer]:
    base = f"ws://127.0.0.1:{server.port}"
    if server.kind == "bare":
        peers = [Peer(await session.ws_connect(f"{base}/bare/{room}?i={i}")) for i in range(size)]
        for i, peer in enumerate(peers):
            peer.id = i
        return peers
    peers = []
    for i in range(size):
        peer = Peer(await session.ws_connect(f"{base}/ws/hearings/{room}"))
        await peer.ws.send_str(
            json.dumps({"type": "hello", "v": 1, "token": f"{room}/{i}", "code": "000000"})
        )
        welcome = await peer.wait("welcome")
        if i:
            await peers[0].ws.send_str(json.dumps({"type": "admit", "peer": welcome["peer"]}))
            await peer.wait("peer_joined")
        peers.append(peer)
        peer.welcome = welcome
    for peer in peers:
        peer.id = peer.welcome["peer"]
    return peers


async def open_rooms(
    session: aiohttp.ClientSession, server: ServerProcess, count: int, prefix: str = "r"
) -> list[list[Peer]]:
    rooms: list[list[Peer]] = []
    limit = asyncio.Semaphore(50)

    async def one(n: int) -> None:
        async with limit:
            rooms.append(await open_room(session, server, f"{prefix}{n}"))

    await asyncio.gather(*(one(n) for n in range(count)))
    return rooms


def message(kind: str, to: str | int, n: int) -> str:
    if kind == "ice":
        body: dict[str, Any] = {"candidate": CANDIDATE.format(n=n, port=10000 + n % 50000)}
        body |= {"sdpMid": "0", "sdpMLineIndex": 0}
    else:
        body = {"sdp": SDP}
    return json.dumps({"type": kind, "to": to, **body})


MIX = ["offer", "answer"] + ["ice"] * 8
RELAYED = re.compile(r'\{"type":\s*"(?:offer|answer|ice)"')
SENDER = re.compile(r'"from":\s*"?([^",}]+)')
NUMBER = re.compile(r'"candidate":\s*"candidate:(\d+) ')


def sender_of(text: str) -> str | int:
    match = SENDER.search(text)
    assert match is not None, text[:200]
    value = match.group(1)
    return int(value) if value.isdigit() else value


async def saturation(
    session: aiohttp.ClientSession, server: ServerProcess, seconds: float
) -> tuple[float, float]:
    """Relayed messages per second with every sender keeping 4 messages in flight, and the
    server's CPU time per relayed message in µs (less sensitive to a noisy machine)."""
    rooms = await open_rooms(session, server, 50)
    received = 0
    window: dict[str | int, asyncio.Semaphore] = {}
    for room in rooms:
        for peer in room:
            window[peer.id] = asyncio.Semaphore(4)

    def on_text(text: str) -> None:
        nonlocal received
        if RELAYED.match(text) is None:
            return  # e.g. room_state after a new fingerprint
        received += 1
        window[sender_of(text)].release()

    for room in rooms:
        for peer in room:
            peer.on_text = on_text
    stop = time.monotonic() + seconds + 0.5

    async def sender(peer: Peer, target: Peer) -> None:
        texts = [message(kind, target.id, n) for n, kind in enumerate(MIX)]
        n = 0
        while time.monotonic() < stop:
            await window[peer.id].acquire()
            await peer.ws.send_str(texts[n % len(texts)])
            n += 1

    tasks = [
        asyncio.create_task(sender(room[i], room[(i + 1) % 4])) for room in rooms for i in range(4)
    ]
    await asyncio.sleep(0.5)
    start_count, start, cpu = received, time.monotonic(), server.cpu_seconds()
    await asyncio.sleep(seconds)
    count = received - start_count
    rate = count / (time.monotonic() - start)
    cpu_per_message = (server.cpu_seconds() - cpu) / max(count, 1) * 1e6
    await close_rooms(rooms, tasks)
    return rate, cpu_per_message


async def latency(
    session: aiohttp.ClientSession,
    server: ServerProcess,
    rate: int,
    rooms_count: int,
    seconds: float,
) -> float:
    """p99 of send -> receive, in ms, at `rate` relayed messages/s spread over the rooms."""
    rooms = await open_rooms(session, server, rooms_count, prefix="l")
    sent: dict[int, float] = {}
    samples: list[float] = []

    def on_text(text: str) -> None:
        match = NUMBER.search(text)
        if match is not None:
            samples.append(time.perf_counter() - sent.pop(int(match.group(1))))

    peers = [peer for room in rooms for peer in room]
    for peer in peers:
        peer.on_text = on_text
    targets = {id(room[i]): room[(i + 1) % 4] for room in rooms for i in range(4)}
    order = peers[:]
    random.Random(7).shuffle(order)
    # The load generator's own garbage collection is not the servers' latency.
    gc.collect()
    gc.disable()
    tick, n = 0.005, 0
    per_tick = rate * tick
    due = 0.0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        due += per_tick
        while due >= 1:
            peer = order[n % len(order)]
            sent[n] = time.perf_counter()
            await peer.ws.send_str(message("ice", targets[id(peer)].id, n))
            n += 1
            due -= 1
        await asyncio.sleep(tick)
    await asyncio.sleep(0.5)
    gc.enable()
    await close_rooms(rooms, [])
    samples.sort()
    if os.environ.get("VC_BENCH_VERBOSE"):
        quantiles = [samples[int(len(samples) * q)] * 1000 for q in (0.5, 0.9, 0.99, 0.999)]
        print(server.kind, "latency p50/p90/p99/p99.9 ms:", [round(x, 2) for x in quantiles])
    return samples[int(len(samples) * 0.99)] * 1000


async def close_rooms(rooms: list[list[Peer]], tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(peer.ws.close() for room in rooms for peer in room))


async def idle_memory(session: aiohttp.ClientSession, server: ServerProcess, count: int) -> float:
    await open_rooms(session, server, 2, prefix="warm")  # first-use allocations are not per-peer
    await asyncio.sleep(0.5)
    before = server.rss_kib()
    rooms = await open_rooms(session, server, count // 4, prefix="idle")
    await asyncio.sleep(1.0)
    after = server.rss_kib()
    await close_rooms(rooms, [])
    return (after - before) / count


# --- join time with real aiortc peers -------------------------------------------------------


def has_video_from(participant: Any, peer: str) -> Callable[[], bool]:
    return lambda: peer in participant.first_video


def waits_in_lobby(judge: Any, peer: str) -> Callable[[], bool]:
    return lambda: peer in str(judge.last("lobby"))


async def join_times(
    session: aiohttp.ClientSession, server: ServerProcess, runs: int
) -> list[float]:
    import aioice.ice

    from signaling.client import MediaParticipant

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]  # loopback only
    url = f"ws://127.0.0.1:{server.port}/ws/hearings/join"
    judge = MediaParticipant(session, url)
    await judge.join(token="join/0", code="000000")  # noqa: S106 (the bench's own test token)
    admitted: set[str] = set()
    results: list[float] = []
    for run in range(runs):
        witness = MediaParticipant(session, url)
        start = time.monotonic()
        await witness.join(token=f"join/j{run}", code="000000")
        peer = witness.peer
        await judge.wait_for(waits_in_lobby(judge, peer))
        await judge.send({"type": "admit", "peer": peer})
        admitted.add(peer)
        await witness.wait_for(has_video_from(witness, judge.peer), within=30)
        results.append((witness.first_video[judge.peer] - start) * 1000)
        await witness.close()
    await judge.close()
    return results


async def direct_pair_ms() -> float:
    """Baseline: two aiortc peers in one process, SDP handed over directly (no signaling)."""
    from aiortc import RTCConfiguration, RTCPeerConnection

    from signaling.client import synthetic_tracks

    a, b = (RTCPeerConnection(RTCConfiguration(iceServers=[])) for _ in range(2))
    first = asyncio.get_running_loop().create_future()
    readers: list[asyncio.Future[None]] = []

    @b.on("track")
    def on_track(track: Any) -> None:
        async def read() -> None:
            await track.recv()
            if not first.done():
                first.set_result(time.monotonic())

        if track.kind == "video":
            readers.append(asyncio.ensure_future(read()))

    start = time.monotonic()
    for track in synthetic_tracks():
        a.addTrack(track)
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    for track in synthetic_tracks():
        b.addTrack(track)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    done = await asyncio.wait_for(first, 30)
    await a.close()
    await b.close()
    return float((done - start) * 1000)


# --- main -------------------------------------------------------------------------------------


async def run(quick: bool) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    seconds = 1.5 if quick else 4.0
    idle = 1000 if quick else 5000
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        figures: dict[str, dict[str, float]] = {}
        for kind in ("bare", "ours"):
            async with ServerProcess(kind) as server:
                throughput, cpu = await saturation(session, server, seconds)
                figures[kind] = {
                    "throughput": throughput,
                    "cpu": cpu,
                    "p99": await latency(session, server, 2000, 500, seconds),
                }
            # A fresh process: memory freed by the runs above would hide the growth.
            async with ServerProcess(kind) as server:
                figures[kind]["memory"] = await idle_memory(session, server, idle)
            gc.collect()
        async with ServerProcess("ours") as server:
            joins = await join_times(session, server, 3 if quick else 5)
        direct = statistics.median([await direct_pair_ms() for _ in range(3)])

    ours, bare = figures["ours"], figures["bare"]
    print(f"bare relay throughput: {bare['throughput']:.0f} msgs/s")
    print(f"our relay throughput: {ours['throughput']:.0f} msgs/s")
    print(f"relay throughput ratio: {ours['throughput'] / bare['throughput']:.2f}")
    print(f"bare relay server CPU per message: {bare['cpu']:.0f} us")
    print(f"our relay server CPU per message: {ours['cpu']:.0f} us")
    print(f"relay CPU ratio (bare/ours): {bare['cpu'] / ours['cpu']:.2f}")
    print(f"bare relay p99 latency: {bare['p99']:.2f} ms")
    print(f"relay p99 latency: {ours['p99']:.2f} ms")
    print(f"bare relay memory per idle socket: {bare['memory']:.1f} KiB")
    print(f"memory per idle participant: {ours['memory']:.1f} KiB")
    print(f"direct aiortc pair first video frame: {direct:.0f} ms")
    print(f"join time: {statistics.median(joins):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller, shorter run")
    parser.add_argument("--serve", choices=["ours", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    else:
        asyncio.run(run(args.quick))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
