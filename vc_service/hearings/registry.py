"""`Hearings`: the hearings part of the service container (`services.hearings`), and what the live
hearing reads from it (`RoomInfo`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from vc_service.accounts.service import Principal
from vc_service.audit.store import AuditStore
from vc_service.config import Settings
from vc_service.db import Database
from vc_service.hearings import legal
from vc_service.hearings.invitations import InvitationService
from vc_service.hearings.joining import JoinGrant, JoinIdentity, Joining
from vc_service.hearings.lifecycle import State
from vc_service.hearings.models import Hearing
from vc_service.hearings.outbox import Outbox, Sender
from vc_service.hearings.records import load_record
from vc_service.hearings.service import HearingService
from vc_service.service_key import ServiceKey

if TYPE_CHECKING:
    from legal_profiles.loader import ProfileSet


@dataclass(frozen=True)
class RoomParticipant:
    participant_id: str
    role: str
    display_name: str
    heard: bool
    language: str


@dataclass(frozen=True)
class RoomInfo:
    """A hearing as the live room needs it."""

    hearing_id: str
    state: str  # the life-cycle state (see lifecycle.State)
    legal_outcome: str  # allowed | conditional | unknown (reviewed)
    conditions: tuple[dict[str, Any], ...]  # the decision's conditions, every stage
    conditions_met_before: dict[str, Any]  # `before` conditions the judge recorded as met
    recording_rule: str  # the law: allowed | mandatory | court_decides | prohibited | unknown
    recording_requested: bool  # the judge asked for recording when scheduling
    participants: tuple[RoomParticipant, ...]
    person_heard_id: str
    consent: str  # the person heard's consent as scheduled: yes | no | unknown
    starts_at: datetime
    ends_at: datetime

    @property
    def recording_lawful(self) -> bool:
        return self.recording_rule in legal.LAWFUL_RECORDING

    @property
    def recording_permitted(self) -> bool:
        """The room may record: requested by the judge and lawful under both laws."""
        return self.recording_requested and self.recording_lawful


class Hearings:
    """Scheduling, invitations, joining and the outbox, built once per process."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        key: ServiceKey,
        profiles: ProfileSet,
        audit: AuditStore,
        sender: Sender | None = None,
    ) -> None:
        self.db = db
        self.audit = audit
        self.schedule = HearingService(db, settings, profiles, audit)
        self.outbox = Outbox(db, settings, key, sender)
        self.invitations = InvitationService(db, settings, key, audit, self.schedule, self.outbox)
        self.joining = Joining(self.invitations)

    # -- what the live hearing calls -----------------------------------------------------------

    async def verify_join(self, hearing_id: str, credential: str) -> JoinIdentity:
        return await self.joining.verify_join(hearing_id, credential)

    async def authenticate_invitation(self, hearing_id: str, token: str, code: str) -> JoinIdentity:
        return await self.joining.authenticate_invitation(hearing_id, token, code)

    async def join_with_account(
        self, principal: Principal, hearing_id: str, participant_id: str | None = None
    ) -> JoinGrant:
        return await self.joining.join_with_account(principal, hearing_id, participant_id)

    async def advance(
        self,
        hearing_id: str,
        target: State,
        actor: dict[str, str],
        *,
        event: str | None = "hearing.state_changed",
        fields: dict[str, object] | None = None,
    ) -> State:
        return await self.schedule.advance(hearing_id, target, actor, event=event, fields=fields)

    async def room_info(self, hearing_id: str) -> RoomInfo | None:
        async with self.db.session() as s:
            hearing = await s.get(Hearing, hearing_id)
            if hearing is None:
                return None
            record = await load_record(s, hearing)
        heard = record.person_heard
        return RoomInfo(
            hearing_id=hearing.id,
            state=hearing.state,
            legal_outcome=hearing.legal_outcome,
            conditions=tuple(
                self.joining.room_condition(c) for c in legal.conditions(hearing.legal_decision)
            ),
            conditions_met_before=dict(hearing.conditions_met or {}),
            recording_rule=legal.recording_rule(hearing.legal_decision),
            recording_requested=hearing.recording_requested,
            participants=tuple(
                RoomParticipant(p.id, p.role, p.name, p.heard, p.language)
                for p in record.participants
            ),
            person_heard_id=heard.id,
            consent=heard.consent or "unknown",
            starts_at=hearing.starts_at,
            ends_at=hearing.ends_at,
        )
