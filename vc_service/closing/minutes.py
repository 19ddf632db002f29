"""The minutes of a hearing (EIO art. 24(6), EU MLA Convention 2000 art. 10(6)), built only from
the hearing's audit events, as a document a court files: pure, parsed events in, HTML text and
PDF bytes out, the same bytes for the same events (they are hashed into the log).

The document, in the court's language (`minutes_text`):
- a header: the court, the title and legal basis, then the case, the proceedings, the
  requesting authority (court, state, presiding judge), the requested authority (the
  requested state's authority in the hearing), the person heard, the place, the date and how
  times are given (to the second, in the venue's zone and, where it differs, the court's);
- 1. date and place: as scheduled (`hearing.created` / `hearing.rescheduled`) and as held (the
  first and last room events);
- 2. every participant with their function (`hearing.created`, `participant.added`);
- 3. every condition met (oaths, advisories, identity...), by whom and how: the method, the
  document type and the `details` the person meeting it gave, in plain words (`condition.met`);
- 4. the conditions of the legal decision never recorded as met (`legal.decision`);
- 5. the course of the hearing: every act of the room in plain words (joins, admissions,
  testimony, consent withdrawal, recording, the end);
- 6. the interruptions: the service stopping (`hearing.interrupted`), lost connections until
  their return, testimony paused until resumed;
- 7. the technical conditions: connections (how, from which address), the DTLS fingerprints
  each peer used, the recording's files;
- 8. a signature block for the requested state's authority, and a footer naming the log.

The court's name, state and zone come from the `court` object of `hearing.created`; a log
written before it was recorded falls back to the requesting state and the venue's zone.
Names are user input: the HTML escapes every value. The PDF uses fpdf2's core fonts (Latin-1):
characters outside Latin-1 are replaced by `?` and the PDF says so; the HTML is the full text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF

from vc_service.closing.minutes_text import Clock, Text, court_language, parse_ts, zone

INTERRUPTED = "hearing.interrupted"
DISCONNECTED, RECONNECTED = "participant.disconnected", "participant.reconnected"
_GONE = ("participant.timeout", "participant.left", "participant.removed")
# Acts of the room, in the order they happened (section 5). The joined act depends on the seat.
_ACTS = (
    "room.opened",
    "participant.joined",
    "participant.admitted",
    "participant.denied",
    "participant.removed",
    "participant.confirmed",
    "participant.left",
    "participant.timeout",
    DISCONNECTED,
    RECONNECTED,
    "testimony.started",
    "testimony.paused",
    "testimony.resumed",
    "testimony.stopped",
    "consent.withdrawn",
    "recording.started",
    "recording.stopped",
    "recording.finished",
    "recording.failed",
    "media.manifest",
    "hearing.ended",
    INTERRUPTED,
)
_RECORDING = ("recording.started", "recording.stopped", "recording.finished", "recording.failed")
_SUBJECT_ACTS = (
    "participant.admitted",
    "participant.denied",
    "participant.removed",
    "participant.confirmed",
)


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Minutes:
    """The minutes as text in the court's language; `render_html` and `render_pdf` lay it out."""

    hearing_id: str
    origin: str
    language: str
    court: str  # the court's name, or "" if the log does not record it
    title: str
    legal_basis: str
    facts: list[tuple[str, str]]  # the header: (label, value)
    sections: list[Section]
    signature: Section  # the intro as its first line; fields in `signature_fields`
    signature_fields: list[tuple[str, str]]  # (label, prefilled value or "")
    footer: str
    pdf_notice: str
    generated_at: str  # the ts of the last event read: the minutes are reproducible


@dataclass
class _Person:
    name: str
    role: str


class _Reader:
    """One pass over the events, collecting what each section says."""

    def __init__(self, events: Sequence[Mapping[str, Any]]) -> None:
        created = events[0]
        self.created = created
        court = created.get("court")
        self.court: Mapping[str, Any] = court if isinstance(court, Mapping) else {}
        self.t = Text(court_language(self.court, str(created.get("requesting_state", ""))))
        venue_zone = created.get("venue_timezone") or created.get("venue_time_zone")
        self.venue_zone_name = str(venue_zone or "")
        self.court_zone_name = str(self.court.get("time_zone") or "")
        self.clock = Clock(self.t, zone(self.venue_zone_name), zone(self.court_zone_name))
        self.people: dict[str, _Person] = {}
        for person in created.get("participants") or ():
            self._add(person)
        heard = created.get("person_heard")
        self.heard: Mapping[str, Any] = heard if isinstance(heard, Mapping) else {}
        self.starts, self.ends = created.get("starts_at"), created.get("ends_at")
        self.venue = created.get("venue")
        self.decision: list[Mapping[str, Any]] = []
        self.met_ids: set[str] = set()
        self.conditions: list[str] = []
        self.course: list[str] = []
        self.interruptions: list[tuple[str, str]] = []  # (ts, line): sorted by time at the end
        self.technical: list[str] = []
        self.room: list[Mapping[str, Any]] = []
        self._lost: dict[str, Mapping[str, Any]] = {}  # participant -> open disconnection
        self._paused: Mapping[str, Any] | None = None
        self._recording: dict[str, str] = {}

    def _add(self, person: object) -> None:
        if isinstance(person, Mapping) and "id" in person:
            pid = str(person["id"])
            self.people[pid] = _Person(str(person.get("name") or pid), str(person.get("role")))

    # -- names -----------------------------------------------------------------------------

    def who(self, actor: Mapping[str, Any]) -> str:
        role = str(actor.get("role", ""))
        if role == "system":
            return self.t("who.system")
        ident = str(actor.get("id", ""))
        known = self.people.get(ident)
        name = str(actor.get("name") or (known.name if known else "") or self.t.word("role", role))
        return self.t("who", name=name, role=self.t.word("role", role or "?"))

    def person(self, pid: object, role: object = None) -> str:
        known = self.people.get(str(pid))
        name = known.name if known else str(pid)
        shown = str(role or (known.role if known else "") or "?")
        return self.t("who", name=name, role=self.t.word("role", shown))

    def stamp(self, ts: object) -> str:
        return self.clock.stamp(ts)

    # -- the pass ----------------------------------------------------------------------------

    def read(self, events: Sequence[Mapping[str, Any]]) -> None:
        for event in events:
            kind = str(event.get("type"))
            actor = event.get("actor")
            actor = actor if isinstance(actor, Mapping) else {}
            if kind == "hearing.rescheduled":
                self.starts = event.get("starts_at", self.starts)
                self.ends = event.get("ends_at", self.ends)
                self.venue = event.get("venue", self.venue)
            elif kind == "participant.added":
                self._add(event.get("participant"))
            elif kind == "legal.decision":
                decision = event.get("decision")
                found = decision.get("conditions") if isinstance(decision, Mapping) else None
                if isinstance(found, list):
                    self.decision = [c for c in found if isinstance(c, Mapping)]
            elif kind == "condition.met":
                self.met_ids.add(str(event.get("condition")))
            if kind in _ACTS:
                self.room.append(event)
        if self.room:
            self.clock.day = parse_ts(self.room[0].get("ts"))
        if self.clock.day is None:
            self.clock.day = parse_ts(self.starts)
        # Times print relative to the hearing's day, known only now: a second pass formats.
        for event in events:
            if event.get("type") == "condition.met":
                actor = event.get("actor")
                self.conditions.append(
                    self._met(event, actor if isinstance(actor, Mapping) else {})
                )
        for event in self.room:
            actor = event.get("actor")
            self._room_event(event, actor if isinstance(actor, Mapping) else {})
        self._close_open_interruptions()

    def _met(self, event: Mapping[str, Any], actor: Mapping[str, Any]) -> str:
        t = self.t
        how = t("how.method", method=t.word("method", event.get("method", "other")))
        if event.get("document_type"):
            how = t(
                "how.document",
                method=t.word("method", event.get("method", "other")),
                document=t.word("document", event["document_type"]),
            )
        if event.get("details"):
            how = t("how.details", how=how, details=event["details"])
        if event.get("note"):
            how = t("how.note", how=how, note=event["note"])
        return t(
            "line.met",
            time=self.stamp(event.get("ts")),
            condition=t.word("condition", event.get("condition")),
            stage=t.word("stage", event.get("stage", "during")),
            who=self.who(actor),
            how=how,
        )

    def _act(self, event: Mapping[str, Any], kind: str, actor: Mapping[str, Any]) -> str:
        t = self.t
        if kind == "participant.joined":
            seat = "lobby" if event.get("seat") == "lobby" else "admitted"
            act = t(f"act.participant.joined.{seat}", who=self.who(actor))
        elif kind in _SUBJECT_ACTS:
            subject = self.person(event.get("participant"), event.get("role"))
            act = t(f"act.{kind}", who=self.who(actor), subject=subject)
        else:
            act = t(f"act.{kind}", who=self.who(actor))
        reason = event.get("reason")
        if reason and kind not in ("testimony.started", "testimony.paused", "testimony.resumed",
                                   "testimony.stopped"):  # fmt: skip
            act = t("act.reason", act=act, reason=reason)
        lapsed = event.get("lapsed_conditions")
        if lapsed:
            named = ", ".join(t.word("condition", c) for c in lapsed)
            act = t("act.lapsed", act=act, conditions=named)
        if event.get("testimony_paused") or event.get("testimony_stopped"):
            act = t("act.testimony_interrupted", act=act)
        return act

    def _room_event(self, event: Mapping[str, Any], actor: Mapping[str, Any]) -> None:
        kind, ts = str(event.get("type")), event.get("ts")
        act = self._act(event, kind, actor)
        self.course.append(f"{self.stamp(ts)}: {act}")
        pid = str(actor.get("id", ""))
        if kind == INTERRUPTED:
            self.interruptions.append((str(ts), self._service_gap(event)))
        elif kind == DISCONNECTED:
            self._lost[pid] = event
        elif kind == RECONNECTED or (kind == "participant.joined" and pid in self._lost):
            self._back(pid, ts)
        elif kind in _GONE:
            gone = str(event.get("participant") or pid)
            if gone in self._lost:
                self._back(gone, None)
        elif kind == "testimony.paused":
            self._paused = event
        elif kind in ("testimony.resumed", "testimony.stopped") and self._paused is not None:
            self._resumed(ts if kind == "testimony.resumed" else None)
        if kind in ("participant.joined", RECONNECTED):
            self.technical.append(self._connection(event, actor))
        elif kind in _RECORDING or kind == "media.manifest":
            self.technical.append(self._recording_line(event, act))

    def _back(self, pid: str, ts: object) -> None:
        lost = self._lost.pop(pid)
        actor = lost.get("actor")
        who = self.who(actor if isinstance(actor, Mapping) else {})
        when = self.stamp(lost.get("ts"))
        if ts is None:
            line = self.t("line.connection_lost_for_good", time=when, who=who)
        else:
            line = self.t("line.connection_lost", time=when, who=who, back=self.stamp(ts))
        self.interruptions.append((str(lost.get("ts")), line))

    def _resumed(self, ts: object) -> None:
        paused = self._paused
        assert paused is not None
        self._paused = None
        actor = paused.get("actor")
        who = self.who(actor if isinstance(actor, Mapping) else {})
        when = self.stamp(paused.get("ts"))
        if ts is None:
            line = self.t("line.testimony_paused_for_good", time=when, who=who)
        else:
            line = self.t("line.testimony_paused", time=when, who=who, back=self.stamp(ts))
        self.interruptions.append((str(paused.get("ts")), line))

    def _close_open_interruptions(self) -> None:
        for pid in list(self._lost):
            self._back(pid, None)
        if self._paused is not None:
            self._resumed(None)

    def _service_gap(self, event: Mapping[str, Any]) -> str:
        t = self.t
        parts = [
            t(
                "line.service_gap",
                start=self.stamp(event.get("last_event_at")),
                end=self.stamp(event.get("resumed_at")),
            )
        ]
        seated = [self.person(pid) for pid in event.get("seated") or ()]
        if seated:
            parts.append(t("line.seated_then", names=", ".join(seated)))
        testimony = event.get("testimony")
        if testimony:
            state = t.word("testimony", "paused" if testimony == "paused" else "running")
            parts.append(t("line.testimony_lost", state=state))
        parts.append(t("line.back_in_lobby"))
        return " ".join(parts)

    def _connection(self, event: Mapping[str, Any], actor: Mapping[str, Any]) -> str:
        via = self.t.word("via", event.get("via", "hello"))
        when, who = self.stamp(event.get("ts")), self.who(actor)
        if event.get("address"):
            return self.t(
                "line.connected_from", time=when, who=who, via=via, address=event["address"]
            )
        return self.t("line.connected", time=when, who=who, via=via)

    def fingerprints(self, events: Iterable[Mapping[str, Any]]) -> list[str]:
        lines = []
        for event in events:
            if event.get("type") != "media.fingerprint":
                continue
            actor = event.get("actor")
            lines.append(
                self.t(
                    "line.fingerprint",
                    time=self.stamp(event.get("ts")),
                    who=self.who(actor if isinstance(actor, Mapping) else {}),
                    sdp=self.t.word("sdp", event.get("sdp_type", "?")),
                    fingerprints=", ".join(str(f) for f in event.get("fingerprints") or ()),
                )
            )
        return lines

    def _recording_line(self, event: Mapping[str, Any], act: str) -> str:
        recording = str(event.get("recording") or "-")
        digest = event.get("manifest_sha256") or event.get("sha256")
        when = self.stamp(event.get("ts"))
        if digest:
            return self.t(
                "line.recording_hash", time=when, act=act, recording=recording, sha256=digest
            )
        return self.t("line.recording", time=when, act=act, recording=recording)


def build_minutes(events: Sequence[Mapping[str, Any]]) -> Minutes:
    """The minutes of the events in seq order (the log up to, not including, the minutes)."""
    if not events or events[0].get("type") != "hearing.created":
        raise ValueError("the minutes need the log from its hearing.created event")
    reader = _Reader(events)
    reader.read(events)
    t, created, clock = reader.t, reader.created, reader.clock
    origin = str(created.get("log", ""))
    requesting, requested = created.get("requesting_state", "?"), created.get("requested_state")
    judges = [p.name for p in reader.people.values() if p.role == "judge"]
    authorities = [p.name for p in reader.people.values() if p.role == "authority"]
    court_name = str(reader.court.get("name") or "")
    judge = ", ".join(judges) or "-"
    if court_name:
        requesting_value = t(
            "value.requesting", court=court_name, state=t.state(requesting), judge=judge
        )
    else:
        requesting_value = t("value.requesting_no_court", state=t.state(requesting), judge=judge)
    if authorities:
        requested_value = t(
            "value.requested", names=", ".join(authorities), state=t.state(requested)
        )
    else:
        requested_value = t("value.requested_none", state=t.state(requested))
    heard = reader.heard
    language = heard.get("language")
    person = t(
        "value.person",
        name=heard.get("name", "?"),
        role=t.word("role", heard.get("role", "?")),
        language=t.word("language", language) if language else "-",
        consent=t.word("consent", heard.get("consent") or "unknown"),
    )
    day = clock.day.astimezone(clock.venue) if clock.day else None
    facts = [
        (t("label.case"), str(created.get("case_reference") or "-")),
        (t("label.proceeding"), t.word("proceeding", created.get("proceeding", "?"))),
        (t("label.requesting"), requesting_value),
        (t("label.requested"), requested_value),
        (t("label.person"), person),
        (t("label.place"), t("value.place", venue=reader.venue or "-", state=t.state(requested))),
        (t("label.date"), t.long_date(day) if day else t("value.date_none")),
        (t("label.times"), clock.describe(reader.venue_zone_name, reader.court_zone_name)),
    ]
    place = Section(
        t("section.date_place"),
        [
            t(
                "line.scheduled",
                start=clock.stamp(reader.starts, full=True),
                end=clock.stamp(reader.ends, full=True),
            )
        ],
    )
    if reader.room:
        first, last = reader.room[0].get("ts"), reader.room[-1].get("ts")
        place.lines.append(
            t("line.held", start=clock.stamp(first, full=True), end=clock.stamp(last, full=True))
        )
    else:
        place.lines.append(t("line.not_held"))
    heard_id = str(heard.get("id", ""))
    everyone = Section(t("section.participants"))
    for pid, who in reader.people.items():
        function = t.word("function", who.role) if who.role in ("judge", "authority") else None
        function = function or t.word("role", who.role)
        if pid == heard_id:
            function = t("line.person_heard", role=t.word("role", who.role))
        everyone.lines.append(t("line.participant", name=who.name, function=function))
    open_conditions = Section(t("section.open_conditions"))
    for condition in reader.decision:
        if str(condition.get("id")) in reader.met_ids:
            continue
        roles = ", ".join(t.word("role", r) for r in condition.get("satisfied_by") or ()) or "-"
        open_conditions.lines.append(
            t(
                "line.open",
                condition=t.word("condition", condition.get("id")),
                stage=t.word("stage", condition.get("stage", "during")),
                roles=roles,
            )
        )
    if not open_conditions.lines:
        done = "line.none_open" if reader.decision else "line.no_decision"
        open_conditions.lines.append(t(done))
    interruptions = [line for _, line in sorted(reader.interruptions, key=lambda item: item[0])]
    sections = [
        place,
        everyone,
        Section(t("section.conditions"), reader.conditions or [t("line.none_met")]),
        open_conditions,
        Section(t("section.course"), reader.course or [t("line.none_course")]),
        Section(t("section.interruptions"), interruptions or [t("line.none_interruptions")]),
        Section(
            t("section.technical"),
            [*reader.technical, *reader.fingerprints(events)] or [t("line.none_technical")],
        ),
    ]
    signature = Section(t("section.signature"), [t("sig.intro", basis=t("sig.basis"))])
    signer = authorities[0] if len(authorities) == 1 else ""
    fields = [
        (t("sig.name"), signer),
        (t("sig.function"), t("function.authority") if signer else ""),
        (t("sig.place_date"), ""),
        (t("sig.signature"), ""),
        (t("sig.stamp"), ""),
    ]
    last = events[-1]
    last_ts = parse_ts(last.get("ts"))
    footer = t(
        "footer",
        origin=origin,
        last=last.get("seq", len(events) - 1),
        ts=f"{last_ts:%Y-%m-%d %H:%M:%S}" if last_ts else last.get("ts", "-"),
    )
    return Minutes(
        hearing_id=origin.rsplit("/", 1)[-1],
        origin=origin,
        language=t.language,
        court=court_name,
        title=t("title"),
        legal_basis=t("legal_basis"),
        facts=facts,
        sections=sections,
        signature=signature,
        signature_fields=fields,
        footer=footer,
        pdf_notice=t("pdf_notice"),
        generated_at=str(last.get("ts", "")),
    )


# -- rendering ---------------------------------------------------------------------------------

# Inline, so that the file reads the same from the bundle, offline; the clerk route allows
# inline styles for it and nothing else.
_CSS = """
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; color: #111; }
.court { font-variant: small-caps; letter-spacing: .04em; margin: 0; }
h1 { font-size: 1.45rem; margin: .4rem 0 .6rem; }
.basis { font-size: .9rem; font-style: italic; }
table.facts { border-collapse: collapse; width: 100%; margin: 1rem 0 1.5rem; }
table.facts th { text-align: left; vertical-align: top; width: 13rem; font-weight: 600;
                 padding: .25rem .75rem .25rem 0; }
table.facts td { padding: .25rem 0; }
table.facts tr { border-top: 1px solid #ccc; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .4rem; border-bottom: 1px solid #999; }
ul { padding-left: 1.2rem; }
li { margin: .2rem 0; }
.signature table { width: 100%; border-collapse: collapse; margin-top: .8rem; }
.signature th { text-align: left; width: 13rem; padding: 1.1rem .75rem 0 0; font-weight: 600; }
.signature td { border-bottom: 1px solid #111; padding-top: 1.1rem; }
footer { margin-top: 2rem; font-size: .8rem; color: #444; border-top: 1px solid #ccc; }
@media print { body { margin: 0; max-width: none; } }
""".strip()


def render_html(minutes: Minutes) -> str:
    esc = html.escape
    parts = [
        "<!doctype html>",
        f'<html lang="{esc(minutes.language)}"><head><meta charset="utf-8">',
        f"<title>{esc(minutes.title)}</title>",
        f"<style>\n{_CSS}\n</style></head><body>",
        "<header>",
    ]
    if minutes.court:
        parts.append(f'<p class="court">{esc(minutes.court)}</p>')
    parts += [
        f"<h1>{esc(minutes.title)}</h1>",
        f'<p class="basis">{esc(minutes.legal_basis)}</p>',
        '<table class="facts">',
    ]
    parts.extend(
        f'<tr><th scope="row">{esc(label)}</th><td>{esc(value)}</td></tr>'
        for label, value in minutes.facts
    )
    parts += ["</table>", "</header>", "<main>"]
    for number, section in enumerate(minutes.sections, 1):
        parts.append(f"<section><h2>{number}. {esc(section.title)}</h2><ul>")
        parts.extend(f"<li>{esc(line)}</li>" for line in section.lines)
        parts.append("</ul></section>")
    number = len(minutes.sections) + 1
    parts.append(f'<section class="signature"><h2>{number}. {esc(minutes.signature.title)}</h2>')
    parts.extend(f"<p>{esc(line)}</p>" for line in minutes.signature.lines)
    parts.append("<table>")
    parts.extend(
        f'<tr><th scope="row">{esc(label)}</th><td>{esc(value)}</td></tr>'
        for label, value in minutes.signature_fields
    )
    parts += ["</table></section>", "</main>", f"<footer><p>{esc(minutes.footer)}</p></footer>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _latin1(text: str) -> tuple[str, bool]:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe, safe != text


def _all_text(minutes: Minutes) -> Iterable[str]:
    yield minutes.court
    yield minutes.footer
    for label, value in (*minutes.facts, *minutes.signature_fields):
        yield label
        yield value
    for section in (*minutes.sections, minutes.signature):
        yield section.title
        yield from section.lines


class _Document(FPDF):
    """Each page's foot: the case and the page number, as a court's filing has."""

    foot = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7.5)
        self.cell(0, 5, f"{self.foot}  {self.page_no()}/{{nb}}", align="R")


def render_pdf(minutes: Minutes) -> bytes:
    """The minutes as PDF; deterministic for the same minutes (fixed creation date)."""
    pdf = _Document()
    pdf.set_compression(False)  # small, and its text stays greppable
    created = parse_ts(minutes.generated_at) or datetime(2000, 1, 1, tzinfo=UTC)
    pdf.set_creation_date(created)
    pdf.set_lang(minutes.language)
    pdf.set_title(_latin1(minutes.title)[0])
    pdf.foot = _latin1(f"{minutes.title} - {minutes.facts[0][1]}")[0]  # the case reference
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    def text(size: float, value: str, style: str = "", height: float = 5.0) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, height, _latin1(value)[0], new_x="LMARGIN", new_y="NEXT")

    if minutes.court:
        text(10, minutes.court.upper(), "B")
    text(15, minutes.title, "B", 8)
    text(8.5, minutes.legal_basis, "I", 4.2)
    if any(_latin1(value)[1] for value in _all_text(minutes)):
        text(8.5, minutes.pdf_notice, "B", 4.2)
    pdf.ln(2)
    pdf.set_font("Helvetica", size=9.5)
    with pdf.table(
        col_widths=(45, 135),
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
        text_align="LEFT",
    ) as table:
        for label, value in minutes.facts:
            row = table.row()
            row.cell(_latin1(label)[0])
            row.cell(_latin1(value)[0])
    for number, section in enumerate(minutes.sections, 1):
        pdf.ln(3)
        text(11.5, f"{number}. {section.title}", "B", 7)
        pdf.set_font("Helvetica", size=9.5)
        for line in section.lines:
            pdf.set_x(pdf.l_margin + 3)
            pdf.multi_cell(0, 5, "- " + _latin1(line)[0], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if pdf.will_page_break(85):
        pdf.add_page()  # the signature block is never split from its heading
    text(11.5, f"{len(minutes.sections) + 1}. {minutes.signature.title}", "B", 7)
    for line in minutes.signature.lines:
        text(9.5, line)
    pdf.set_font("Helvetica", size=9.5)
    for label, value in minutes.signature_fields:
        pdf.ln(3)
        pdf.cell(45, 9, _latin1(label)[0])
        pdf.cell(0, 9, _latin1(value)[0], border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    text(7.5, minutes.footer, "", 3.8)
    return bytes(pdf.output())
