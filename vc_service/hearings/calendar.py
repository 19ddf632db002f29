"""An iCalendar (.ics) file per invitation, with the hearing in the participant's own zone. Pure.

The event carries the zone's VTIMEZONE so calendar programs show the right wall time even across
a DST change; its UID is stable per participant and SEQUENCE follows the hearing's version, so a
reschedule or a cancellation updates the entry people already have instead of adding another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//vc-service//hearing invitation//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    sequence: int
    start: datetime  # aware, any zone
    end: datetime
    time_zone: str  # the participant's IANA zone
    summary: str
    description: str
    location: str
    url: str = ""
    cancelled: bool = False


def ics(entry: CalendarEntry, stamp: datetime) -> bytes:
    tz = ZoneInfo(entry.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if entry.cancelled else "PUBLISH")
    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", entry.start.astimezone(tz))
    event.add("dtend", entry.end.astimezone(tz))
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    event.add("location", entry.location)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    if entry.url:
        event.add("url", entry.url)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
