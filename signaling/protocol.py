"""The signaling wire protocol, version 1: JSON text messages, one WebSocket per participant.

Sans-I/O: `parse_client_message` turns the text a client sent into a typed, validated message or
raises ProtocolError with a machine code; the `*_message` builders produce what the server sends.
Validation is strict (unknown fields, duplicate keys, NaN, wrong types and over-long strings are
all refused) so that nothing a client sends reaches the room unchecked.
See docs/signaling.md for every message with an example.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from signaling.errors import CLOSE_TOO_BIG, ProtocolError
from signaling.sdp import SdpSummary, check_sdp

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
MAX_NOTE = 500
MAX_DETAILS = 200
MAX_ICE_CANDIDATE = 1024

ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
# The three credentials of hello are opaque to signaling but must stay printable and bounded.
SECRET_PATTERN = re.compile(r"[\x21-\x7e]{1,512}")


class Role(StrEnum):
    JUDGE = "judge"
    AUTHORITY = "authority"  # the requested state's authority
    CLERK = "clerk"
    WITNESS = "witness"
    EXPERT = "expert"
    ACCUSED = "accused"
    VICTIM = "victim"
    PARTY = "party"
    INTERPRETER = "interpreter"
    COUNSEL = "counsel"
    PROSECUTOR = "prosecutor"


class TestimonyAction(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


class RecordingAction(StrEnum):
    START = "start"
    STOP = "stop"


class MetBy(StrEnum):
    """How a condition was met: every method any condition knows. Which of them a given
    condition accepts, and what `details` each needs, is `signaling.conditions.WAYS`."""

    IDENTITY_DOCUMENT = "identity_document"
    PERSONAL_KNOWLEDGE = "personal_knowledge"
    IN_ATTENDANCE = "in_attendance"
    STOP_CONTROL = "stop_control"
    STATEMENT_READ = "statement_read"
    WRITTEN_NOTICE = "written_notice"
    OWN_CLICK = "own_click"
    INTERPRETER_PRESENT = "interpreter_present"
    NOT_NEEDED = "not_needed"
    OATH_ADMINISTERED = "oath_administered"
    NO_OATH = "no_oath"
    PRIVATE_CHANNEL = "private_channel"
    AUTHORITY_MINUTES = "authority_minutes"
    SERVICE_MINUTES = "service_minutes"
    # For a condition outside the catalogue of legal_profiles (a test's, a future one's).
    ORAL_DECLARATION = "oral_declaration"
    WRITTEN_DECLARATION = "written_declaration"
    OBSERVATION = "observation"
    OTHER = "other"


class DocumentType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    RESIDENCE_PERMIT = "residence_permit"
    DRIVING_LICENCE = "driving_licence"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ClientMessage:
    # The client's own correlation id, echoed as `ref` in an `error` about this message.
    ref: str | None


@dataclass(frozen=True, slots=True)
class Hello(ClientMessage):
    version: int
    # Credentials are kept out of repr so that no log line can ever carry them.
    token: str | None = field(default=None, repr=False)
    code: str | None = field(default=None, repr=False)
    session: str | None = field(default=None, repr=False)
    resume: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Admit(ClientMessage):
    peer: str


@dataclass(frozen=True, slots=True)
class Deny(ClientMessage):
    peer: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Remove(ClientMessage):
    peer: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class ConfirmAuthority(ClientMessage):
    peer: str


@dataclass(frozen=True, slots=True)
class Offer(ClientMessage):
    to: str
    sdp: str
    summary: SdpSummary


@dataclass(frozen=True, slots=True)
class Answer(ClientMessage):
    to: str
    sdp: str
    summary: SdpSummary


@dataclass(frozen=True, slots=True)
class Ice(ClientMessage):
    to: str
    candidate: str
    sdp_mid: str | None
    sdp_mline_index: int | None


@dataclass(frozen=True, slots=True)
class ConditionMet(ClientMessage):
    condition: str
    method: MetBy
    # What the method needs the record to say (a document's number, the statement read);
    # whether it is required, allowed or refused depends on the condition and the method.
    details: str | None
    document_type: DocumentType | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Testimony(ClientMessage):
    action: TestimonyAction


@dataclass(frozen=True, slots=True)
class ConsentWithdrawn(ClientMessage):
    note: str | None


@dataclass(frozen=True, slots=True)
class Recording(ClientMessage):
    action: RecordingAction


@dataclass(frozen=True, slots=True)
class End(ClientMessage):
    reason: str | None


@dataclass(frozen=True, slots=True)
class Ping(ClientMessage):
    nonce: str | None


Relayed = Offer | Answer | Ice

# --- validation -------------------------------------------------------------------------------

Check = Callable[[str, Any], Any]


def _bad(name: str, why: str) -> ProtocolError:
    return ProtocolError("protocol.bad_field", f"field {name!r} {why}", details={"field": name})


def _text(max_len: int, pattern: re.Pattern[str] | None = None) -> Check:
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise _bad(name, "must be a string")
        if len(value) > max_len:
            raise _bad(name, f"is longer than {max_len} characters")
        if pattern is not None and pattern.fullmatch(value) is None:
            raise _bad(name, "has an invalid format")
        return value

    return check


# Characters that change how the text around them is shown (the rule of
# vc_service.http.validation): C0 and C1 controls (tab and line feed only in a note, which may
# span lines), the bidirectional marks, embeddings, overrides and isolates, and the Unicode line
# and paragraph separators. Notes and details reach the audit log, the judge's screen and the
# minutes.
_HIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_HIDDEN_MULTILINE = re.compile(f"[{_HIDDEN}]")
_HIDDEN_ONE_LINE = re.compile(f"[{_HIDDEN}\t\n]")


def _shown_text(max_len: int, hidden: re.Pattern[str], *, stripped: bool = False) -> Check:
    """`stripped`: surrounding spaces dropped, and a blank text refused (details say something
    or are absent)."""

    def check(name: str, value: Any) -> str:
        text: str = _text(max_len)(name, value)
        found = hidden.search(text)
        if found:
            raise _bad(
                name,
                f"contains a control or bidirectional character (U+{ord(found.group()):04X})",
            )
        if stripped:
            text = text.strip()
            if not text:
                raise _bad(name, "is blank")
        return text

    return check


_note = _shown_text(MAX_NOTE, _HIDDEN_MULTILINE)
_details = _shown_text(MAX_DETAILS, _HIDDEN_ONE_LINE, stripped=True)


def _integer(lo: int, hi: int) -> Check:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise _bad(name, f"must be an integer in {lo}..{hi}")
        return value

    return check


def _enum(kind: type[StrEnum]) -> Check:
    def check(name: str, value: Any) -> StrEnum:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise _bad(name, f"must be one of: {allowed}") from None

    return check


def _sdp(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(name, "must be a string")
    return value


def _candidate(name: str, value: Any) -> str:
    text: str = _text(MAX_ICE_CANDIDATE)(name, value)
    # An empty candidate is the browser's end-of-candidates marker.
    if text and (not text.startswith("candidate:") or not text.isprintable()):
        raise _bad(name, "must be an a=candidate value starting with 'candidate:'")
    return text


_ID = _text(64, ID_PATTERN)
_SECRET = _text(512, SECRET_PATTERN)

# type -> {field: (check, required)}; `type` and `id` are common to all.
_SCHEMA: dict[str, dict[str, tuple[Check, bool]]] = {
    "hello": {
        "v": (_integer(1, 1000), True),
        "token": (_SECRET, False),
        "code": (_text(16, re.compile(r"[0-9]{6,10}")), False),
        "session": (_SECRET, False),
        "resume": (_SECRET, False),
    },
    "admit": {"peer": (_ID, True)},
    "deny": {"peer": (_ID, True), "reason": (_note, False)},
    "remove": {"peer": (_ID, True), "reason": (_note, False)},
    "confirm_authority": {"peer": (_ID, True)},
    "offer": {"to": (_ID, True), "sdp": (_sdp, True)},
    "answer": {"to": (_ID, True), "sdp": (_sdp, True)},
    "ice": {
        "to": (_ID, True),
        "candidate": (_candidate, True),
        "sdpMid": (_text(64), False),
        "sdpMLineIndex": (_integer(0, 255), False),
    },
    "condition": {
        "condition": (_ID, True),
        "method": (_enum(MetBy), True),
        "details": (_details, False),
        "document_type": (_enum(DocumentType), False),
        "note": (_note, False),
    },
    "testimony": {"action": (_enum(TestimonyAction), True)},
    "consent_withdrawn": {"note": (_note, False)},
    "recording": {"action": (_enum(RecordingAction), True)},
    "end": {"reason": (_note, False)},
    "ping": {"nonce": (_text(64), False)},
}
CLIENT_TYPES = frozenset(_SCHEMA)


def _reject_constant(name: str) -> Any:
    raise ProtocolError("protocol.not_json", f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            # Two parsers could each pick a different copy; refuse the ambiguity.
            raise ProtocolError("protocol.duplicate_key", f"key {key!r} appears twice")
        result[key] = value
    return result


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_reject_constant)


def _load(raw: str | bytes) -> Mapping[str, Any]:
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            "protocol.too_large",
            f"message is larger than {MAX_MESSAGE_BYTES} bytes",
            close_code=CLOSE_TOO_BIG,
        )
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = _DECODER.decode(text)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise ProtocolError("protocol.not_json", "message is not valid JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("protocol.not_object", "message must be a JSON object")
    return data


def parse_client_message(raw: str | bytes) -> ClientMessage:
    """Parse and validate one client message; raise ProtocolError naming what is wrong."""
    data = _load(raw)
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in _SCHEMA:
        raise ProtocolError("protocol.unknown_type", "unknown or missing message type")
    ref = _ID("id", data["id"]) if "id" in data else None
    schema = _SCHEMA[kind]
    extra = sorted(set(data) - set(schema) - {"type", "id"})
    if extra:
        raise ProtocolError(
            "protocol.unknown_field", f"unknown field {extra[0]!r}", details={"field": extra[0]}
        )
    values: dict[str, Any] = {}
    for name, (check, required) in schema.items():
        if name in data and data[name] is not None:
            values[name] = check(name, data[name])
        elif required:
            raise ProtocolError(
                "protocol.missing_field", f"field {name!r} is required", details={"field": name}
            )
        else:
            values[name] = None
    return _BUILD[kind](ref, values)


def _hello(ref: str | None, v: dict[str, Any]) -> Hello:
    methods = [v["token"] is not None, v["session"] is not None, v["resume"] is not None]
    if sum(methods) != 1:
        raise ProtocolError(
            "protocol.bad_hello", "hello needs exactly one of token (with code), session, resume"
        )
    if (v["token"] is None) != (v["code"] is None):
        raise ProtocolError("protocol.bad_hello", "an invitation token needs its one-time code")
    return Hello(ref, v["v"], v["token"], v["code"], v["session"], v["resume"])


def _condition(ref: str | None, v: dict[str, Any]) -> ConditionMet:
    document = v["document_type"]
    if (v["method"] is MetBy.IDENTITY_DOCUMENT) != (document is not None):
        raise _bad("document_type", "is required with, and only with, method identity_document")
    # Which methods this condition accepts and what details each needs: the room's checklist.
    return ConditionMet(ref, v["condition"], v["method"], v["details"], document, v["note"])


def _offer(ref: str | None, v: dict[str, Any]) -> Offer:
    return Offer(ref, v["to"], v["sdp"], check_sdp(v["sdp"]))


def _answer(ref: str | None, v: dict[str, Any]) -> Answer:
    return Answer(ref, v["to"], v["sdp"], check_sdp(v["sdp"]))


_BUILD: dict[str, Callable[[str | None, dict[str, Any]], ClientMessage]] = {
    "hello": _hello,
    "admit": lambda ref, v: Admit(ref, v["peer"]),
    "deny": lambda ref, v: Deny(ref, v["peer"], v["reason"]),
    "remove": lambda ref, v: Remove(ref, v["peer"], v["reason"]),
    "confirm_authority": lambda ref, v: ConfirmAuthority(ref, v["peer"]),
    "offer": _offer,
    "answer": _answer,
    "ice": lambda ref, v: Ice(ref, v["to"], v["candidate"], v["sdpMid"], v["sdpMLineIndex"]),
    "condition": _condition,
    "testimony": lambda ref, v: Testimony(ref, v["action"]),
    "consent_withdrawn": lambda ref, v: ConsentWithdrawn(ref, v["note"]),
    "recording": lambda ref, v: Recording(ref, v["action"]),
    "end": lambda ref, v: End(ref, v["reason"]),
    "ping": lambda ref, v: Ping(ref, v["nonce"]),
}

# --- server messages --------------------------------------------------------------------------

ServerMessage = dict[str, Any]


def encode(message: ServerMessage) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def welcome_message(
    *,
    peer: str,
    role: Role,
    name: str,
    seat: str,
    resume: str,
    ice_servers: Sequence[Mapping[str, Any]],
) -> ServerMessage:
    return {
        "type": "welcome",
        "v": PROTOCOL_VERSION,
        "peer": peer,
        "role": role.value,
        "name": name,
        "seat": seat,
        "resume": resume,
        "ice_servers": list(ice_servers),
    }


def relay_message(message: Relayed, sender: str) -> ServerMessage:
    if isinstance(message, Ice):
        return {
            "type": "ice",
            "from": sender,
            "candidate": message.candidate,
            "sdpMid": message.sdp_mid,
            "sdpMLineIndex": message.sdp_mline_index,
        }
    kind = "offer" if isinstance(message, Offer) else "answer"
    return {"type": kind, "from": sender, "sdp": message.sdp}


def error_message(
    code: str, message: str, *, ref: str | None = None, details: Mapping[str, Any] | None = None
) -> ServerMessage:
    error: ServerMessage = {"type": "error", "code": code, "message": message}
    if ref is not None:
        error["ref"] = ref
    if details:
        error["details"] = dict(details)
    return error


def pong_message(nonce: str | None) -> ServerMessage:
    return {"type": "pong", "nonce": nonce}


def closed_message(reason: str, message: str) -> ServerMessage:
    return {"type": "closed", "reason": reason, "message": message}
