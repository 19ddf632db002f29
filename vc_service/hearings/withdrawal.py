"""Who may no longer be in a live hearing, and telling the rooms about it.

A person is withdrawn when their account is disabled, or when their invitation was revoked and
no newer one replaced it (a re-issued link after a revocation lets them in again). The database
says so durably; the live room asks it on every resume, before every act that changes the
hearing, and on each node tick (signaling's `Entitlements`). The notice that closes their socket
at once goes through the signaling node (`SignalingNode.exclude`, over the backplane to the
room's owner) when the withdrawal happens in the serving process, or straight to the owner over
Redis from a process that serves nothing (the command line): `tell_rooms_over_redis`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection

from sqlalchemy import select

from signaling.services import JOINABLE_HEARING_STATES
from vc_service.accounts.models import User
from vc_service.db import Database
from vc_service.hearings.models import Hearing, Invitation, InvitationStatus, Participant

log = logging.getLogger(__name__)

INVITATION_REVOKED = "invitation_revoked"
ACCOUNT_DISABLED = "account_disabled"

# (hearing id, participant id, cause): what a room needs to take the person's seat now.
Notice = Callable[[str, str, str], Awaitable[None]]


async def withdrawn(
    db: Database, hearing_id: str, participant_ids: Collection[str]
) -> dict[str, str]:
    """Those of `participant_ids` (of this hearing) no longer let in, with the cause."""
    ids = list(participant_ids)
    if not ids:
        return {}
    causes: dict[str, str] = {}
    async with db.session() as s:
        accounts = await s.execute(
            select(Participant.id)
            .join(User, User.id == Participant.user_id)
            .where(
                Participant.id.in_(ids),
                Participant.hearing_id == hearing_id,
                User.disabled.is_(True),
            )
        )
        for (pid,) in accounts:
            causes[pid] = ACCOUNT_DISABLED
        links = await s.execute(
            select(Invitation.participant_id, Invitation.status).where(
                Invitation.participant_id.in_(ids),
                Invitation.hearing_id == hearing_id,
                Invitation.status.in_(
                    [InvitationStatus.REVOKED.value, InvitationStatus.ACTIVE.value]
                ),
            )
        )
        statuses: dict[str, set[str]] = {}
        for pid, status in links:
            statuses.setdefault(pid, set()).add(status)
    for pid, seen in statuses.items():
        if InvitationStatus.ACTIVE.value not in seen:
            causes.setdefault(pid, INVITATION_REVOKED)
    return causes


async def live_seats(db: Database, user_id: str) -> list[tuple[str, str]]:
    """(hearing id, participant id) of every seat this account holds in a joinable hearing."""
    async with db.session() as s:
        rows = await s.execute(
            select(Participant.hearing_id, Participant.id)
            .join(Hearing, Hearing.id == Participant.hearing_id)
            .where(
                Participant.user_id == user_id,
                Hearing.state.in_(sorted(JOINABLE_HEARING_STATES)),
            )
        )
        return [(hearing_id, pid) for hearing_id, pid in rows]


async def tell(
    notices: Collection[Notice], hearing_id: str, participant_id: str, cause: str
) -> None:
    """Tell the live rooms (after the withdrawal committed). A failure is logged, never raised:
    the withdrawal stands, and the rooms' own checks refuse the person anyway."""
    for notice in notices:
        try:
            await notice(hearing_id, participant_id, cause)
        except Exception:
            log.exception("telling the room of hearing %s about a withdrawal failed", hearing_id)


async def tell_rooms_over_redis(
    db: Database, redis_url: str, user_id: str, cause: str = ACCOUNT_DISABLED
) -> int:
    """From a process that serves no room: tell each room this account sits in, wherever it
    runs. Returns how many rooms were open (and told)."""
    from signaling.backplane import exclude_over_redis

    told = 0
    for hearing_id, participant_id in await live_seats(db, user_id):
        if await exclude_over_redis(redis_url, hearing_id, participant_id, cause):
            told += 1
    return told
