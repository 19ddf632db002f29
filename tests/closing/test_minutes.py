"""The minutes from a real log: every field EIO art. 24(6) asks for, escaping, the PDF."""

from __future__ import annotations

import json

import pytest

from tests.closing.story import ADDRESS, FINGERPRINT, MOVED, closed_hearing
from tests.hearings.kit import Court
from vc_service.closing.minutes import (
    PDF_NOTICE,
    build_minutes,
    render_html,
    render_pdf,
)


async def test_minutes_state_every_required_fact(lite: Court) -> None:
    closed = await closed_hearing(lite)
    events = [json.loads(raw) for raw in await lite.services.audit.events(closed.record.id)]
    page = render_html(build_minutes(events))
    for fact in (
        "Tribunal judiciaire de Strasbourg, salle 3",  # place
        "Scheduled: ",  # date
        "Held: ",
        "Camille Martin, as witness",  # the person heard
        "Juge Leroy: authority",  # participants and functions
        "Ana Weber: interpreter",
        "Judge Berlin: judge",
        "request.accepted (before) met by Judge Berlin (judge), method recorded_by_judge",
        "identity.verified (during) met by Juge Leroy (authority), method identity_document, "
        "document passport",
        FINGERPRINT,  # DTLS
        f"to the admitted; from {ADDRESS}",  # who connected from where
        f"from {MOVED}",  # and from where they came back
        "connection lost",  # interruption
        "reconnected",
        "testimony started",
        "testimony paused",
        "testimony stopped",
        "hearing ended",
        "scheduled -&gt; open",
        "in_session -&gt; closed (hearing ended, Judge Berlin (judge))",
    ):
        assert fact in page, fact
    # The hostile name is text, never markup.
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Zoë Łukasiewicz" in page


async def test_pdf_is_deterministic_and_says_when_it_replaced_characters(lite: Court) -> None:
    closed = await closed_hearing(lite)
    events = [json.loads(raw) for raw in await lite.services.audit.events(closed.record.id)]
    minutes = build_minutes(events)
    pdf = render_pdf(minutes)
    assert pdf.startswith(b"%PDF-") and pdf == render_pdf(minutes)
    assert b"Camille Martin" in pdf and b"Zo\xeb ?ukasiewicz" in pdf
    assert PDF_NOTICE.split(" ")[0].encode() in pdf


def test_minutes_need_the_log_from_its_start() -> None:
    with pytest.raises(ValueError):
        build_minutes([{"type": "room.opened"}])
