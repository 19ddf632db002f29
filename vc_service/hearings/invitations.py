"""Invitations, the judge's and clerk's side: issue, re-issue, revoke, new code, overview.

One invitation per participant, bound to the hearing and the participant's role. Its link carries
a 256-bit token shown once (the database keeps its SHA-256); a re-issue supersedes the old link at
once. The one-time code goes to the judge or clerk, who passes it on through another channel
than the link's e-mail. Each change commits with its audit event and its outbox letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.accounts.models import User
from vc_service.accounts.totp import qr_svg_data_uri
from vc_service.audit.store import AuditStore
from vc_service.config import Settings
from vc_service.db import Database, new_id
from vc_service.errors import Conflict, NotFound, ValidationFailed
from vc_service.hearings import credentials, letters
from vc_service.hearings.access import Action, Viewer, check
from vc_service.hearings.conflicts import lock_hearing
from vc_service.hearings.lifecycle import INVITABLE, JOINABLE, Lifecycle, State
from vc_service.hearings.models import (
    Hearing,
    Invitation,
    InvitationStatus,
    Participant,
    ParticipantRole,
)
from vc_service.hearings.outbox import Outbox
from vc_service.hearings.records import load_record
from vc_service.hearings.scheduling import utc_text
from vc_service.hearings.service import HearingService
from vc_service.hearings.views import HearingRecord
from vc_service.hearings.withdrawal import INVITATION_REVOKED, Notice, tell
from vc_service.service_key import ServiceKey

CODE_PURPOSE = "invitation-code-seed"


@dataclass(frozen=True)
class Issued:
    """A new invitation. `token`, `link` and `code` are shown this once."""

    invitation_id: str
    hearing_id: str
    participant_id: str
    role: str
    name: str
    token: str
    link: str
    code: str
    valid_from: datetime
    valid_until: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "invitation_id": self.invitation_id,
            "hearing_id": self.hearing_id,
            "participant_id": self.participant_id,
            "role": self.role,
            "name": self.name,
            "token": self.token,
            "link": self.link,
            # The judge may show the link as a QR code to be scanned with a phone.
            "qr_svg": qr_svg_data_uri(self.link),
            "code": self.code,
            "valid_from": utc_text(self.valid_from),
            "valid_until": utc_text(self.valid_until),
        }


def participant_actor(p: Participant) -> dict[str, str]:
    return {"role": p.role, "id": p.id, "name": p.name}


class InvitationService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        key: ServiceKey,
        audit: AuditStore,
        hearings: HearingService,
        outbox: Outbox,
    ) -> None:
        self.db = db
        self.settings = settings
        self.key = key
        self.audit = audit
        self.hearings = hearings
        self.outbox = outbox
        # Told after a revocation commits, so that the person's live socket closes at once
        # (the live hearing adds its signaling node here).
        self.withdrawals: list[Notice] = []
        hearings.listeners.append(self._on_hearing_change)

    # -- rules shared with joining ----------------------------------------------------------

    def window(self, hearing: Hearing) -> tuple[datetime, datetime]:
        lead = timedelta(minutes=self.settings.invitation_lead_minutes)
        return hearing.starts_at - lead, hearing.ends_at

    def link(self, hearing_id: str, token: str) -> str:
        # The token rides in the fragment: browsers never send it to a server or a referrer.
        return f"{self.settings.base_url}/join/{hearing_id}#{token}"

    def seed(self, invitation: Invitation) -> str:
        return self.key.decrypt(
            CODE_PURPOSE, invitation.code_secret_enc, invitation.id.encode()
        ).decode()

    def current_code(self, invitation: Invitation) -> str:
        return credentials.code_at(self.seed(invitation), invitation.code_counter)

    async def deliver(self) -> None:
        """Send what the last change queued (after its commit); failures stay in the outbox."""
        await self.outbox.deliver_pending()

    # -- the judge's and clerk's actions ----------------------------------------------------

    async def issue(
        self, viewer: Viewer, hearing_id: str, participant_id: str, *, reissue: bool = False
    ) -> Issued:
        async with self.db.transaction() as s:
            hearing, person = await self._target(s, viewer, hearing_id, participant_id)
            Lifecycle(hearing.id, State(hearing.state)).require(INVITABLE, "issue an invitation")
            if person.role == ParticipantRole.JUDGE.value:
                raise ValidationFailed(
                    "the judge joins with their own account, not by invitation",
                    code="invitation.judge_has_account",
                )
            actor = viewer.actor()
            active = await active_invitation(s, person.id)
            if active is not None and not reissue:
                raise Conflict(
                    f"{person.name} already has an invitation; re-issue it to replace the link",
                    code="invitation.already_issued",
                    details={"invitation_id": active.id},
                )
            if active is not None:
                await self._end(s, hearing, person, active, InvitationStatus.SUPERSEDED, actor)
            issued = await self._create(s, hearing, person, actor, reissue=active is not None)
            record = await load_record(s, hearing)
            issuer = await s.get(User, viewer.principal.user_id)
            self._queue_invitation(s, record, person, issued, issuer)
        await self.deliver()
        return issued

    async def revoke(
        self, viewer: Viewer, hearing_id: str, participant_id: str, reason: str
    ) -> None:
        async with self.db.transaction() as s:
            hearing, person = await self._target(s, viewer, hearing_id, participant_id)
            active = await active_invitation(s, person.id)
            if active is None:
                raise NotFound(
                    f"{person.name} has no valid invitation", code="invitation.not_found"
                )
            await self._end(
                s, hearing, person, active, InvitationStatus.REVOKED, viewer.actor(), reason
            )
        await tell(self.withdrawals, hearing_id, participant_id, INVITATION_REVOKED)

    async def reset_code(self, viewer: Viewer, hearing_id: str, participant_id: str) -> str:
        """A fresh one-time code (also lifts a lock after too many wrong codes)."""
        async with self.db.transaction() as s:
            hearing, person = await self._target(s, viewer, hearing_id, participant_id)
            active = await active_invitation(s, person.id)
            if active is None:
                raise NotFound(
                    f"{person.name} has no valid invitation", code="invitation.not_found"
                )
            seed = credentials.new_code_seed()
            active.code_secret_enc = self.key.encrypt(
                CODE_PURPOSE, seed.encode(), active.id.encode()
            )
            active.code_counter = 0
            active.code_failures = 0
            active.locked = False
            active.last_failure_at = None
            fields: dict[str, object] = {"invitation_id": active.id, "participant_id": person.id}
            await self.audit.append_in(
                s, hearing.id, "invitation.code_reset", viewer.actor(), fields
            )
            code = credentials.code_at(seed, 0)
            record = await load_record(s, hearing)
            issuer = await s.get(User, viewer.principal.user_id)
            letters.queue_code(self.outbox, s, record, person, code, issuer)
        await self.deliver()
        return code

    async def overview(self, viewer: Viewer, hearing_id: str) -> list[dict[str, Any]]:
        """Every participant with their invitation's state and current code."""
        async with self.db.session() as s:
            hearing = await s.get(Hearing, hearing_id)
            if hearing is None:
                raise NotFound(f"no hearing {hearing_id}", code="hearing.not_found")
            check(viewer, Action.INVITE, hearing.id, hearing.court_id, hearing.requested_state)
            record = await load_record(s, hearing)
            rows = await s.scalars(
                select(Invitation)
                .where(Invitation.hearing_id == hearing.id)
                .order_by(Invitation.issued_at)
            )
            latest = {inv.participant_id: inv for inv in rows.all()}
        valid_from, valid_until = self.window(hearing)
        out = []
        for person in record.participants:
            inv = latest.get(person.id)
            item: dict[str, Any] = {
                "participant": {"id": person.id, "role": person.role, "name": person.name,
                                "email": person.email, "has_account": person.user_id is not None},
                "invitation": None,
            }  # fmt: skip
            if inv is not None:
                usable = inv.status == InvitationStatus.ACTIVE.value and not inv.locked
                item["invitation"] = {
                    "id": inv.id,
                    "status": inv.status,
                    "issued_at": utc_text(inv.issued_at),
                    "valid_from": utc_text(valid_from),
                    "valid_until": utc_text(valid_until),
                    "code": self.current_code(inv) if usable else None,
                    "codes_used": inv.code_counter,
                    "failures": inv.code_failures,
                    "locked": inv.locked,
                }
            out.append(item)
        return out

    async def calendar(self, viewer: Viewer, hearing_id: str, participant_id: str) -> bytes:
        """A participant's .ics as the staff see it (without the link, which is not stored)."""
        async with self.db.session() as s:
            hearing = await s.get(Hearing, hearing_id)
            if hearing is None:
                raise NotFound(f"no hearing {hearing_id}", code="hearing.not_found")
            check(viewer, Action.VIEW, hearing.id, hearing.court_id, hearing.requested_state)
            record = await load_record(s, hearing)
        person = record.participant(participant_id)
        if person is None:
            raise NotFound(
                f"hearing {hearing_id} has no participant {participant_id}",
                code="participant.not_found",
            )
        return letters.calendar_file(record, person, self.hearings.clock())

    # -- helpers ------------------------------------------------------------------------------

    async def _target(
        self, s: AsyncSession, viewer: Viewer, hearing_id: str, participant_id: str
    ) -> tuple[Hearing, Participant]:
        hearing = await lock_hearing(s, hearing_id)
        check(viewer, Action.INVITE, hearing.id, hearing.court_id, hearing.requested_state)
        person = await s.get(Participant, participant_id)
        if person is None or person.hearing_id != hearing.id:
            raise NotFound(
                f"hearing {hearing_id} has no participant {participant_id}",
                code="participant.not_found",
            )
        return hearing, person

    async def _create(
        self,
        s: AsyncSession,
        hearing: Hearing,
        person: Participant,
        actor: dict[str, str],
        *,
        reissue: bool,
    ) -> Issued:
        token = credentials.new_token()
        seed = credentials.new_code_seed()
        invitation_id = new_id()
        invitation = Invitation(
            id=invitation_id,
            hearing_id=hearing.id,
            participant_id=person.id,
            role=person.role,
            token_hash=credentials.token_hash(token),
            status=InvitationStatus.ACTIVE.value,
            # The invitation's id is the seed's associated data: a seed copied to another row
            # does not decrypt.
            code_secret_enc=self.key.encrypt(CODE_PURPOSE, seed.encode(), invitation_id.encode()),
            code_counter=0,
            code_failures=0,
            locked=False,
            issued_by=actor["id"],
            issued_at=self.hearings.clock(),
        )
        s.add(invitation)
        # A credential obtained through an older link must not outlive it.
        person.join_nonce_hash = None
        valid_from, valid_until = self.window(hearing)
        await s.flush()
        fields: dict[str, object] = {
            "invitation_id": invitation.id,
            "participant_id": person.id,
            "role": person.role,
            "name": person.name,
            "valid_from": utc_text(valid_from),
            "valid_until": utc_text(valid_until),
            "reissue": reissue,
        }
        await self.audit.append_in(s, hearing.id, "invitation.issued", actor, fields)
        return Issued(
            invitation.id, hearing.id, person.id, person.role, person.name, token,
            self.link(hearing.id, token), credentials.code_at(seed, 0), valid_from, valid_until,
        )  # fmt: skip

    async def _end(
        self,
        s: AsyncSession,
        hearing: Hearing,
        person: Participant,
        invitation: Invitation,
        status: InvitationStatus,
        actor: dict[str, str],
        reason: str = "",
    ) -> None:
        invitation.status = status.value
        invitation.ended_at = self.hearings.clock()
        invitation.ended_by = actor["id"]
        person.join_nonce_hash = None
        await s.flush()
        fields: dict[str, object] = {
            "invitation_id": invitation.id,
            "participant_id": person.id,
            "reason": reason or ("re-issued" if status is InvitationStatus.SUPERSEDED else ""),
        }
        await self.audit.append_in(s, hearing.id, "invitation.revoked", actor, fields)

    def _queue_invitation(
        self,
        s: AsyncSession,
        record: HearingRecord,
        person: Participant,
        issued: Issued,
        issuer: User | None,
    ) -> None:
        letters.queue_invitation(self.outbox, s, record, person, issued.link, self.hearings.clock())
        letters.queue_code(self.outbox, s, record, person, issued.code, issuer)

    async def _on_hearing_change(
        self, s: AsyncSession, record: HearingRecord, kind: str, actor: dict[str, str]
    ) -> None:
        """Tell invited people about a reschedule or cancellation; a cancellation also ends
        their invitations."""
        hearing = record.hearing
        for person in record.participants:
            active = await active_invitation(s, person.id)
            if active is None:
                continue
            if kind == "cancelled":
                await self._end(
                    s, hearing, person, active, InvitationStatus.REVOKED, actor, "hearing cancelled"
                )
            letters.queue_change(self.outbox, s, record, person, kind, self.hearings.clock())


async def active_invitation(s: AsyncSession, participant_id: str) -> Invitation | None:
    return await s.scalar(
        select(Invitation).where(
            Invitation.participant_id == participant_id,
            Invitation.status == InvitationStatus.ACTIVE.value,
        )
    )


__all__ = ["JOINABLE", "InvitationService", "Issued", "active_invitation", "participant_actor"]
