"""The JSON-lines protocol between `RecorderProcess` and the worker process (version 1). Pure.

One JSON object per line, UTF-8, over the worker's stdin (commands) and stdout (replies and events).
Every command carries an integer `id`; the worker answers it with exactly one reply
`{"reply": id, "ok": true, ...}` or `{"reply": id, "ok": false, "error": {code, message, details}}`.
Events carry no id and may come at any time. The full table is in `docs/recordings.md`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from recordings.errors import RecordingError
from recordings.manifest import check_id

VERSION = 1
MAX_LINE = 1024 * 1024
MAX_SDP = 256 * 1024


@dataclass(frozen=True)
class IceServer:
    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None


@dataclass(frozen=True)
class Start:
    id: int
    hearing: str
    recording: str
    directory: str
    segment_ms: int
    key: bytes
    ice_servers: tuple[IceServer, ...] = ()
    # None: every host address, as aioice does; a list restricts host candidates to those.
    host_addresses: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Offer:
    id: int
    peer: str
    sdp: str


@dataclass(frozen=True)
class Ice:
    id: int
    peer: str
    candidate: str | None
    sdp_mid: str | None
    sdp_mline_index: int | None


@dataclass(frozen=True)
class Leave:
    id: int
    peer: str


@dataclass(frozen=True)
class Stop:
    id: int
    finish: bool


@dataclass(frozen=True)
class Ping:
    id: int


Command = Start | Offer | Ice | Leave | Stop | Ping


def bad(message: str, **details: Any) -> RecordingError:
    return RecordingError("recording.bad_request", message, details=details)


def _get(data: dict[str, Any], name: str, kind: type, *, optional: bool = False) -> Any:
    value = data.get(name)
    if value is None and optional:
        return None
    if type(value) is not kind:
        raise bad(f"field {name!r} must be {kind.__name__}", field=name)
    return value


def _ice_servers(value: object) -> tuple[IceServer, ...]:
    if not isinstance(value, list):
        raise bad("field 'ice_servers' must be a list", field="ice_servers")
    servers = []
    for item in value:
        if not isinstance(item, dict):
            raise bad("each ICE server is an object", field="ice_servers")
        urls = item.get("urls")
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls) or not urls:
            raise bad("an ICE server's 'urls' is a non-empty list of strings", field="ice_servers")
        servers.append(
            IceServer(
                tuple(urls),
                _get(item, "username", str, optional=True),
                _get(item, "credential", str, optional=True),
            )
        )
    return tuple(servers)


def _key(value: object) -> bytes:
    if not isinstance(value, str):
        raise bad("field 'key' must be base64 text", field="key")
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error:
        raise bad("field 'key' must be base64 text", field="key") from None
    if len(key) != 32:
        raise bad("the recording key is 32 bytes", field="key")
    return key


def parse_command(line: bytes) -> Command:
    """A command from one line, or `RecordingError` (`details.id` set when the id was readable)."""
    if len(line) > MAX_LINE:
        raise bad("line too long")
    try:
        data = json.loads(line)
    except ValueError:
        raise bad("not JSON") from None
    if not isinstance(data, dict):
        raise bad("a command is a JSON object")
    ident = data.get("id")
    if type(ident) is not int:
        raise bad("field 'id' must be int", field="id")
    try:
        return _command(data, ident)
    except RecordingError as exc:
        exc.details["id"] = ident
        raise


def _command(data: dict[str, Any], ident: int) -> Command:
    op = data.get("op")
    if op == "start":
        if data.get("v") != VERSION:
            raise bad(f"protocol version {VERSION} expected", field="v")
        segment_ms = _get(data, "segment_ms", int)
        if not 200 <= segment_ms <= 600_000:
            raise bad("segment_ms must be between 200 and 600000", field="segment_ms")
        hosts = data.get("host_addresses")
        if hosts is not None and (
            not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts)
        ):
            raise bad("host_addresses is null or a list of strings", field="host_addresses")
        return Start(
            ident,
            check_id("hearing", data.get("hearing")),
            check_id("recording", data.get("recording")),
            _get(data, "directory", str),
            segment_ms,
            _key(data.get("key")),
            _ice_servers(data.get("ice_servers", [])),
            None if hosts is None else tuple(hosts),
        )
    if op == "offer":
        sdp = _get(data, "sdp", str)
        if len(sdp) > MAX_SDP:
            raise bad("SDP too large", field="sdp")
        return Offer(ident, check_id("peer", data.get("peer")), sdp)
    if op == "ice":
        return Ice(
            ident,
            check_id("peer", data.get("peer")),
            _get(data, "candidate", str, optional=True),
            _get(data, "sdp_mid", str, optional=True),
            _get(data, "sdp_mline_index", int, optional=True),
        )
    if op == "leave":
        return Leave(ident, check_id("peer", data.get("peer")))
    if op == "stop":
        return Stop(ident, _get(data, "finish", bool))
    if op == "ping":
        return Ping(ident)
    raise bad(f"unknown op {op!r}", field="op")


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"


def start_command(command: Start) -> dict[str, Any]:
    out: dict[str, Any] = {
        "op": "start",
        "id": command.id,
        "v": VERSION,
        "hearing": command.hearing,
        "recording": command.recording,
        "directory": command.directory,
        "segment_ms": command.segment_ms,
        "key": base64.b64encode(command.key).decode(),
        "ice_servers": [
            {"urls": list(s.urls), "username": s.username, "credential": s.credential}
            for s in command.ice_servers
        ],
        "host_addresses": None if command.host_addresses is None else list(command.host_addresses),
    }
    return out


def ok(ident: int, **fields: Any) -> dict[str, Any]:
    return {"reply": ident, "ok": True, **fields}


def failed(ident: int, error: RecordingError) -> dict[str, Any]:
    return {"reply": ident, "ok": False, "error": error.to_dict()}


def event(name: str, **fields: Any) -> dict[str, Any]:
    return {"event": name, **fields}


def parse_message(line: bytes) -> dict[str, Any]:
    """A reply or an event from the worker (the controller trusts its own child's framing)."""
    data = json.loads(line)
    if not isinstance(data, dict) or ("reply" not in data and "event" not in data):
        raise RecordingError("recording.worker_failed", "the worker sent an unknown message")
    return data
