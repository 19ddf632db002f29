"""Double-booking: the same judge, person or venue in two hearings at once, and the locks that
make the check hold under concurrency."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.errors import Conflict, NotFound
from vc_service.hearings.lifecycle import ACTIVE
from vc_service.hearings.models import Hearing, Participant, SchedulingLock
from vc_service.hearings.scheduling import Window, utc_text


def fold(text: str) -> str:
    """Case- and spacing-insensitive form of a name, for matching people and venues."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(normal.split())


def venue_key(state: str, venue: str) -> str:
    return f"{state}:{fold(venue)}"[:220]


def person_key(user_id: str | None, email: str, name: str) -> str:
    if user_id:
        return f"user:{user_id}"
    if email:
        return f"email:{email.casefold()}"
    return f"name:{fold(name)}"[:260]


async def lock_scheduling(session: AsyncSession) -> None:
    """Take the scheduling lock as the transaction's first write (see `SchedulingLock`)."""
    result = await session.execute(
        update(SchedulingLock)
        .where(SchedulingLock.id == 1)
        .values(counter=SchedulingLock.counter + 1)
    )
    if getattr(result, "rowcount", 0) == 0:
        session.add(SchedulingLock(id=1, counter=1))
        await session.flush()


async def lock_hearing(session: AsyncSession, hearing_id: str) -> Hearing:
    """Lock one hearing's row (a no-op UPDATE: a row lock on PostgreSQL, the write lock on
    SQLite, taken before any read so no stale snapshot is upgraded) and load it."""
    result = await session.execute(
        update(Hearing)
        .where(Hearing.id == hearing_id)
        .values(state=Hearing.state)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) == 0:
        raise NotFound(f"no hearing {hearing_id}", code="hearing.not_found")
    hearing = await session.get(Hearing, hearing_id, populate_existing=True)
    assert hearing is not None
    return hearing


async def find_conflicts(
    session: AsyncSession,
    *,
    hearing_id: str | None,
    court_id: str,
    span: Window,
    judge_id: str,
    venue: str,
    people: Collection[str],
) -> list[dict[str, Any]]:
    """Other active hearings overlapping `span` that share the judge, the venue or a person."""
    shares_person = Hearing.id.in_(
        select(Participant.hearing_id).where(Participant.person_key.in_(list(people)))
    )
    query = select(Hearing).where(
        Hearing.state.in_([state.value for state in ACTIVE]),
        Hearing.starts_at < span.end,
        Hearing.ends_at > span.start,
        or_(Hearing.judge_id == judge_id, Hearing.venue_key == venue, shares_person),
    )
    if hearing_id is not None:
        query = query.where(Hearing.id != hearing_id)
    found: list[dict[str, Any]] = []
    for other in (await session.scalars(query)).all():
        kinds = []
        if other.judge_id == judge_id:
            kinds.append("judge")
        if other.venue_key == venue:
            kinds.append("venue")
        shared = await session.scalars(
            select(Participant.name).where(
                Participant.hearing_id == other.id, Participant.person_key.in_(list(people))
            )
        )
        names = sorted(shared.all())
        if names:
            kinds.append("person")
        item: dict[str, Any] = {
            "kinds": kinds,
            "starts_at": utc_text(other.starts_at),
            "ends_at": utc_text(other.ends_at),
        }
        # Another court's hearing is never shown, only that the slot is taken.
        if other.court_id == court_id:
            item["hearing_id"] = other.id
            item["people"] = names
        found.append(item)
    return found


def raise_conflicts(conflicts: list[dict[str, Any]]) -> None:
    if conflicts:
        kinds = sorted({kind for item in conflicts for kind in item["kinds"]})
        raise Conflict(
            f"double-booked: the same {', '.join(kinds)} is in another hearing at that time",
            code="hearing.conflict",
            details={"conflicts": conflicts},
        )
