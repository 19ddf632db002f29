"""In-memory stand-ins for what vc_service provides from its database: invitations, hearings and
the audit log. They keep the contract of the real ones (one-time codes, lockout, durable-on-return
appends with increasing seq, JSON-only fields); everything else under test is real."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from signaling.errors import AuthError
from signaling.protocol import Role
from signaling.services import (
    AuthRequest,
    Condition,
    HearingInfo,
    Identity,
    Participant,
    RecordingRule,
    Services,
    Stage,
)
from vc_service.audit.canonical import canonical_bytes

MAX_CODE_FAILURES = 5


@dataclass(frozen=True)
class AuditEvent:
    hearing_id: str
    seq: int
    type: str
    actor: str
    fields: dict[str, Any]


class MemoryAudit:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        # Test hooks for an outage or a slow disk: appends wait on `gate`, or fail.
        self.gate: asyncio.Event | None = None
        self.failing = False

    async def append(
        self, hearing_id: str, event_type: str, actor: str, fields: Mapping[str, Any]
    ) -> int:
        if self.gate is not None:
            await self.gate.wait()
        if self.failing:
            raise OSError("audit storage is unavailable")
        # The real log's canonical profile (no floats, ASCII keys, safe integers) applies here
        # too, so an event the real log would refuse fails these tests as well.
        stored = json.loads(canonical_bytes(dict(fields)))
        seq = len(self.events) + 1
        self.events.append(AuditEvent(hearing_id, seq, event_type, actor, stored))
        return seq

    def types(self, hearing_id: str | None = None) -> list[str]:
        return [e.type for e in self.events if hearing_id is None or e.hearing_id == hearing_id]

    def of_type(self, event_type: str) -> list[AuditEvent]:
        return [e for e in self.events if e.type == event_type]


class MemoryDirectory:
    def __init__(self, *hearings: HearingInfo) -> None:
        self.hearings = {hearing.hearing_id: hearing for hearing in hearings}

    async def load(self, hearing_id: str) -> HearingInfo | None:
        return self.hearings.get(hearing_id)


class MemoryEntitlements:
    """Who the service has withdrawn (an invitation revoked, an account disabled), by hearing."""

    def __init__(self) -> None:
        self.withdrawn: dict[tuple[str, str], str] = {}
        self.asked = 0

    def withdraw(self, hearing_id: str, participant_id: str, cause: str) -> None:
        self.withdrawn[(hearing_id, participant_id)] = cause

    async def revoked(self, hearing_id: str, participant_ids: Collection[str]) -> dict[str, str]:
        self.asked += 1
        return {
            pid: self.withdrawn[(hearing_id, pid)]
            for pid in participant_ids
            if (hearing_id, pid) in self.withdrawn
        }


@dataclass
class Invitation:
    identity: Identity
    code: str
    code_used: bool = False
    failures: int = 0


@dataclass
class MemoryAuthenticator:
    invitations: dict[str, Invitation] = field(default_factory=dict)
    sessions: dict[str, Identity] = field(default_factory=dict)

    def invite(self, token: str, code: str, identity: Identity) -> None:
        self.invitations[token] = Invitation(identity, code)

    async def authenticate(self, request: AuthRequest) -> Identity:
        if request.session is not None:
            identity = self.sessions.get(request.session)
            if identity is None:
                raise AuthError("auth.bad_session", "the session is not valid")
            return identity
        invitation = self.invitations.get(request.token or "")
        if invitation is None:
            raise AuthError("auth.bad_token", "the invitation link is not valid")
        if invitation.failures >= MAX_CODE_FAILURES:
            raise AuthError("auth.locked", "too many wrong codes; ask the court for a new one")
        if request.code != invitation.code:
            invitation.failures += 1
            raise AuthError("auth.bad_code", "the one-time code is wrong")
        if invitation.code_used:
            raise AuthError("auth.replayed", "this one-time code was already used")
        invitation.code_used = True
        return invitation.identity


def participants() -> tuple[Participant, ...]:
    """One participant per role (`<role>-1`), a second judge, and two spare witnesses."""
    people = [Participant(f"{role.value}-1", role, f"{role.value.title()} One") for role in Role]
    people += [
        Participant("judge-2", Role.JUDGE, "Judge Two"),
        Participant("witness-2", Role.WITNESS, "Witness Two"),
        Participant("party-2", Role.PARTY, "Party Two"),
    ]
    return tuple(people)


def condition(cid: str, stage: Stage, *roles: Role) -> Condition:
    plain = (("en", f"plain English of {cid}"), ("fr", f"texte clair de {cid}"))
    return Condition(
        cid, f"text of {cid}", f"citation of {cid}", stage, frozenset(roles),
        plain, f"public citation of {cid}",
    )  # fmt: skip


# Conditions in the shape the legal engine produces for a criminal hearing of an accused.
HEARING_CONDITIONS = (
    condition("C-NOTICE", Stage.BEFORE, Role.JUDGE),
    condition("C-AUTHORITY-ID", Stage.DURING, Role.AUTHORITY),
    condition("C-RIGHTS", Stage.DURING, Role.JUDGE, Role.AUTHORITY),
    condition("C-CONSENT", Stage.DURING, Role.ACCUSED),
    condition("C-MINUTES", Stage.AFTER, Role.CLERK, Role.JUDGE),
)


def hearing(
    hearing_id: str = "h-1",
    *,
    conditions: tuple[Condition, ...] = HEARING_CONDITIONS,
    recording: RecordingRule = RecordingRule.ALLOWED,
    state: str = "open",
) -> HearingInfo:
    return HearingInfo(hearing_id, state, conditions, recording, participants())


def identity(hearing_info: HearingInfo, participant_id: str) -> Identity:
    known = hearing_info.participant(participant_id)
    assert known is not None
    return Identity(
        hearing_info.hearing_id, participant_id, known.role, known.display_name, known.confirmed
    )


def services(*hearings: HearingInfo) -> tuple[Services, MemoryAuthenticator, MemoryAudit]:
    auth = MemoryAuthenticator()
    audit = MemoryAudit()
    for info in hearings:
        for person in info.participants:
            token = f"tok-{info.hearing_id}-{person.participant_id}"
            auth.invite(token, "123456", identity(info, person.participant_id))
    directory = MemoryDirectory(*hearings)
    return Services(auth, directory, audit, entitlements=MemoryEntitlements()), auth, audit


def entitlements_of(svc: Services) -> MemoryEntitlements:
    assert isinstance(svc.entitlements, MemoryEntitlements)
    return svc.entitlements
