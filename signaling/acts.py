"""The acts that change a hearing once people are in the room: the judge admits, denies, removes
and ends; conditions are met, testimony starts, pauses, resumes and stops, consent is withdrawn,
recording starts and stops.

The room checks the permission and holds its lock; the procedure (procedure.py, pure) decides;
each act here writes its one audit event (awaited), then applies the decision and announces it.
A seat lost by the judge's act goes through the room's own `lose_seat`, the same path as a seat
whose grace period ran out.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from signaling import protocol as p
from signaling.conditions import utc_time
from signaling.errors import CLOSE_NORMAL, PermissionDenied, RoomError
from signaling.permissions import Action
from signaling.procedure import Decision, Procedure
from signaling.recorder_seat import RecorderSeat
from signaling.roster import Roster
from signaling.seat import Seat
from signaling.states import SeatState, State

Act = Callable[[Seat, p.ClientMessage], Awaitable[None]]


class Acts:
    def __init__(
        self,
        procedure: Procedure,
        roster: Roster,
        recorder: RecorderSeat,
        *,
        state: Callable[[], State],
        set_state: Callable[[State], None],
        audit: Callable[..., Awaitable[int]],
        announce: Callable[[], None],
        lose_seat: Callable[..., Awaitable[None]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._procedure = procedure
        self._roster = roster
        self._recorder = recorder
        self._state = state
        self._set_state = set_state
        self._audit = audit
        self._announce = announce
        self._lose_seat = lose_seat
        self._clock = clock
        self.by_action: dict[Action, Act] = {
            Action.ADMIT: self.admit,
            Action.DENY: self.deny,
            Action.REMOVE: self.remove,
            Action.CONFIRM_AUTHORITY: self.confirm_authority,
            Action.CONDITION: self.conduct,
            Action.TESTIMONY_START: self.conduct,
            Action.TESTIMONY_PAUSE: self.conduct,
            Action.TESTIMONY_RESUME: self.conduct,
            Action.TESTIMONY_STOP: self.conduct,
            Action.CONSENT_WITHDRAWN: self.conduct,
            Action.RECORDING_START: self.conduct,
            Action.RECORDING_STOP: self.conduct,
            Action.END: self.end,
        }

    # --- the judge and the lobby ------------------------------------------------------------

    def _lobby_target(self, peer_id: str) -> Seat:
        target = self._roster.peer(peer_id)
        if target is None or target.state is not SeatState.LOBBY:
            raise RoomError("peer.not_waiting", "no one with this peer id waits in the lobby")
        return target

    def _active_target(self, peer_id: str) -> Seat:
        target = self._roster.peer(peer_id)
        if target is None or not target.active:
            raise RoomError("peer.unknown", "no participant has this peer id")
        return target

    async def admit(self, seat: Seat, message: p.ClientMessage) -> None:
        assert isinstance(message, p.Admit)
        target = self._lobby_target(message.peer)
        await self._audit(
            "participant.admitted",
            seat.participant_id,
            peer=target.peer_id,
            participant=target.participant_id,
            role=target.role.value,
        )
        target.admit()
        if self._state() is State.LOBBY:
            self._set_state(State.SESSION)
        self._announce()
        self._roster.introduce(target, resumed=False)
        self._recorder.introduce(target)
        self._roster.lobby_changed()

    async def deny(self, seat: Seat, message: p.ClientMessage) -> None:
        assert isinstance(message, p.Deny)
        target = self._lobby_target(message.peer)
        await self._lose_seat(target, "denied", seat.participant_id, note=message.reason)

    async def remove(self, seat: Seat, message: p.ClientMessage) -> None:
        assert isinstance(message, p.Remove)
        target = self._active_target(message.peer)
        if target is seat:
            raise RoomError("room.self", "you cannot remove yourself; end the hearing instead")
        await self._lose_seat(target, "removed", seat.participant_id, note=message.reason)

    async def confirm_authority(self, seat: Seat, message: p.ClientMessage) -> None:
        """The judge vouches for the authority holding a seat nobody was invited to by name;
        only then may it meet conditions."""
        assert isinstance(message, p.ConfirmAuthority)
        target = self._active_target(message.peer)
        if target.role is not p.Role.AUTHORITY:
            raise RoomError("peer.not_authority", "only an authority's seat is confirmed")
        if target.confirmed:
            raise RoomError("peer.already_confirmed", "this authority is already confirmed")
        await self._audit(
            "participant.confirmed",
            seat.participant_id,
            peer=target.peer_id,
            participant=target.participant_id,
            role=target.role.value,
        )
        target.confirmed = True
        self._announce()
        self._roster.lobby_changed()

    # --- the procedure ----------------------------------------------------------------------

    async def _decide(self, seat: Seat, decision: Decision) -> None:
        await self._audit(
            decision.event,
            seat.participant_id,
            peer=seat.peer_id,
            role=seat.role.value,
            **decision.fields,
        )
        decision.apply()
        if decision.new_state is not None:
            self._set_state(decision.new_state)

    async def conduct(self, seat: Seat, message: p.ClientMessage) -> None:
        """Conditions, testimony, consent, recording: the procedure decides, the room records."""
        procedure = self._procedure
        if isinstance(message, p.ConditionMet):
            if not seat.confirmed:
                raise PermissionDenied(
                    "perm.unconfirmed",
                    "the judge has not confirmed you hold this seat; no condition can be met yet",
                )
            who = (seat.participant_id, seat.name, seat.role)
            decision = procedure.meet(
                message.condition,
                who,
                (message.method, message.details, message.document_type),
                message.note,
                now=lambda: utc_time(self._clock()),
            )
        elif isinstance(message, p.Testimony):
            if seat.role is p.Role.AUTHORITY and not seat.confirmed:
                # Only the requested state's authority may stop the hearing on its law's
                # fundamental principles (EIO Art 24(5)(a), EU MLA 2000 Art 10(5)(a)); until the
                # judge vouches for who holds this seat, its holder is not known to be it.
                raise PermissionDenied(
                    "perm.unconfirmed",
                    "the judge has not confirmed you hold this seat; you cannot stop or resume"
                    " testimony yet",
                )
            decision = procedure.testimony(
                message.action, seat.role, self._roster.present(), self._state()
            )
        elif isinstance(message, p.ConsentWithdrawn):
            decision = procedure.withdraw_consent(self._state(), message.note, seat.role)
        else:
            assert isinstance(message, p.Recording)
            await self._record(seat, message.action is p.RecordingAction.START)
            return
        await self._decide(seat, decision)
        self._announce()

    async def _record(self, seat: Seat, start: bool) -> None:
        """The recorder starts before the start is audited (a recorder that cannot start changes
        nothing) and joins once it is; it stops once the stop is audited."""
        decision = self._procedure.set_recording(start, self._state())
        bridge = await self._recorder.prepare() if start else None
        if bridge is not None:
            decision.fields["recording"] = bridge.recording_id
        try:
            await self._decide(seat, decision)
        except BaseException:
            if bridge is not None:
                await bridge.abort()
            raise
        self._announce()
        if bridge is not None:
            self._recorder.begin(bridge)
            self._roster.send_admitted(self._recorder.joined_message())
        elif not start:
            self.stop_recorder()

    def stop_recorder(self) -> None:
        left = self._recorder.end()
        if left is not None:
            self._roster.send_admitted(left)

    async def end(self, seat: Seat, message: p.ClientMessage) -> None:
        assert isinstance(message, p.End)
        await self._decide(seat, self._procedure.end(self._state(), message.reason))
        self.stop_recorder()
        for other in self._roster:
            if other.active:
                other.leave("ended")
        for conn in self._roster.release_all():
            conn.send(p.closed_message("ended", "the judge ended the hearing"))
            conn.close(CLOSE_NORMAL, "ended")
