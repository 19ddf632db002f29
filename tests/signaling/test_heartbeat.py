"""The WebSocket heartbeat: a participant whose network is gone sends no close frame, so the server
notices only because its pings go unanswered; it then marks them reconnecting and keeps the seat
for the grace period. Real aiohttp server and clients on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from signaling.config import SignalingConfig
from tests.conftest import make_settings
from tests.signaling.conftest import RunningServer, StartServer
from tests.signaling.wsclient import WsClient
from vc_service.config import load_settings
from vc_service.errors import ConfigError
from vc_service.http.live import signaling_config
from vc_service.services import Services

HEARTBEAT = 1.0


def token(pid: str) -> str:
    return f"tok-h-1-{pid}"


async def enter(
    server: RunningServer, session: aiohttp.ClientSession, pid: str, *, autoping: bool = True
) -> WsClient:
    client = await WsClient.connect(session, server.url(), autoping=autoping)
    await client.hello(token(pid))
    return client


async def admit(judge: WsClient, client: WsClient) -> str:
    peer: str = client.seen[0]["peer"]
    await judge.send({"type": "admit", "peer": peer})
    while (await judge.next("peer_joined"))["peer"] != peer:
        pass
    return peer


async def test_a_client_that_stops_answering_pings_is_dropped_within_two_heartbeats(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    config = SignalingConfig(heartbeat_seconds=HEARTBEAT, grace_seconds=5)
    server = await start_server(config=config)
    judge = await enter(server, session, "judge-1")
    loop = asyncio.get_running_loop()
    # Reads what the server sends but never pongs: its hello is the last frame it ever sends.
    witness = await WsClient.connect(session, server.url(), autoping=False)
    await witness.send({"type": "hello", "v": 1, "token": token("witness-1"), "code": "123456"})
    silent_since = loop.time()
    welcome = await witness.next("welcome")
    peer = await admit(judge, witness)

    gone = await judge.next("peer_reconnecting", within=4 * HEARTBEAT)
    noticed_after = loop.time() - silent_since
    assert gone["peer"] == peer
    # Not before a ping could go unanswered, and no later than the ping plus half a heartbeat.
    assert HEARTBEAT <= noticed_after < 2 * HEARTBEAT, noticed_after
    assert config.detection_seconds < 2 * HEARTBEAT
    await witness.wait_closed(within=HEARTBEAT)

    # The room marks the participant disconnected, audits it, and keeps the seat.
    shown: dict[str, bool] = {}
    while shown.get(peer) is not False:  # room_state messages from before the drop come first
        state = await judge.next("room_state")
        shown = {p["peer"]: p["connected"] for p in state["participants"]}
    assert (await server.node.presence("h-1"))[peer]["connected"] is False
    (event,) = server.audit.of_type("participant.disconnected")
    assert event.fields == {"peer": peer, "grace_seconds": 5}

    # Within the grace period the resume token brings them back into the same seat.
    back = await WsClient.connect(session, server.url())
    await back.send({"type": "hello", "v": 1, "resume": welcome["resume"]})
    again = await back.next("welcome")
    assert (again["peer"], again["seat"]) == (peer, "admitted")


async def test_a_client_that_answers_pings_stays_through_many_heartbeats(
    start_server: StartServer, session: aiohttp.ClientSession
) -> None:
    config = SignalingConfig(heartbeat_seconds=0.3, grace_seconds=5)
    server = await start_server(config=config)
    judge = await enter(server, session, "judge-1")
    witness = await enter(server, session, "witness-1")
    peer = await admit(judge, witness)
    await asyncio.sleep(4 * config.detection_seconds)  # nobody sends a thing; pings and pongs go
    assert judge.pending("peer_reconnecting") == []
    assert (await server.node.presence("h-1"))[peer]["connected"] is True
    assert server.audit.of_type("participant.disconnected") == []
    await witness.send({"type": "ping"})
    await witness.next("pong")


def test_grace_must_outlast_the_heartbeat_detection() -> None:
    assert SignalingConfig().detection_seconds == 15.0
    assert SignalingConfig().grace_seconds > SignalingConfig().detection_seconds
    with pytest.raises(ValueError, match="grace_seconds"):
        SignalingConfig(heartbeat_seconds=10, grace_seconds=15)
    with pytest.raises(ValueError, match="heartbeat_seconds must be positive"):
        SignalingConfig(heartbeat_seconds=0)
    assert SignalingConfig(heartbeat_seconds=10, grace_seconds=16).detection_seconds == 15.0


@pytest.mark.parametrize("raw", ["4", "31", "ten", "-1"])
def test_the_service_setting_is_validated_and_named(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"VC_WS_HEARTBEAT_SECONDS": raw})
    assert "VC_WS_HEARTBEAT_SECONDS" in caught.value.message
    assert caught.value.details["setting"] == "VC_WS_HEARTBEAT_SECONDS"


def test_the_service_refuses_a_grace_shorter_than_the_detection() -> None:
    assert load_settings(environ={}).ws_heartbeat_seconds == 10
    env = {"VC_WS_HEARTBEAT_SECONDS": "20", "VC_RECONNECT_GRACE_SECONDS": "30"}
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=env)
    assert caught.value.details["setting"] == "VC_RECONNECT_GRACE_SECONDS"
    assert "VC_WS_HEARTBEAT_SECONDS" in caught.value.message
    env["VC_RECONNECT_GRACE_SECONDS"] = "31"
    assert load_settings(environ=env).reconnect_grace_seconds == 31


async def test_the_service_hands_its_heartbeat_to_the_websocket(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", VC_WS_HEARTBEAT_SECONDS="7")
    built = Services.build(settings)
    try:
        config = signaling_config(built)
    finally:
        await built.close()
    assert config.heartbeat_seconds == 7.0
    assert config.grace_seconds == 60.0
