"""HearingService: schedule, view, reschedule and cancel hearings, and add participants (the
legal review, `before` conditions, opening and the live hearing's moves are in `opening`).

Every change runs in one transaction with its audit events (`AuditStore.append_in`), so a change
is never committed without its record. Writers take the scheduling lock, then the hearing's row,
then (inside the audit store) the log's head: one lock order everywhere.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.accounts.models import Court
from vc_service.accounts.service import Principal
from vc_service.audit.store import AuditStore
from vc_service.config import Settings
from vc_service.db import Database, new_id, utcnow
from vc_service.errors import NotFound, ValidationFailed
from vc_service.hearings import conflicts, legal
from vc_service.hearings.access import Action, Viewer, check
from vc_service.hearings.forms import HearingChanges, HearingDraft, PersonSpec, TimeSpec
from vc_service.hearings.lifecycle import EDITABLE, Lifecycle, State
from vc_service.hearings.models import Hearing, Participant, ParticipantRole
from vc_service.hearings.opening import ChangeListener, Clock, Opening
from vc_service.hearings.people import Roster
from vc_service.hearings.planning import Plan, PlanRequest, plan, venue_zones
from vc_service.hearings.records import (
    court_info,
    created_fields,
    load_record,
    snapshot,
)
from vc_service.hearings.scheduling import Window
from vc_service.hearings.views import HearingRecord

if TYPE_CHECKING:
    from legal_profiles.loader import ProfileSet


class HearingService(Opening):
    def __init__(
        self,
        db: Database,
        settings: Settings,
        profiles: ProfileSet,
        audit: AuditStore,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.profiles = profiles
        self.audit = audit
        self.clock = clock
        self.listeners: list[ChangeListener] = []
        self.roster = Roster()

    # -- reading --------------------------------------------------------------------------------

    async def viewer(self, principal: Principal) -> Viewer:
        async with self.db.session() as s:
            court = await s.get(Court, principal.court_id)
        return Viewer(principal, court.state if court is not None else "")

    async def get(
        self, viewer: Viewer, hearing_id: str, action: Action = Action.VIEW
    ) -> HearingRecord:
        async with self.db.session() as s:
            hearing = await s.get(Hearing, hearing_id)
            if hearing is None:
                raise NotFound(f"no hearing {hearing_id}", code="hearing.not_found")
            check(viewer, action, hearing.id, hearing.court_id, hearing.requested_state)
            return await load_record(s, hearing)

    async def search(
        self, viewer: Viewer, *, upcoming: bool = True, state: State | None = None, limit: int = 200
    ) -> list[HearingRecord]:
        query = select(Hearing).order_by(Hearing.starts_at).limit(limit)
        if viewer.principal.role.value in ("judge", "clerk"):
            query = query.where(Hearing.court_id == viewer.principal.court_id)
        elif viewer.principal.role.value == "authority":
            query = query.where(Hearing.requested_state == viewer.court_state)
        else:
            return []
        if upcoming:
            query = query.where(Hearing.ends_at > self.clock())
        if state is not None:
            query = query.where(Hearing.state == state.value)
        async with self.db.session() as s:
            hearings = (await s.scalars(query)).all()
            return [await load_record(s, h) for h in hearings]

    async def form_options(self, viewer: Viewer) -> dict[str, Any]:
        """What the scheduling form offers: the judge's court (whose state is the requesting
        state, never a choice) and, per state with a profile, the zones a venue there may have
        and the one it gets by default (null where the venue must name its own)."""
        async with self.db.session() as s:
            court = await s.get(Court, viewer.principal.court_id)
        if court is None:
            raise NotFound("your account has no court", code="court.not_found")
        now = self.clock()
        states = []
        for profile in self.profiles:
            zones = venue_zones(self.profiles, profile.iso2, now)
            states.append(
                {
                    "state": profile.iso2,
                    "name": profile.name,
                    "time_zones": list(zones.time_zones),
                    "venue_timezone": zones.default,
                    "venue_timezone_required": zones.required,
                }
            )
        return {"court": asdict(court_info(court)), "states": states}

    # -- scheduling -----------------------------------------------------------------------------

    async def create(self, viewer: Viewer, draft: HearingDraft) -> HearingRecord:
        p = viewer.principal
        check(viewer, Action.MANAGE, "new", p.court_id, draft.requested_state)
        now = self.clock()
        async with self.db.transaction() as s:
            await conflicts.lock_scheduling(s)
            court = await s.get(Court, p.court_id)
            assert court is not None
            if draft.requesting_state and draft.requesting_state != court.state:
                raise ValidationFailed(
                    f"requesting_state must be your court's state {court.state}",
                    details={"fields": {"requesting_state": f"must be {court.state}"}},
                )
            heard = draft.person_heard
            assert heard.consent is not None
            made = plan(
                self.profiles,
                self.settings.default_working_hours,
                PlanRequest(
                    requesting_state=court.state,
                    requested_state=draft.requested_state,
                    venue_time_zone=draft.venue_time_zone,
                    proceeding=draft.proceeding.value,
                    role=heard.role.value,
                    consent=heard.consent.value,
                    start=draft.start,
                    duration_minutes=draft.duration_minutes,
                    end=draft.end,
                    recording_requested=draft.recording_requested,
                    hours_override=draft.hours_override,
                    offence=draft.offence.value if draft.offence else None,
                ),
                now,
            )
            # A hearing is born a draft; the decision says whether it is scheduled at once.
            lifecycle = Lifecycle(new_id(), State.DRAFT)
            if not made.pending_review:
                lifecycle.to(State.SCHEDULED)
            hearing = Hearing(
                id=lifecycle.hearing_id,
                court_id=court.id,
                judge_id=p.user_id,
                requesting_state=court.state,
                requested_state=draft.requested_state,
                venue=draft.venue,
                venue_key=conflicts.venue_key(draft.requested_state, draft.venue),
                venue_time_zone=made.venue_time_zone,
                proceeding=draft.proceeding.value,
                offence=draft.offence.value if draft.offence else None,
                case_reference=draft.case_reference,
                starts_at=made.window.start,
                ends_at=made.window.end,
                recording_requested=draft.recording_requested,
                state=lifecycle.state.value,
                legal_decision=made.decision,
                legal_outcome=made.outcome,
                hours_override=draft.hours_override if made.outside_hours else None,
                conditions_met={},
                created_at=now,
                updated_at=now,
            )
            s.add(hearing)
            await s.flush()
            judge = Participant(
                hearing_id=hearing.id,
                role=ParticipantRole.JUDGE.value,
                name=p.display_name,
                time_zone=p.time_zone,
                user_id=p.user_id,
                person_key=conflicts.person_key(p.user_id, "", ""),
            )
            people = [judge]
            for spec, is_heard in [(heard, True), *((o, False) for o in draft.participants)]:
                people.append(await self.roster.build(s, hearing, court, spec, heard=is_heard))
            self.roster.refuse_duplicates(people)
            s.add_all(people)
            await self._refuse_conflicts(s, hearing, people)
            record = HearingRecord(hearing, tuple(people), court_info(court))
            actor = viewer.actor()
            await self.audit.append_in(
                s, hearing.id, "hearing.created", actor, created_fields(record, made)
            )
            await self._audit_decision(s, hearing, actor)
        return record

    async def reschedule(
        self, viewer: Viewer, hearing_id: str, changes: HearingChanges
    ) -> HearingRecord:
        now = self.clock()
        async with self.db.transaction() as s:
            await conflicts.lock_scheduling(s)
            hearing = await self._lock(s, viewer, hearing_id, changes.version, Action.MANAGE)
            lifecycle = Lifecycle(hearing.id, State(hearing.state))
            lifecycle.require(EDITABLE, "reschedule")
            record = await load_record(s, hearing)
            heard = record.person_heard
            old = snapshot(hearing, heard)
            moved = changes.touches_time or changes.venue_time_zone is not None
            old_before = {c["id"] for c in legal.conditions(hearing.legal_decision, "before")}
            override = changes.hours_override or (None if moved else hearing.hours_override)
            made = plan(
                self.profiles,
                self.settings.default_working_hours,
                PlanRequest(
                    requesting_state=hearing.requesting_state,
                    requested_state=hearing.requested_state,
                    venue_time_zone=changes.venue_time_zone or hearing.venue_time_zone,
                    proceeding=hearing.proceeding,
                    role=heard.role,
                    consent=(
                        changes.consent.value if changes.consent else heard.consent or "unknown"
                    ),
                    start=changes.start or TimeSpec("starts_at", utc=hearing.starts_at),
                    duration_minutes=_duration(hearing, changes),
                    end=changes.end,
                    recording_requested=(
                        hearing.recording_requested
                        if changes.recording_requested is None
                        else changes.recording_requested
                    ),
                    hours_override=override,
                    offence=_offence(hearing, changes),
                    check_notice=changes.touches_time,
                    known_notice_conditions=frozenset(old_before),
                ),
                now,
            )
            self._apply(hearing, heard, changes, made, override, now)
            await s.flush()
            await self._refuse_conflicts(s, hearing, list(record.participants))
            self._follow_decision(lifecycle, made)
            hearing.state = lifecycle.state.value
            await self._flush(s)
            record = await load_record(s, hearing)
            actor = viewer.actor()
            new = snapshot(hearing, heard)
            changed = {k: {"from": old[k], "to": new[k]} for k in new if old[k] != new[k]}
            fields: dict[str, object] = {"version": hearing.version, "changes": changed}
            fields["working_hours_override"] = hearing.hours_override
            await self.audit.append_in(s, hearing.id, "hearing.rescheduled", actor, fields)
            await self._audit_decision(s, hearing, actor)
            if old["state"] != hearing.state:
                await self._audit_state(s, hearing, str(old["state"]), actor)
            for listener in self.listeners:
                await listener(s, record, "rescheduled", actor)
        return record

    async def cancel(
        self, viewer: Viewer, hearing_id: str, version: int, reason: str
    ) -> HearingRecord:
        async with self.db.transaction() as s:
            hearing = await self._lock(s, viewer, hearing_id, version, Action.MANAGE)
            return await self._cancel(s, hearing, reason, viewer.actor(), "hearing.cancelled")

    async def add_participant(
        self, viewer: Viewer, hearing_id: str, version: int, spec: PersonSpec
    ) -> HearingRecord:
        async with self.db.transaction() as s:
            await conflicts.lock_scheduling(s)
            hearing = await self._lock(s, viewer, hearing_id, version, Action.MANAGE)
            Lifecycle(hearing.id, State(hearing.state)).require(
                frozenset({State.DRAFT, State.SCHEDULED, State.OPEN}), "add a participant"
            )
            record = await load_record(s, hearing)
            person = await self.roster.build(s, hearing, record.court, spec, heard=False)
            self.roster.refuse_duplicates([*record.participants, person])
            s.add(person)
            await s.flush()
            await self._refuse_conflicts(s, hearing, [person])
            hearing.updated_at = self.clock()
            await self._flush(s)
            fields: dict[str, object] = {
                "participant": {"id": person.id, "role": person.role, "name": person.name},
                "version": hearing.version,
            }
            await self.audit.append_in(s, hearing.id, "participant.added", viewer.actor(), fields)
            return await load_record(s, hearing)

    # -- helpers ------------------------------------------------------------------------------

    async def _refuse_conflicts(
        self, s: AsyncSession, hearing: Hearing, people: list[Participant]
    ) -> None:
        keys = {p.person_key for p in people} - {conflicts.person_key(hearing.judge_id, "", "")}
        found = await conflicts.find_conflicts(
            s,
            hearing_id=hearing.id,
            court_id=hearing.court_id,
            span=Window(hearing.starts_at, hearing.ends_at),
            judge_id=hearing.judge_id,
            venue=hearing.venue_key,
            people=keys,
        )
        conflicts.raise_conflicts(found)

    def _apply(
        self,
        hearing: Hearing,
        heard: Participant,
        changes: HearingChanges,
        made: Plan,
        override: str | None,
        now: datetime,
    ) -> None:
        if changes.touches_time or changes.venue_time_zone or changes.venue:
            # Notice was given, and permission obtained, for the old date and place.
            hearing.conditions_met = {}
        hearing.starts_at, hearing.ends_at = made.window.start, made.window.end
        hearing.venue_time_zone = made.venue_time_zone
        if changes.venue is not None:
            hearing.venue = changes.venue
            hearing.venue_key = conflicts.venue_key(hearing.requested_state, changes.venue)
        if changes.recording_requested is not None:
            hearing.recording_requested = changes.recording_requested
        if changes.consent is not None:
            heard.consent = changes.consent.value
        hearing.offence = _offence(hearing, changes)
        hearing.legal_decision = made.decision
        hearing.legal_outcome = made.outcome
        hearing.legal_review = None
        hearing.hours_override = override if made.outside_hours else None
        hearing.updated_at = now

    @staticmethod
    def _follow_decision(lifecycle: Lifecycle, made: Plan) -> None:
        if made.pending_review and lifecycle.state is State.SCHEDULED:
            lifecycle.to(State.DRAFT)
        elif not made.pending_review and lifecycle.state is State.DRAFT:
            lifecycle.to(State.SCHEDULED)

    async def _audit_decision(
        self, s: AsyncSession, hearing: Hearing, actor: dict[str, str]
    ) -> None:
        fields: dict[str, object] = {"decision": hearing.legal_decision, "version": hearing.version}
        await self.audit.append_in(s, hearing.id, "legal.decision", actor, fields)


def _offence(hearing: Hearing, changes: HearingChanges) -> str | None:
    """The offence scope after the changes: the one sent (None clears it), else the stored one."""
    if not changes.offence_given:
        return hearing.offence
    return changes.offence.value if changes.offence else None


def _duration(hearing: Hearing, changes: HearingChanges) -> int | None:
    if changes.end is not None:
        return None
    if changes.duration_minutes is not None:
        return changes.duration_minutes
    return int((hearing.ends_at - hearing.starts_at).total_seconds() // 60)
