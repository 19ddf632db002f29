"""Verify a clerk's bundle against a trust policy: the numbered checklist of research A.5.

Each step passes or fails; a proof, signature, cosignature or timestamp that is missing while
the policy requires it is a failure, never a skip. After a failure the remaining steps are
reported as failed ("not run"), so `report.ok` holds only when all eleven passed. Step (12) of
the research checklist is that rule (report.py). The steps read in order below; the RFC 3161
check of step 6 is in timestamp.py, the event pass of step 8 in scan.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vc_service.audit import AuditError
from vc_service.audit.bundle import (
    CLOSE_EVENT_TYPE,
    SEGMENT_EVENT_TYPE,
    BundleReader,
    parse_proof_text,
    segment_path,
)
from vc_service.audit.bundle_checks import check_file_roles
from vc_service.audit.canonical import parse_canonical
from vc_service.audit.checkpoint import (
    Checkpoint,
    SignedNote,
    parse_checkpoint_body,
    parse_signed_note,
    verify_cosignatures,
    verify_log_signatures,
)
from vc_service.audit.policy import TrustPolicy
from vc_service.audit.report import STEPS, StepResult, VerificationReport, VerifyError
from vc_service.audit.scan import EventScan, event_time, scan_all, scan_events
from vc_service.audit.timestamp import TimestampInfo, verify_timestamp
from vc_service.audit.tree import (
    ProofError,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The report, the timestamp check and the event pass live in their own modules; these names
# stay importable from here.
__all__ = [
    "STEPS",
    "EventScan",
    "StepResult",
    "TimestampInfo",
    "VerificationReport",
    "VerifyError",
    "event_time",
    "scan_events",
    "verify_bundle",
    "verify_timestamp",
]

MANIFEST_PATH = "media/manifest.json"
# recordings.manifest.FORMAT, repeated so the verifier needs nothing from the recorder.
RECORDING_MANIFEST_FORMAT = "vc-recording-manifest/1"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _Checklist:
    """The steps in order; each reads only what earlier steps established."""

    def __init__(
        self,
        path: Path,
        policy: TrustPolicy,
        origin: str | None,
        now: datetime,
        known: Sequence[bytes] = (),
    ) -> None:
        self.path, self.policy, self.expected_origin, self.now = path, policy, origin, now
        self.known = list(known)  # checkpoints the verifier already held, as given
        self.known_notes: list[SignedNote] = []
        self.reader: BundleReader | None = None
        self.index: dict[str, Any] = {}
        self.note = SignedNote(b"", ())
        self.head = Checkpoint("-", 0, bytes(32))
        self.interim_notes: dict[int, SignedNote] = {}
        self.interim_heads: dict[int, Checkpoint] = {}
        self.lines: list[bytes] = []
        self.workers = 1
        self.chunk_roots: list[bytes] = []
        self.leaves: dict[int, bytes] = {}  # leaf hashes of the events kept below
        self.proofs: dict[str, list[bytes]] = {}
        self.events: dict[int, dict[str, object]] = {}  # those that need a proof or bind a file
        self.close_seqs: list[int] = []

    # (1) Load trust material only from the out-of-band policy: log keys with validity windows,
    #     cosigner keys and the quorum rule, TSA roots and allowed policy OIDs, the expected
    #     origin. keys/*.pem and certificates inside the token are never trust anchors (cosign
    #     GHSA-fx35-mq7g-6g98 verified a bundle with a public key the bundle itself carried).
    def step1_trust(self) -> str:
        policy = self.policy
        if self.expected_origin is not None:
            self._check_origin_form(self.expected_origin)
        return (
            f"{len(policy.log_keys)} log key(s), {len(policy.cosigners)} cosigner(s), quorum "
            f"{policy.cosigner_quorum}, {len(policy.tsa_roots)} TSA root(s), timestamp "
            f"{'required' if policy.require_timestamp else 'optional'}; keys in the bundle ignored"
        )

    def _check_origin_form(self, origin: str) -> None:
        prefix = self.policy.origin_prefix
        rest = origin[len(prefix) :]
        if (
            not origin.startswith(prefix)
            or not _UUID.fullmatch(rest)
            or str(uuid.UUID(rest)) != rest
        ):
            raise VerifyError(f"origin {origin!r} is not {prefix}<uuid>", "audit.checkpoint.origin")

    # (2) Parse strictly: known bundle version and index fields; zip members exactly as the
    #     layout and the index say (no duplicate names, nothing stray); size limits; signed
    #     notes as C2SP requires (UTF-8, no control but \n, blank line, 1..64 signature lines);
    #     proofs as lines of 64 hex digits. Unknown versions fail (Rekor v2: fail gracefully).
    def step2_parse(self) -> str:
        self.reader = reader = BundleReader(self.path)
        self.index = reader.index()
        reader.check_members(self.index)
        self.note = parse_signed_note(reader.read("checkpoint"))
        for size in self.index["checkpoints"]:
            self.interim_notes[size] = parse_signed_note(reader.read(f"checkpoints/{size}"))
        for name in sorted(reader.names):
            if name.startswith("proofs/"):
                self.proofs[name] = parse_proof_text(reader.read(name), name)
        # Streamed and bounded by the index's size (issue 14 point 11; bundle.py).
        self.lines = reader.event_lines(self.index["size"])
        for number, data in enumerate(self.known, 1):
            try:
                self.known_notes.append(parse_signed_note(data))
            except AuditError as exc:
                raise VerifyError(
                    f"known checkpoint {number}: {exc.message}", "audit.known.invalid"
                ) from exc
        return f"bundle version {self.index['version']}, {len(reader.names)} members as indexed"

    # (3) The checkpoint's origin is this hearing's (exactly the expected origin, or the
    #     policy's prefix and a UUID), and a signature line names a trusted log key by both
    #     name and key ID SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]. Interim checkpoints share it.
    def step3_origin(self) -> str:
        head = parse_checkpoint_body(self.note.body)
        if self.expected_origin is not None and head.origin != self.expected_origin:
            raise VerifyError(
                f"checkpoint origin {head.origin!r} is not {self.expected_origin!r}",
                "audit.checkpoint.origin",
            )
        self._check_origin_form(head.origin)
        trusted = {(key.name, key.key_id) for key in self.policy.trusted_log_keys()}
        named = sorted({s.name for s in self.note.signatures if (s.name, s.key_id) in trusted})
        if not named:
            raise VerifyError(
                "no signature line from a trusted log key (found: "
                + ", ".join(sorted({s.name for s in self.note.signatures}))
                + ")",
                "audit.checkpoint.no_trusted_signature",
            )
        for size, note in self.interim_notes.items():
            interim = parse_checkpoint_body(note.body)
            if (interim.origin, interim.size) != (head.origin, size):
                raise VerifyError(
                    f"checkpoints/{size} is for {interim.origin} at size {interim.size}",
                    "audit.checkpoint.origin",
                )
            self.interim_heads[size] = interim
        self.head = head
        return f"origin {head.origin}; trusted key line(s) from {', '.join(named)}"

    # (4) Ed25519 signatures over the exact note bytes: 64-byte signatures, strict s < L (the
    #     `cryptography` backend passes all Wycheproof vectors). Unknown keys are ignored; a
    #     trusted key whose signature fails rejects the note; at least one must verify, on the
    #     final and on every interim checkpoint (older rekor and sigstore-python clients only
    #     checked the checkpoint "if present", or left it as a TODO).
    def step4_signatures(self) -> str:
        keys = self.policy.trusted_log_keys()
        signed = verify_log_signatures(self.note, keys)
        for note in self.interim_notes.values():
            verify_log_signatures(note, keys)
        names = ", ".join(key.name for key in signed)
        return f"final checkpoint signed by {names}; {len(self.interim_notes)} interim verified"

    # (5) Cosignatures (c2sp tlog-cosignature v1) from trusted cosigners, verified over
    #     "cosignature/v1\ntime <t>\n" + note: none dated in the future of our clock beyond
    #     the allowed skew, each cosigner's key valid at its time, the quorum reached. A
    #     cosigner refuses to sign a fork it has seen, so this is what stops split views.
    def step5_cosignatures(self) -> str:
        found = verify_cosignatures(self.note, self.policy.trusted_cosigners())
        counted: set[str] = set()
        for key, timestamp in found.items():
            when = datetime.fromtimestamp(timestamp, UTC)
            if when > self.now + self.policy.max_clock_skew:
                raise VerifyError(
                    f"cosignature of {key.name} is dated {when.isoformat()}, in the future",
                    "audit.cosign.future",
                )
            if self.policy.cosigner(key).valid_at(when):
                counted.add(key.name)
        quorum = self.policy.cosigner_quorum
        if len(counted) < quorum:
            raise VerifyError(
                f"{len(counted)} valid cosignature(s), the policy requires {quorum}",
                "audit.cosign.quorum",
            )
        return f"{len(counted)} valid ({', '.join(sorted(counted)) or 'none'}), quorum {quorum}"

    # (6) Independent time: the RFC 3161 token over the final note text verifies against a TSA
    #     root of the policy (imprint, signature, chain, timeStamping EKU, allowed policy OID);
    #     genTime is not before the last event, not later than the policy's bound after it
    #     (otherwise whoever holds today's key could date a log back into a retired key's
    #     window and have it stamped today: issue 14 point 5) and not in our future; a log key
    #     that signed was valid then. Without a token (only if the policy allows) the reference
    #     time is the last event's own ts, a claim of the log itself; step 8 holds the times
    #     non-decreasing, so no earlier event is dated after it.
    def step6_time(self) -> str:
        assert self.reader is not None
        end = self._event_time(self.head.size - 1) if self.head.size else None
        if self.reader.has("checkpoint.tsr"):
            if not self.policy.tsa_roots:
                raise VerifyError(
                    "the bundle has a timestamp but the policy trusts no TSA",
                    "audit.timestamp.untrusted",
                )
            tsr = self.reader.read("checkpoint.tsr")
            info = verify_timestamp(tsr, self.note.body, self.policy.tsa_roots)
            if end is not None and info.gen_time < end:
                raise VerifyError(
                    f"genTime {info.gen_time.isoformat()} is before the last event "
                    f"{end.isoformat()}",
                    "audit.timestamp.too_early",
                )
            bound = self.policy.max_timestamp_delay
            if end is not None and info.gen_time > end + bound:
                raise VerifyError(
                    f"genTime {info.gen_time.isoformat()} is more than {_span(bound)} after the "
                    f"last event {end.isoformat()}: the log may be dated back",
                    "audit.timestamp.too_late",
                )
            if info.gen_time > self.now + self.policy.max_clock_skew:
                raise VerifyError(
                    f"genTime {info.gen_time.isoformat()} is in the future",
                    "audit.timestamp.future",
                )
            when, source = info.gen_time, f"genTime from {info.tsa}"
        elif self.policy.require_timestamp:
            raise VerifyError(
                "the policy requires a timestamp; none in the bundle", "audit.timestamp.missing"
            )
        elif end is None:
            raise VerifyError("an empty log has no time", "audit.timestamp.missing")
        else:
            when, source = end, "last event's ts, the log's own claim"
        self._require_valid_key(self.note, when, "final checkpoint")
        for size, note in self.interim_notes.items():
            self._require_valid_key(note, self._event_time(size - 1), f"checkpoint {size}")
        return f"reference time {when.isoformat()} ({source}); signing keys valid then"

    def _event_time(self, seq: int) -> datetime:
        if not 0 <= seq < len(self.lines):
            raise VerifyError(f"events.jsonl has no event {seq}", "audit.event.missing")
        return event_time(parse_canonical(self.lines[seq]).get("ts"))

    def _require_valid_key(self, note: SignedNote, when: datetime, what: str) -> None:
        signed = verify_log_signatures(note, self.policy.trusted_log_keys())
        if not any(self.policy.log_key(key).valid_at(when) for key in signed):
            windows = ", ".join(f"{k.name} {self.policy.log_key(k).window()}" for k in signed)
            raise VerifyError(
                f"{what}: no signing key was valid at {when.isoformat()} ({windows})",
                "audit.key.not_valid",
            )

    # (7) Size and root come only from the verified checkpoint; bundle.json must agree with
    #     them and is otherwise ignored (Rekor v2 CLIENTS.md: never use an unverified size or
    #     root).
    def step7_size_root(self) -> str:
        if (self.index["origin"], self.index["size"]) != (self.head.origin, self.head.size):
            raise VerifyError(
                "bundle.json origin/size differ from the checkpoint", "audit.bundle.index"
            )
        return f"size {self.head.size}, root {self.head.root.hex()}"

    # (8) Every event is UTF-8 JSON in the restricted profile and byte-for-byte canonical (no
    #     two parsers can read it differently), `log` = origin, `seq` = its line number, with
    #     well-formed ts, type and actor; leaf hash = SHA-256(0x00 ‖ line). Exactly `size`
    #     lines, so each seq 0..n-1 is present once: no gap, duplicate or reordering. (scan.py
    #     checks most events against a shape learnt from events that passed in full: same verdict.)
    def step8_events(self) -> str:
        origin, size = self.head.origin, self.head.size
        if len(self.lines) != size:
            raise VerifyError(
                f"{len(self.lines)} events, the checkpoint says {size}", "audit.event.count"
            )
        scans = scan_all(self.lines, origin, self.workers)
        for scan in scans:
            if scan.error is not None:
                raise VerifyError(*scan.error)
            self.chunk_roots.append(scan.root)
            self.close_seqs += scan.closes
            for seq, (event, leaf) in scan.kept.items():
                self.events[seq], self.leaves[seq] = event, leaf
        return f"{size} events, seq 0..{size - 1} once each, canonical, log = origin"

    # (9) The tree recomputed from all events has the checkpoint's root; every event that binds
    #     a file or concerns media or consent has an inclusion proof (index < size, exact
    #     length, root = checkpoint root), as a clerk proving one segment alone would use it.
    #     One structure only, checked whole (immudb CVE-2022-36111 checked part of a chain).
    def step9_inclusion(self) -> str:
        # Chunks start at multiples of a power of two, so their roots are the tree's nodes at
        # that level and pairing them up level by level gives the root of all leaves.
        computed = root(self.chunk_roots)
        if computed != self.head.root:
            raise VerifyError(
                f"events give root {computed.hex()}, the checkpoint says {self.head.root.hex()}",
                "audit.tree.root_mismatch",
            )
        needed = sorted(self.events)
        if self.index["inclusion"] != needed:
            missing = sorted(set(needed) - set(self.index["inclusion"]))[:10]
            raise VerifyError(
                f"inclusion proofs missing or extra (missing: {missing})", "audit.proof.missing"
            )
        for seq in needed:
            proof = self.proofs[f"proofs/inclusion-{seq}.txt"]
            try:
                verify_inclusion(self.leaves[seq], seq, self.head.size, proof, self.head.root)
            except ProofError as exc:
                raise VerifyError(
                    f"inclusion proof of event {seq}: {exc.message}", exc.code
                ) from exc
        return f"root recomputed from {self.head.size} leaves; {len(needed)} inclusion proof(s)"

    # (10) Consistency: every interim checkpoint (same origin, size ≤ final) is a prefix of the
    #      final tree by its consistency proof; equal sizes need equal roots. So is every
    #      checkpoint the verifier already held (`--known`: from the authority, an earlier
    #      download), checked against the events themselves, because the bundle's own interim
    #      checkpoints and index can be rewritten to leave out the one that contradicts it
    #      (issue 14 point 8). A failure is evidence of a fork: the log signed two
    #      incompatible histories.
    def step10_consistency(self) -> str:
        final = self.head
        known = [self._check_known(number, note) for number, note in enumerate(self.known_notes, 1)]
        for size, interim in sorted(self.interim_heads.items()):
            proof = self.proofs.get(f"proofs/consistency-{size}-{final.size}.txt", [])
            try:
                verify_consistency(size, final.size, interim.root, final.root, proof)
            except ProofError as exc:
                raise VerifyError(
                    f"checkpoint {size} is not consistent with the final one: {exc.message}",
                    "audit.proof.consistency",
                ) from exc
        text = f"{len(self.interim_heads)} interim checkpoint(s) consistent with {final.size}"
        if known:
            text += f"; known checkpoint(s) at size {', '.join(map(str, known))} consistent"
        return text

    def _check_known(self, number: int, note: SignedNote) -> int:
        what = f"known checkpoint {number}"
        try:
            verify_log_signatures(note, self.policy.trusted_log_keys())
            held = parse_checkpoint_body(note.body)
        except AuditError as exc:
            raise VerifyError(f"{what}: {exc.message}", "audit.known.invalid") from exc
        if held.origin != self.head.origin:
            raise VerifyError(
                f"{what} is of log {held.origin!r}, not {self.head.origin!r}",
                "audit.known.origin",
            )
        if held.size > self.head.size:
            raise VerifyError(
                f"{what} has {held.size} events, the final one only {self.head.size}: the log "
                "signed a longer history than the bundle shows (fork)",
                "audit.proof.fork",
            )
        # Step 9 recomputed the tree from every event, so the prefix's root needs no proof.
        if root([leaf_hash(line) for line in self.lines[: held.size]]) != held.root:
            raise VerifyError(
                f"{what} at size {held.size} is not a prefix of this log: the log signed two "
                "different histories (fork)",
                "audit.proof.fork",
            )
        return held.size

    # (11) Bindings to the things themselves (cosign CVE-2022-36056 accepted a log entry that
    #      did not reference the signature): each file's SHA-256 and length equal those of *its*
    #      event; a segment lies at the path its track/part give; per track, parts are
    #      contiguous and t0/t1 monotonic; the last event, and only it, closes the hearing.
    def step11_bindings(self) -> str:
        assert self.reader is not None
        for entry in self.index["files"]:
            seq, path = entry["seq"], entry["path"]
            event = self.events.get(seq, {})
            digest, length = hashlib.sha256(), 0
            for chunk in self.reader.chunks(path):
                digest.update(chunk)
                length += len(chunk)
            actual = (digest.hexdigest(), length)
            if actual != (event.get("sha256"), event.get("bytes")) or actual != (
                entry["sha256"],
                entry["bytes"],
            ):
                raise VerifyError(f"{path} does not match event {seq}", "audit.binding.mismatch")
            segment = path.startswith("media/") and path != "media/manifest.json"
            if segment != (event.get("type") == SEGMENT_EVENT_TYPE) or (
                segment and segment_path(event, path[path.rindex(".") :]) != path
            ):
                raise VerifyError(f"{path} is not where event {seq} puts it", "audit.binding.path")
        self._check_segments()
        self._check_manifest()
        check_file_roles(self.index["files"], self.events)  # issue 14 point 3 (bundle_checks)
        if self.close_seqs != [self.head.size - 1]:
            raise VerifyError(
                f"the log must end with its only {CLOSE_EVENT_TYPE} "
                f"(found at {self.close_seqs[:5]})",
                "audit.event.close",
            )
        return f"{len(self.index['files'])} file(s) bound; the log ends with {CLOSE_EVENT_TYPE}"

    def _check_manifest(self) -> None:
        """A recording manifest in the bundle announces each track's parts: the log must hold
        exactly parts 0..n-1 of each, with the same hashes and lengths, and no other track of
        that recording (a missing last part is otherwise invisible; issue 14 point 10). Only
        manifests in the recorder's format are read; the file's own hash is bound above."""
        assert self.reader is not None
        if not self.reader.has(MANIFEST_PATH):
            return
        try:
            data = json.loads(self.reader.read(MANIFEST_PATH))
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict) or data.get("format") != RECORDING_MANIFEST_FORMAT:
            return
        recording, tracks = data.get("recording"), data.get("tracks")
        logged: dict[object, list[tuple[object, object, object]]] = {}
        for event in (e for _, e in sorted(self.events.items())):
            if event.get("type") == SEGMENT_EVENT_TYPE and event.get("recording") == recording:
                logged.setdefault(event.get("track"), []).append(
                    (event.get("part"), event.get("sha256"), event.get("bytes"))
                )
        if not isinstance(tracks, list) or not all(
            isinstance(t, dict) and isinstance(t.get("parts"), list) for t in tracks
        ):
            raise VerifyError(f"{MANIFEST_PATH} has no list of tracks", "audit.binding.manifest")
        for track in tracks:
            parts = [p if isinstance(p, dict) else {} for p in track["parts"]]
            announced = [(p.get("part"), p.get("sha256"), p.get("bytes")) for p in parts]
            found = logged.pop(track.get("track"), [])
            if [a[0] for a in announced] != list(range(len(announced))) or found != announced:
                raise VerifyError(
                    f"{MANIFEST_PATH}: track {track.get('track')} announces parts "
                    f"0..{len(announced) - 1}, the log holds parts {[f[0] for f in found]} "
                    "(or other hashes)",
                    "audit.binding.manifest",
                )
        if logged:
            raise VerifyError(
                f"{MANIFEST_PATH} does not list track(s) {sorted(map(str, logged))} of its "
                "recording that the log holds",
                "audit.binding.manifest",
            )

    def _check_segments(self) -> None:
        tracks: dict[str, tuple[int, str, str]] = {}
        for seq, event in sorted(self.events.items()):
            if event.get("type") != SEGMENT_EVENT_TYPE:
                continue
            track, part, t0, t1 = (event.get(k) for k in ("track", "part", "t0", "t1"))
            if (
                type(track) is not str
                or type(part) is not int
                or type(event.get("bytes")) is not int
            ):
                raise VerifyError(
                    f"segment event {seq} lacks track, part or bytes", "audit.binding.segment"
                )
            if event_time(t0) > event_time(t1):
                raise VerifyError(
                    f"segment event {seq} ends before it starts", "audit.binding.segment"
                )
            assert isinstance(t0, str) and isinstance(t1, str)
            previous = tracks.get(track)
            if previous is None and part != 0:
                # A track whose first parts are missing (issue 14 point 10).
                raise VerifyError(
                    f"segment event {seq}: {track} starts at part {part}, not 0",
                    "audit.binding.segment",
                )
            if previous and (part != previous[0] + 1 or t0 < previous[1] or t1 < previous[2]):
                raise VerifyError(
                    f"segment event {seq}: {track} part {part} does not follow part {previous[0]}",
                    "audit.binding.segment",
                )
            tracks[track] = (part, t0, t1)


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600} h" if seconds and seconds % 3600 == 0 else f"{seconds} s"


def verify_bundle(
    zip_path: Path | str,
    policy: TrustPolicy,
    *,
    expected_origin: str | None = None,
    now: datetime | None = None,
    workers: int = 1,
    known: Sequence[bytes] = (),
) -> VerificationReport:
    """Run the checklist on a bundle; `report.ok` is true only if every step passed.

    `known` are signed checkpoints of this log the verifier already holds (exact note bytes);
    each must verify with a trusted log key and be a prefix of the bundle's log.

    `workers` > 1 checks the events of large logs in that many forked processes (same verdict
    and messages). Use it from a command-line process, not from a threaded server: fork.
    """
    path = Path(zip_path)
    checklist = _Checklist(path, policy, expected_origin, now or datetime.now(UTC), known)
    checklist.workers = workers
    runs: list[Callable[[], str]] = [
        checklist.step1_trust,
        checklist.step2_parse,
        checklist.step3_origin,
        checklist.step4_signatures,
        checklist.step5_cosignatures,
        checklist.step6_time,
        checklist.step7_size_root,
        checklist.step8_events,
        checklist.step9_inclusion,
        checklist.step10_consistency,
        checklist.step11_bindings,
    ]
    report = VerificationReport(str(path))
    try:
        failed = report.run(runs)
        if failed is None or failed > 3:
            report.origin = checklist.head.origin
        if failed is None or failed > 7:
            report.size, report.root = checklist.head.size, checklist.head.root
    finally:
        if checklist.reader is not None:
            checklist.reader.close()
    return report
