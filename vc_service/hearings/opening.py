"""What a hearing needs before its lobby opens (the legal review of an `unknown` decision, the
`before` conditions met), opening it, and the life-cycle moves the live hearing makes.

A base of `HearingService`; every change commits with its audit event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from vc_service.audit.store import AuditStore
from vc_service.db import Database
from vc_service.errors import Conflict, ValidationFailed
from vc_service.hearings import conflicts, legal
from vc_service.hearings.access import Action, Viewer, check
from vc_service.hearings.lifecycle import EDITABLE, Lifecycle, State
from vc_service.hearings.models import Hearing
from vc_service.hearings.records import (
    load_record,
    unmet_before,
)
from vc_service.hearings.scheduling import utc_text
from vc_service.hearings.views import HearingRecord

Clock = Callable[[], datetime]
# Called inside the transaction of a reschedule or cancellation (the invitations listen).
ChangeListener = Callable[[AsyncSession, HearingRecord, str, dict[str, str]], Awaitable[None]]
SYSTEM = {"role": "system", "id": "vc-service", "name": "vc-service"}


class Opening:
    db: Database
    audit: AuditStore
    clock: Clock
    listeners: list[ChangeListener]

    async def record_review(
        self, viewer: Viewer, hearing_id: str, version: int, cleared: bool, note: str
    ) -> HearingRecord:
        """A judge's manual legal review of an `unknown` decision: cleared schedules the
        hearing, refused cancels it."""
        async with self.db.transaction() as s:
            hearing = await self._lock(s, viewer, hearing_id, version, Action.MANAGE)
            if hearing.legal_outcome != "unknown" or hearing.legal_review is not None:
                raise Conflict(
                    "this hearing has no legal review pending",
                    code="hearing.no_review_pending",
                    details={"legal_outcome": hearing.legal_outcome},
                )
            Lifecycle(hearing.id, State(hearing.state)).require(
                frozenset({State.DRAFT}), "record a legal review"
            )
            actor = viewer.actor()
            now = self.clock()
            outcome = "cleared" if cleared else "refused"
            hearing.legal_review = {
                "outcome": outcome,
                "note": note,
                "by": actor,
                "at": utc_text(now),
            }
            await s.flush()
            fields: dict[str, object] = {"outcome": outcome, "note": note}
            await self.audit.append_in(s, hearing.id, "legal.review_recorded", actor, fields)
            if not cleared:
                return await self._cancel(
                    s, hearing, f"legal review: {note}", actor, "hearing.cancelled"
                )
            lifecycle = Lifecycle(hearing.id, State.DRAFT)
            lifecycle.to(State.SCHEDULED)
            hearing.state = lifecycle.state.value
            hearing.updated_at = now
            await self._flush(s)
            await self._audit_state(s, hearing, State.DRAFT.value, actor)
            return await load_record(s, hearing)

    async def record_condition(
        self, viewer: Viewer, hearing_id: str, version: int, condition_id: str, note: str
    ) -> HearingRecord:
        """Record a `before` condition as met (e.g. notice sent, permission obtained)."""
        async with self.db.transaction() as s:
            hearing = await self._lock(s, viewer, hearing_id, version, Action.MANAGE)
            Lifecycle(hearing.id, State(hearing.state)).require(EDITABLE, "record a condition")
            found = {c["id"]: c for c in legal.conditions(hearing.legal_decision)}
            condition = found.get(condition_id)
            if condition is None:
                raise ValidationFailed(
                    f"this hearing's decision has no condition {condition_id!r}",
                    code="condition.unknown",
                    details={"conditions": sorted(found)},
                )
            if condition.get("stage") != "before":
                raise ValidationFailed(
                    f"condition {condition_id} is met during the hearing, in the room",
                    code="condition.not_before_stage",
                    details={"stage": condition.get("stage")},
                )
            met = dict(hearing.conditions_met or {})
            if condition_id in met:
                raise Conflict(
                    f"condition {condition_id} is already met", code="condition.already_met"
                )
            actor = viewer.actor()
            met[condition_id] = {"by": actor, "at": utc_text(self.clock()), "note": note}
            hearing.conditions_met = met
            hearing.updated_at = self.clock()
            await self._flush(s)
            fields: dict[str, object] = {
                "condition": condition_id,
                "stage": "before",
                "method": "recorded_by_judge",
                "note": note,
            }
            await self.audit.append_in(s, hearing.id, "condition.met", actor, fields)
            return await load_record(s, hearing)

    async def open(self, viewer: Viewer, hearing_id: str, version: int) -> HearingRecord:
        """Open the lobby: needs the legal review (if any) and every `before` condition met."""
        async with self.db.transaction() as s:
            hearing = await self._lock(s, viewer, hearing_id, version, Action.MANAGE)
            if hearing.legal_outcome == "unknown" and hearing.legal_review is None:
                raise Conflict(
                    "the legal decision is unknown: a judge must record the legal review first",
                    code="hearing.legal_review_pending",
                )
            unmet = unmet_before(hearing)
            if unmet:
                raise Conflict(
                    f"conditions to meet before the hearing: {', '.join(unmet)}",
                    code="hearing.conditions_unmet",
                    details={"unmet": unmet},
                )
            lifecycle = Lifecycle(hearing.id, State(hearing.state))
            previous = lifecycle.to(State.OPEN)
            hearing.state = lifecycle.state.value
            hearing.updated_at = self.clock()
            await self._flush(s)
            await self._audit_state(s, hearing, previous.value, viewer.actor())
            return await load_record(s, hearing)

    # -- the live hearing --------------------------------------------------------------------

    async def advance(
        self,
        hearing_id: str,
        target: State,
        actor: dict[str, str],
        *,
        event: str | None = "hearing.state_changed",
        fields: dict[str, object] | None = None,
    ) -> State:
        """Move the life cycle (open -> in_session -> testimony -> closed -> sealed) for the room
        or the audit log; records `event` (None: the caller has recorded it) in the same
        transaction. Idempotent: a hearing already in `target` is left alone."""
        async with self.db.transaction() as s:
            hearing = await conflicts.lock_hearing(s, hearing_id)
            lifecycle = Lifecycle(hearing.id, State(hearing.state))
            if lifecycle.state is target:
                return target
            previous = lifecycle.to(target)
            hearing.state = lifecycle.state.value
            hearing.updated_at = self.clock()
            await self._flush(s)
            if event is not None:
                body: dict[str, object] = {"from": previous.value, "to": target.value}
                body.update(fields or {})
                await self.audit.append_in(s, hearing.id, event, actor, body)
            return previous

    async def record_room_event(
        self,
        hearing_id: str,
        event: str,
        actor: dict[str, str],
        fields: dict[str, object],
        target: State | None = None,
    ) -> int:
        """Append one of the live room's events; if `target` is the hearing's next state, move
        there in the same transaction (noted as `hearing_state`). Returns the event's seq."""
        if target is None:
            return await self.audit.append(hearing_id, event, actor, fields)
        async with self.db.transaction() as s:
            hearing = await conflicts.lock_hearing(s, hearing_id)
            lifecycle = Lifecycle(hearing.id, State(hearing.state))
            body = dict(fields)
            if lifecycle.state is not target and lifecycle.can(target):
                previous = lifecycle.to(target)
                hearing.state = lifecycle.state.value
                hearing.updated_at = self.clock()
                await self._flush(s)
                body["hearing_state"] = {"from": previous.value, "to": target.value}
            return await self.audit.append_in(s, hearing.id, event, actor, body)

    # -- helpers ------------------------------------------------------------------------------

    async def _lock(
        self, s: AsyncSession, viewer: Viewer, hearing_id: str, version: int, action: Action
    ) -> Hearing:
        hearing = await conflicts.lock_hearing(s, hearing_id)
        check(viewer, action, hearing.id, hearing.court_id, hearing.requested_state)
        if hearing.version != version:
            raise Conflict(
                f"the hearing changed since you loaded it (version {hearing.version}, you sent "
                f"{version}); reload and try again",
                code="hearing.version_conflict",
                details={"current_version": hearing.version, "your_version": version},
            )
        return hearing

    async def _flush(self, s: AsyncSession) -> None:
        try:
            await s.flush()
        except StaleDataError:
            raise Conflict(
                "the hearing changed meanwhile", code="hearing.version_conflict"
            ) from None

    async def _cancel(
        self, s: AsyncSession, hearing: Hearing, reason: str, actor: dict[str, str], event: str
    ) -> HearingRecord:
        lifecycle = Lifecycle(hearing.id, State(hearing.state))
        previous = lifecycle.to(State.CANCELLED)
        hearing.state = lifecycle.state.value
        hearing.cancel_reason = reason
        hearing.updated_at = self.clock()
        await self._flush(s)
        record = await load_record(s, hearing)
        fields: dict[str, object] = {
            "reason": reason,
            "from": previous.value,
            "version": hearing.version,
        }
        await self.audit.append_in(s, hearing.id, event, actor, fields)
        for listener in self.listeners:
            await listener(s, record, "cancelled", actor)
        return record

    async def _audit_state(
        self, s: AsyncSession, hearing: Hearing, previous: str, actor: dict[str, str]
    ) -> None:
        fields: dict[str, object] = {
            "from": previous,
            "to": hearing.state,
            "version": hearing.version,
        }
        await self.audit.append_in(s, hearing.id, "hearing.state_changed", actor, fields)
