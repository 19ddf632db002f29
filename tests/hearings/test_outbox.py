"""Calendar files and the outbox: .ics in each participant's zone, letters held without a mail
server, and delivered through a real SMTP conversation on 127.0.0.1 when one is configured."""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.conftest import make_settings
from tests.hearings.kit import Court, court
from tests.hearings.test_invitations import invite
from vc_service import migrate
from vc_service.hearings import forms
from vc_service.hearings.calendar import CalendarEntry, ics
from vc_service.services import Services


class SmtpServer:
    """Just enough SMTP (RFC 5321) to receive mail, optionally refusing every recipient."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = False
        self.server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await say("220 test.smtp ready")
        try:
            while line := (await reader.readline()).decode().strip():
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    await say("250-test.smtp\r\n250 8BITMIME")
                elif verb == "RCPT" and self.refuse:
                    await say("550 no such mailbox")
                elif verb == "DATA":
                    await say("354 go ahead")
                    data = await reader.readuntil(b"\r\n.\r\n")
                    self.messages.append(email.message_from_bytes(data[:-5]))
                    await say("250 queued")
                elif verb == "QUIT":
                    await say("221 bye")
                    break
                else:
                    await say("250 OK")
        finally:
            writer.close()


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    server = SmtpServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def mailing(tmp_path: Path, smtp: SmtpServer) -> AsyncIterator[Court]:
    settings = make_settings(
        tmp_path / "var", VC_SMTP_HOST="127.0.0.1", VC_SMTP_PORT=str(smtp.port),
        VC_SMTP_FROM="court@court.example",
    )  # fmt: skip
    built = Services.build(settings)
    await migrate.upgrade(built.db)
    yield await court(built)
    await built.close()


def test_the_calendar_entry_is_in_the_participants_zone_across_dst() -> None:
    # 14:00 UTC in late March 2027: New York already on summer time, Paris not yet.
    start = datetime(2027, 3, 22, 14, 0, tzinfo=UTC)
    entry = CalendarEntry(
        uid="h-p@vc-service", sequence=3, start=start, end=start + timedelta(hours=2),
        time_zone="America/New_York", summary="Hearing by videoconference: 2 KLs 41/26",
        description="d", location="Videoconference", url="https://vc.example/join/h#t",
    )  # fmt: skip
    raw = ics(entry, datetime(2027, 1, 1, tzinfo=UTC))
    event = Calendar.from_ical(raw).events[0]
    assert isinstance(event.start, datetime)
    assert str(event.start.tzinfo) == "America/New_York"
    assert event.start.strftime("%H:%M %z") == "10:00 -0400"
    assert event.start.astimezone(UTC) == start and event["SEQUENCE"] == 3
    assert b"BEGIN:VTIMEZONE" in raw and b"TZID:America/New_York" in raw
    assert b"STATUS:CONFIRMED" in raw and b"METHOD:PUBLISH" in raw
    cancelled = ics(
        CalendarEntry(**{**entry.__dict__, "cancelled": True}), datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert b"STATUS:CANCELLED" in cancelled and b"METHOD:CANCEL" in cancelled


async def test_letters_go_out_by_smtp_with_the_calendar_file(
    mailing: Court, smtp: SmtpServer
) -> None:
    record = await mailing.create()
    issued = await invite(mailing, record)
    by_recipient = {m["To"]: m for m in smtp.messages}
    assert set(by_recipient) == {
        "Camille Martin <camille@example.org>", "Judge Berlin <judge_berlin@court.example>"
    }  # fmt: skip
    letter = by_recipient["Camille Martin <camille@example.org>"]
    assert letter["From"] == "court@court.example"
    parts = {part.get_content_type(): part for part in letter.walk()}
    body = parts["text/plain"].get_payload(decode=True)
    assert isinstance(body, bytes) and issued.link.encode() in body
    assert issued.code.encode() not in body
    attachment = parts["text/calendar"].get_payload(decode=True)
    assert isinstance(attachment, bytes) and b"TZID=Europe/Paris" in attachment
    code_letter = by_recipient["Judge Berlin <judge_berlin@court.example>"]
    assert issued.code in code_letter.as_string()
    outbox = await mailing.hearings.outbox.messages(record.id)
    assert {m["status"] for m in outbox} == {"sent"}
    # A reschedule tells the invited person, with the updated calendar entry.
    changes = forms.parse_changes({"version": 1, "duration_minutes": 45})
    await mailing.hearings.schedule.reschedule(mailing.judge.viewer, record.id, changes)
    await mailing.hearings.invitations.deliver()
    update = smtp.messages[-1]
    assert update["Subject"].startswith("New time")
    calendar = next(p for p in update.walk() if p.get_content_type() == "text/calendar")
    assert b"SEQUENCE:2" in calendar.get_payload(decode=True)


async def test_a_refused_delivery_stays_visible_and_is_retried(
    mailing: Court, smtp: SmtpServer
) -> None:
    smtp.refuse = True
    record = await mailing.create()
    await invite(mailing, record)
    outbox = await mailing.hearings.outbox.messages(record.id)
    assert {m["status"] for m in outbox} == {"failed"}
    assert all("550" in (m["last_error"] or "") for m in outbox)
    smtp.refuse = False
    assert await mailing.hearings.outbox.deliver_pending() == 2
    outbox = await mailing.hearings.outbox.messages(record.id)
    assert {(m["status"], m["attempts"]) for m in outbox} == {("sent", 2)}
    assert len(smtp.messages) == 2


async def test_a_participant_without_e_mail_gets_a_held_letter(lite: Court) -> None:
    record = await lite.create()
    await invite(lite, record, index=2)  # the authority: no e-mail address
    letters = await lite.hearings.outbox.messages(record.id)
    invitation = next(m for m in letters if m["kind"] == "invitation")
    assert invitation["recipient"] == "" and invitation["status"] == "held"
    assert "/join/" in invitation["body"]
