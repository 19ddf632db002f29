from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import signaling.protocol as wire
from signaling.errors import CLOSE_TOO_BIG, ProtocolError
from signaling.protocol import (
    CLIENT_TYPES,
    MAX_MESSAGE_BYTES,
    Admit,
    ClientMessage,
    ConditionMet,
    DocumentType,
    Hello,
    Ice,
    MetBy,
    Offer,
    Ping,
    Recording,
    RecordingAction,
    encode,
    parse_client_message,
    relay_message,
)

SDP = (Path(__file__).parent / "vectors" / "aiortc-offer.sdp").read_bytes().decode("ascii")


def parse(message: dict[str, Any]) -> Any:
    return parse_client_message(json.dumps(message))


def code_of(raw: str | bytes) -> str:
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(raw)
    return caught.value.code


VALID: dict[str, dict[str, Any]] = {
    "hello": {"type": "hello", "v": 1, "token": "t0k3n", "code": "123456"},
    "admit": {"type": "admit", "peer": "p-1"},
    "deny": {"type": "deny", "peer": "p-1", "reason": "not on the list"},
    "remove": {"type": "remove", "peer": "p-1"},
    "confirm_authority": {"type": "confirm_authority", "peer": "p-1"},
    "offer": {"type": "offer", "to": "p-1", "sdp": SDP},
    "answer": {"type": "answer", "to": "p-1", "sdp": SDP},
    "ice": {"type": "ice", "to": "p-1", "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"},
    "condition": {
        "type": "condition",
        "condition": "C12",
        "method": "identity_document",
        "document_type": "passport",
        "details": " 19FV54321 ",
    },
    "testimony": {"type": "testimony", "action": "start"},
    "consent_withdrawn": {"type": "consent_withdrawn"},
    "recording": {"type": "recording", "action": "stop"},
    "end": {"type": "end"},
    "ping": {"type": "ping", "nonce": "n1"},
}


def test_every_client_type_has_a_valid_example() -> None:
    assert set(VALID) == CLIENT_TYPES
    for example in VALID.values():
        parse(example)


def test_typed_results() -> None:
    hello = parse(VALID["hello"])
    assert isinstance(hello, Hello) and hello.token == "t0k3n" and hello.code == "123456"
    assert parse({**VALID["admit"], "id": "r1"}) == Admit("r1", "p-1")
    offer = parse(VALID["offer"])
    assert isinstance(offer, Offer) and offer.summary.fingerprints[0].algorithm == "sha-256"
    assert parse(VALID["condition"]) == ConditionMet(
        None, "C12", MetBy.IDENTITY_DOCUMENT, "19FV54321", DocumentType.PASSPORT, None
    )
    assert parse(VALID["testimony"]) == wire.Testimony(None, wire.TestimonyAction.START)
    assert parse(VALID["recording"]) == Recording(None, RecordingAction.STOP)
    assert parse(VALID["ping"]) == Ping(None, "n1")
    ice = parse({**VALID["ice"], "sdpMid": "0", "sdpMLineIndex": 0})
    assert isinstance(ice, Ice) and ice.sdp_mline_index == 0


def test_hello_repr_never_shows_credentials() -> None:
    hello = parse({"type": "hello", "v": 1, "token": "SECRET-TOKEN", "code": "654321"})
    resume = parse({"type": "hello", "v": 1, "resume": "SECRET-RESUME"})
    assert "SECRET" not in repr(hello) and "654321" not in repr(hello)
    assert "SECRET" not in repr(resume)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "protocol.not_json"),
        ("[1, 2]", "protocol.not_object"),
        ('"hello"', "protocol.not_object"),
        ("{}", "protocol.unknown_type"),
        ('{"type": "launch_missiles"}', "protocol.unknown_type"),
        ('{"type": 5}', "protocol.unknown_type"),
        ('{"type": "ping", "nonce": NaN}', "protocol.not_json"),
        ('{"type": "ping", "type": "end"}', "protocol.duplicate_key"),
        ("[" * 50_000 + "]" * 50_000, "protocol.too_large"),
        ("[" * 30_000 + "]" * 30_000, "protocol.not_json"),
        (b"\xff\xfe{", "protocol.not_json"),
        ('{"type": "admit"}', "protocol.missing_field"),
        ('{"type": "admit", "peer": "p-1", "from": "p-2"}', "protocol.unknown_field"),
        ('{"type": "admit", "peer": 7}', "protocol.bad_field"),
        ('{"type": "admit", "peer": "a b"}', "protocol.bad_field"),
        ('{"type": "admit", "peer": "' + "x" * 65 + '"}', "protocol.bad_field"),
        ('{"type": "admit", "peer": "p", "id": {"x": 1}}', "protocol.bad_field"),
        ('{"type": "testimony", "action": "rewind"}', "protocol.bad_field"),
        ('{"type": "recording", "action": true}', "protocol.bad_field"),
        ('{"type": "ice", "to": "p", "candidate": "rm -rf"}', "protocol.bad_field"),
        ('{"type": "ice", "to": "p", "candidate": "", "sdpMLineIndex": true}',
         "protocol.bad_field"),
        ('{"type": "ice", "to": "p", "candidate": "", "sdpMLineIndex": 999}',
         "protocol.bad_field"),
        ('{"type": "deny", "peer": "p", "reason": "' + "r" * 501 + '"}', "protocol.bad_field"),
        ('{"type": "end", "reason": "a\\u0000b"}', "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "identity_document"}',
         "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "observation", '
         '"document_type": "passport"}', "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "telepathy"}', "protocol.bad_field"),
        # details: one bounded line, nothing that hides or reorders text, not blank
        ('{"type": "condition", "condition": "C1", "method": "other", "details": "'
         + "d" * 201 + '"}', "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "other", "details": "a\\nb"}',
         "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "other", "details": "a\\tb"}',
         "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "other", "details": "x\u202ey"}',
         "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "other", "details": "x\u2028y"}',
         "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "other", "details": "\u0085"}',
         "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "other", "details": "   "}',
         "protocol.bad_field"),
        ('{"type": "condition", "condition": "C1", "method": "other", "details": 7}',
         "protocol.bad_field"),
        ('{"type": "end", "reason": "the \u202etruth"}', "protocol.bad_field"),
        ('{"type": "hello", "v": 1}', "protocol.bad_hello"),
        ('{"type": "hello", "v": 1, "token": "t"}', "protocol.bad_hello"),
        ('{"type": "hello", "v": 1, "token": "t", "code": "1", "session": "s"}',
         "protocol.bad_field"),
        ('{"type": "hello", "v": 1, "token": "t", "code": "123456", "session": "s"}',
         "protocol.bad_hello"),
        ('{"type": "hello", "v": "1", "resume": "r"}', "protocol.bad_field"),
        ('{"type": "hello", "v": 1, "resume": "has space"}', "protocol.bad_field"),
        ('{"type": "offer", "to": "p", "sdp": 5}', "protocol.bad_field"),
        ('{"type": "offer", "to": "p", "sdp": "v=0\\r\\nm=audio 9 RTP/AVP 0\\r\\n"}',
         "sdp.insecure_transport"),
    ],
)  # fmt: skip
def test_invalid_messages_get_exact_codes(raw: str | bytes, code: str) -> None:
    assert code_of(raw) == code


def test_oversize_message_asks_for_close_1009() -> None:
    raw = json.dumps({"type": "end", "reason": "x" * MAX_MESSAGE_BYTES})
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(raw)
    assert caught.value.code == "protocol.too_large"
    assert caught.value.close_code == CLOSE_TOO_BIG


def test_size_is_counted_in_utf8_bytes() -> None:
    # 30,000 three-byte characters are 90,000 bytes even though the string is shorter than 64 Ki.
    assert code_of('{"type": "end", "reason": "' + "€" * 30_000 + '"}') == "protocol.too_large"


def test_relay_sets_from_and_carries_only_known_fields() -> None:
    ice = parse({**VALID["ice"], "sdpMid": "0", "sdpMLineIndex": 1})
    relayed = json.loads(encode(relay_message(ice, "p-9")))
    assert relayed == {
        "type": "ice",
        "from": "p-9",
        "candidate": VALID["ice"]["candidate"],
        "sdpMid": "0",
        "sdpMLineIndex": 1,
    }
    offer = parse(VALID["offer"])
    assert json.loads(encode(relay_message(offer, "p-9"))) == {
        "type": "offer",
        "from": "p-9",
        "sdp": SDP,
    }


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
_field_names = st.sampled_from(
    ["type", "id", "v", "token", "code", "peer", "to", "sdp", "candidate", "sdpMid",
     "sdpMLineIndex", "condition", "method", "details", "document_type", "note", "action",
     "reason", "nonce"]
)  # fmt: skip
_messages = st.fixed_dictionaries(
    {"type": st.sampled_from([*sorted(CLIENT_TYPES), "nope"])},
    optional=dict.fromkeys(["id", "peer", "to", "sdp", "action", "method", "v"], _json),
) | st.dictionaries(_field_names, _json, max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), _messages.map(json.dumps)))
def test_any_input_is_a_message_or_a_protocol_error(raw: str | bytes) -> None:
    """Nothing a client sends escapes as anything but ProtocolError."""
    try:
        result = parse_client_message(raw)
    except ProtocolError as exc:
        assert exc.code.startswith(("protocol.", "sdp.")), exc.code
    else:
        assert isinstance(result, ClientMessage)
