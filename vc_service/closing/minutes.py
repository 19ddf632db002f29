"""The minutes of a hearing (EIO art. 24(6), EU MLA Convention 2000 art. 10(6)), built only from
the hearing's audit events. Pure: parsed events in, HTML text and PDF bytes out.

What the minutes state, and which events say it:
- date and place: `hearing.created` / `hearing.rescheduled` (times, venue), the first and last
  room events (when the hearing really ran);
- the person heard and every participant with their function: `hearing.created`,
  `participant.added`;
- oaths, advisories and every condition met, by whom, how (method, document type): `condition.met`;
- technical conditions: joins, admissions, disconnections, reconnections, removals
  (`participant.*`), the DTLS fingerprints each peer used (`media.fingerprint`), consent
  withdrawal, testimony start/pause/resume/stop, recording, the end;
- interruptions: `hearing.interrupted` (the service stopped with the room running: from the last
  event before the gap to the restart), in "Date and place" and with the technical conditions.

Names are user input: the HTML escapes every value. The PDF uses fpdf2's core fonts (latin-1):
characters outside latin-1 are replaced by `?` and the PDF says so; the HTML is the full text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF

TITLE = "Minutes of the hearing by videoconference"
LEGAL_BASIS = (
    "Drawn up under Directive 2014/41/EU art. 24(6) and the EU Convention on Mutual "
    "Assistance in Criminal Matters (2000) art. 10(6), from the hearing's signed audit log."
)
PDF_NOTICE = (
    "Characters outside the PDF's Latin-1 font are shown as '?'; minutes.html in the same "
    "bundle holds the full text."
)
_TECHNICAL = {
    "room.opened": "room opened",
    "participant.joined": "joined",
    "participant.reconnected": "reconnected",
    "participant.disconnected": "connection lost",
    "participant.admitted": "admitted",
    "participant.left": "left",
    "participant.timeout": "did not come back in time",
    "participant.denied": "denied entry",
    "participant.removed": "removed",
    "media.fingerprint": "DTLS fingerprint(s)",
    "testimony.started": "testimony started",
    "testimony.paused": "testimony paused",
    "testimony.resumed": "testimony resumed",
    "testimony.stopped": "testimony stopped",
    "consent.withdrawn": "consent withdrawn",
    "recording.started": "recording started",
    "recording.stopped": "recording stopped",
    "recording.finished": "recording finished",
    "media.manifest": "recording manifest bound",
    "hearing.ended": "hearing ended",
    "hearing.interrupted": "hearing interrupted",
}
INTERRUPTED = "hearing.interrupted"


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Minutes:
    """The minutes as plain text sections; `render_html` and `render_pdf` lay them out."""

    hearing_id: str
    origin: str
    sections: list[Section]
    generated_at: str  # the ts of the last event read: the minutes are reproducible


def _who(actor: Mapping[str, Any], names: Mapping[str, str]) -> str:
    role, ident = str(actor.get("role", "?")), str(actor.get("id", "?"))
    name = str(actor.get("name") or names.get(ident) or ident)
    return f"{name} ({role})"


def _local(ts: object, zone: str | None) -> str:
    text = str(ts)
    if not zone:
        return text
    try:
        from zoneinfo import ZoneInfo

        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        local = moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")
    except (ValueError, KeyError):
        return text
    return f"{text} ({local})"


def build_minutes(events: Sequence[Mapping[str, Any]]) -> Minutes:
    """The minutes of the events in seq order (the log up to, not including, the minutes)."""
    if not events or events[0].get("type") != "hearing.created":
        raise ValueError("the minutes need the log from its hearing.created event")
    created = events[0]
    origin = str(created.get("log", ""))
    hearing_id = origin.rsplit("/", 1)[-1]
    zone = str(created.get("venue_time_zone") or "") or None
    people: dict[str, dict[str, Any]] = {}
    for person in created.get("participants") or ():
        people[str(person["id"])] = dict(person)
    names = {pid: str(p.get("name", pid)) for pid, p in people.items()}
    peers: dict[str, str] = {}  # room peer id -> participant id
    heard = dict(created.get("person_heard") or {})
    starts, ends, venue = created.get("starts_at"), created.get("ends_at"), created.get("venue")
    conditions: list[str] = []
    technical: list[str] = []
    state_moves: list[str] = []
    gaps: list[str] = []
    for event in events:
        kind, actor = str(event.get("type")), dict(event.get("actor") or {})
        if kind == "hearing.rescheduled":
            starts = event.get("starts_at", starts)
            ends = event.get("ends_at", ends)
            venue = event.get("venue", venue)
        elif kind == "participant.added":
            person = event.get("participant")
            if isinstance(person, Mapping) and "id" in person:
                people[str(person["id"])] = dict(person)
                names[str(person["id"])] = str(person.get("name", person["id"]))
        elif kind == "condition.met":
            doc = event.get("document_type")
            note = event.get("note")
            line = (
                f"{_local(event.get('ts'), zone)}: {event.get('condition')} "
                f"({event.get('stage', '?')}) met by {_who(actor, names)}, "
                f"method {event.get('method', '?')}"
            )
            line += f", document {doc}" if doc else ""
            line += f"; note: {note}" if note else ""
            conditions.append(line)
        elif kind == INTERRUPTED:
            gaps.append(_gap(event, zone))
        elif kind == "hearing.state_changed":
            state_moves.append(
                f"{_local(event.get('ts'), zone)}: {event.get('from')} -> {event.get('to')} "
                f"by {_who(actor, names)}"
            )
        moved = event.get("hearing_state")
        if isinstance(moved, Mapping):
            state_moves.append(
                f"{_local(event.get('ts'), zone)}: {moved.get('from')} -> {moved.get('to')} "
                f"({_TECHNICAL.get(kind, kind)}, {_who(actor, names)})"
            )
        if kind in _TECHNICAL:
            technical.append(_technical_line(event, kind, actor, names, peers, zone))
    room = [e for e in events if str(e.get("type")) in _TECHNICAL]
    general = Section(
        "Date and place",
        [
            f"Hearing {hearing_id}, case reference {created.get('case_reference') or '-'}, "
            f"{created.get('proceeding', '?')} proceedings",
            f"Requesting state {created.get('requesting_state', '?')}, requested state "
            f"{created.get('requested_state', '?')}",
            f"Place (requested state): {venue or '-'}",
            f"Scheduled: {_local(starts, zone)} to {_local(ends, zone)}",
        ],
    )
    if room:
        general.lines.append(
            f"Held: {_local(room[0].get('ts'), zone)} to {_local(room[-1].get('ts'), zone)}"
        )
    general.lines.extend(gaps)
    person = Section(
        "Person heard",
        [
            f"{heard.get('name', '?')}, as {heard.get('role', '?')}; language "
            f"{heard.get('language') or '-'}; consent to the videoconference as scheduled: "
            f"{heard.get('consent') or 'unknown'}"
        ],
    )
    everyone = Section(
        "Participants and their functions",
        [f"{p.get('name', pid)}: {p.get('role', '?')} (id {pid})" for pid, p in people.items()],
    )
    oaths = Section(
        "Oaths, advisories and conditions met (and by whom)",
        conditions or ["No condition was recorded as met."],
    )
    moves = Section("Course of the hearing", state_moves or ["No state change was recorded."])
    tech = Section(
        "Technical conditions (connections, DTLS fingerprints, interruptions, testimony)",
        technical or ["The room recorded no connection."],
    )
    last = events[-1]
    return Minutes(
        hearing_id,
        origin,
        [general, person, everyone, oaths, moves, tech],
        str(last.get("ts", "")),
    )


def _gap(event: Mapping[str, Any], zone: str | None) -> str:
    return (
        f"Interrupted from {_local(event.get('last_event_at'), zone)} "
        f"to {_local(event.get('resumed_at'), zone)}"
    )


def _interruption_line(event: Mapping[str, Any], names: Mapping[str, str], zone: str | None) -> str:
    details = ["the service stopped while the room was running; nothing was recorded in between"]
    seated = [names.get(str(pid), str(pid)) for pid in event.get("seated") or ()]
    if seated:
        details.append("seated then: " + ", ".join(seated))
    testimony = event.get("testimony")
    if testimony:
        details.append(f"testimony was {testimony} and did not continue")
    details.append("everyone back in the lobby on the restart")
    return f"{_local(event.get('ts'), zone)}: {_gap(event, zone)} [{'; '.join(details)}]"


def _technical_line(
    event: Mapping[str, Any],
    kind: str,
    actor: Mapping[str, Any],
    names: Mapping[str, str],
    peers: dict[str, str],
    zone: str | None,
) -> str:
    if kind == INTERRUPTED:
        return _interruption_line(event, names, zone)
    what = _TECHNICAL[kind]
    peer = event.get("peer")
    if kind == "participant.joined" and isinstance(peer, str):
        peers[peer] = str(actor.get("id"))
    subject = event.get("participant")
    line = f"{_local(event.get('ts'), zone)}: {_who(actor, names)} {what}"
    if isinstance(subject, str) and subject != actor.get("id"):
        line = (
            f"{_local(event.get('ts'), zone)}: {names.get(subject, subject)} "
            f"({event.get('role', '?')}) {what} by {_who(actor, names)}"
        )
    details: list[str] = []
    if isinstance(peer, str):
        details.append(f"peer {peer}")
    if kind == "participant.joined":
        details.append(f"via {event.get('via', '?')}, to the {event.get('seat', '?')}")
    if kind in ("participant.joined", "participant.reconnected") and event.get("address"):
        details.append(f"from {event['address']}")
    if kind == "media.fingerprint":
        target = event.get("to")
        details.append(f"{event.get('sdp_type', '?')} to peer {target}")
        details.extend(str(fp) for fp in event.get("fingerprints") or ())
    for key in (
        "reason",
        "note",
        "grace_seconds",
        "rule",
        "recording",
        "sha256",
        "manifest_sha256",
    ):
        if event.get(key) not in (None, ""):
            details.append(f"{key.replace('_', ' ')} {event.get(key)}")
    lapsed = event.get("lapsed_conditions")
    if lapsed:
        details.append("conditions lapsed: " + ", ".join(str(c) for c in lapsed))
    if event.get("testimony_paused") or event.get("testimony_stopped"):
        details.append("testimony interrupted")
    return line + (f" [{'; '.join(details)}]" if details else "")


# -- rendering ---------------------------------------------------------------------------------


def render_html(minutes: Minutes) -> str:
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(TITLE)} {esc(minutes.hearing_id)}</title></head><body>",
        f"<h1>{esc(TITLE)}</h1>",
        f"<p>{esc(LEGAL_BASIS)}</p>",
        f"<p>Log: <code>{esc(minutes.origin)}</code>; drawn up from the events up to "
        f"{esc(minutes.generated_at)}.</p>",
    ]
    for section in minutes.sections:
        parts.append(f"<h2>{esc(section.title)}</h2>")
        parts.append("<ul>")
        parts.extend(f"<li>{esc(line)}</li>" for line in section.lines)
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _latin1(text: str) -> tuple[str, bool]:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe, safe != text


def _all_text(minutes: Minutes) -> Iterable[str]:
    yield minutes.origin
    for section in minutes.sections:
        yield section.title
        yield from section.lines


def render_pdf(minutes: Minutes) -> bytes:
    """The minutes as PDF; deterministic for the same minutes (fixed creation date)."""
    pdf = FPDF()
    pdf.set_compression(False)  # small, and its text stays greppable
    created = datetime.strptime(minutes.generated_at, "%Y-%m-%dT%H:%M:%S.%fZ")
    pdf.set_creation_date(created.replace(tzinfo=UTC))
    pdf.set_title(TITLE)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, LEGAL_BASIS, new_x="LMARGIN", new_y="NEXT")
    lossy = any(_latin1(text)[1] for text in _all_text(minutes))
    if lossy:
        pdf.set_font("Helvetica", "B", 9)
        pdf.multi_cell(0, 5, PDF_NOTICE, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
    origin = _latin1(minutes.origin)[0]
    pdf.multi_cell(
        0, 5, f"Log: {origin}; events up to {minutes.generated_at}.", new_x="LMARGIN", new_y="NEXT"
    )
    for section in minutes.sections:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, _latin1(section.title)[0], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        for line in section.lines:
            pdf.multi_cell(0, 5, "- " + _latin1(line)[0], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
