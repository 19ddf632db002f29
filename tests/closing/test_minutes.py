"""The minutes from a real log, as a document a court files (issue 13, point 13): a header
(court, case, requesting and requested authority, person heard), times to the second in the
venue's and the court's zones, plain words for every act and method, the interruptions, a
signature block for the requested state's authority, in the court's language; the PDF the same;
the same bytes for the same events."""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.closing.story import ADDRESS, FINGERPRINT, MOVED, Closed, closed_hearing
from tests.hearings.kit import Court
from vc_service.closing.minutes import build_minutes, render_html, render_pdf
from vc_service.closing.minutes_text import catalog, parse_ts

Events = list[dict[str, Any]]


async def logged(court: Court) -> tuple[Closed, Events]:
    closed = await closed_hearing(court)
    events = [json.loads(raw) for raw in await court.services.audit.events(closed.record.id)]
    return closed, events


def paris(ts: str) -> str:
    """A time of the log as the minutes print it in full (Paris and Berlin read alike)."""
    moment = parse_ts(ts)
    assert moment is not None
    return f"{moment.astimezone(ZoneInfo('Europe/Paris')):%Y-%m-%d %H:%M:%S %Z}"


def at(events: Events, kind: str) -> dict[str, Any]:
    return next(e for e in events if e["type"] == kind)


def later(events: Events, kind: str, actor: dict[str, Any], **fields: Any) -> Events:
    """The events with one more (a pure function's input: no log is written)."""
    last = events[-1]
    extra = {**fields, "type": kind, "actor": actor, "seq": last["seq"] + 1, "ts": last["ts"]}
    return [*events, {"log": last["log"], "v": 1, **extra}]


async def test_minutes_are_a_document_in_the_courts_language(lite: Court) -> None:
    closed, events = await logged(lite)
    page = render_html(build_minutes(events))
    # The court is German: German minutes, headed by the court.
    assert '<html lang="de">' in page
    for fact in (
        '<p class="court">Landgericht Berlin</p>',
        "<h1>Protokoll der Vernehmung per Videokonferenz</h1>",
        "Artikel 24 Absatz 6 der Richtlinie 2014/41/EU",
        "Artikel 10 Absatz 6",
        '<th scope="row">Aktenzeichen</th><td>2 KLs 41/26</td>',
        '<th scope="row">Ersuchende Behörde</th><td>Landgericht Berlin (Deutschland); '
        "Vorsitz: Judge Berlin</td>",
        '<th scope="row">Ersuchte Behörde</th><td>Juge Leroy, Behörde des Staates Frankreich',
        "Camille Martin, vernommen als Zeuge; Sprache: Französisch; Zustimmung zur "
        "Videokonferenz: erteilt",
        "Tribunal judiciaire de Strasbourg, salle 3 (Frankreich)",
        "Sekundengenau in der Ortszeit der Vernehmung (Europe/Paris) und, wo sie abweicht, in "
        "der Zeit des Gerichts (Europe/Berlin)",
        f"Angesetzt: von {paris(events[0]['starts_at'])} bis {paris(events[0]['ends_at'])}",
        "Durchgeführt: von ",
        # Participants and their functions, without ids.
        "Judge Berlin: vorsitzender Richter des ersuchenden Gerichts",
        "Camille Martin: Zeuge, die vernommene Person",
        "Juge Leroy: Behörde des ersuchten Staates",
        "Ana Weber: Dolmetscher",
        # Conditions met, by whom and how, in plain words.
        "Der ersuchte Staat hat das Ersuchen angenommen (vor der Vernehmung); festgestellt von "
        "Judge Berlin (Richter); vom Richter vor der Vernehmung festgestellt; Vermerk: done",
        "Identität der vernommenen Person festgestellt (während der Vernehmung); festgestellt "
        "von Juge Leroy (Behörde); Ausweisdokument geprüft (Reisepass)",
        # What was never met, and who should have.
        "Protokoll durch die Behörde des ersuchten Staates erstellt (nach der Vernehmung): nicht "
        "als erfüllt festgestellt; festzustellen durch: Behörde",
        # The course of the hearing.
        "Der Videokonferenzraum wurde geöffnet",
        "Camille Martin (Zeuge) trat bei und wartete im Warteraum",
        "Camille Martin (Zeuge) wurde von Judge Berlin (Richter) zur Vernehmung zugelassen",
        "Beginn der Aussage durch Judge Berlin (Richter)",
        "Ende der Aussage durch Judge Berlin (Richter)",
        "Judge Berlin (Richter) beendete die Vernehmung; Grund: heard",
        # The interruptions.
        "<h2>6. Unterbrechungen</h2>",
        "Camille Martin (Zeuge) verlor die Verbindung; wieder da um ",
        "Aussage unterbrochen durch Judge Berlin (Richter); nicht fortgesetzt.",
        # The technical conditions.
        f"Camille Martin (Zeuge) verband sich mit einer Einladung oder einem Konto des "
        f"Personals, von der Adresse {ADDRESS}",
        f"verband sich durch Fortsetzen derselben Sitzung, von der Adresse {MOVED}",
        f"Fingerabdruck des DTLS-Zertifikats von Camille Martin (Zeuge) (Antwort): {FINGERPRINT}",
        # The signature block of the requested state's authority.
        "<h2>8. Unterschrift der Behörde des ersuchten Staates</h2>",
        '<tr><th scope="row">Name</th><td>Juge Leroy</td></tr>',
        '<tr><th scope="row">Unterschrift</th><td></td></tr>',
        '<tr><th scope="row">Dienstsiegel</th><td></td></tr>',
    ):
        assert fact in page, fact
    # Times to the second, never the log's microseconds; no raw method names, no ids.
    assert re.search(r"\b\d{2}:\d{2}:\d{2} CES?T: ", page)  # the log's real times: CET or CEST
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", page)
    for raw in ("recorded_by_judge", "identity_document", "in_session", "participant.", "->"):
        assert raw not in page, raw
    for person in closed.record.participants:
        assert person.id not in page, person.name
    # The log it was drawn from is named once, in the footer.
    assert page.count(closed.record.id) == 1
    assert f"vc.localhost/hearing/{closed.record.id}, Ereignisse 0 bis {events[-1]['seq']}" in page
    # The hostile name is text, never markup.
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Zoë Łukasiewicz" in page


@pytest.mark.parametrize(
    ("state", "language", "title", "signature"),
    [
        ("DE", "de", "Protokoll der Vernehmung per Videokonferenz", "Dienstsiegel"),
        ("FR", "fr", "Procès-verbal de l'audition par vidéoconférence", "Sceau officiel"),
        ("ES", "es", "Acta de la declaración por videoconferencia", "Sello oficial"),
        ("IE", "en", "Minutes of the hearing by videoconference", "Official stamp"),
        ("BE", "en", "Minutes of the hearing by videoconference", "Official stamp"),
    ],
)
async def test_the_minutes_speak_the_courts_language(
    lite: Court, state: str, language: str, title: str, signature: str
) -> None:
    _, events = await logged(lite)
    events[0]["court"]["state"] = state
    minutes = build_minutes(events)
    assert minutes.language == language and minutes.title == title
    page = render_html(minutes)
    assert f'<html lang="{language}">' in page and signature in page
    assert catalog(language)["condition.identity.verified"] in page
    # A court that names its language is followed (a Belgian court sitting in French).
    events[0]["court"]["language"] = "fr"
    assert build_minutes(events).language == "fr"


async def test_times_are_given_in_the_venues_and_the_courts_zones(lite: Court) -> None:
    _, events = await logged(lite)
    events[0]["venue_timezone"] = "America/New_York"  # the view's name for the venue's zone
    page = render_html(build_minutes(events))
    opened = parse_ts(at(events, "room.opened")["ts"])
    assert opened is not None
    venue = opened.astimezone(ZoneInfo("America/New_York"))
    court = opened.astimezone(ZoneInfo("Europe/Berlin"))
    pair = f"{venue:%H:%M:%S %Z} (Ort) / {court:%H:%M:%S %Z} (Gericht): "
    assert f"{pair}Der Videokonferenzraum wurde geöffnet" in page
    assert "Ortszeit der Vernehmung (America/New_York)" in page
    # A log from before the court was recorded: the venue's zone, the requesting state's words.
    del events[0]["court"]
    page = render_html(build_minutes(events))
    assert f"{venue:%H:%M:%S %Z}: Der Videokonferenzraum wurde geöffnet" in page
    assert "Das Gericht des Staates Deutschland; Vorsitz: Judge Berlin" in page
    assert "Sekundengenau in America/New_York" in page


async def test_methods_details_and_service_interruptions_in_plain_words(lite: Court) -> None:
    closed, events = await logged(lite)
    authority = {"role": "authority", "id": closed.authority, "name": "Juge Leroy"}
    system = {"role": "system", "id": "vc-service", "name": "vc-service"}
    ended = at(events, "hearing.ended")
    events = [e for e in events if e["type"] != "hearing.ended"]
    events = later(
        events, "condition.met", authority, condition="rights.refusal_notified",
        stage="during", method="statement_read", details="Art. 14 read out in French",
    )  # fmt: skip
    events = later(
        events, "condition.met", authority, condition="oath.competent_person",
        stage="during", method="a_method_added_later",
    )  # fmt: skip
    gap = {
        "last_event_at": events[-1]["ts"], "resumed_at": events[-1]["ts"],
        "seated": [closed.judge, closed.witness], "testimony": "running",
    }  # fmt: skip
    events = later(events, "hearing.interrupted", system, **gap)
    events = [*events, {**ended, "seq": events[-1]["seq"] + 1}]
    page = render_html(build_minutes(events))
    assert (
        "Person über das Aussageverweigerungsrecht nach beiden Rechten belehrt (während der "
        "Vernehmung); festgestellt von Juge Leroy (Behörde); Belehrung der Person vorgelesen: "
        "Art. 14 read out in French"
    ) in page
    assert "festgestellt von Juge Leroy (Behörde); a method added later" in page
    assert (
        "der Dienst wurde bei laufendem Raum angehalten; in der Zwischenzeit wurde nichts "
        "erfasst. Zu diesem Zeitpunkt anwesend: Judge Berlin (Richter), Camille Martin (Zeuge). "
        "Die Aussage war im Gange und wurde nicht fortgesetzt. Beim Neustart kehrten alle in den "
        "Warteraum zurück."
    ) in page
    assert "Der Dienst war angehalten; der Raum wurde wieder geöffnet" in page
    # A condition met is no longer listed as open.
    assert "Person über das Aussageverweigerungsrecht nach beiden Rechten belehrt (während der " \
        "Vernehmung): nicht als erfüllt" not in page  # fmt: skip


async def test_pdf_is_the_same_document_and_deterministic(lite: Court) -> None:
    _, events = await logged(lite)
    minutes = build_minutes(events)
    pdf = render_pdf(minutes)
    assert pdf.startswith(b"%PDF-") and pdf == render_pdf(build_minutes(copy.deepcopy(events)))
    for text in (
        "LANDGERICHT BERLIN",
        "Protokoll der Vernehmung per Videokonferenz",
        "Ersuchte Behörde",
        "Camille Martin: Zeuge, die vernommene Person",
        "Ausweisdokument geprüft",
        "Unterbrechungen",
        "Unterschrift der Behörde des ersuchten Staates",
        "Dienstsiegel",
    ):
        assert text.encode("latin-1") in pdf, text
    assert b"Zo\xeb ?ukasiewicz" in pdf  # outside Latin-1: replaced, and the PDF says so
    assert minutes.pdf_notice.split(" ")[0].encode("latin-1") in pdf
    assert b"recorded_by_judge" not in pdf and b"identity_document" not in pdf
    created = parse_ts(events[-1]["ts"])
    assert created is not None
    assert f"D:{created:%Y%m%d%H%M%S}".encode() in pdf  # the last event's time, not the clock's


def test_minutes_need_the_log_from_its_start() -> None:
    with pytest.raises(ValueError):
        build_minutes([{"type": "room.opened"}])
