"""A hearing's final checkpoint against its court's log (issue 14 point 9): `log court-verify`.

Each court has a log of its hearings (`<domain>/court/<court id>`, the same events, tree and
signed checkpoints as a hearing's log; `store.py`): `court.hearing_created` when a hearing is
created (its origin and the leaf hash of its `hearing.created`) and `court.hearing_sealed` when it
is sealed (its origin, final size and root). A clerk's bundle carries the court's signed
checkpoint, the sealing event's exact bytes and its audit path (`court/`, see `bundle.py`).

What it proves. With the bundle alone: the operator's key put this very final checkpoint in the
court's log, at a position fixed by the court's signed head, so a record re-made for the same
hearing (another final checkpoint) cannot reuse the court proof. With the court log itself
(`log court-export`, events and checkpoint, `--court-log`): every hearing of the court appears
once created and at most once sealed, the bundle's court checkpoint is a prefix of it (a court
log rewritten to drop or replace a hearing contradicts every court checkpoint handed out
before), and a count of hearings can be checked against it. The court log lists hearing ids and
hashes only, no personal data, so it can be given to whoever checks a count.

What it does not prove alone: that the court log shown is the only one. Court checkpoints, like
hearing checkpoints, are signed by the operator's key; a checkpoint held from earlier (any
earlier bundle's `court/checkpoint`) is what pins it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from vc_service.audit import AuditError
from vc_service.audit.bundle import (
    COURT_CREATED,
    COURT_SEALED,
    BundleError,
    BundleReader,
    CourtPart,
    _check_member,
    check_court_part,
    parse_proof_text,
)
from vc_service.audit.canonical import canonical_bytes, parse_canonical
from vc_service.audit.checkpoint import (
    Checkpoint,
    SignedNote,
    parse_checkpoint_body,
    parse_signed_note,
    verify_log_signatures,
)
from vc_service.audit.events import parse_ts
from vc_service.audit.policy import TrustPolicy
from vc_service.audit.report import VerificationReport, VerifyError
from vc_service.audit.tree import MerkleTree, leaf_hash
from vc_service.audit.verify import verify_bundle

COURT_LOG_MEMBERS = ("checkpoint", "events.jsonl")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

COURT_STEPS = (
    "the hearing's record (the checks of log verify)",
    "the court part of the bundle",
    "court checkpoint origin and signature",
    "the court event records this final checkpoint",
)
COURT_LOG_STEP = "the court log: every hearing once, the bundle's court head a prefix"
KNOWN_COURT_STEP = "court checkpoints you hold"


def court_origin(policy: TrustPolicy, court_id: str) -> str:
    """`<domain>/court/<id>` for the policy's `<domain>/hearing/`: the verifier's input, like
    the hearing, never the bundle's claim."""
    prefix = policy.origin_prefix
    if not _UUID.fullmatch(court_id):
        raise VerifyError(f"court id {court_id!r} is not a lowercase UUID", "audit.court.origin")
    if not prefix.endswith("/hearing/"):
        raise VerifyError(
            f"the policy's origin prefix {prefix!r} does not end with /hearing/",
            "audit.court.origin",
        )
    return prefix[: -len("hearing/")] + "court/" + court_id


def build_court_log(out: Path | IO[bytes], checkpoint: bytes, events: Sequence[bytes]) -> None:
    """Write a court log export: its signed checkpoint and exactly the events it covers."""
    head = parse_checkpoint_body(parse_signed_note(checkpoint).body)
    if head.size != len(events) or MerkleTree(leaf_hash(e) for e in events).root() != head.root:
        raise BundleError("the court checkpoint does not match the events given")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("checkpoint", checkpoint)
        archive.writestr("events.jsonl", b"".join(line + b"\n" for line in events))


@dataclass
class CourtLog:
    note: SignedNote
    head: Checkpoint
    events: list[bytes]


def read_court_log(path: Path) -> CourtLog:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sorted(info.filename for info in infos) != list(COURT_LOG_MEMBERS):
                raise BundleError(
                    f"a court log holds exactly {', '.join(COURT_LOG_MEMBERS)}",
                    "audit.court.log_layout",
                )
            for info in infos:
                _check_member(info)
            note_bytes = archive.read("checkpoint")
            data = archive.read("events.jsonl")
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleError(f"court log: not a readable zip: {exc}", "audit.bundle.zip") from exc
    note = parse_signed_note(note_bytes)
    head = parse_checkpoint_body(note.body)
    if data and not data.endswith(b"\n"):
        raise BundleError("court log: events.jsonl must end with a newline")
    lines = data[:-1].split(b"\n") if data else []
    if len(lines) != head.size:
        raise VerifyError(
            f"the court log holds {len(lines)} events, its checkpoint {head.size}",
            "audit.court.log_size",
        )
    return CourtLog(note, head, lines)


class _CourtChecklist:
    def __init__(
        self,
        path: Path,
        policy: TrustPolicy,
        hearing_origin: str,
        court_id: str,
        now: datetime | None,
        known: Sequence[bytes],
        court_log: Path | None,
        known_court: Sequence[bytes] = (),
    ) -> None:
        self.path, self.policy, self.hearing_origin = path, policy, hearing_origin
        self.court_id, self.now, self.known, self.court_log = court_id, now, known, court_log
        self.court_origin = "-"
        self.known_court = list(known_court)
        self.court_tree: MerkleTree | None = None
        self.final = Checkpoint("-", 0, bytes(32))
        self.part = CourtPart(b"", b"", 0, ())
        self.note = SignedNote(b"", ())
        self.head = Checkpoint("-", 0, bytes(32))
        self.event: dict[str, object] = {}

    # (1) The hearing's bundle passes every check of `log verify` for the hearing asked about:
    #     the final checkpoint compared below is one the policy's keys signed.
    def step1_hearing(self) -> str:
        kwargs: dict[str, Any] = {"expected_origin": self.hearing_origin, "known": self.known}
        if self.now is not None:
            kwargs["now"] = self.now
        report = verify_bundle(self.path, self.policy, **kwargs)
        if not report.ok or report.size is None or report.root is None:
            failed = next(step for step in report.steps if not step.passed)
            raise VerifyError(
                f"log verify step {failed.number} ({failed.title}): {failed.detail}",
                failed.code or "audit.verify.failed",
            )
        self.final = Checkpoint(self.hearing_origin, report.size, report.root)
        return f"{self.hearing_origin}: {report.size} events, root {report.root.hex()}"

    # (2) The bundle's `court/` part, strictly: listed in the index, canonical event bytes,
    #     proof lines of 64 hex digits. A bundle without it proves nothing about the court.
    def step2_parse(self) -> str:
        with BundleReader(self.path) as reader:
            index = reader.index()
            court = index.get("court")
            if court is None:
                raise VerifyError(
                    "the bundle carries no court proof (a hearing sealed before court logs, or "
                    "one its court log does not record)",
                    "audit.court.missing",
                )
            checkpoint = reader.read("court/checkpoint")
            event = reader.read("court/event.json")
            proof = parse_proof_text(reader.read("court/inclusion.txt"), "court/inclusion.txt")
        self.event = parse_canonical(event)
        self.part = CourtPart(checkpoint, event, court["seq"], proof)
        self.note = parse_signed_note(checkpoint)
        self.head = parse_checkpoint_body(self.note.body)
        if (self.head.origin, self.head.size) != (court["origin"], court["size"]):
            raise VerifyError(
                "bundle.json's court entry differs from court/checkpoint", "audit.court.index"
            )
        return f"court event {court['seq']} of a court checkpoint of {court['size']} events"

    # (3) The court checkpoint is the court's asked about (its origin is the clerk's input,
    #     `<domain>/court/<id>`, which no hearing log can carry) and a trusted log key signed
    #     it, one still valid when the court event was written.
    def step3_signature(self) -> str:
        self.court_origin = court_origin(self.policy, self.court_id)
        if self.head.origin != self.court_origin:
            raise VerifyError(
                f"court checkpoint origin {self.head.origin!r} is not {self.court_origin!r}",
                "audit.court.origin",
            )
        names = _check_signed(self.note, self.policy, self.event)
        return f"{self.head.origin} at size {self.head.size}, signed by {', '.join(names)}"

    # (4) The court event is `court.hearing_sealed` with exactly this final checkpoint's
    #     origin, size and root, at its seq of the court log, and its audit path leads from its
    #     exact bytes to the signed court root (RFC 6962 inclusion).
    def step4_event(self) -> str:
        check_court_part(self.part, self.final.origin, self.final.size, self.final.root)
        if self.event.get("hearing") != self.final.origin.rsplit("/", 1)[-1]:
            raise VerifyError(
                f"the court event names hearing {self.event.get('hearing')!r}",
                "audit.court.mismatch",
            )
        return f"event {self.part.seq} ({self.event.get('ts')}) records it; inclusion verified"

    # (5) With the court log: signed by a trusted key, its events (canonical, seq 0.. in
    #     order, of this court) give its root; the bundle's court checkpoint is a prefix of it;
    #     every hearing is created once and sealed at most once, after its creation, and this
    #     hearing's sealing is the bundle's court event.
    def step5_court_log(self) -> str:
        assert self.court_log is not None
        court = read_court_log(self.court_log)
        if court.head.origin != self.court_origin:
            raise VerifyError(
                f"the court log is {court.head.origin!r}, not {self.court_origin!r}",
                "audit.court.origin",
            )
        tree = MerkleTree()
        created: dict[str, int] = {}
        sealed: dict[str, int] = {}
        last_ts = ""
        for seq, line in enumerate(court.events):
            event = parse_canonical(line)
            if canonical_bytes(event) != line:
                raise VerifyError(f"court event {seq} is not canonical", "audit.court.event")
            kind, hearing = event.get("type"), event.get("hearing")
            if event.get("seq") != seq or event.get("log") != self.court_origin:
                raise VerifyError(
                    f"court event {seq} is seq {event.get('seq')!r} of {event.get('log')!r}",
                    "audit.court.event",
                )
            if kind not in (COURT_CREATED, COURT_SEALED) or not isinstance(hearing, str):
                raise VerifyError(f"court event {seq} is a {kind!r}", "audit.court.event")
            ts = str(event.get("ts"))
            parse_ts(ts)
            if ts < last_ts:
                raise VerifyError(
                    f"court event {seq} is dated before {last_ts}", "audit.court.time"
                )
            last_ts = ts
            seen = created if kind == COURT_CREATED else sealed
            if hearing in seen:
                raise VerifyError(
                    f"hearing {hearing} is {'created' if seen is created else 'sealed'} twice "
                    f"in the court log (events {seen[hearing]} and {seq}): replaced",
                    "audit.court.twice",
                )
            if kind == COURT_SEALED and hearing not in created:
                raise VerifyError(
                    f"hearing {hearing} is sealed (event {seq}) but never created",
                    "audit.court.order",
                )
            seen[hearing] = seq
            tree.append(leaf_hash(line))
        self.court_tree = tree
        if tree.root() != court.head.root:
            raise VerifyError("the court log's events do not give its root", "audit.court.root")
        _check_signed(court.note, self.policy, {"ts": last_ts} if last_ts else {})
        if self.head.size > court.head.size or tree.root(self.head.size) != self.head.root:
            raise VerifyError(
                f"the bundle's court checkpoint ({self.head.size} events) is not a prefix of "
                f"the court log ({court.head.size}): a hearing was removed or replaced",
                "audit.court.fork",
            )
        hearing = self.final.origin.rsplit("/", 1)[-1]
        if sealed.get(hearing) != self.part.seq:
            raise VerifyError(
                f"the court log records hearing {hearing} sealed at {sealed.get(hearing)}, the "
                f"bundle at {self.part.seq}",
                "audit.court.mismatch",
            )
        return (
            f"{court.head.size} events: {len(created)} hearing(s) created, {len(sealed)} sealed; "
            f"the bundle's court head of {self.head.size} is a prefix"
        )

    # (6) Court checkpoints the verifier already holds (from earlier bundles, a published
    #     count): each is the court's, signed, and a prefix of what it is shown now (equal to
    #     the bundle's court head at the same size, else of the court log). A court log
    #     rewritten to drop or replace a hearing contradicts every one handed out before.
    def step6_known(self) -> str:
        sizes = []
        for number, data in enumerate(self.known_court, 1):
            try:
                held = parse_checkpoint_body(parse_signed_note(data).body)
                _check_signed(parse_signed_note(data), self.policy, {})
            except AuditError as exc:
                raise VerifyError(
                    f"held court checkpoint {number}: {exc.message}", "audit.court.known"
                ) from exc
            if held.origin != self.court_origin:
                raise VerifyError(
                    f"held court checkpoint {number} is of {held.origin}", "audit.court.known"
                )
            if held.size == self.head.size:
                root = self.head.root
            elif self.court_tree is not None and held.size <= self.court_tree.size:
                root = self.court_tree.root(held.size)
            else:
                raise VerifyError(
                    f"held court checkpoint {number} ({held.size} events) can only be compared "
                    f"with a court log that long: give --court-log",
                    "audit.court.known",
                )
            if root != held.root:
                raise VerifyError(
                    f"held court checkpoint {number} ({held.size} events) contradicts the court "
                    "log shown now: a hearing was removed or replaced (fork)",
                    "audit.court.fork",
                )
            sizes.append(str(held.size))
        return f"{len(sizes)} held court checkpoint(s) at size {', '.join(sizes)} consistent"


def _check_signed(note: SignedNote, policy: TrustPolicy, event: dict[str, object]) -> list[str]:
    """At least one trusted log key signed the note and was not retired before `event`'s ts
    (a court checkpoint is signed at or after the events it covers)."""
    try:
        signed = verify_log_signatures(note, policy.trusted_log_keys())
    except AuditError as exc:
        raise VerifyError(f"court checkpoint: {exc.message}", exc.code) from exc
    when = parse_ts(event["ts"]) if "ts" in event else None
    valid = [
        key.name
        for key in signed
        if when is None or (until := policy.log_key(key).valid_until) is None or until > when
    ]
    if not valid:
        raise VerifyError(
            "the court checkpoint is signed only by keys retired before its event",
            "audit.court.key_window",
        )
    return valid


def verify_court(
    zip_path: Path | str,
    policy: TrustPolicy,
    *,
    hearing_origin: str,
    court_id: str,
    court_log: Path | None = None,
    now: datetime | None = None,
    known: Sequence[bytes] = (),
    known_court: Sequence[bytes] = (),
) -> VerificationReport:
    """Check the bundle's hearing record, then its final checkpoint against the court's log;
    `report.ok` only if every step passed. `court_log` is a `log court-export` file,
    `known_court` signed court checkpoints the verifier already holds."""
    path = Path(zip_path)
    titles = COURT_STEPS + ((COURT_LOG_STEP,) if court_log is not None else ())
    titles += (KNOWN_COURT_STEP,) if known_court else ()
    report = VerificationReport(str(path), titles=titles)
    checklist = _CourtChecklist(
        path, policy, hearing_origin, court_id, now, known, court_log, known_court
    )
    runs: list[Callable[[], str]] = [
        checklist.step1_hearing,
        checklist.step2_parse,
        checklist.step3_signature,
        checklist.step4_event,
    ]
    if court_log is not None:
        runs.append(checklist.step5_court_log)
    if known_court:
        runs.append(checklist.step6_known)
    failed = report.run(runs)
    if failed is None:
        report.origin, report.size = checklist.final.origin, checklist.final.size
        report.root = checklist.final.root
    return report


__all__ = [
    "COURT_STEPS",
    "CourtLog",
    "build_court_log",
    "court_origin",
    "read_court_log",
    "verify_court",
]
