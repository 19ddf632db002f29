"""The worker protocol: every command parses from its documented form; bad lines get codes."""

from __future__ import annotations

import base64
import json

import pytest

from recordings import protocol as p
from recordings.errors import RecordingError

KEY = bytes(range(32))


def line(**fields: object) -> bytes:
    return json.dumps(fields).encode() + b"\n"


def test_start_round_trips_through_its_encoder() -> None:
    start = p.Start(
        7, "h-1", "rec-1", "/var/rec", 10_000, KEY,
        (p.IceServer(("turn:127.0.0.1:3478",), "u", "c"),), ("127.0.0.1",),
    )  # fmt: skip
    assert p.parse_command(p.encode(p.start_command(start))) == start


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"op": "offer", "id": 1, "peer": "alice", "sdp": "v=0"}, p.Offer(1, "alice", "v=0")),
        (
            {"op": "ice", "id": 2, "peer": "alice", "candidate": "candidate:1", "sdp_mid": "0"},
            p.Ice(2, "alice", "candidate:1", "0", None),
        ),
        ({"op": "ice", "id": 3, "peer": "a", "candidate": None}, p.Ice(3, "a", None, None, None)),
        ({"op": "leave", "id": 4, "peer": "alice"}, p.Leave(4, "alice")),
        ({"op": "stop", "id": 5, "finish": False}, p.Stop(5, False)),
        ({"op": "ping", "id": 6}, p.Ping(6)),
    ],
)
def test_commands_parse(fields: dict[str, object], expected: p.Command) -> None:
    assert p.parse_command(line(**fields)) == expected


START = {
    "op": "start", "id": 9, "v": 1, "hearing": "h-1", "recording": "r", "directory": "/d",
    "segment_ms": 1000, "key": base64.b64encode(KEY).decode(),
}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", None),
        (b"[1]", None),
        (line(op="ping"), "id"),
        (line(op="ping", id="1"), "id"),
        (line(op="dance", id=1), "op"),
        (line(op="offer", id=1, peer="../x", sdp="v=0"), "peer"),
        (line(op="offer", id=1, peer="a" * 65, sdp="v=0"), "peer"),
        (line(op="offer", id=1, peer="a", sdp="v" * (p.MAX_SDP + 1)), "sdp"),
        (line(op="stop", id=1, finish="yes"), "finish"),
        (line(op="ice", id=1, peer="a", candidate=5), "candidate"),
        (line(**{**START, "v": 2}), "v"),
        (line(**{**START, "segment_ms": 50}), "segment_ms"),
        (line(**{**START, "segment_ms": 1.5}), "segment_ms"),
        (line(**{**START, "key": "!!"}), "key"),
        (line(**{**START, "key": base64.b64encode(b"short").decode()}), "key"),
        (line(**{**START, "hearing": ""}), "hearing"),
        (line(**{**START, "ice_servers": [{"urls": []}]}), "ice_servers"),
        (line(**{**START, "host_addresses": "127.0.0.1"}), "host_addresses"),
    ],
)
def test_bad_commands_are_refused_with_a_code(raw: bytes, field: str | None) -> None:
    with pytest.raises(RecordingError) as caught:
        p.parse_command(raw)
    assert caught.value.code == "recording.bad_request"
    assert caught.value.details.get("field") == field


def test_a_refusal_names_the_command_id_when_it_was_readable() -> None:
    with pytest.raises(RecordingError) as caught:
        p.parse_command(line(op="leave", id=12, peer=""))
    assert caught.value.details["id"] == 12
    reply = p.failed(12, caught.value)
    assert reply["reply"] == 12 and reply["ok"] is False
    assert reply["error"]["code"] == "recording.bad_request"


def test_worker_messages_are_replies_or_events() -> None:
    assert p.parse_message(p.encode(p.ok(3, sdp="x"))) == {"reply": 3, "ok": True, "sdp": "x"}
    assert p.parse_message(p.encode(p.event("peer", peer="a")))["event"] == "peer"
    with pytest.raises(RecordingError):
        p.parse_message(b'{"hello": 1}')
