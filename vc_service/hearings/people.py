"""The people of a hearing: participant rows from what the judge sent, staff accounts checked,
a sensible time zone for each, and nobody listed twice."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.accounts.models import Court, Role, User
from vc_service.errors import Conflict, ValidationFailed
from vc_service.hearings.conflicts import person_key
from vc_service.hearings.forms import PersonSpec
from vc_service.hearings.models import Hearing, Participant, ParticipantRole
from vc_service.hearings.views import CourtInfo

# Who is usually at the requesting court's end; everybody else sits at the venue's end.
_COURT_SIDE = frozenset(
    {ParticipantRole.CLERK, ParticipantRole.COUNSEL, ParticipantRole.PROSECUTOR}
)


class Roster:
    async def build(
        self,
        s: AsyncSession,
        hearing: Hearing,
        court: CourtInfo | Court,
        spec: PersonSpec,
        *,
        heard: bool,
    ) -> Participant:
        user_id = await self._account(s, hearing, spec) if spec.username else None
        zone = spec.time_zone or (
            court.time_zone if spec.role in _COURT_SIDE else hearing.venue_time_zone
        )
        return Participant(
            hearing_id=hearing.id,
            role=spec.role.value,
            name=spec.name,
            email=spec.email,
            language=spec.language,
            time_zone=zone,
            heard=heard,
            consent=spec.consent.value if heard and spec.consent else None,
            user_id=user_id,
            person_key=person_key(user_id, spec.email, spec.name),
        )

    async def _account(self, s: AsyncSession, hearing: Hearing, spec: PersonSpec) -> str:
        """A clerk of the requesting court or an authority of the requested state."""
        user = await s.scalar(select(User).where(User.username == spec.username))
        court = await s.get(Court, user.court_id) if user is not None else None
        problem = ""
        if user is None or court is None or user.disabled:
            problem = "no such account"
        elif spec.role is ParticipantRole.CLERK and (
            user.role is not Role.CLERK or user.court_id != hearing.court_id
        ):
            problem = "is not a clerk of this court"
        elif spec.role is ParticipantRole.AUTHORITY and (
            user.role is not Role.AUTHORITY or court.state != hearing.requested_state
        ):
            problem = f"is not an authority of {hearing.requested_state}"
        if problem:
            raise ValidationFailed(
                f"account {spec.username!r} {problem}",
                code="participant.bad_account",
                details={"fields": {"username": problem}},
            )
        assert user is not None
        return user.id

    @staticmethod
    def refuse_duplicates(people: Iterable[Participant]) -> None:
        seen: dict[str, str] = {}
        for person in people:
            if person.person_key in seen:
                raise Conflict(
                    f"{person.name} is already a participant of this hearing "
                    f"(as {seen[person.person_key]})",
                    code="participant.duplicate",
                    details={"name": person.name, "role": person.role},
                )
            seen[person.person_key] = person.role
