"""The room of one live hearing: lobby, admitted participants, testimony, closed.

Every change is decided, then written to the audit log (awaited: durable), then applied and
announced. If the audit append fails the change does not happen. One event per decision carries
its consequences (a seat lost also lists the conditions that lapsed and whether testimony
paused), so the log never holds half a decision. Changes run one at a time under the room's
lock. The room itself seats people, lets them reconnect and loses their seats; what they do once
seated is in acts.py (the judge's and the procedure's acts) and relay.py (offers and candidates,
which need no lock and no audit, except the first time a DTLS fingerprint is seen, which is
recorded before the SDP is passed on).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from signaling import protocol as p
from signaling import views
from signaling.acts import Acts
from signaling.conditions import STAFF_ROLES
from signaling.credentials import ResumeClaim, ResumeTokens
from signaling.errors import (
    CLOSE_EXCLUDED,
    CLOSE_GOING_AWAY,
    CLOSE_NOT_JOINABLE,
    CLOSE_REPLACED,
    AuditUnavailable,
    AuthError,
    RoomError,
)
from signaling.permissions import Action, action_of, check
from signaling.procedure import SYSTEM, Procedure
from signaling.protocol import Role
from signaling.recorder_seat import RecorderSeat
from signaling.relay import RELAYED, Relay
from signaling.roster import Roster
from signaling.seat import Connection, Seat
from signaling.services import (
    AuditSink,
    Entitlements,
    HearingInfo,
    Identity,
    Participant,
    RecorderFactory,
)
from signaling.states import SeatState, State

log = logging.getLogger(__name__)

_TRANSITIONS: dict[State, frozenset[State]] = {
    State.LOBBY: frozenset({State.SESSION, State.CLOSED}),
    State.SESSION: frozenset({State.TESTIMONY, State.CLOSED}),
    State.TESTIMONY: frozenset({State.PAUSED, State.SESSION, State.CLOSED}),
    State.PAUSED: frozenset({State.TESTIMONY, State.SESSION, State.CLOSED}),
    State.CLOSED: frozenset(),
}
_TESTIMONY_VIEW = {State.TESTIMONY: "running", State.PAUSED: "paused"}
# Seats lost by a decision (the judge's, or the service's revocation): their resume tokens are
# refused.
_EXCLUDED = frozenset({"denied", "removed", "revoked", "ended"})
_GONE_MESSAGES = {
    "denied": "the judge did not admit you",
    "removed": "the judge removed you from the hearing",
    "revoked": "your access to this hearing was withdrawn",
}
_LOSS_EVENTS = {
    "denied": "participant.denied",
    "removed": "participant.removed",
    # The service withdrew the person (invitation revoked, account disabled): a removal whose
    # actor is the system, with the cause.
    "revoked": "participant.removed",
}


@dataclass(frozen=True, slots=True)
class RoomSettings:
    tokens: ResumeTokens
    grace_seconds: float = 60.0
    # participant id -> RTCIceServer dicts (fresh TURN credentials each time)
    ice_servers: Callable[[str], list[dict[str, Any]]] = field(default=lambda _user: [])
    clock: Callable[[], float] = time.time


class Room:
    def __init__(
        self,
        hearing: HearingInfo,
        audit: AuditSink,
        settings: RoomSettings,
        recorder: RecorderFactory | None = None,
        entitlements: Entitlements | None = None,
    ) -> None:
        self.hearing = hearing
        self.hearing_id = hearing.hearing_id
        self._sink = audit
        self._entitlements = entitlements
        # participant id -> cause, for people the service withdrew while this room lives: their
        # seat, acts and resume tokens are refused until a fresh hello (new credentials) vouches
        # for them again.
        self._revoked: dict[str, str] = {}
        self._settings = settings
        self._state = State.LOBBY
        self._roster = Roster()
        self._procedure = Procedure(hearing, self._name_of)
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._recorder = RecorderSeat(self.hearing_id, recorder, audit, self._spawn)
        self._relay = Relay(
            self._roster,
            self._recorder,
            self._lock,
            state=lambda: self._state,
            audit=self._audit,
            announce=self._broadcast_state,
        )
        self._acts = Acts(
            self._procedure,
            self._roster,
            self._recorder,
            state=lambda: self._state,
            set_state=self._set_state,
            audit=self._audit,
            announce=self._broadcast_state,
            lose_seat=self._lose_seat,
            clock=self._settings.clock,
        )

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- state ----------------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._state

    @property
    def idle(self) -> bool:
        """No one connected and no seat waiting for its holder to come back."""
        return self._roster.idle

    def _set_state(self, new: State) -> None:
        if new not in _TRANSITIONS[self._state]:
            raise RoomError(
                "room.invalid_transition",
                f"the room is {self._state.value}; it cannot become {new.value}",
            )
        log.info("room %s: %s -> %s", self.hearing_id, self._state.value, new.value)
        self._state = new

    def seat_of(self, conn: Connection) -> Seat | None:
        return self._roster.holder(conn)

    def _name_of(self, participant_id: str) -> str:
        known = self.hearing.participant(participant_id)
        return known.display_name if known else participant_id

    async def _audit(self, event: str, actor: str, **fields: Any) -> int:
        try:
            return await self._sink.append(self.hearing_id, event, actor, fields)
        except Exception:
            log.exception("audit append failed for %s in room %s", event, self.hearing_id)
            raise AuditUnavailable(
                "audit.unavailable", "the audit log is unavailable; nothing was changed"
            ) from None

    async def open(self) -> None:
        await self._audit(
            "room.opened",
            SYSTEM,
            recording_rule=self.hearing.recording.value,
            conditions=[c.id for c in self.hearing.conditions],
            restored_conditions=[r.condition_id for r in self.hearing.conditions_met],
        )

    # --- joining --------------------------------------------------------------------------

    def _participant(self, participant_id: str, role: Role) -> Participant:
        known = self.hearing.participant(participant_id)
        if known is None or known.role is not role:
            raise AuthError("auth.not_participant", "you are not a participant of this hearing")
        return known

    def _require_live(self) -> None:
        if self._state is State.CLOSED:
            raise RoomError("room.closed", "this hearing has ended", close_code=CLOSE_NOT_JOINABLE)

    async def join(self, conn: Connection, identity: Identity) -> Seat:
        async with self._lock:
            self._require_live()
            if identity.hearing_id != self.hearing_id:
                raise AuthError("auth.wrong_hearing", "this invitation is for another hearing")
            participant = self._participant(identity.participant_id, identity.role)
            # The authenticator just checked the person's credentials against the database.
            self._revoked.pop(participant.participant_id, None)
            return await self._take_seat(conn, participant, "hello", identity.confirmed)

    async def resume(self, conn: Connection, claim: ResumeClaim) -> Seat:
        async with self._lock:
            self._require_live()
            participant = self._participant(claim.participant_id, claim.role)
            pid = participant.participant_id
            seat = self._roster.seat(pid)
            if seat is not None:
                if not hmac.compare_digest(seat.nonce, claim.nonce):
                    raise AuthError("auth.replayed", "this resume token was already used")
                if not seat.active and seat.gone_reason in _EXCLUDED:
                    raise AuthError("auth.revoked", f"you were {seat.gone_reason}")
            elif pid in self.hearing.excluded:
                # Denied or removed in an earlier life of this room (another node, a restart).
                raise AuthError("auth.revoked", "you were excluded from this hearing")
            if self._revoked.get(pid) or await self._withdrawn(pid):
                raise AuthError("auth.revoked", "your access to this hearing was withdrawn")
            return await self._take_seat(conn, participant, "resume")

    async def _take_seat(
        self, conn: Connection, participant: Participant, via: str, confirmed: bool | None = None
    ) -> Seat:
        """`confirmed`: what the authenticator says now (None on a resume: what the room knew)."""
        pid = participant.participant_id
        seat = self._roster.seat(pid)
        if seat is not None and confirmed is not None:
            seat.confirmed = confirmed
        if seat is not None and seat.active:
            # The same person on a new connection (page reload, network change): same seat.
            await self._audit(
                "participant.reconnected", pid, peer=seat.peer_id, via=via, address=conn.remote
            )
            seat.cancel_grace()
            old = self._attach(seat, conn)
            if old is not None:
                old.send(p.closed_message("replaced", "you joined from another connection"))
                old.close(CLOSE_REPLACED, "replaced")
            self._seated(seat, resumed=True)
            return seat
        target = SeatState.ADMITTED if participant.role is Role.JUDGE else SeatState.LOBBY
        await self._audit(
            "participant.joined",
            pid,
            role=participant.role.value,
            peer=seat.peer_id if seat else None,
            seat=target.value,
            via=via,
            address=conn.remote,
        )
        if seat is None:
            seat = Seat(pid, participant.role, participant.display_name, "", target)
            seat.confirmed = participant.confirmed if confirmed is None else confirmed
            self._roster.add(seat)
        else:
            seat.return_to(target)
        self._attach(seat, conn)
        self._seated(seat, resumed=False)
        return seat

    def _seated(self, seat: Seat, *, resumed: bool) -> None:
        if seat.admitted:
            self._broadcast_state()
            self._roster.introduce(seat, resumed=resumed)
            self._recorder.introduce(seat)
        else:
            assert seat.conn is not None
            seat.conn.send(views.waiting_state(self._state.value))
            self._roster.lobby_changed()

    def _attach(self, seat: Seat, conn: Connection) -> Connection | None:
        """Seat the connection with a fresh resume token; return the connection it replaced."""
        old = self._roster.attach(seat, conn)
        seat.nonce = ResumeTokens.new_nonce()
        now = self._settings.clock()
        conn.send(
            p.welcome_message(
                peer=seat.peer_id,
                role=seat.role,
                name=seat.name,
                seat=seat.state.value,
                resume=self._settings.tokens.issue(
                    self.hearing_id, seat.participant_id, seat.role, seat.nonce, now
                ),
                ice_servers=self._settings.ice_servers(seat.participant_id),
            )
        )
        return old

    # --- leaving --------------------------------------------------------------------------

    async def disconnected(self, conn: Connection) -> None:
        async with self._lock:
            seat = self._roster.detach(conn)
            if seat is None:
                return
            if not seat.active or self._state is State.CLOSED:
                return
            # The socket is gone whether or not the log can say so (a failure is logged).
            with contextlib.suppress(AuditUnavailable):
                await self._audit(
                    "participant.disconnected",
                    seat.participant_id,
                    peer=seat.peer_id,
                    # whole seconds: the audit log's canonical JSON has no floats
                    grace_seconds=math.ceil(self._settings.grace_seconds),
                )
            if seat.admitted:
                self._roster.send_admitted(views.peer_reconnecting(seat))
                self._broadcast_state()
            else:
                self._roster.lobby_changed()
            loop = asyncio.get_running_loop()
            seat.grace = loop.call_later(self._settings.grace_seconds, self._grace_over, seat)

    def _grace_over(self, seat: Seat) -> None:
        self._spawn(self._expire(seat))

    async def _expire(self, seat: Seat) -> None:
        async with self._lock:
            seat.grace = None
            if seat.conn is not None or not seat.active or self._state is State.CLOSED:
                return
            try:
                await self._lose_seat(seat, "timeout", SYSTEM)
            except AuditUnavailable:
                loop = asyncio.get_running_loop()
                seat.grace = loop.call_later(1.0, self._grace_over, seat)

    async def _lose_seat(self, seat: Seat, reason: str, actor: str, **extra: Any) -> None:
        """One audited decision: the seat goes, its `during` conditions lapse, and testimony
        pauses if a condition it needed is gone."""
        was_admitted = seat.admitted
        decision = self._procedure.seat_lost(seat.participant_id, self._state)
        await self._audit(
            _LOSS_EVENTS.get(reason, decision.event),
            actor,
            peer=seat.peer_id,
            participant=seat.participant_id,
            role=seat.role.value,
            reason=reason,
            **decision.fields,
            **extra,
        )
        decision.apply()
        if decision.new_state is not None:
            self._set_state(decision.new_state)
        seat.leave(reason)
        self._recorder.seat_gone(seat.peer_id)
        conn = seat.conn
        if conn is not None:
            self._roster.detach(conn)
            conn.send(p.closed_message(reason, _GONE_MESSAGES.get(reason, reason)))
            conn.close(CLOSE_EXCLUDED, reason)
        if was_admitted:
            self._roster.send_admitted(views.peer_left(seat, reason))
            self._broadcast_state()
        else:
            self._roster.lobby_changed()

    # --- withdrawal by the service ------------------------------------------------------------

    async def _withdrawn(self, participant_id: str) -> str | None:
        """Why the service no longer lets this person in (None: it does, or cannot say)."""
        if self._entitlements is None:
            return None
        found = await self._entitlements.revoked(self.hearing_id, [participant_id])
        return found.get(participant_id)

    async def exclude(self, participant_id: str, cause: str) -> bool:
        """The service withdrew this person (`invitation_revoked`, `account_disabled`): their
        seat goes at once (audited `participant.removed`, actor `system`, reason `revoked`),
        their socket closes with 4003, and their resume tokens and acts are refused. Returns
        whether a seat was taken. If the log cannot record it the seat stays, but every act and
        resume is still refused and the node's next tick tries again."""
        async with self._lock:
            self._revoked[participant_id] = cause
            seat = self._roster.seat(participant_id)
            if seat is None or not seat.active or self._state is State.CLOSED:
                return False
            await self._lose_seat(seat, "revoked", SYSTEM, cause=cause)
            return True

    async def sweep(self) -> None:
        """Take the seats of everyone the service has withdrawn since (the backplane's notice is
        at most once, and a command-line disable on a node without Redis sends none)."""
        if self._entitlements is None or self._state is State.CLOSED:
            return
        seated = [seat.participant_id for seat in self._roster if seat.active]
        if not seated:
            return
        found = await self._entitlements.revoked(self.hearing_id, seated)
        for participant_id, cause in found.items():
            await self.exclude(participant_id, cause)

    async def _refuse_withdrawn(
        self, conn: Connection, seat: Seat, message: p.ClientMessage, *, ask: bool
    ) -> bool:
        """Refuse an act by someone the service withdrew (their seat then goes); `ask`: also
        ask the service, not only what this room was told."""
        cause = self._revoked.get(seat.participant_id)
        if cause is None and ask:
            cause = await self._withdrawn(seat.participant_id)
        if cause is None:
            return False
        error = AuthError("auth.revoked", "your access to this hearing was withdrawn")
        conn.send(p.error_message(error.code, error.message, ref=message.ref))
        self._revoked[seat.participant_id] = cause
        if seat.active and self._state is not State.CLOSED:
            with contextlib.suppress(AuditUnavailable):
                await self._lose_seat(seat, "revoked", SYSTEM, cause=cause)
        return True

    # --- messages -------------------------------------------------------------------------

    async def handle(self, conn: Connection, message: p.ClientMessage) -> None:
        """Act on one message from a seated connection; raise SignalingError to refuse it."""
        action = action_of(message)
        seat = self._roster.holder(conn)
        if seat is None:
            raise RoomError("room.not_seated", "this connection holds no seat")
        if action is Action.PING:
            check(action, seat.role, seat.admitted, self._state)
            conn.send(p.pong_message(message.nonce if isinstance(message, p.Ping) else None))
            return
        if action in RELAYED:
            # Only what this room was told: relays stay free of I/O.
            if seat.participant_id in self._revoked:
                async with self._lock:
                    await self._refuse_withdrawn(conn, seat, message, ask=False)
                return
            await self._relay.relay(seat, action, message)
            return
        async with self._lock:
            if seat.conn is not conn:
                raise RoomError("room.not_seated", "this connection holds no seat")
            check(action, seat.role, seat.admitted, self._state)
            # Every act that changes the hearing asks the service first: a notice of withdrawal
            # that has not arrived yet must not let the act through.
            if await self._refuse_withdrawn(conn, seat, message, ask=True):
                return
            await self._acts.by_action[action](seat, message)

    # --- announcing -----------------------------------------------------------------------

    def state_message(self, role: Role) -> p.ServerMessage:
        """The room as `role` sees it: staff get the legal decision's conditions as the engine
        states them, everyone else their plain-language version (decided here, not by pages)."""
        return {
            "type": "room_state",
            "state": self._state.value,
            "seat": "admitted",
            "testimony": _TESTIMONY_VIEW.get(self._state, "idle"),
            **self._procedure.view(staff=role in STAFF_ROLES),
            "recorder": self._recorder.peer_id if self._recorder.active else None,
            "participants": self._roster.participants_view(),
        }

    def _broadcast_state(self) -> None:
        views_by_side: dict[bool, p.ServerMessage] = {}

        def message(seat: Seat) -> p.ServerMessage:
            side = seat.role in STAFF_ROLES
            if side not in views_by_side:
                views_by_side[side] = self.state_message(seat.role)
            return views_by_side[side]

        self._roster.send_each_admitted(message)

    def presence(self) -> dict[str, dict[str, Any]]:
        """Who holds a seat, by peer id (shared between nodes through the backplane)."""
        return self._roster.presence()

    def let_go(self) -> None:
        """Nobody is left: a running recorder finishes (the next room starts without one)."""
        self._acts.stop_recorder()

    async def shutdown(self, code: int = CLOSE_GOING_AWAY) -> None:
        """This node lets the room go: everyone is told to reconnect (resume tokens still work,
        through the lobby, wherever the room opens next)."""
        for task in list(self._tasks):
            task.cancel()
        await self._recorder.abort()
        for conn in self._roster.release_all():
            conn.close(code, "server going away")
