"""The words of the outbox: invitation, one-time code, reschedule and cancellation letters, each
with the hearing in the reader's own time zone and, for participants, an .ics file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.accounts.models import User
from vc_service.hearings.calendar import CalendarEntry, ics
from vc_service.hearings.models import Participant
from vc_service.hearings.outbox import Outbox
from vc_service.hearings.scheduling import local_time
from vc_service.hearings.views import HearingRecord


def when(record: HearingRecord, zone: str) -> str:
    h = record.hearing
    start = local_time(h.starts_at, zone)
    end = local_time(h.ends_at, zone)
    day_and_start = start["local"].replace("T", " ")
    return f"{day_and_start} to {end['local'][11:]} ({zone}, {start['abbreviation']})"


def calendar_entry(
    record: HearingRecord, person: Participant, url: str = "", cancelled: bool = False
) -> CalendarEntry:
    h = record.hearing
    return CalendarEntry(
        uid=f"{h.id}-{person.id}@vc-service",
        sequence=h.version,
        start=h.starts_at,
        end=h.ends_at,
        time_zone=person.time_zone,
        summary=f"Hearing by videoconference: {h.case_reference}",
        description=(
            f"{record.court.name} ({h.requesting_state}) hears a {record.person_heard.role} "
            f"in {h.requested_state} by videoconference. Your role: {person.role}. "
            "Join through the link in your invitation; the one-time code reaches you separately."
        ),
        location=f"Videoconference; venue: {h.venue}",
        url=url,
        cancelled=cancelled,
    )


def calendar_file(
    record: HearingRecord, person: Participant, stamp: datetime, url: str = ""
) -> bytes:
    cancelled = record.hearing.state == "cancelled"
    return ics(calendar_entry(record, person, url, cancelled), stamp)


def queue_invitation(
    outbox: Outbox,
    s: AsyncSession,
    record: HearingRecord,
    person: Participant,
    link: str,
    stamp: datetime,
) -> None:
    h = record.hearing
    body = (
        f"Dear {person.name},\n\n"
        f"{record.court.name} invites you, as {person.role}, to a hearing by videoconference "
        f"in case {h.case_reference}.\n\n"
        f"When: {when(record, person.time_zone)}\n"
        f"Venue: {h.venue}\n\n"
        f"Open this link in a current web browser (camera and microphone needed):\n{link}\n\n"
        "You will also need a six-digit one-time code, which the court gives you separately "
        "(for example by telephone). Do not forward this message: the link is personal.\n"
    )
    outbox.queue(
        s,
        hearing_id=h.id,
        participant_id=person.id,
        kind="invitation",
        recipient=person.email,
        recipient_name=person.name,
        subject=f"Invitation: hearing by videoconference, case {h.case_reference}",
        body=body,
        attachment=calendar_file(record, person, stamp, link),
        attachment_name="hearing.ics",
    )


def queue_code(
    outbox: Outbox,
    s: AsyncSession,
    record: HearingRecord,
    person: Participant,
    code: str,
    issuer: User | None,
) -> None:
    """The code goes to the judge or clerk, never with the link: they pass it on another way."""
    h = record.hearing
    body = (
        f"One-time code for {person.name} ({person.role}) in case {h.case_reference}: {code}\n\n"
        "Pass it on through another channel than the invitation e-mail (telephone, in person). "
        "It works once; the hearing page shows the next one if the person must join again.\n"
    )
    outbox.queue(
        s,
        hearing_id=h.id,
        participant_id=person.id,
        kind="code",
        recipient=issuer.email if issuer is not None else "",
        recipient_name=issuer.display_name if issuer is not None else "",
        subject=f"One-time code for {person.name}, case {h.case_reference}",
        body=body,
    )


def queue_change(
    outbox: Outbox,
    s: AsyncSession,
    record: HearingRecord,
    person: Participant,
    kind: str,
    stamp: datetime,
) -> None:
    h = record.hearing
    if kind == "cancelled":
        subject = f"Cancelled: hearing by videoconference, case {h.case_reference}"
        text = f"The hearing in case {h.case_reference} is cancelled. Your link no longer works."
    else:
        subject = f"New time: hearing by videoconference, case {h.case_reference}"
        text = (
            f"The hearing in case {h.case_reference} now takes place "
            f"{when(record, person.time_zone)}. Your link and code stay the same."
        )
    outbox.queue(
        s,
        hearing_id=h.id,
        participant_id=person.id,
        kind=kind,
        recipient=person.email,
        recipient_name=person.name,
        subject=subject,
        body=f"Dear {person.name},\n\n{text}\n",
        attachment=calendar_file(record, person, stamp),
        attachment_name="hearing.ics",
    )
