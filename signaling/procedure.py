"""The legal procedure inside the room: conditions, testimony, consent, recording. Pure.

Each method checks a request against the hearing's legal decision and returns a `Decision`:
the audit event to write and what to change once it is written. The room does the writing (and
the waiting), then calls `apply()`; nothing here touches the loop, the network or the log, and a
refused request raises before anything is decided.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from signaling.conditions import Checklist, Met, check_way
from signaling.errors import PermissionDenied, RoomError
from signaling.protocol import DocumentType, MetBy, Role, TestimonyAction
from signaling.services import HearingInfo, RecordingRule
from signaling.states import State

# The legal engine's condition that the person heard consents (legal_profiles.conditions).
PERSON_CONSENT = "consent.person"

SYSTEM = "system"

_TESTIMONY: dict[TestimonyAction, tuple[State, str]] = {
    TestimonyAction.START: (State.TESTIMONY, "testimony.started"),
    TestimonyAction.RESUME: (State.TESTIMONY, "testimony.resumed"),
    TestimonyAction.PAUSE: (State.PAUSED, "testimony.paused"),
    TestimonyAction.STOP: (State.SESSION, "testimony.stopped"),
}


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Decision:
    event: str
    fields: dict[str, Any]
    new_state: State | None = None
    apply: Callable[[], None] = field(default=_nothing)


class Procedure:
    def __init__(self, hearing: HearingInfo, names: Callable[[str], str]) -> None:
        self.checklist = Checklist(
            hearing.conditions, (*hearing.met_before, *hearing.conditions_met), names
        )
        self.rule = hearing.recording
        self.recording = False
        self.consent_withdrawn = hearing.consent_withdrawn
        # Besides an accused, whoever meets the person's consent condition may withdraw it.
        self.consenting = frozenset(
            role for c in hearing.conditions if c.id == PERSON_CONSENT for role in c.satisfied_by
        )
        # A role, or "system" when a condition lapsed. An authority's stop outlives the room
        # that saw it (a crash, a move to another node): only the authority lifts it.
        self.paused_by: str | None = Role.AUTHORITY.value if hearing.authority_stop else None

    def meet(
        self,
        condition_id: str,
        who: tuple[str, str, Role],
        way: tuple[MetBy, str | None, DocumentType | None],
        note: str | None,
        now: Callable[[], str],
    ) -> Decision:
        """`now`: the room's clock as RFC 3339 UTC, read when the decision is applied (once the
        `condition.met` event is written), so that `met.at` is when the room recorded it."""
        participant_id, name, role = who
        method, details, document_type = way
        condition = self.checklist.condition_for(condition_id, role)
        check_way(condition.id, method, details)

        def apply() -> None:
            met = Met(
                condition.id,
                participant_id,
                name,
                role,
                method.value,
                details,
                document_type,
                note,
                now(),
            )
            self.checklist.record(met)

        fields = {
            "condition": condition.id,
            "citation": condition.citation,
            "stage": condition.stage.value,
            "method": method.value,
            "details": details,
            "document_type": document_type.value if document_type else None,
            "note": note,
        }
        return Decision("condition.met", fields, apply=apply)

    def _blockers(self, present: Collection[str]) -> None:
        if self.consent_withdrawn:
            raise RoomError("testimony.consent_withdrawn", "the accused has withdrawn consent")
        unmet = self.checklist.unmet_during(present)
        if unmet:
            raise RoomError(
                "testimony.conditions_unmet",
                "conditions to meet first: " + ", ".join(unmet),
                details={"conditions": unmet},
            )
        if self.rule is RecordingRule.MANDATORY and not self.recording:
            raise RoomError("testimony.recording_required", "recording is mandatory: start it")

    def testimony(
        self, action: TestimonyAction, role: Role, present: Collection[str], state: State
    ) -> Decision:
        """`present`: participant ids holding admitted seats. The permission table checked the
        room's state; in `session` a resume is only the authority lifting the stop it made
        before the room was rebuilt."""
        authority_stop = self.paused_by == Role.AUTHORITY.value
        if (
            action in (TestimonyAction.START, TestimonyAction.RESUME)
            and authority_stop
            and role is not Role.AUTHORITY
        ):
            raise PermissionDenied(
                "perm.authority_stop",
                "the requested state's authority stopped the hearing; only it can resume",
            )
        if action is TestimonyAction.RESUME and state is State.SESSION and not authority_stop:
            raise RoomError("testimony.not_paused", "testimony is not paused; start it instead")
        if action in (TestimonyAction.START, TestimonyAction.RESUME):
            self._blockers(present)
        new, event = _TESTIMONY[action]
        reason = "fundamental_principles" if role is Role.AUTHORITY else role.value

        def apply() -> None:
            self.paused_by = role.value if new is State.PAUSED else None

        return Decision(event, {"reason": reason}, new, apply)

    def withdraw_consent(
        self, state: State, note: str | None, role: Role = Role.ACCUSED
    ) -> Decision:
        """An accused's consent, or a witness's where the decision makes it a condition
        (`consent.person` met by her role); the conditions her role met lapse."""
        if role is not Role.ACCUSED and role not in self.consenting:
            raise PermissionDenied(
                "perm.role", f"this hearing does not rest on the {role.value}'s consent"
            )
        if self.consent_withdrawn:
            raise RoomError("consent.already_withdrawn", "consent is already withdrawn")
        stop = state in (State.TESTIMONY, State.PAUSED)
        lapsing = self.checklist.lapsable(lambda met: met.role is role)

        def apply() -> None:
            self.consent_withdrawn = True
            self.checklist.lapse(lambda met: met.role is role)
            if stop:
                self.paused_by = None

        return Decision(
            "consent.withdrawn",
            {"note": note, "testimony_stopped": stop, "lapsed_conditions": lapsing},
            State.SESSION if stop else None,
            apply,
        )

    def set_recording(self, start: bool, state: State) -> Decision:
        if start and not self.rule.lawful:
            raise RoomError(
                "recording.unlawful",
                f"recording is {self.rule.value} for this hearing",
                details={"rule": self.rule.value},
            )
        if start == self.recording:
            running = "running" if start else "not running"
            raise RoomError("recording.no_change", f"recording is already {running}")
        if not start and self.rule is RecordingRule.MANDATORY and state is not State.SESSION:
            raise RoomError("recording.mandatory", "recording is mandatory during testimony")

        def apply() -> None:
            self.recording = start

        event = "recording.started" if start else "recording.stopped"
        return Decision(event, {"rule": self.rule.value}, apply=apply)

    def end(self, state: State, reason: str | None) -> Decision:
        """`open_after`: the `after` conditions nobody met in the room, with who meets them;
        sealing records them again if they are still open then."""

        def apply() -> None:
            self.recording = False
            self.paused_by = None

        fields = {
            "reason": reason,
            "state": state.value,
            "recording_stopped": self.recording,
            "open_after": self.checklist.open_after(),
        }
        return Decision("hearing.ended", fields, State.CLOSED, apply)

    def seat_lost(self, participant_id: str, state: State) -> Decision:
        """A participant's seat is gone: their `during` conditions lapse, and testimony that
        needed one of them pauses until it is met again."""
        lapsing = self.checklist.lapsable(lambda met: met.participant_id == participant_id)
        pause = bool(lapsing) and state is State.TESTIMONY

        def apply() -> None:
            self.checklist.lapse(lambda met: met.participant_id == participant_id)
            if pause:
                self.paused_by = SYSTEM

        return Decision(
            "participant.left",
            {"lapsed_conditions": lapsing, "testimony_paused": pause},
            State.PAUSED if pause else None,
            apply,
        )

    def view(self, *, staff: bool) -> dict[str, Any]:
        return {
            "paused_by": self.paused_by,
            "recording": {"rule": self.rule.value, "active": self.recording},
            "consent_withdrawn": self.consent_withdrawn,
            "conditions": self.checklist.view() if staff else self.checklist.participant_view(),
        }
