"""The live hearing's doors into the hearings part, implemented over `Hearings`: signaling's
`Authenticator` (who is saying hello), `HearingDirectory` (what the hearing is, including what the
room already recorded, restored from the audit log after a restart) and `AuditSink` (the room's
events, which also move the hearing's life cycle: admitted -> in_session, testimony started ->
testimony, stopped -> in_session, ended -> closed). Before a room opens, the gap a room left
running by a dead process is recorded (`interruption.py`).

A hello may carry (a) a join credential from `POST /api/invite/{id}/join` or
`POST /api/hearings/{id}/join` in `session`, (b) the link token and the one-time code, or
(c) nothing but the signed-in staff cookie. Every refusal becomes signaling's `AuthError` with a
code from its vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from signaling.errors import AuthError
from signaling.protocol import DocumentType, Role
from signaling.services import (
    AuthRequest,
    ConditionRecord,
    HearingInfo,
    Identity,
    Participant,
    RecordingRule,
    conditions_from,
)
from vc_service.accounts.service import AccountService
from vc_service.errors import ServiceError
from vc_service.hearings.credentials import CREDENTIAL_PREFIX
from vc_service.hearings.interruption import record_interruption
from vc_service.hearings.joining import JoinIdentity
from vc_service.hearings.lifecycle import State
from vc_service.hearings.opening import SYSTEM
from vc_service.hearings.registry import Hearings
from vc_service.hearings.withdrawal import withdrawn
from vc_service.http.middleware import SESSION_COOKIE

# Our refusal codes -> signaling's auth vocabulary.
_CODES = {
    "invitation.not_found": "auth.bad_token",
    "invitation.wrong_hearing": "auth.wrong_hearing",
    "invitation.revoked": "auth.revoked",
    "invitation.superseded": "auth.revoked",
    "invitation.hearing_cancelled": "auth.expired",
    "invitation.expired": "auth.expired",
    "invitation.not_yet_valid": "auth.not_yet_valid",
    "invitation.wrong_code": "auth.bad_code",
    "invitation.code_used": "auth.replayed",
    "invitation.locked": "auth.locked",
    "invitation.rate_limited": "auth.locked",
    "hearing.not_found": "auth.bad_token",
    "join.not_a_participant": "auth.not_a_participant",
    "join.not_joinable": "auth.not_joinable",
}
# The room's events that move the hearing's life cycle.
_MOVES = {
    "participant.admitted": State.IN_SESSION,
    "testimony.started": State.TESTIMONY,
    "testimony.resumed": State.TESTIMONY,
    "testimony.stopped": State.IN_SESSION,
    "hearing.ended": State.CLOSED,
}

# Events after which no authority's stop is pending (a crash's `hearing.interrupted` is not one).
_STOP_LIFTED = frozenset(
    {"testimony.started", "testimony.resumed", "testimony.stopped", "hearing.ended"}
)


def _auth_error(exc: ServiceError) -> AuthError:
    code = exc.code if exc.code.startswith("auth.") else _CODES.get(exc.code, "auth.refused")
    return AuthError(code, exc.message)


class _Seats:
    """Seats as the log left them: an authority seat claimed by an account (not invited by
    name) stays unconfirmed until the judge's `participant.confirmed`; a participant whose last
    word was a denial or removal (no fresh join since) has void resume tokens."""

    def __init__(self) -> None:
        self.unconfirmed: set[str] = set()
        self.excluded: set[str] = set()

    def replay(self, kind: str, actor: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        if kind == "participant.account_bound":
            self.unconfirmed.add(str(event["participant_id"]))
        elif kind == "participant.confirmed":
            self.unconfirmed.discard(str(event["participant"]))
        elif kind in ("participant.denied", "participant.removed"):
            self.excluded.add(str(event["participant"]))
        elif kind == "participant.joined" and event.get("via") == "hello":
            self.excluded.discard(str(actor["id"]))


class RoomGateway:
    """Implements `signaling.services.Authenticator`, `HearingDirectory`, `AuditSink` and
    `Entitlements`."""

    def __init__(self, hearings: Hearings, accounts: AccountService) -> None:
        self.hearings = hearings
        self.accounts = accounts
        self._actors: dict[str, dict[str, dict[str, str]]] = {}

    async def authenticate(self, request: AuthRequest) -> Identity:
        try:
            found = await self._identify(request)
        except ServiceError as exc:
            raise _auth_error(exc) from None
        confirmed = True
        if found.role == Role.AUTHORITY.value and found.via.startswith("account:"):
            # The seat may have been claimed after the room opened: ask the log now.
            _, _, seats, _ = await self._room_record(found.hearing_id)
            confirmed = found.participant_id not in seats.unconfirmed
        return Identity(
            found.hearing_id,
            found.participant_id,
            Role(found.role),
            found.display_name,
            confirmed,
        )

    async def _identify(self, request: AuthRequest) -> JoinIdentity:
        hearing_id = request.hearing_id
        if request.session:
            if not request.session.startswith(CREDENTIAL_PREFIX + "."):
                raise AuthError("auth.bad_session", "the session credential is not valid")
            return await self.hearings.verify_join(hearing_id, request.session)
        if request.token:
            return await self.hearings.authenticate_invitation(
                hearing_id, request.token, request.code or ""
            )
        cookie = request.cookies.get(SESSION_COOKIE)
        principal = await self.accounts.resolve(cookie) if cookie else None
        if principal is None:
            raise AuthError("auth.bad_session", "sign in, or open your invitation link")
        grant = await self.hearings.join_with_account(principal, hearing_id)
        return await self.hearings.verify_join(hearing_id, grant.credential)

    async def load(self, hearing_id: str) -> HearingInfo | None:
        info = await self.hearings.room_info(hearing_id)
        if info is None:
            return None
        # Not requested by the judge means not recorded, whatever the law would allow.
        rule = RecordingRule(info.recording_rule) if info.recording_requested else None
        met, consent_withdrawn, seats, authority_stop = await self._room_record(hearing_id)
        before = tuple(m for m in met if m.condition_id in info.conditions_met_before)
        return HearingInfo(
            hearing_id=info.hearing_id,
            state=info.state,
            conditions=conditions_from(info.conditions),
            recording=rule or RecordingRule.PROHIBITED,
            participants=tuple(
                Participant(
                    p.participant_id,
                    Role(p.role),
                    p.display_name,
                    confirmed=p.participant_id not in seats.unconfirmed,
                )
                for p in info.participants
            ),
            conditions_met=tuple(m for m in met if m not in before),
            met_before=before,
            consent_withdrawn=consent_withdrawn,
            authority_stop=authority_stop,
            excluded=frozenset(seats.excluded),
        )

    async def revoked(self, hearing_id: str, participant_ids: Collection[str]) -> dict[str, str]:
        return await withdrawn(self.hearings.db, hearing_id, participant_ids)

    async def _room_record(
        self, hearing_id: str
    ) -> tuple[tuple[ConditionRecord, ...], bool, _Seats, bool]:
        """Conditions met (before the hearing, or in a room and not lapsed since), each with the
        `ts` of its `condition.met` event as when it was met, whether consent was withdrawn, who
        holds a claimed seat unconfirmed or was last denied or removed, and whether the
        requested state's authority stopped testimony without lifting its stop, replayed from
        the hearing's audit log."""
        met: dict[str, ConditionRecord] = {}
        withdrawn = False
        authority_stop = False
        seats = _Seats()
        for raw in await self.hearings.audit.events(hearing_id):
            event: dict[str, Any] = json.loads(raw)
            kind, actor = event["type"], event["actor"]
            seats.replay(kind, actor, event)
            if kind == "condition.met":
                document = event.get("document_type")
                met[event["condition"]] = ConditionRecord(
                    condition_id=event["condition"],
                    participant_id=actor["id"],
                    role=Role(actor["role"]),
                    method=str(event["method"]),
                    document_type=DocumentType(document) if document else None,
                    note=event.get("note"),
                    at=event["ts"],
                    details=event.get("details"),
                    name=actor.get("name"),
                )
            for lapsed in event.get("lapsed_conditions") or ():
                met.pop(lapsed, None)
            withdrawn = withdrawn or kind == "consent.withdrawn"
            if kind == "testimony.paused":
                authority_stop = event.get("reason") == "fundamental_principles"
            elif kind in _STOP_LIFTED or event.get("testimony_stopped"):
                authority_stop = False
        return tuple(met.values()), withdrawn, seats, authority_stop

    async def append(
        self, hearing_id: str, event_type: str, actor: str, fields: Mapping[str, Any]
    ) -> int:
        """Record a room event (durable on return); `actor` is a participant id or "system"."""
        if event_type == "room.opened":
            # A new room is about to seat people: first the gap the last one left, if any.
            await record_interruption(self.hearings.schedule, hearing_id)
        who = SYSTEM if actor == "system" else await self._actor(hearing_id, actor)
        target = _MOVES.get(event_type)
        if event_type == "consent.withdrawn" and fields.get("testimony_stopped"):
            target = State.IN_SESSION
        seq = await self.hearings.schedule.record_room_event(
            hearing_id, event_type, who, dict(fields), target
        )
        if event_type == "hearing.ended":
            self._seal_soon(hearing_id)
        return seq

    def _seal_soon(self, hearing_id: str) -> None:
        """Minutes, `hearing.closed` and the final checkpoint, off the room's path; a failure is
        logged and retried with `POST /api/hearings/{id}/seal` or `vc-service log seal`."""
        from vc_service.closing.sealing import seal_in_background

        seal_in_background(self.hearings, hearing_id)

    async def _actor(self, hearing_id: str, participant_id: str) -> dict[str, str]:
        known = self._actors.get(hearing_id, {})
        if participant_id not in known:
            info = await self.hearings.room_info(hearing_id)
            people = info.participants if info is not None else ()
            known = {
                p.participant_id: {"role": p.role, "id": p.participant_id, "name": p.display_name}
                for p in people
            }
            self._actors[hearing_id] = known
        if participant_id not in known:
            raise ValueError(f"{participant_id!r} is not a participant of hearing {hearing_id}")
        return known[participant_id]
