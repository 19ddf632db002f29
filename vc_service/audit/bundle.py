"""The clerk's export bundle: a zip built from values (no database), and its safe reading.

Layout, version 1 (`bundle.json` carries `"version": 1`; a verifier refuses other versions):

    bundle.json                     index of everything below (canonical JSON, untrusted: every
                                    claim in it is cross-checked against the signed log)
    events.jsonl                    one canonical event per line; leaf i = line i without "\\n"
    checkpoint                      final signed checkpoint (C2SP note), maybe cosigned
    checkpoint.tsr                  optional RFC 3161 response over the final note text
    checkpoints/<size>              interim signed checkpoints written during the hearing
    proofs/consistency-<m>-<n>.txt  consistency proof from each interim size m to the final n
    proofs/inclusion-<i>.txt        inclusion proof of event i in the final tree, for each
                                    event that binds a file or concerns media or consent
    media/manifest.json             the recording manifest (bound to an event)
    media/<track>/<part>.<ext>      recording segments, part zero-padded to 6 digits
    minutes.html, minutes.pdf       the minutes (bound to events)
    keys/<name>.pem                 public keys for convenience only; never trusted
    court/checkpoint                optional: the court log's signed checkpoint (C2SP note,
                                    origin <domain>/court/<court id>)
    court/event.json                its `court.hearing_sealed` event, exact bytes (no newline):
                                    this hearing's origin, final size and root
    court/inclusion.txt             the event's inclusion proof in the court checkpoint's tree
    SHA256SUMS                      `sha256sum -c` list of the bound files
    bindings.txt                    "<seq> <sha256> <bytes> <path>" per bound file, for sh
    VERIFY.md, scripts/*.sh         how to verify with stock tools, and the scripts it runs:
                                    copies of the files the trust policy pins by SHA-256
                                    (`verifier_sha256`); a verifier refuses any other bytes

`bundle.json`'s optional `court` is `{"origin", "seq", "size"}`: the court log's origin, the
event's seq in it and the court checkpoint's size (`vc-service log court-verify` checks them,
`court.py`).

Proof files hold lowercase hex hashes, one per line, lowest tree level first. A bound file is
tied to the event at `seq`, which carries its `sha256` (lowercase hex) and `bytes`; the event
also gives the file its role, hence its path (bundle_checks.py): a `media.segment` event's
`track` and `part`, `media.manifest` the manifest, `minutes.generated` its `format`.

Reading is bounded before anything is trusted: each member's declared size (by kind) and its
expansion ratio, no symbolic links, and `events.jsonl` streamed into at most the number of
lines the index announces (issue 14 point 11).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

from vc_service.audit import AuditError
from vc_service.audit.canonical import CanonicalError, canonical_bytes, parse_canonical
from vc_service.audit.checkpoint import parse_checkpoint_body, parse_signed_note, public_key_pem
from vc_service.audit.tree import MerkleTree, leaf_hash, verify_inclusion

BUNDLE_FORMAT = "vc-service/audit-bundle"
BUNDLE_VERSION = 1
CLOSE_EVENT_TYPE = "hearing.closed"
SEGMENT_EVENT_TYPE = "media.segment"
SCRIPTS = (
    "verify.sh",
    "check_events.sh",
    "tree_root.sh",
    "verify_inclusion.sh",
    "verify_consistency.sh",
)
# The stock-tool verifier: the same bytes in every bundle, pinned by the trust policy.
VERIFIER_FILES = ("VERIFY.md", *(f"scripts/{name}" for name in SCRIPTS))

MAX_EVENTS_BYTES = 2 * 1024**3
MAX_SMALL_MEMBER = 4 * 1024**2
MAX_MINUTES_BYTES = 64 * 1024**2
MAX_MEDIA_BYTES = 16 * 1024**3
MAX_MEMBERS = 1_000_000
# Deflate can expand about 1000 times (256 MiB of newlines fit in 270 KB); canonical events
# compress 10 to 50 times (a run of identical lines about 230). Members above the floor may
# expand at most this much.
MAX_RATIO = 250
RATIO_FLOOR = 1024**2
# No event is shorter ({"actor":{},"log":"<origin>",…}); refusing shorter lines while reading
# keeps the list of lines within a small multiple of the bytes read.
MIN_EVENT_LINE = 64
_S_IFMT, _S_IFREG = 0o170000, 0o100000

_INDEX_FIELDS = {
    "checkpoints",
    "consistency",
    "files",
    "format",
    "inclusion",
    "origin",
    "size",
    "timestamp",
    "version",
}
COURT_MEMBERS = ("court/checkpoint", "court/event.json", "court/inclusion.txt")
# The two event types of a court's log (store.py writes them, court.py checks them).
COURT_CREATED = "court.hearing_created"
COURT_SEALED = "court.hearing_sealed"
_TRACK = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_LAYOUT = re.compile(
    r"bundle\.json|events\.jsonl|checkpoint|checkpoint\.tsr|SHA256SUMS|bindings\.txt|VERIFY\.md"
    r"|checkpoints/[1-9][0-9]*"
    r"|proofs/consistency-[1-9][0-9]*-[1-9][0-9]*\.txt|proofs/inclusion-(?:0|[1-9][0-9]*)\.txt"
    r"|media/manifest\.json|media/[A-Za-z0-9][A-Za-z0-9_-]{0,63}/[0-9]{6,}\.[a-z0-9]{1,8}"
    r"|minutes\.html|minutes\.pdf|keys/[A-Za-z0-9._-]{1,128}\.pem"
    r"|scripts/(?:verify|check_events|tree_root|verify_inclusion|verify_consistency)\.sh"
    r"|court/checkpoint|court/event\.json|court/inclusion\.txt"
)


class BundleError(AuditError):
    """A bundle cannot be built or read as the documented layout."""

    code = "audit.bundle.invalid"

    def __init__(self, message: str, code: str = "audit.bundle.invalid") -> None:
        super().__init__(code, message)


PROVABLE_PREFIXES = ("media.", "consent.")


def needs_inclusion_proof(event: Mapping[str, object]) -> bool:
    """Events a clerk may want to prove alone: file bindings, media and consent events."""
    kind = event.get("type")
    return "sha256" in event or (isinstance(kind, str) and kind.startswith(PROVABLE_PREFIXES))


def segment_path(event: Mapping[str, object], suffix: str) -> str:
    track, part = event.get("track"), event.get("part")
    if not isinstance(track, str) or not _TRACK.fullmatch(track):
        raise BundleError(f"media.segment track {track!r} is not a safe name")
    if type(part) is not int or part < 0:
        raise BundleError(f"media.segment part {part!r} is not a non-negative integer")
    if not _SUFFIX.fullmatch(suffix):
        raise BundleError(f"media suffix {suffix!r} is not like '.mkv'")
    return f"media/{track}/{part:06d}{suffix}"


def key_file_name(name: str) -> str:
    return "keys/" + re.sub(r"[^A-Za-z0-9._-]", "_", name)[:128] + ".pem"


def proof_text(hashes: Sequence[bytes]) -> bytes:
    return b"".join(item.hex().encode("ascii") + b"\n" for item in hashes)


def parse_proof_text(data: bytes, name: str) -> list[bytes]:
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise BundleError(f"{name}: last line does not end with a newline", "audit.bundle.proof")
    lines = data[:-1].split(b"\n")
    for number, line in enumerate(lines, 1):
        if not _SHA256.fullmatch(line.decode("ascii", "replace")):
            raise BundleError(
                f"{name}: line {number} is not 64 lowercase hex digits", "audit.bundle.proof"
            )
    return [bytes.fromhex(line.decode("ascii")) for line in lines]


@dataclass(frozen=True)
class CourtPart:
    """The court log's proof that it recorded this hearing's final checkpoint (store.CourtProof
    without the store): the court's signed checkpoint, the event's bytes, its seq and path."""

    checkpoint: bytes
    event: bytes
    seq: int
    proof: Sequence[bytes]


def check_court_part(court: CourtPart, hearing_origin: str, size: int, root: bytes) -> str:
    """The court event records exactly this final checkpoint and the path leads from its bytes
    to the court checkpoint's root; returns the court log's origin. Signatures are the
    verifier's part (it has the trust policy)."""
    head = parse_checkpoint_body(parse_signed_note(court.checkpoint).body)
    event = parse_canonical(court.event)
    want = {"origin": hearing_origin, "size": size, "root": root.hex()}
    got = {name: event.get(name) for name in want}
    if event.get("type") != COURT_SEALED or got != want:
        raise BundleError(
            f"the court event records {got}, not this hearing's final checkpoint {want}",
            "audit.court.mismatch",
        )
    if event.get("log") != head.origin or event.get("seq") != court.seq:
        raise BundleError(
            f"the court event is seq {event.get('seq')!r} of {event.get('log')!r}, not seq "
            f"{court.seq} of the court checkpoint's log {head.origin}",
            "audit.court.mismatch",
        )
    verify_inclusion(leaf_hash(court.event), court.seq, head.size, list(court.proof), head.root)
    return head.origin


@dataclass(frozen=True)
class BoundFile:
    """A file whose sha256 and length are recorded in the event at `seq`."""

    seq: int
    source: bytes | Path
    suffix: str = ""  # media segments only, e.g. ".mkv"


def _file_digest(source: bytes | Path) -> tuple[str, int]:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest(), len(source)
    digest, length = hashlib.sha256(), 0
    with source.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            length += len(chunk)
    return digest.hexdigest(), length


def _write(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o755 if executable else 0o644) << 16
    archive.writestr(info, data)


def _script(name: str) -> bytes:
    return resources.files("vc_service.audit").joinpath("scripts", name).read_bytes()


def verifier_file(path: str) -> bytes:
    """This verifier's own copy of a stock-tool verifier file ("VERIFY.md", "scripts/x.sh")."""
    if path not in VERIFIER_FILES:
        raise BundleError(f"{path} is not a verifier file")
    return _script(path.removeprefix("scripts/"))


def verifier_pins() -> list[str]:
    """The `verifier_sha256` of a trust policy: `sha256sum` lines of the verifier files, so a
    clerk checks any copy with `sha256sum -c` before running it."""
    return [f"{hashlib.sha256(verifier_file(p)).hexdigest()}  {p}" for p in VERIFIER_FILES]


def build_bundle(
    out: Path | IO[bytes],
    *,
    events: Sequence[bytes],
    checkpoint: bytes,
    interim_checkpoints: Sequence[bytes] = (),
    timestamp: bytes | None = None,
    media: Sequence[BoundFile] = (),
    media_manifest: BoundFile | None = None,
    minutes_html: BoundFile | None = None,
    minutes_pdf: BoundFile | None = None,
    public_keys: Mapping[str, bytes] | None = None,
    court: CourtPart | None = None,
) -> dict[str, Any]:
    """Write the bundle zip and return its `bundle.json` index.

    The inputs are checked against each other before anything is written (canonical events,
    checkpoint size and root equal to the events' tree, file hashes equal to their events), so
    a bundle that would not verify is never produced. Signatures are not checked here: the
    builder has no trust policy.
    """
    parsed = [parse_canonical(line) for line in events]
    tree = MerkleTree(leaf_hash(line) for line in events)
    final_note = parse_signed_note(checkpoint)
    final = parse_checkpoint_body(final_note.body)
    if final.size != tree.size or final.root != tree.root():
        raise BundleError("final checkpoint does not match the events given")
    interim: dict[int, bytes] = {}
    for note in interim_checkpoints:
        head = parse_checkpoint_body(parse_signed_note(note).body)
        if head.origin != final.origin or not 0 < head.size <= final.size:
            raise BundleError(f"interim checkpoint of size {head.size} does not fit this log")
        if head.root != tree.root(head.size):
            raise BundleError(f"interim checkpoint of size {head.size} does not match the events")
        if head.size in interim:
            raise BundleError(f"two interim checkpoints of size {head.size}")
        interim[head.size] = note

    bound: list[tuple[str, BoundFile]] = []
    for item in media:
        bound.append((segment_path(_event(parsed, item.seq), item.suffix), item))
    for path, extra in (
        ("media/manifest.json", media_manifest),
        ("minutes.html", minutes_html),
        ("minutes.pdf", minutes_pdf),
    ):
        if extra is not None:
            bound.append((path, extra))
    files: list[dict[str, Any]] = []
    for path, item in bound:
        event = _event(parsed, item.seq)
        digest, length = _file_digest(item.source)
        if event.get("sha256") != digest or event.get("bytes") != length:
            raise BundleError(f"{path} does not match sha256/bytes of event {item.seq}")
        _check_role(path, item.seq, event)
        files.append({"bytes": length, "path": path, "seq": item.seq, "sha256": digest})
    files.sort(key=lambda entry: entry["path"])
    if len({entry["path"] for entry in files}) != len(files):
        raise BundleError("two files bound to the same path")

    inclusion = [seq for seq, event in enumerate(parsed) if needs_inclusion_proof(event)]
    index: dict[str, Any] = {
        "checkpoints": sorted(interim),
        "consistency": [[size, final.size] for size in sorted(interim) if size < final.size],
        "files": files,
        "format": BUNDLE_FORMAT,
        "inclusion": inclusion,
        "origin": final.origin,
        "size": final.size,
        "timestamp": timestamp is not None,
        "version": BUNDLE_VERSION,
    }
    if court is not None:
        court_origin = check_court_part(court, final.origin, final.size, final.root)
        court_size = parse_checkpoint_body(parse_signed_note(court.checkpoint).body).size
        index["court"] = {"origin": court_origin, "seq": court.seq, "size": court_size}
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        _write(archive, "bundle.json", canonical_bytes(index) + b"\n")
        _write(archive, "events.jsonl", b"".join(line + b"\n" for line in events))
        _write(archive, "checkpoint", checkpoint)
        if timestamp is not None:
            _write(archive, "checkpoint.tsr", timestamp)
        for size, note in sorted(interim.items()):
            _write(archive, f"checkpoints/{size}", note)
            if size < final.size:
                proof = tree.consistency_proof(size, final.size)
                _write(archive, f"proofs/consistency-{size}-{final.size}.txt", proof_text(proof))
        for seq in inclusion:
            proof = tree.inclusion_proof(seq, final.size)
            _write(archive, f"proofs/inclusion-{seq}.txt", proof_text(proof))
        for path, item in sorted(bound, key=lambda pair: pair[0]):
            if isinstance(item.source, bytes):
                _write(archive, path, item.source)
            else:
                # Media is already compressed; stored members stream without loading them.
                archive.write(item.source, path, compress_type=zipfile.ZIP_STORED)
        _write(archive, "SHA256SUMS", sha256sums(files))
        _write(archive, "bindings.txt", bindings_text(files))
        if court is not None:
            _write(archive, "court/checkpoint", court.checkpoint)
            _write(archive, "court/event.json", court.event)
            _write(archive, "court/inclusion.txt", proof_text(court.proof))
        for name, raw in sorted((public_keys or {}).items()):
            _write(archive, key_file_name(name), public_key_pem(raw))
        # The same bytes in every bundle, so the trust policy can pin them; nothing in them
        # comes from this bundle (the origin in particular is the clerk's input).
        for path in VERIFIER_FILES:
            _write(archive, path, verifier_file(path), executable=path.endswith(".sh"))
    return index


def _check_role(path: str, seq: int, event: Mapping[str, object]) -> None:
    """A file given for an event of another role (the PDF minutes for the HTML event) would
    not verify: refuse it here rather than write the bundle."""
    from vc_service.audit.bundle_checks import role_path  # bundle_checks imports this module

    suffix = path[path.rindex(".") :] if "." in path else ""
    try:
        wanted = role_path(event, seq, suffix)
    except AuditError as exc:
        raise BundleError(exc.message) from exc
    if wanted != path:
        raise BundleError(f"{path} is given for event {seq}, whose file is {wanted}")


def _event(parsed: Sequence[dict[str, object]], seq: int) -> dict[str, object]:
    if not 0 <= seq < len(parsed):
        raise BundleError(f"no event {seq} in a log of {len(parsed)} events")
    return parsed[seq]


def sha256sums(files: Sequence[Mapping[str, Any]]) -> bytes:
    return "".join(f"{entry['sha256']}  {entry['path']}\n" for entry in files).encode("ascii")


def bindings_text(files: Sequence[Mapping[str, Any]]) -> bytes:
    rows = sorted(files, key=lambda entry: (entry["seq"], entry["path"]))
    return "".join(
        f"{entry['seq']} {entry['sha256']} {entry['bytes']} {entry['path']}\n" for entry in rows
    ).encode("ascii")


def _index_int(value: object, what: str) -> int:
    if type(value) is not int or value < 0:
        raise BundleError(
            f"bundle.json: {what} must be a non-negative integer", "audit.bundle.index"
        )
    return value


def _ascending(value: object, what: str) -> list[int]:
    if not isinstance(value, list):
        raise BundleError(f"bundle.json: {what} must be a list", "audit.bundle.index")
    numbers = [_index_int(item, f"{what}[]") for item in value]
    if numbers != sorted(set(numbers)):
        raise BundleError(f"bundle.json: {what} must be ascending", "audit.bundle.index")
    return numbers


def expected_members(index: Mapping[str, Any]) -> set[str]:
    """The member names `bundle.json` promises, after checking the index's own shape."""
    size = _index_int(index.get("size"), "size")
    if not isinstance(index.get("origin"), str):
        raise BundleError("bundle.json: origin must be a string", "audit.bundle.index")
    interim = _ascending(index.get("checkpoints"), "checkpoints")
    if index.get("consistency") != [[m, size] for m in interim if m < size]:
        raise BundleError(
            "bundle.json: consistency must pair every interim size with the final size",
            "audit.bundle.index",
        )
    names = {"bundle.json", "events.jsonl", "checkpoint", "SHA256SUMS", "bindings.txt"}
    names |= {f"checkpoints/{m}" for m in interim}
    names |= {f"proofs/consistency-{m}-{size}.txt" for m in interim if m < size}
    names |= {f"proofs/inclusion-{i}.txt" for i in _ascending(index.get("inclusion"), "inclusion")}
    files = index.get("files")
    if not isinstance(files, list):
        raise BundleError("bundle.json: files must be a list", "audit.bundle.index")
    for entry in files:
        if not isinstance(entry, dict) or set(entry) != {"bytes", "path", "seq", "sha256"}:
            raise BundleError(
                "bundle.json: each file has exactly bytes, path, seq and sha256",
                "audit.bundle.index",
            )
        _index_int(entry["bytes"], "files[].bytes")
        _index_int(entry["seq"], "files[].seq")
        if not isinstance(entry["path"], str) or not isinstance(entry["sha256"], str):
            raise BundleError(
                "bundle.json: files[].path and sha256 are strings", "audit.bundle.index"
            )
        if not _LAYOUT.fullmatch(entry["path"]) or not entry["path"].startswith(
            ("media/", "minutes.")
        ):
            raise BundleError(
                f"bundle.json: {entry['path']!r} cannot be a bound file", "audit.bundle.index"
            )
        names.add(entry["path"])
    if [entry["path"] for entry in files] != sorted({entry["path"] for entry in files}):
        raise BundleError(
            "bundle.json: files must be sorted by path, once each", "audit.bundle.index"
        )
    timestamp = index.get("timestamp")
    if type(timestamp) is not bool:
        raise BundleError("bundle.json: timestamp must be true or false", "audit.bundle.index")
    if timestamp:
        names.add("checkpoint.tsr")
    if "court" in index:
        court = index["court"]
        if not isinstance(court, dict) or set(court) != {"origin", "seq", "size"}:
            raise BundleError(
                "bundle.json: court has exactly origin, seq and size", "audit.bundle.index"
            )
        if not isinstance(court["origin"], str):
            raise BundleError("bundle.json: court.origin is a string", "audit.bundle.index")
        if _index_int(court["seq"], "court.seq") >= _index_int(court["size"], "court.size"):
            raise BundleError(
                "bundle.json: court.seq lies outside court.size", "audit.bundle.index"
            )
        names.update(COURT_MEMBERS)
    return names


def _member_limit(name: str) -> int:
    if name == "events.jsonl":
        return MAX_EVENTS_BYTES
    if name.startswith("media/") and name != "media/manifest.json":
        return MAX_MEDIA_BYTES
    if name.startswith("minutes."):
        return MAX_MINUTES_BYTES
    return MAX_SMALL_MEMBER


def _check_member(info: zipfile.ZipInfo) -> None:
    """Before any member is read: a regular file (unzip would make a symbolic link of one,
    pointing anywhere), within the size of its kind, and not a decompression bomb."""
    name = info.filename
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode & _S_IFMT not in (0, _S_IFREG):
        kind = "a symbolic link" if mode & _S_IFMT == 0o120000 else "not a regular file"
        raise BundleError(f"member {name!r} is {kind}", "audit.bundle.member_type")
    limit = _member_limit(name)
    if info.file_size > limit:
        raise BundleError(
            f"{name} declares {info.file_size} bytes, more than the {limit} allowed",
            "audit.bundle.too_large",
        )
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
        raise BundleError(
            f"{name} expands {info.file_size // max(info.compress_size, 1)} times "
            f"(at most {MAX_RATIO} allowed)",
            "audit.bundle.ratio",
        )


class BundleReader:
    """Read-only, defensive access to a bundle zip: member names must follow the layout, appear
    once, and decompress to what they declare, within size limits."""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise BundleError(f"not a readable zip file: {exc}", "audit.bundle.zip") from exc
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise BundleError("too many members in the zip", "audit.bundle.zip")
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _check_member(info)
            # Duplicate names are how one zip shows different content to different unzip tools.
            if info.filename in self._members:
                raise BundleError(f"member {info.filename} appears twice", "audit.bundle.zip")
            if not _LAYOUT.fullmatch(info.filename):
                raise BundleError(
                    f"member {info.filename!r} is not part of the bundle layout",
                    "audit.bundle.layout",
                )
            if info.flag_bits & 0x1:
                raise BundleError(f"member {info.filename} is encrypted", "audit.bundle.zip")
            self._members[info.filename] = info

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def names(self) -> set[str]:
        return set(self._members)

    def has(self, name: str) -> bool:
        return name in self._members

    def read(self, name: str, limit: int = MAX_SMALL_MEMBER) -> bytes:
        info = self._members.get(name)
        if info is None:
            raise BundleError(f"{name} is missing from the bundle", "audit.bundle.missing")
        if info.file_size > limit:
            raise BundleError(f"{name} is larger than {limit} bytes", "audit.bundle.too_large")
        try:
            with self._zip.open(info) as handle:
                data = handle.read(limit + 1)
        except (OSError, zipfile.BadZipFile, EOFError) as exc:
            raise BundleError(f"{name} cannot be read: {exc}", "audit.bundle.zip") from exc
        if len(data) != info.file_size:
            raise BundleError(f"{name} is not the size it declares", "audit.bundle.zip")
        return data

    def event_lines(self, max_lines: int) -> list[bytes]:
        """`events.jsonl` as its lines without the newlines, streamed: more lines than
        `max_lines` (the index's size, checked against the signed one later), a line too short
        to be an event, or a last line without its newline stop the read there."""
        lines: list[bytes] = []
        tail = b""
        # Chunks of 1 MiB: a chunk of newlines splits into a list of at most a million items.
        for chunk in self.chunks("events.jsonl", 1 << 20):
            if len(lines) + chunk.count(b"\n") > max_lines:
                raise BundleError(
                    f"events.jsonl has more than the {max_lines} lines bundle.json announces",
                    "audit.event.count",
                )
            parts = (tail + chunk).split(b"\n") if tail else chunk.split(b"\n")
            tail = parts.pop()
            for number, line in enumerate(parts, len(lines)):
                if len(line) < MIN_EVENT_LINE:
                    raise BundleError(
                        f"events.jsonl line {number + 1} is {len(line)} bytes, too short to "
                        "be an event",
                        "audit.event.format",
                    )
            lines += parts
        if tail:
            raise BundleError("events.jsonl must end with a newline", "audit.event.format")
        return lines

    def chunks(self, name: str, size: int = 1 << 20) -> Iterator[bytes]:
        """Stream a (large) member; the zip module checks its CRC at the end."""
        info = self._members.get(name)
        if info is None:
            raise BundleError(f"{name} is missing from the bundle", "audit.bundle.missing")
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(size):
                    yield chunk
        except (OSError, zipfile.BadZipFile, EOFError) as exc:
            raise BundleError(f"{name} cannot be read: {exc}", "audit.bundle.zip") from exc

    def check_members(self, index: Mapping[str, Any]) -> None:
        """The zip holds exactly what the index lists (plus the optional VERIFY.md, scripts and
        convenience keys): nothing required is missing and nothing unlisted rides along."""
        expected = expected_members(index)
        missing = sorted(expected - self.names)
        stray = sorted(
            name
            for name in self.names - expected - {"VERIFY.md"}
            if not name.startswith(("keys/", "scripts/"))
        )
        if missing:
            raise BundleError(
                f"missing from the bundle: {', '.join(missing)}", "audit.bundle.missing"
            )
        if stray:
            raise BundleError(
                f"not listed in bundle.json: {', '.join(stray)}", "audit.bundle.layout"
            )
        for path in VERIFIER_FILES:
            # A bundle's own verifier is how a tampered record vouches for itself (issue 14
            # point 1): any copy must be this verifier's, byte for byte.
            if self.has(path) and self.read(path) != verifier_file(path):
                raise BundleError(
                    f"{path} is not the published verifier (bytes differ from this verifier's "
                    "copy); never run it",
                    "audit.bundle.verifier",
                )
        if self.read("SHA256SUMS") != sha256sums(index["files"]):
            raise BundleError("SHA256SUMS does not list exactly the bound files")
        if self.read("bindings.txt") != bindings_text(index["files"]):
            raise BundleError("bindings.txt does not list exactly the bound files")

    def index(self) -> dict[str, Any]:
        """`bundle.json`, strictly parsed; its claims are still only claims."""
        data = self.read("bundle.json")
        if not data.endswith(b"\n"):
            raise BundleError("bundle.json must end with a newline", "audit.bundle.index")
        try:
            index = parse_canonical(data[:-1])
        except CanonicalError as exc:
            raise BundleError(f"bundle.json: {exc.message}", "audit.bundle.index") from exc
        if index.get("format") != BUNDLE_FORMAT:
            raise BundleError("bundle.json is not a vc-service audit bundle", "audit.bundle.index")
        if index.get("version") != BUNDLE_VERSION:
            raise BundleError(
                f"bundle version {index.get('version')!r} is not supported "
                f"(this verifier reads version {BUNDLE_VERSION})",
                "audit.bundle.version",
            )
        if set(index) - {"court"} != _INDEX_FIELDS:
            unknown = ", ".join(sorted((set(index) - {"court"}) ^ _INDEX_FIELDS))
            raise BundleError(f"bundle.json: unexpected or missing {unknown}", "audit.bundle.index")
        return index
