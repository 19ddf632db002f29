"""Invitations, the participant's side: what a link is for, the one-time code, and the join
credential that the live hearing's `hello` carries (`verify_join`).

A link works only for its own hearing, only while it is the participant's current one, and only
from `VC_INVITATION_LEAD_MINUTES` before the start until the end. A person who passes the code
before the judge opens the waiting room gets a credential that lasts until the end of the link's
window (not minutes): her page waits, asking `lookup` whether the room is open (`lobby_open`), and
connects once it is; a `hello` that comes too early is refused with `auth.not_open` without using
the credential up, so the code is passed once. Wrong codes slow down and then
lock the invitation (after `VC_CODE_MAX_FAILURES`) until the judge or clerk issues a new code; a
used code never works again. Requested-state authorities (and the court's staff) may instead join
with their own signed-in account.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from legal_profiles.plain import PlainTexts, participant_condition
from vc_service.accounts.models import Court, Role, User
from vc_service.accounts.service import Principal
from vc_service.errors import Conflict, Forbidden, Locked, NotFound, ServiceError, Unauthenticated
from vc_service.hearings import credentials, legal, letters
from vc_service.hearings.access import Viewer, visible
from vc_service.hearings.conflicts import lock_hearing
from vc_service.hearings.credentials import JoinRefused
from vc_service.hearings.invitations import InvitationService, participant_actor
from vc_service.hearings.lifecycle import JOINABLE, State
from vc_service.hearings.models import Hearing, Invitation, InvitationStatus, Participant
from vc_service.hearings.records import load_record
from vc_service.hearings.scheduling import local_time, utc_text

CREDENTIAL_SECONDS = 300
# The waiting room is open once the judge opened the hearing (and until it closes).
LOBBY_OPEN = frozenset({State.OPEN, State.IN_SESSION, State.TESTIMONY})
MAX_BACKOFF_SECONDS = 60


class LinkGone(ServiceError):
    """The link was revoked, replaced, or its hearing is over or cancelled."""

    status = 410
    code = "invitation.gone"


@dataclass(frozen=True)
class JoinGrant:
    credential: str
    expires_at: datetime
    hearing_id: str
    participant_id: str
    role: str
    name: str
    # False: the judge has not opened the waiting room yet; connect once `lookup` says it is.
    lobby_open: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "credential": self.credential,
            "expires_at": utc_text(self.expires_at),
            "hearing_id": self.hearing_id,
            "participant": {"id": self.participant_id, "role": self.role, "name": self.name},
            "lobby_open": self.lobby_open,
        }


@dataclass(frozen=True)
class JoinIdentity:
    """Who a verified join credential belongs to (what the room's `hello` learns)."""

    hearing_id: str
    participant_id: str
    role: str  # the participant role vocabulary, e.g. "witness", "authority", "judge"
    display_name: str
    via: str  # "invitation:<id>" or "account:<user id>"


def _notice(condition: dict[str, Any]) -> dict[str, Any]:
    # Before admission nobody acts on a notice: who meets it and when is the room's business.
    return {key: condition[key] for key in ("id", "plain", "citation")}


def _not_open() -> JoinRefused:
    return JoinRefused(
        "the hearing has not started: the judge has not opened the waiting room yet",
        code="auth.not_open",
        status=409,
    )


def backoff_seconds(failures: int) -> int:
    """Wait after the n-th wrong code: none after the first, then 1, 2, 4 ... 60 s."""
    return 0 if failures < 2 else min(2 ** (failures - 2), MAX_BACKOFF_SECONDS)


class Joining:
    def __init__(self, invitations: InvitationService) -> None:
        self.invitations = invitations
        self.db = invitations.db
        self.audit = invitations.audit
        self.settings = invitations.settings
        self._key = invitations.key.derive("join-credential")

    def now(self) -> datetime:
        return self.invitations.hearings.clock()

    # -- what a link is for --------------------------------------------------------------

    async def lookup(self, hearing_id: str, token: str) -> dict[str, Any]:
        async with self.db.session() as s:
            hearing = await s.get(Hearing, hearing_id)
            invitation, person = await self._usable(s, hearing, hearing_id, token, timed=False)
            assert hearing is not None
            record = await load_record(s, hearing)
        valid_from, valid_until = self.invitations.window(hearing)
        now = self.now()
        h = hearing
        return {
            "hearing": {
                "id": h.id,
                "state": h.state,
                # The venue's IANA zone, as the staff views name it; `venue.time_zone` is the same.
                "venue_timezone": h.venue_time_zone,
                "court": record.court.name,
                "requesting_state": h.requesting_state,
                "requested_state": h.requested_state,
                "venue": {"name": h.venue, "time_zone": h.venue_time_zone},
                "proceeding": h.proceeding,
                "case_reference": h.case_reference,
                "starts_at": utc_text(h.starts_at),
                "ends_at": utc_text(h.ends_at),
                "starts": local_time(h.starts_at, person.time_zone),
                "ends": local_time(h.ends_at, person.time_zone),
                "recording": {
                    "requested": h.recording_requested,
                    "lawful": legal.recording_lawful(h.legal_decision),
                },
            },
            "participant": {
                "id": person.id,
                "role": person.role,
                "name": person.name,
                "language": person.language,
                "time_zone": person.time_zone,
                "heard": person.heard,
            },
            "invitation": {
                "valid_from": utc_text(valid_from),
                "valid_until": utc_text(valid_until),
                "open_now": valid_from <= now < valid_until and h.state in JOINABLE,
                # Whether a join credential connects now, or the page waits for the judge.
                "lobby_open": h.state in LOBBY_OPEN,
                "locked": invitation.locked,
                "attempts_left": max(0, self.settings.code_max_failures - invitation.code_failures),
            },
            # What the person must be told in the room, under both laws: in plain language
            # only; the legal text and the profile's internals stay with the court's staff.
            "notices": self.notices(h.legal_decision),
        }

    def notices(self, decision: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The decision's `during` conditions as a participant reads them (`plain` by language,
        the public `citation`)."""
        return [
            _notice(participant_condition(condition, self.plain))
            for condition in legal.conditions(decision, "during")
        ]

    def room_condition(self, condition: Mapping[str, Any]) -> dict[str, Any]:
        """A condition for the live room: as the engine states it (for staff), plus what the
        room shows everyone else (`plain`, `public_citation`)."""
        seen = participant_condition(condition, self.plain)
        return {**condition, "plain": seen["plain"], "public_citation": seen["citation"]}

    @property
    def plain(self) -> PlainTexts:
        return self.invitations.hearings.profiles.plain

    async def calendar(self, hearing_id: str, token: str) -> bytes:
        async with self.db.session() as s:
            hearing = await s.get(Hearing, hearing_id)
            _, person = await self._usable(s, hearing, hearing_id, token, timed=False)
            assert hearing is not None
            record = await load_record(s, hearing)
        link = self.invitations.link(hearing_id, token)
        return letters.calendar_file(record, person, self.now(), link)

    # -- the one-time code -----------------------------------------------------------------

    async def join(
        self, hearing_id: str, token: str, code: str, *, may_wait: bool = True
    ) -> JoinGrant:
        """Exchange link + one-time code for a join credential. Before the waiting room opens
        the credential lasts until the link's window ends, so that the person passes the code
        once and waits; `may_wait=False` (a caller that cannot wait) is refused with
        `auth.not_open` before the code is looked at, so the code is not used up."""
        refusal: ServiceError | None = None
        async with self.db.transaction() as s:
            hearing = await lock_hearing(s, hearing_id)
            invitation, person = await self._usable(s, hearing, hearing_id, token, timed=True)
            now = self.now()
            lobby_open = State(hearing.state) in LOBBY_OPEN
            if not lobby_open and not may_wait:
                raise _not_open()
            if invitation.locked:
                raise Locked(
                    "too many wrong codes: ask the court for a new code",
                    code="invitation.locked",
                )
            wait = backoff_seconds(invitation.code_failures)
            if invitation.last_failure_at is not None and wait:
                ready = invitation.last_failure_at + timedelta(seconds=wait)
                if now < ready:
                    seconds = int((ready - now).total_seconds()) + 1
                    raise Locked(
                        f"wait {seconds} s before trying another code",
                        code="invitation.rate_limited",
                        details={"retry_after_seconds": seconds},
                    )
            seed = self.invitations.seed(invitation)
            counter = invitation.code_counter
            if credentials.code_matches(seed, counter, code):
                invitation.code_counter = counter + 1
                until = None if lobby_open else self.invitations.window(hearing)[1]
                grant = self._grant(person, f"invitation:{invitation.id}", now, until)
                fields: dict[str, object] = {
                    "invitation_id": invitation.id,
                    "code_number": counter,
                    "lobby_open": lobby_open,
                    "credential_expires_at": utc_text(grant.expires_at),
                }
                await self.audit.append_in(
                    s, hearing_id, "invitation.code_accepted", participant_actor(person), fields
                )
                return grant
            replayed = any(credentials.code_matches(seed, n, code) for n in range(counter))
            refusal = await self._fail(s, hearing_id, invitation, person, replayed, now)
        raise refusal

    async def _fail(
        self,
        s: AsyncSession,
        hearing_id: str,
        invitation: Invitation,
        person: Participant,
        replayed: bool,
        now: datetime,
    ) -> ServiceError:
        """Record a wrong or replayed code (committed) and return the error to raise."""
        if not replayed:
            # A replay is not a guess (the code was right once), so it does not count to the lock.
            invitation.code_failures += 1
            invitation.last_failure_at = now
            invitation.locked = invitation.code_failures >= self.settings.code_max_failures
        fields: dict[str, object] = {
            "invitation_id": invitation.id,
            "reason": "replayed" if replayed else "wrong",
            "failures": invitation.code_failures,
            "locked": invitation.locked,
        }
        await s.flush()
        await self.audit.append_in(
            s, hearing_id, "invitation.code_failed", participant_actor(person), fields
        )
        if replayed:
            return Conflict(
                "this code was already used; ask the court for the current code",
                code="invitation.code_used",
            )
        if invitation.locked:
            return Locked(
                "too many wrong codes: ask the court for a new code", code="invitation.locked"
            )
        left = self.settings.code_max_failures - invitation.code_failures
        return Unauthenticated(
            f"wrong code; {left} attempt(s) left",
            code="invitation.wrong_code",
            details={"attempts_left": left},
        )

    # -- signed-in accounts ----------------------------------------------------------------

    async def join_with_account(
        self, principal: Principal, hearing_id: str, participant_id: str | None = None
    ) -> JoinGrant:
        """A judge, clerk or requested-state authority joins with their own account (TOTP)."""
        async with self.db.transaction() as s:
            hearing = await lock_hearing(s, hearing_id)
            court = await s.get(Court, principal.court_id)
            viewer = Viewer(principal, court.state if court else "")
            if not visible(viewer, hearing.court_id, hearing.requested_state):
                raise NotFound(f"no hearing {hearing_id}", code="hearing.not_found")
            if hearing.state not in JOINABLE:
                raise Conflict(
                    f"hearing {hearing_id} is {hearing.state}: nobody can join it now",
                    code="join.not_joinable",
                    details={"state": hearing.state},
                )
            people = (await load_record(s, hearing)).participants
            person = next((p for p in people if p.user_id == principal.user_id), None)
            if person is None and principal.role is Role.AUTHORITY:
                person = await self._bind_authority(s, hearing, people, principal, participant_id)
            if person is None:
                raise Forbidden(
                    "your account is not a participant of this hearing",
                    code="join.not_a_participant",
                )
            return self._grant(person, f"account:{principal.user_id}", self.now())

    async def _bind_authority(
        self,
        s: AsyncSession,
        hearing: Hearing,
        people: tuple[Participant, ...],
        principal: Principal,
        participant_id: str | None,
    ) -> Participant | None:
        """Seat an authority's account on an authority seat the judge left unbound."""
        free = [p for p in people if p.role == "authority" and p.user_id is None]
        if participant_id is not None:
            free = [p for p in free if p.id == participant_id]
        if len(free) != 1:
            return None
        person = free[0]
        person.user_id = principal.user_id
        await s.flush()
        actor = {"role": "authority", "id": principal.user_id, "name": principal.display_name}
        fields: dict[str, object] = {"participant_id": person.id, "user_id": principal.user_id}
        await self.audit.append_in(s, hearing.id, "participant.account_bound", actor, fields)
        return person

    # -- the live hearing's check ----------------------------------------------------------

    async def verify_join(self, hearing_id: str, credential: str) -> JoinIdentity:
        """Check a join credential for `hearing_id` and use it up. Raises `JoinRefused` with
        code auth.bad_credential | auth.wrong_hearing | auth.expired | auth.replayed |
        auth.revoked | auth.not_joinable | auth.not_open (an invitation's credential before the
        judge opened the waiting room: not used up, the page tries again once it is open)."""
        now = self.now()
        claim = credentials.verify(self._key, credential, hearing_id, int(now.timestamp()))
        async with self.db.transaction() as s:
            try:
                hearing = await lock_hearing(s, hearing_id)
            except NotFound:
                raise JoinRefused("no such hearing", code="auth.bad_credential") from None
            if hearing.state not in JOINABLE:
                raise JoinRefused(
                    f"the hearing is {hearing.state}", code="auth.not_joinable", status=409
                )
            person = await s.get(Participant, claim.participant_id)
            if person is None or person.hearing_id != hearing_id:
                raise JoinRefused("the join credential is not valid", code="auth.bad_credential")
            await self._still_entitled(s, person, claim.via)
            expected = credentials.nonce_hash(claim.nonce)
            if person.join_nonce_hash is None or not hmac.compare_digest(
                person.join_nonce_hash, expected
            ):
                raise JoinRefused("the join credential was already used", code="auth.replayed")
            if claim.via.startswith("invitation:") and State(hearing.state) not in LOBBY_OPEN:
                raise _not_open()
            person.join_nonce_hash = None
        return JoinIdentity(hearing_id, person.id, person.role, person.name, claim.via)

    async def authenticate_invitation(self, hearing_id: str, token: str, code: str) -> JoinIdentity:
        """A `hello` carrying the link token and the code directly (it cannot wait: refused
        before the waiting room opens, with the code kept)."""
        grant = await self.join(hearing_id, token, code, may_wait=False)
        return await self.verify_join(hearing_id, grant.credential)

    async def _still_entitled(self, s: AsyncSession, person: Participant, via: str) -> None:
        kind, _, ident = via.partition(":")
        if kind == "invitation":
            invitation = await s.get(Invitation, ident)
            if invitation is None or invitation.status != InvitationStatus.ACTIVE.value:
                raise JoinRefused("the invitation was revoked", code="auth.revoked")
            return
        user = await s.get(User, ident)
        if kind != "account" or user is None or user.disabled or person.user_id != user.id:
            raise JoinRefused("the account may no longer join", code="auth.revoked")

    # -- helpers ------------------------------------------------------------------------------

    def _grant(
        self, person: Participant, via: str, now: datetime, until: datetime | None = None
    ) -> JoinGrant:
        """A credential for minutes, or (`until`: the person waits for the waiting room to
        open) until then, if that is later. Either way it is used up by its first `hello`."""
        nonce = credentials.new_token()
        person.join_nonce_hash = credentials.nonce_hash(nonce)
        expires = now + timedelta(seconds=CREDENTIAL_SECONDS)
        if until is not None:
            expires = max(expires, until)
        claim = credentials.JoinClaim(
            person.hearing_id, person.id, person.role, via, nonce, int(expires.timestamp())
        )
        return JoinGrant(
            credentials.sign(self._key, claim), expires, person.hearing_id, person.id,
            person.role, person.name, lobby_open=until is None,
        )  # fmt: skip

    async def _usable(
        self, s: AsyncSession, hearing: Hearing | None, hearing_id: str, token: str, *, timed: bool
    ) -> tuple[Invitation, Participant]:
        """The invitation behind a link, if the link may be used for this hearing now."""
        invitation = await s.scalar(
            select(Invitation).where(Invitation.token_hash == credentials.token_hash(token))
        )
        if invitation is None or hearing is None:
            raise NotFound("this link is not valid", code="invitation.not_found")
        if invitation.hearing_id != hearing_id:
            raise Forbidden("this link is for another hearing", code="invitation.wrong_hearing")
        if invitation.status == InvitationStatus.REVOKED.value:
            raise LinkGone("this link was revoked", code="invitation.revoked")
        if invitation.status == InvitationStatus.SUPERSEDED.value:
            raise LinkGone("this link was replaced by a newer one", code="invitation.superseded")
        state = State(hearing.state)
        if state is State.CANCELLED:
            raise LinkGone("the hearing was cancelled", code="invitation.hearing_cancelled")
        valid_from, valid_until = self.invitations.window(hearing)
        now = self.now()
        # A hearing that runs over its planned end is not over until it is closed.
        running = state in (State.IN_SESSION, State.TESTIMONY)
        if state in (State.CLOSED, State.SEALED) or (now >= valid_until and not running):
            raise LinkGone("the hearing is over: this link has expired", code="invitation.expired")
        if timed and (now < valid_from or state not in JOINABLE):
            raise Forbidden(
                f"this link opens at {utc_text(valid_from)}",
                code="invitation.not_yet_valid",
                details={"valid_from": utc_text(valid_from)},
            )
        person = await s.get(Participant, invitation.participant_id)
        assert person is not None
        return invitation, person
