"""The WebSocket server end to end: real aiohttp server and clients on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import aiohttp
import pytest

from signaling.config import SignalingConfig
from signaling.errors import (
    CLOSE_AUTH,
    CLOSE_GOING_AWAY,
    CLOSE_HELLO,
    CLOSE_NOT_JOINABLE,
    CLOSE_POLICY,
    CLOSE_TOO_BIG,
)
from tests.signaling.conftest import RunningServer, StartServer
from tests.signaling.memory import hearing
from tests.signaling.wsclient import WsClient

SDP = (Path(__file__).parent / "vectors" / "aiortc-offer.sdp").read_bytes().decode("ascii")


def token(pid: str, hearing_id: str = "h-1") -> str:
    return f"tok-{hearing_id}-{pid}"


async def enter(
    server: RunningServer, session: aiohttp.ClientSession, pid: str, hearing_id: str = "h-1"
) -> WsClient:
    client = await WsClient.connect(session, server.url(hearing_id))
    await client.hello(token(pid, hearing_id))
    return client


async def seated(
    server: RunningServer, session: aiohttp.ClientSession, judge: WsClient, pid: str
) -> WsClient:
    client = await enter(server, session, pid)
    peer = client.seen[0]["peer"]
    await judge.send({"type": "admit", "peer": peer})
    await client.next("peer_joined")
    while (await judge.next("peer_joined"))["peer"] != peer:
        pass
    return client


async def test_join_admit_and_relay_over_websockets(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    server = await start_server()
    judge = await enter(server, session, "judge-1")
    witness = await enter(server, session, "witness-1")
    waiting = await judge.next("lobby")
    while not waiting["waiting"]:
        waiting = await judge.next("lobby")
    peer = waiting["waiting"][0]["peer"]
    await judge.send({"type": "admit", "peer": peer})
    joined = await witness.next("peer_joined")
    assert joined["initiate"] is True
    await witness.send({"type": "offer", "to": joined["peer"], "sdp": SDP, "id": "o1"})
    offer = await judge.next("offer")
    assert offer == {"type": "offer", "from": peer, "sdp": SDP}
    assert server.audit.types() == [
        "room.opened",
        "participant.joined",
        "participant.joined",
        "participant.admitted",
        "media.fingerprint",
    ]
    # Where each one connected from, for the minutes: the loopback client's address.
    joins = server.audit.of_type("participant.joined")
    assert [e.fields["address"] for e in joins] == ["127.0.0.1", "127.0.0.1"]


async def test_origin_is_checked_before_the_upgrade(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    config = SignalingConfig(allowed_origins=("https://court.example",))
    server = await start_server(config=config)
    with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
        await WsClient.connect(session, server.url(), origin="https://evil.example")
    assert caught.value.status == 403
    ok = await WsClient.connect(session, server.url(), origin="https://court.example")
    await ok.hello(token("judge-1"))
    strict = await start_server(config=SignalingConfig(allow_missing_origin=False))
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await WsClient.connect(session, strict.url())


async def test_bad_paths_and_unknown_or_closed_hearings(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    server = await start_server(hearing("h-1"), hearing("h-9", state="scheduled"))
    async with session.get(server.url("bad id!").replace("ws://", "http://")) as response:
        assert response.status == 404
    async with session.get(server.url().replace("ws://", "http://")) as response:
        assert response.status == 400  # not a WebSocket upgrade
    scheduled = await WsClient.connect(session, server.url("h-9"))
    await scheduled.send(
        {"type": "hello", "v": 1, "token": token("judge-1", "h-9"), "code": "123456"}
    )
    assert (await scheduled.next("error"))["code"] == "hearing.not_open"
    assert await scheduled.wait_closed() == CLOSE_NOT_JOINABLE


@pytest.mark.parametrize(
    ("first", "code", "close"),
    [
        ({"type": "ping"}, "protocol.hello_required", CLOSE_HELLO),
        ({"type": "hello", "v": 2, "resume": "x"}, "protocol.version", CLOSE_HELLO),
        ({"type": "hello", "v": 1, "token": "nope", "code": "123456"}, "auth.bad_token",
         CLOSE_AUTH),
        ({"type": "hello", "v": 1, "token": token("judge-1"), "code": "000000"}, "auth.bad_code",
         CLOSE_AUTH),
        ({"type": "hello", "v": 1, "token": token("judge-1", "h-2"), "code": "123456"},
         "auth.wrong_hearing", CLOSE_AUTH),
        ({"type": "hello", "v": 1, "resume": "forged.token"}, "auth.bad_resume", CLOSE_AUTH),
        ({"type": "hello", "v": 1, "session": "nope"}, "auth.bad_session", CLOSE_AUTH),
        ({"type": "hello", "v": 1}, "protocol.bad_hello", CLOSE_HELLO),
    ],
)  # fmt: skip
async def test_hello_refusals(
    start_server: StartServer,
    session: aiohttp.ClientSession,
    first: dict[str, object],
    code: str,
    close: int,
) -> None:
    server = await start_server(hearing("h-1"), hearing("h-2"))
    client = await WsClient.connect(session, server.url())
    await client.send(first)
    assert (await client.next("error"))["code"] == code
    assert await client.wait_closed() == close


async def test_hello_timeout_and_replayed_one_time_code(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    server = await start_server(config=SignalingConfig(hello_timeout_seconds=0.2))
    silent = await WsClient.connect(session, server.url())
    assert (await silent.next("error"))["code"] == "protocol.hello_timeout"
    assert await silent.wait_closed() == CLOSE_HELLO
    first = await enter(server, session, "witness-1")
    await first.close()
    again = await WsClient.connect(session, server.url())
    await again.send({"type": "hello", "v": 1, "token": token("witness-1"), "code": "123456"})
    assert (await again.next("error"))["code"] == "auth.replayed"


async def test_hostile_client_gets_errors_and_closes_while_the_room_goes_on(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    config = SignalingConfig(rate_per_second=20, rate_burst=40)
    server = await start_server(config=config)
    judge = await enter(server, session, "judge-1")
    witness = await seated(server, session, judge, "witness-1")
    hostile = await seated(server, session, judge, "party-1")
    judge_peer = judge.seen[0]["peer"]

    cases: list[tuple[str | bytes | dict[str, object], str]] = [
        ("}{ not json", "protocol.not_json"),
        (b"\x00\x01binary", "protocol.not_text"),
        ({"type": "launch"}, "protocol.unknown_type"),
        ({"type": "ice", "to": judge_peer, "candidate": "", "from": judge_peer},
         "protocol.unknown_field"),
        ({"type": "ice", "to": "p-forged", "candidate": ""}, "peer.unknown"),
        ({"type": "admit", "peer": judge_peer}, "perm.role"),
        ({"type": "recording", "action": "start"}, "perm.role"),
        ({"type": "end"}, "perm.role"),
        ({"type": "hello", "v": 1, "resume": hostile.seen[0]["resume"]},
         "protocol.duplicate_hello"),
        ({"type": "offer", "to": judge_peer, "sdp": SDP.replace("UDP/TLS/RTP/SAVPF", "RTP/AVP")},
         "sdp.insecure_transport"),
        ({"type": "condition", "condition": "C-RIGHTS", "method": "observation"},
         "perm.condition_role"),
    ]  # fmt: skip
    for payload, code in cases:
        if isinstance(payload, dict):
            await hostile.send({**payload, "id": "x1"})
        else:
            await hostile.send_raw(payload)
        error = await hostile.next("error")
        assert error["code"] == code, payload
    await hostile.send({"type": "ping", "nonce": "still-here"})
    assert (await hostile.next("pong"))["nonce"] == "still-here"

    # Oversize: closed with 1009.
    big = await seated(server, session, judge, "expert-1")
    await big.send_raw(json.dumps({"type": "end", "reason": "x" * 70_000}))
    assert await big.wait_closed() == CLOSE_TOO_BIG

    # Flood: an error, then 1008.
    for _ in range(200):
        if hostile.close_code is not None:
            break
        await hostile.send({"type": "ping"})
    assert (await hostile.next("error"))["code"] == "rate.exceeded"
    assert await hostile.wait_closed() == CLOSE_POLICY

    # Everyone else carries on.
    await witness.send({"type": "ice", "to": judge_peer, "candidate": ""})
    assert (await judge.next("ice"))["from"] == witness.seen[0]["peer"]
    newcomer = await seated(server, session, judge, "victim-1")
    await newcomer.send({"type": "ping"})
    await newcomer.next("pong")


async def test_reconnection_within_grace_keeps_the_seat(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    server = await start_server(config=SignalingConfig(grace_seconds=5, heartbeat_seconds=2))
    judge = await enter(server, session, "judge-1")
    witness = await seated(server, session, judge, "witness-1")
    welcome = witness.seen[0]
    await witness.drop()
    assert (await judge.next("peer_reconnecting"))["peer"] == welcome["peer"]
    back = await WsClient.connect(session, server.url())
    await back.send({"type": "hello", "v": 1, "resume": welcome["resume"]})
    again = await back.next("welcome")
    assert (again["peer"], again["seat"]) == (welcome["peer"], "admitted")
    assert (await back.next("peer_joined"))["initiate"] is True
    rejoined = await judge.next("peer_joined")
    assert rejoined["resumed"] is True
    # The old token is spent.
    thief = await WsClient.connect(session, server.url())
    await thief.send({"type": "hello", "v": 1, "resume": welcome["resume"]})
    assert (await thief.next("error"))["code"] == "auth.replayed"
    assert await thief.wait_closed() == CLOSE_AUTH


async def test_credentials_never_reach_the_logs(
    start_server: StartServer, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = await start_server()
    judge = await enter(server, session, "judge-1")
    witness = await seated(server, session, judge, "witness-1")
    resume = witness.seen[0]["resume"]
    await witness.drop()
    back = await WsClient.connect(session, server.url())
    await back.send({"type": "hello", "v": 1, "resume": resume})
    await back.next("welcome")
    bad = await WsClient.connect(session, server.url())
    await bad.send({"type": "hello", "v": 1, "token": token("party-1"), "code": "999999"})
    await bad.wait_closed()
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records)
    assert "joined hearing h-1" in text  # the server did log the flow
    for secret in [token("judge-1"), token("witness-1"), token("party-1"), "123456", "999999",
                   resume, back.seen[0]["resume"]]:  # fmt: skip
        assert secret not in text


async def test_ice_servers_with_ephemeral_turn_credentials(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    config = SignalingConfig(
        ice_servers=("stun:stun.court.example:3478", "turn:turn.court.example:3478"),
        turn_secret=b"shared-with-coturn",
        turn_ttl_seconds=600,
    )
    server = await start_server(config=config)
    client = await WsClient.connect(session, server.url())
    welcome = await client.hello(token("judge-1"))
    stun, turn = welcome["ice_servers"]
    assert stun == {"urls": ["stun:stun.court.example:3478"]}
    expiry, _, user = turn["username"].partition(":")
    assert user == "judge-1" and int(expiry) > 0 and len(turn["credential"]) == 28


async def test_server_shutdown_closes_sockets_with_1001(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    server = await start_server()
    judge = await enter(server, session, "judge-1")
    await server.server.close()
    assert await judge.wait_closed() == CLOSE_GOING_AWAY


async def test_end_over_websocket(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    server = await start_server()
    judge = await enter(server, session, "judge-1")
    witness = await seated(server, session, judge, "witness-1")
    await judge.send({"type": "end", "reason": "finished"})
    assert (await witness.next("closed"))["reason"] == "ended"
    assert await witness.wait_closed() == 1000
    assert await judge.wait_closed() == 1000
    await asyncio.sleep(0.05)
    late = await WsClient.connect(session, server.url())
    await late.send({"type": "hello", "v": 1, "token": token("party-1"), "code": "123456"})
    assert (await late.next("error"))["code"] == "room.closed"
    assert await late.wait_closed() == CLOSE_NOT_JOINABLE


async def test_no_permessage_deflate_even_when_the_client_asks(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    """Compression would let an observer learn a resume token by sizing SDP another peer sends."""
    server = await start_server()
    ws = await session.ws_connect(server.url(), compress=15)
    assert ws.compress == 0
    await ws.close()
