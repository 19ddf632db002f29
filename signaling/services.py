"""What signaling needs from the rest of the service, as small interfaces vc_service implements.

Signaling never touches the database: it authenticates through an `Authenticator`, learns the
hearing (legal conditions, recording rule, participants) from a `HearingDirectory`, and records
every legally relevant step through an `AuditSink`, whose `append` must be durable when it returns
(the room acknowledges nothing before that).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from signaling.protocol import DocumentType, Role


class Stage(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class RecordingRule(StrEnum):
    """The legal decision's `recording` value. Only the first three let the judge record."""

    ALLOWED = "allowed"
    MANDATORY = "mandatory"
    COURT_DECIDES = "court_decides"
    PROHIBITED = "prohibited"
    # Lawful only with the consent of the person heard, which the room does not capture yet:
    # not recordable (a rule the room does not know must never fail the room's load either).
    CONSENT_REQUIRED = "consent_required"
    UNKNOWN = "unknown"

    @property
    def lawful(self) -> bool:
        return self in _LAWFUL


_LAWFUL = frozenset({RecordingRule.ALLOWED, RecordingRule.MANDATORY, RecordingRule.COURT_DECIDES})

# Hearing states (vc_service's hearing machine) in which participants may enter the room.
JOINABLE_HEARING_STATES = frozenset({"open", "in_session", "testimony"})


@dataclass(frozen=True, slots=True)
class Identity:
    """Who an authenticated connection is. `hearing_id` must equal the room's hearing."""

    hearing_id: str
    participant_id: str
    role: Role
    display_name: str
    # False: an authority whose account claimed a seat nobody was invited to by name, not yet
    # confirmed by the judge (the seat may have been claimed after the room opened).
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class AuthRequest:
    """A hello to authenticate: an invitation token + one-time code, or a signed-in session.

    `session` is whatever the client sent in hello (e.g. a short-lived ticket from the API);
    `cookies` are the WebSocket upgrade request's cookies, for a cookie session. Secrets are kept
    out of repr.
    """

    hearing_id: str
    token: str | None = field(default=None, repr=False)
    code: str | None = field(default=None, repr=False)
    session: str | None = field(default=None, repr=False)
    cookies: Mapping[str, str] = field(default_factory=dict, repr=False)
    remote: str | None = None


class Authenticator(Protocol):
    async def authenticate(self, request: AuthRequest) -> Identity:
        """Return the identity or raise signaling.errors.AuthError with a code such as
        `auth.bad_token`, `auth.bad_code`, `auth.replayed`, `auth.expired`, `auth.locked`."""
        ...


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of the legal decision, as the legal engine states it."""

    id: str
    text: str
    citation: str
    stage: Stage
    satisfied_by: frozenset[Role]
    # What a participant (not the court's staff) reads instead: the plain-language text by
    # language code, and the citation without the profile's internals (None: none to show).
    plain: tuple[tuple[str, str], ...] = ()
    public_citation: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Condition:
        """Build from the legal engine's dict form:
        {"id", "text", "citation", "stage", "satisfied_by": [roles]}, plus the directory's
        optional "plain" ({language: text}) and "public_citation"."""
        public = data.get("public_citation")
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            citation=str(data["citation"]),
            stage=Stage(data["stage"]),
            satisfied_by=frozenset(Role(role) for role in data["satisfied_by"]),
            plain=tuple(sorted((str(k), str(v)) for k, v in (data.get("plain") or {}).items())),
            public_citation=None if public is None else str(public),
        )


@dataclass(frozen=True, slots=True)
class Participant:
    participant_id: str
    role: Role
    display_name: str
    # False: the judge has not confirmed who holds this seat (a requested-state authority whose
    # account claimed an authority seat nobody was invited to by name). Such a participant may
    # attend but meets no condition until the judge sends `confirm_authority`.
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class ConditionRecord:
    """A condition met earlier in this hearing (from its audit log), restored into a new room."""

    condition_id: str
    participant_id: str
    role: Role
    method: str  # as the log has it: a MetBy value, or `recorded_by_judge` for a `before` one
    document_type: DocumentType | None = None
    note: str | None = None
    at: str | None = None  # the `ts` of its `condition.met` event (RFC 3339 UTC)
    details: str | None = None
    # Who met it as the log names them (a judge meets `before` conditions with the account,
    # not as a participant); None: the hearing's participant name.
    name: str | None = None


@dataclass(frozen=True, slots=True)
class HearingInfo:
    hearing_id: str
    state: str  # vc_service's hearing state; see JOINABLE_HEARING_STATES
    conditions: tuple[Condition, ...]
    recording: RecordingRule
    participants: tuple[Participant, ...]
    conditions_met: tuple[ConditionRecord, ...] = ()
    # The `before` conditions, met outside the room before the lobby opened (shown met there).
    met_before: tuple[ConditionRecord, ...] = ()
    consent_withdrawn: bool = False
    # The requested state's authority stopped testimony and had not lifted its stop when the
    # last room went away: the new room keeps it until the authority resumes.
    authority_stop: bool = False
    # Participants the judge denied or removed (their last word in the log): their old resume
    # tokens are refused in a room rebuilt elsewhere; fresh credentials lead to the lobby.
    excluded: frozenset[str] = frozenset()

    @property
    def joinable(self) -> bool:
        return self.state in JOINABLE_HEARING_STATES

    def participant(self, participant_id: str) -> Participant | None:
        for participant in self.participants:
            if participant.participant_id == participant_id:
                return participant
        return None


class HearingDirectory(Protocol):
    async def load(self, hearing_id: str) -> HearingInfo | None:
        """The hearing as it is now, or None if there is no such hearing."""
        ...


class Entitlements(Protocol):
    async def revoked(self, hearing_id: str, participant_ids: Collection[str]) -> dict[str, str]:
        """Those of `participant_ids` the service no longer lets into the hearing, each with the
        cause (`invitation_revoked`, `account_disabled`). Asked on every resume, before every
        act that changes the hearing and on each node tick, so it must be one cheap query."""
        ...


class AuditSink(Protocol):
    async def append(
        self, hearing_id: str, event_type: str, actor: str, fields: Mapping[str, Any]
    ) -> int:
        """Append one event to the hearing's audit log; durable when it returns; returns seq.

        `actor` is a participant id, or "system" for the room's own decisions (timeouts).
        `fields` hold only JSON values (str, int, bool, None, lists and dicts of those).
        """
        ...


class RecorderBridge(Protocol):
    """One running recording: a receive-only peer that only ever answers offers.

    Failures raise signaling.errors.SignalingError (e.g. RoomError with a `recording.*` code);
    anything else is reported to the participant as `recorder.failed`.
    """

    @property
    def recording_id(self) -> str: ...

    async def offer(self, peer_id: str, sdp: str) -> str:
        """The recorder's SDP answer to this participant's offer."""
        ...

    async def add_ice(
        self, peer_id: str, candidate: str | None, sdp_mid: str | None, sdp_mline_index: int | None
    ) -> None: ...

    async def leave(self, peer_id: str) -> None:
        """Close this participant's connection; returns once its last segments are reported."""
        ...

    def segments(self) -> AsyncIterator[Mapping[str, Any]]:
        """The `media.segment` audit fields of each closed segment, in order, until the
        recording has ended. One consumer only."""
        ...

    async def stop(self) -> Mapping[str, Any]:
        """Stop and finish; return the `recording.finished` audit fields (the manifest's)."""
        ...

    async def abort(self) -> None:
        """End now (closed segments stay sealed and reported)."""
        ...


class RecorderFactory(Protocol):
    async def start(self, hearing_id: str) -> RecorderBridge:
        """A started recording of this hearing; raise SignalingError if it cannot start."""
        ...


@dataclass(frozen=True, slots=True)
class Services:
    authenticator: Authenticator
    directory: HearingDirectory
    audit: AuditSink
    # None: `recording start` is only an audited state change (no media is recorded).
    recorder: RecorderFactory | None = None
    # None: only the backplane's notices (SignalingNode.exclude) withdraw people.
    entitlements: Entitlements | None = None


def conditions_from(decision_conditions: Iterable[Mapping[str, Any]]) -> tuple[Condition, ...]:
    return tuple(Condition.from_mapping(item) for item in decision_conditions)
