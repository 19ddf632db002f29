"""Two server nodes, one room: in one process over the in-process bus and over real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import pytest

from signaling.backplane import Backplane, InProcessBackplane, LocalBus, RedisBackplane
from signaling.config import SignalingConfig
from signaling.errors import CLOSE_GOING_AWAY
from tests.signaling.conftest import RunningServer, StartServer
from tests.signaling.memory import hearing, services
from tests.signaling.wsclient import WsClient

SECRET = b"r" * 32  # every node signs resume tokens with the same key


def token(pid: str) -> str:
    return f"tok-h-1-{pid}"


async def enter(server: RunningServer, session: aiohttp.ClientSession, pid: str) -> WsClient:
    client = await WsClient.connect(session, server.url())
    await client.hello(token(pid))
    return client


BackplaneFactory = Callable[[str], Backplane]


@pytest.fixture(params=["in-process", pytest.param("redis", marks=pytest.mark.redis)])
def make_backplane(request: pytest.FixtureRequest) -> BackplaneFactory:
    if request.param == "in-process":
        bus = LocalBus()
        return lambda node: InProcessBackplane(node, bus)
    url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("redis_prefix")
    return lambda node: RedisBackplane(url, node_id=node, prefix=prefix, lease_seconds=1.5)


async def two_nodes(
    start_server: StartServer, make_backplane: BackplaneFactory
) -> tuple[RunningServer, RunningServer]:
    # Both nodes reach the same database (here: the same in-memory services).
    shared = services(hearing())
    config = SignalingConfig(
        resume_secret=SECRET, owner_lease_seconds=1.5, grace_seconds=5, heartbeat_seconds=2
    )
    a = await start_server(config=config, backplane=make_backplane("node-a"), shared=shared)
    b = await start_server(config=config, backplane=make_backplane("node-b"), shared=shared)
    return a, b


async def test_participants_on_two_nodes_meet_in_one_room(
    start_server: StartServer, make_backplane: BackplaneFactory, session: aiohttp.ClientSession
) -> None:
    a, b = await two_nodes(start_server, make_backplane)
    judge = await enter(a, session, "judge-1")
    witness = await enter(b, session, "witness-1")
    assert witness.seen[0]["seat"] == "lobby"
    lobby = await judge.next("lobby")
    while not lobby["waiting"]:
        lobby = await judge.next("lobby")
    witness_peer = lobby["waiting"][0]["peer"]
    assert witness_peer == witness.seen[0]["peer"]
    await judge.send({"type": "admit", "peer": witness_peer})
    joined = await witness.next("peer_joined")
    assert joined["peer"] == judge.seen[0]["peer"] and joined["initiate"] is True

    await witness.send({"type": "ice", "to": joined["peer"], "candidate": ""})
    assert (await judge.next("ice"))["from"] == witness_peer
    await judge.send({"type": "ice", "to": witness_peer, "candidate": ""})
    assert (await witness.next("ice"))["from"] == joined["peer"]
    # The owner's refusals reach a client on the other node, with its ref.
    await witness.send({"type": "end", "id": "r9"})
    error = await witness.next("error")
    assert (error["code"], error["ref"]) == ("perm.role", "r9")

    # One room, one log: the owner alone wrote it, once per decision.
    assert a.audit is b.audit
    assert a.audit.types() == [
        "room.opened",
        "participant.joined",
        "participant.joined",
        "participant.admitted",
    ]
    # The witness's address crossed the backplane with its join.
    joins = a.audit.of_type("participant.joined")
    assert [e.fields["address"] for e in joins] == ["127.0.0.1", "127.0.0.1"]
    assert set(a.node.rooms) == {"h-1"} and b.node.rooms == {}
    # Presence is shared: the node without the room sees who is there.
    await a.node.tick()
    seen_from_b = await b.node.presence("h-1")
    assert {v["role"] for v in seen_from_b.values()} == {"judge", "witness"}

    # The witness drops and comes back through the other node, keeping the seat.
    resume = witness.seen[0]["resume"]
    await witness.drop()
    assert (await judge.next("peer_reconnecting"))["peer"] == witness_peer
    back = await WsClient.connect(session, a.url())
    await back.send({"type": "hello", "v": 1, "resume": resume})
    welcome = await back.next("welcome")
    assert (welcome["peer"], welcome["seat"]) == (witness_peer, "admitted")


async def test_when_the_owner_stops_the_room_reopens_on_the_other_node(
    start_server: StartServer, make_backplane: BackplaneFactory, session: aiohttp.ClientSession
) -> None:
    a, b = await two_nodes(start_server, make_backplane)
    judge = await enter(a, session, "judge-1")
    witness = await enter(b, session, "witness-1")
    await judge.send({"type": "admit", "peer": witness.seen[0]["peer"]})
    await witness.next("peer_joined")
    await a.server.close()
    assert await witness.wait_closed() == CLOSE_GOING_AWAY
    assert await judge.wait_closed() == CLOSE_GOING_AWAY
    # Everyone resumes on node B, which now opens the room (seats were in A's memory: the
    # judge is seated again and admits the witness from the lobby).
    judge2 = await WsClient.connect(session, b.url())
    await judge2.send({"type": "hello", "v": 1, "resume": judge.seen[0]["resume"]})
    assert (await judge2.next("welcome"))["seat"] == "admitted"
    witness2 = await WsClient.connect(session, b.url())
    await witness2.send({"type": "hello", "v": 1, "resume": witness.seen[0]["resume"]})
    assert (await witness2.next("welcome"))["seat"] == "lobby"
    assert set(b.node.rooms) == {"h-1"}
    assert b.audit.types().count("room.opened") == 2


async def test_a_room_owned_elsewhere_that_does_not_answer_is_refused_in_time(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    bus = LocalBus()
    bus.owners["h-1"] = "node-gone"  # a lease left by a node that is not listening
    config = SignalingConfig(join_timeout_seconds=0.3)
    server = await start_server(config=config, backplane=InProcessBackplane("node-b", bus))
    client = await WsClient.connect(session, server.url())
    await client.send({"type": "hello", "v": 1, "token": token("judge-1"), "code": "123456"})
    assert (await client.next("error"))["code"] == "room.unavailable"
    assert await client.wait_closed() == 1013
    await asyncio.sleep(0)
