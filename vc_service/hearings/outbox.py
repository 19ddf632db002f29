"""The outbox: every invitation, code and notice is first written as a row in the same
transaction as the change it announces, then delivered by a pluggable sender.

With `VC_SMTP_HOST` set the sender is SMTP (aiosmtplib); without it messages stay `held`, and the
judge and clerk read them through the API, so nothing is lost in development. Bodies may carry a
link token or a one-time code, so they are encrypted at rest with the service key.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import aiosmtplib
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vc_service.config import Settings
from vc_service.db import Database, new_id, utcnow
from vc_service.hearings.models import OutboxMessage, OutboxStatus
from vc_service.hearings.scheduling import utc_text
from vc_service.service_key import ServiceKey

log = logging.getLogger(__name__)
_PURPOSE = "outbox-message"
MAX_ATTEMPTS = 5
SEND_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class Letter:
    """One message as a sender sees it, decrypted."""

    id: str
    recipient: str
    recipient_name: str
    subject: str
    body: str
    attachment: bytes | None = None
    attachment_name: str = ""


class Sender(Protocol):
    async def send(self, letter: Letter) -> None:
        """Deliver or raise; the outbox records the failure and tries again later."""
        ...


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, letter: Letter) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"] = s.smtp_from or f"vc-service@{s.audit_origin_domain}"
        message["To"] = (
            f"{letter.recipient_name} <{letter.recipient}>"
            if letter.recipient_name
            else letter.recipient
        )
        message["Subject"] = letter.subject
        message["Message-ID"] = f"<{letter.id}@{s.audit_origin_domain}>"
        message.set_content(letter.body)
        if letter.attachment is not None:
            message.add_attachment(
                letter.attachment,
                maintype="text",
                subtype="calendar",
                filename=letter.attachment_name,
            )
        password = None
        if s.smtp_password_file is not None:
            password = (await asyncio.to_thread(s.smtp_password_file.read_text)).strip()
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_user or None,
            password=password,
            use_tls=s.smtp_port == 465,
            timeout=SEND_TIMEOUT_SECONDS,
        )


class Outbox:
    def __init__(
        self, db: Database, settings: Settings, key: ServiceKey, sender: Sender | None = None
    ) -> None:
        self.db = db
        self.key = key
        self.sender: Sender | None = sender
        if sender is None and settings.smtp_host:
            self.sender = SmtpSender(settings)

    def queue(
        self,
        s: AsyncSession,
        *,
        hearing_id: str,
        participant_id: str | None,
        kind: str,
        recipient: str,
        recipient_name: str,
        subject: str,
        body: str,
        attachment: bytes | None = None,
        attachment_name: str = "",
    ) -> OutboxMessage:
        """Add a message to the caller's transaction. Held when there is nobody to send it to."""
        message_id = new_id()
        deliverable = self.sender is not None and bool(recipient)
        row = OutboxMessage(
            id=message_id,
            hearing_id=hearing_id,
            participant_id=participant_id,
            kind=kind,
            recipient=recipient,
            recipient_name=recipient_name[:200],
            subject=subject[:300],
            body_enc=self.key.encrypt(_PURPOSE, body.encode(), message_id.encode()),
            attachment_enc=(
                self.key.encrypt(_PURPOSE + "-attachment", attachment, message_id.encode())
                if attachment is not None
                else None
            ),
            attachment_name=attachment_name,
            status=(OutboxStatus.QUEUED if deliverable else OutboxStatus.HELD).value,
            attempts=0,
            last_error="",
            created_at=utcnow(),
        )
        s.add(row)
        return row

    def letter(self, row: OutboxMessage) -> Letter:
        aad = row.id.encode()
        return Letter(
            id=row.id,
            recipient=row.recipient,
            recipient_name=row.recipient_name,
            subject=row.subject,
            body=self.key.decrypt(_PURPOSE, row.body_enc, aad).decode(),
            attachment=(
                self.key.decrypt(_PURPOSE + "-attachment", row.attachment_enc, aad)
                if row.attachment_enc is not None
                else None
            ),
            attachment_name=row.attachment_name,
        )

    async def deliver_pending(self, limit: int = 50) -> int:
        """Send queued (and earlier failed) messages; returns how many went out."""
        if self.sender is None:
            return 0
        async with self.db.session() as s:
            rows = (
                await s.scalars(
                    select(OutboxMessage)
                    .where(
                        or_(
                            OutboxMessage.status == OutboxStatus.QUEUED.value,
                            (OutboxMessage.status == OutboxStatus.FAILED.value)
                            & (OutboxMessage.attempts < MAX_ATTEMPTS),
                        )
                    )
                    .order_by(OutboxMessage.created_at)
                    .limit(limit)
                )
            ).all()
        sent = 0
        for row in rows:
            error = ""
            try:
                await self.sender.send(self.letter(row))
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("outbox message %s not delivered: %s", row.id, error)
            async with self.db.transaction() as s:
                fresh = await s.get(OutboxMessage, row.id)
                if fresh is None or fresh.status == OutboxStatus.SENT.value:
                    continue
                fresh.attempts += 1
                fresh.last_error = error
                if error:
                    fresh.status = OutboxStatus.FAILED.value
                else:
                    fresh.status = OutboxStatus.SENT.value
                    fresh.sent_at = utcnow()
                    sent += 1
        return sent

    async def messages(self, hearing_id: str) -> list[dict[str, Any]]:
        """The hearing's messages, decrypted, newest first: what the judge and clerk see."""
        async with self.db.session() as s:
            rows = (
                await s.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.hearing_id == hearing_id)
                    .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
                )
            ).all()
        return [message_view(row, self.letter(row)) for row in rows]


def message_view(row: OutboxMessage, letter: Letter) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "participant_id": row.participant_id,
        "recipient": row.recipient,
        "recipient_name": row.recipient_name,
        "subject": row.subject,
        "body": letter.body,
        "attachment_name": row.attachment_name or None,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error or None,
        "created_at": utc_text(row.created_at),
        "sent_at": utc_text(row.sent_at) if row.sent_at else None,
    }
