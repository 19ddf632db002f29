"""Tamper matrix: every change to a good bundle is rejected by `verify_bundle` and, where the
stock-tool route can see it, by `scripts/verify.sh` and by the commands of the published
VERIFY.md, run with the real sh, awk, openssl, sha256sum and xxd.

The cases after "bundle.json lies" are the findings of issue 14 (points 1-4 and 11); each one
passed at least one route before."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.audit.factory import (
    MINUTES,
    ORIGIN,
    VERIFY_NOW,
    Sample,
    build_sample,
    checkpoint_for,
    make_events,
    member,
    policy,
    rewrite,
)
from tests.audit.shell import (
    ShellResult,
    clerk_files,
    run_sh,
    unpack,
    verify_md_commands,
    verify_sh,
)
from tests.audit.support import LOG_KEY_NAME, fixed_key, golden_signer
from tests.conftest import need_real_part
from vc_service.audit import scan as scan_module
from vc_service.audit import verify as verify_module
from vc_service.audit.bundle import (
    BoundFile,
    bindings_text,
    build_bundle,
    proof_text,
    sha256sums,
)
from vc_service.audit.canonical import canonical_bytes, parse_canonical
from vc_service.audit.checkpoint import (
    Checkpoint,
    Signer,
    parse_checkpoint_body,
    parse_signed_note,
    public_key_pem,
    sign_checkpoint,
)
from vc_service.audit.tree import MerkleTree, leaf_hash
from vc_service.audit.verify import verify_bundle

OTHER_ORIGIN = "audit.court.example/hearing/9d2c4e61-7a0b-4c3d-8e5f-1a2b3c4d5e6f"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory.mktemp("good"))


def _events_with(sample: Sample, lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def flip_events_byte(position: int) -> Callable[[Sample, Path], Path]:
    def tamper(sample: Sample, out: Path) -> Path:
        data = bytearray(member(sample.path, "events.jsonl"))
        data[position % len(data)] ^= 0x01
        return rewrite(sample.path, out, {"events.jsonl": bytes(data)})

    return tamper


def drop_event(sample: Sample, out: Path) -> Path:
    lines = list(sample.events)
    del lines[5]
    return rewrite(sample.path, out, {"events.jsonl": _events_with(sample, lines)})


def duplicate_event(sample: Sample, out: Path) -> Path:
    lines = list(sample.events)
    lines.insert(3, lines[3])
    return rewrite(sample.path, out, {"events.jsonl": _events_with(sample, lines)})


def reorder_events(sample: Sample, out: Path) -> Path:
    lines = list(sample.events)
    lines[1], lines[2] = lines[2], lines[1]
    return rewrite(sample.path, out, {"events.jsonl": _events_with(sample, lines)})


def truncate_events(sample: Sample, out: Path) -> Path:
    return rewrite(sample.path, out, {"events.jsonl": _events_with(sample, sample.events[:-1])})


def swap_checkpoint(sample: Sample, out: Path) -> Path:
    # A validly signed, older head of the same log presented as the final one.
    return rewrite(sample.path, out, {"checkpoint": member(sample.path, "checkpoints/7")})


def substitute_key(sample: Sample, out: Path) -> Path:
    # Re-signed with another key under the same name, and that key placed in keys/.
    impostor = Signer(LOG_KEY_NAME, fixed_key("impostor"))
    head = parse_signed_note(member(sample.path, "checkpoint")).body
    note = sign_checkpoint(_parse(head), [impostor])
    pem = public_key_pem(impostor.public_key)
    return rewrite(
        sample.path, out, {"checkpoint": note, "keys/audit.court.example_log-2026.pem": pem}
    )


def _parse(body: bytes) -> Checkpoint:
    return parse_checkpoint_body(body)


def flip_signature(sample: Sample, out: Path) -> Path:
    text = member(sample.path, "checkpoint").decode()
    blob = text.rsplit("\n", 2)[-2].split(" ")[2]
    raw = bytearray(base64.b64decode(blob))
    raw[10] ^= 0x04  # inside the Ed25519 signature, after the 4-byte key ID
    tampered = text.replace(blob, base64.b64encode(bytes(raw)).decode())
    return rewrite(sample.path, out, {"checkpoint": tampered.encode()})


def truncate_inclusion_proof(sample: Sample, out: Path) -> Path:
    proof = member(sample.path, "proofs/inclusion-4.txt")
    return rewrite(
        sample.path, out, {"proofs/inclusion-4.txt": proof[: proof.rindex(b"\n", 0, -1) + 1]}
    )


def truncate_consistency_proof(sample: Sample, out: Path) -> Path:
    proof = member(sample.path, "proofs/consistency-3-10.txt")
    cut = proof[: proof.rindex(b"\n", 0, -1) + 1]
    return rewrite(sample.path, out, {"proofs/consistency-3-10.txt": cut})


def remove_inclusion_proof(sample: Sample, out: Path) -> Path:
    return rewrite(sample.path, out, {"proofs/inclusion-2.txt": None})


def fork_interim_checkpoint(sample: Sample, out: Path) -> Path:
    # The log signed, at size 7, a history that differs from the final one: a fork.
    forked = list(sample.events)
    forked[6] = forked[6].replace(b"segment", b"segmenT")
    return rewrite(sample.path, out, {"checkpoints/7": checkpoint_for(forked, 7)})


def change_media(sample: Sample, out: Path) -> Path:
    data = bytearray(member(sample.path, "media/judge/000001.webm"))
    data[17] ^= 0x20
    return rewrite(sample.path, out, {"media/judge/000001.webm": bytes(data)})


def swap_media(sample: Sample, out: Path) -> Path:
    first = member(sample.path, "media/judge/000000.webm")
    second = member(sample.path, "media/judge/000001.webm")
    return rewrite(
        sample.path, out, {"media/judge/000000.webm": second, "media/judge/000001.webm": first}
    )


def change_minutes(sample: Sample, out: Path) -> Path:
    html = member(sample.path, "minutes.html").replace(b"Hearing", b"Hearinq")
    return rewrite(sample.path, out, {"minutes.html": html})


def wrong_origin(sample: Sample, out: Path) -> Path:
    # A whole, validly signed log of another hearing, presented for this one.
    return build_sample(out.parent / "other-origin", origin=OTHER_ORIGIN).path


def unclosed_log(sample: Sample, out: Path) -> Path:
    # Validly signed, but the hearing.closed event is missing: the log was never sealed.
    events = make_events()[:-1]
    head = MerkleTree(leaf_hash(line) for line in events)
    note = sign_checkpoint(Checkpoint(ORIGIN, len(events), head.root()), [golden_signer()])
    build_bundle(
        out,
        events=events,
        checkpoint=note,
        media=[BoundFile(4, member(sample.path, "media/judge/000000.webm"), ".webm")],
    )
    return out


def stray_file(sample: Sample, out: Path) -> Path:
    return rewrite(sample.path, out, {"media/judge/000009.webm": b"unlisted"})


def lying_index(sample: Sample, out: Path) -> Path:
    index = member(sample.path, "bundle.json").replace(b'"size":10', b'"size":9')
    return rewrite(sample.path, out, {"bundle.json": index})


# -- issue 14 -------------------------------------------------------------------------------


def resigned(sample: Sample, out: Path, lines: list[bytes]) -> Path:
    """The bundle with `lines` as its events, signed again by the log key with every proof
    redone: what an operator holding the key can publish. Changes after event 6 only, so the
    interim checkpoints 3 and 7 stay true."""
    assert lines[:7] == sample.events[:7] and len(lines) == len(sample.events)
    tree = MerkleTree(leaf_hash(line) for line in lines)
    note = sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), [golden_signer()])
    changes: dict[str, bytes | None] = {
        "events.jsonl": b"".join(line + b"\n" for line in lines),
        "checkpoint": note,
        f"checkpoints/{tree.size}": note,
    }
    index = json.loads(member(sample.path, "bundle.json"))
    for seq in index["inclusion"]:
        changes[f"proofs/inclusion-{seq}.txt"] = proof_text(tree.inclusion_proof(seq, tree.size))
    for old, new in index["consistency"]:
        changes[f"proofs/consistency-{old}-{new}.txt"] = proof_text(
            tree.consistency_proof(old, new)
        )
    return rewrite(sample.path, out, changes)


def _event(sample: Sample, number: int, **changes: object) -> bytes:
    event = {**parse_canonical(sample.events[number]), **changes}
    return canonical_bytes({key: value for key, value in event.items() if value is not None})


def lying_scripts(sample: Sample, out: Path) -> Path:
    # Point 1: a changed event, and the two scripts that would notice replaced by liars.
    data = member(sample.path, "events.jsonl").replace(b"identity_checked", b"identity_skipped")
    root = "sed -n 3p checkpoint | base64 -d | xxd -p -c 32\n"
    return rewrite(
        sample.path,
        out,
        {
            "events.jsonl": data,
            "scripts/tree_root.sh": b"#!/bin/sh\n" + root.encode(),
            "scripts/verify_inclusion.sh": b"#!/bin/sh\necho 'inclusion OK'\n",
        },
    )


def lying_verify_sh(sample: Sample, out: Path) -> Path:
    data = member(sample.path, "events.jsonl").replace(b"identity_checked", b"identity_skipped")
    fake = b"#!/bin/sh\necho 'VERIFIED'\n"
    return rewrite(sample.path, out, {"events.jsonl": data, "scripts/verify.sh": fake})


def changed_verify_md(sample: Sample, out: Path) -> Path:
    guide = member(sample.path, "VERIFY.md").replace(b"## 0. The verifier", b"## 0. Skip this")
    return rewrite(sample.path, out, {"VERIFY.md": guide})


def nul_in_event(sample: Sample, out: Path) -> Path:
    # Point 2: `read` dropped the NUL, so the shell hashed the original line.
    data = member(sample.path, "events.jsonl").replace(b'"recording"', b'"record\x00ing"')
    return rewrite(sample.path, out, {"events.jsonl": data})


def _swap_paths(sample: Sample, out: Path, first: str, second: str) -> Path:
    """Files exchanged *with* their index rows: each file keeps its hash and event, and lies
    at the other's path (bundle.json, SHA256SUMS and bindings.txt agree with that)."""
    index = json.loads(member(sample.path, "bundle.json"))
    for entry in index["files"]:
        entry["path"] = {first: second, second: first}.get(entry["path"], entry["path"])
    index["files"].sort(key=lambda entry: entry["path"])
    return rewrite(
        sample.path,
        out,
        {
            first: member(sample.path, second),
            second: member(sample.path, first),
            "bundle.json": canonical_bytes(index) + b"\n",
            "SHA256SUMS": sha256sums(index["files"]),
            "bindings.txt": bindings_text(index["files"]),
        },
    )


def swap_segment_paths(sample: Sample, out: Path) -> Path:
    return _swap_paths(sample, out, "media/judge/000000.webm", "media/judge/000001.webm")


def swap_minutes_formats(sample: Sample, out: Path) -> Path:
    # Point 3: the HTML minutes presented as the PDF and the PDF as the HTML.
    with_pdf = build_sample(out.parent / "with-pdf", minutes_pdf=True)
    return _swap_paths(with_pdf, out, "minutes.html", "minutes.pdf")


def minutes_as_pdf(sample: Sample, out: Path) -> Path:
    index = json.loads(member(sample.path, "bundle.json"))
    for entry in index["files"]:
        if entry["path"] == "minutes.html":
            entry["path"] = "minutes.pdf"
    index["files"].sort(key=lambda entry: entry["path"])
    return rewrite(
        sample.path,
        out,
        {
            "minutes.html": None,
            "minutes.pdf": MINUTES,
            "bundle.json": canonical_bytes(index) + b"\n",
            "SHA256SUMS": sha256sums(index["files"]),
            "bindings.txt": bindings_text(index["files"]),
        },
    )


def remove_minutes(sample: Sample, out: Path) -> Path:
    # Point 3: the minutes and every index entry naming them taken out.
    index = json.loads(member(sample.path, "bundle.json"))
    index["files"] = [entry for entry in index["files"] if entry["path"] != "minutes.html"]
    return rewrite(
        sample.path,
        out,
        {
            "minutes.html": None,
            "bundle.json": canonical_bytes(index) + b"\n",
            "SHA256SUMS": sha256sums(index["files"]),
            "bindings.txt": bindings_text(index["files"]),
        },
    )


def nested_close(sample: Sample, out: Path) -> Path:
    # Point 2: the last event is not hearing.closed; an object inside it has that "type".
    lines = list(sample.events)
    lines[-1] = _event(sample, 9, type="hearing.adjourned", detail={"type": "hearing.closed"})
    return resigned(sample, out, lines)


def nested_seq(sample: Sample, out: Path) -> Path:
    # Point 2: event 8 numbered 88 at the top, with "seq":8 inside its actor.
    lines = list(sample.events)
    actor = {**parse_canonical(sample.events[8])["actor"], "seq": 8}  # type: ignore[dict-item]
    lines[8] = _event(sample, 8, seq=88, actor=actor)
    return resigned(sample, out, lines)


def huge_integer(sample: Sample, out: Path) -> Path:
    # Point 11: a 5,000-digit integer in a signed event (Python's int() refuses over 4,300).
    lines = list(sample.events)
    lines[8] = lines[8].replace(b'"bytes":', b'"bytes":' + b"9" * 5000, 1)
    return resigned(sample, out, lines)


def newline_bomb(sample: Sample, out: Path) -> Path:
    # Point 11: 64 MiB of newlines deflate to about 64 KB.
    bomb = member(sample.path, "events.jsonl") + b"\n" * (64 * 1024**2)
    with zipfile.ZipFile(sample.path) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            if info.filename == "events.jsonl":
                new.writestr("events.jsonl", bomb, compress_type=zipfile.ZIP_DEFLATED)
            else:
                new.writestr(info, old.read(info))
    return out


def stored_extra_lines(sample: Sample, out: Path) -> Path:
    # Point 11: no compression to bound, just far more lines than the index announces.
    data = member(sample.path, "events.jsonl") + b"\n" * (1 << 20)
    with zipfile.ZipFile(sample.path) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            if info.filename == "events.jsonl":
                new.writestr("events.jsonl", data, compress_type=zipfile.ZIP_STORED)
            else:
                new.writestr(info, old.read(info))
    return out


SYMLINK_TARGET = "../elsewhere/minutes.html"


def symlink_member(sample: Sample, out: Path) -> Path:
    # Point 11: unzip makes minutes.html a link to a file outside the bundle, whose bytes match.
    with zipfile.ZipFile(sample.path) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            if info.filename != "minutes.html":
                new.writestr(info, old.read(info))
        link = zipfile.ZipInfo("minutes.html", date_time=(2020, 1, 1, 0, 0, 0))
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        new.writestr(link, SYMLINK_TARGET)
    return out


# name: (tamper, first failing step of verify_bundle, the stock-tool routes that must reject
# it: "sh" = scripts/verify.sh run directly, "md" = the published VERIFY.md's commands)
SH, MD, BOTH, NEITHER = {"sh"}, {"md"}, {"sh", "md"}, set[str]()
MATRIX: dict[str, tuple[Callable[[Sample, Path], Path], int, set[str]]] = {
    "flip events byte 0": (flip_events_byte(0), 8, BOTH),
    "flip events byte 97": (flip_events_byte(97), 8, BOTH),
    "flip events byte 1001": (flip_events_byte(1001), 8, BOTH),
    "flip events byte 2222": (flip_events_byte(2222), 8, BOTH),
    "flip events last byte": (flip_events_byte(-1), 2, BOTH),
    "drop an event": (drop_event, 6, BOTH),
    "duplicate an event": (duplicate_event, 2, BOTH),
    "reorder events": (reorder_events, 8, BOTH),
    "truncate the log": (truncate_events, 6, BOTH),
    "swap the checkpoint": (swap_checkpoint, 7, BOTH),
    "substitute the key": (substitute_key, 3, BOTH),
    "flip a signature bit": (flip_signature, 4, BOTH),
    "truncate an inclusion proof": (truncate_inclusion_proof, 9, BOTH),
    "remove an inclusion proof": (remove_inclusion_proof, 2, BOTH),
    "truncate a consistency proof": (truncate_consistency_proof, 10, BOTH),
    "fork an interim checkpoint": (fork_interim_checkpoint, 10, BOTH),
    "change a media file": (change_media, 11, BOTH),
    "swap two media files": (swap_media, 11, BOTH),
    "change the minutes": (change_minutes, 11, BOTH),
    "wrong origin": (wrong_origin, 3, BOTH),
    "log never closed": (unclosed_log, 11, BOTH),
    "stray file": (stray_file, 2, BOTH),
    "bundle.json lies": (lying_index, 2, NEITHER),
    # issue 14 point 1: the verifier a bundle brings
    "scripts that lie": (lying_scripts, 2, BOTH),
    "verify.sh that lies": (lying_verify_sh, 2, MD),
    "VERIFY.md changed": (changed_verify_md, 2, MD),
    # point 2: exact bytes and the structure the CLI checks
    "NUL byte in an event": (nul_in_event, 6, BOTH),
    "segments swapped with their index rows": (swap_segment_paths, 11, BOTH),
    "closing type nested in the last event": (nested_close, 11, BOTH),
    "seq nested in an event": (nested_seq, 8, BOTH),
    # point 3: every bound file present, in its role
    "minutes removed with their index rows": (remove_minutes, 11, BOTH),
    "minutes.html and minutes.pdf swapped": (swap_minutes_formats, 11, BOTH),
    "HTML minutes as minutes.pdf": (minutes_as_pdf, 11, BOTH),
    # point 11: robustness
    "5,000-digit integer": (huge_integer, 8, BOTH),
    "64 MiB of newlines": (newline_bomb, 2, BOTH),
    "a million stored extra lines": (stored_extra_lines, 2, BOTH),
    "symbolic link member": (symlink_member, 2, BOTH),
}


@pytest.mark.parametrize("case", list(MATRIX))
def test_verify_bundle_rejects(case: str, good: Sample, tmp_path: Path) -> None:
    tamper, step, _ = MATRIX[case]
    path = tamper(good, tmp_path / "tampered.zip")
    report = verify_bundle(path, policy(), expected_origin=ORIGIN, now=VERIFY_NOW)
    assert not report.ok, report.render()
    first = next(result for result in report.steps if not result.passed)
    assert first.number == step, report.render()
    # A numbered failure that names the problem, never a verifier crash.
    assert first.code and first.code.startswith("audit."), report.render()
    assert first.code != "audit.verify.internal", report.render()


def unpacked(case: str, good: Sample, tmp_path: Path) -> Path:
    path = MATRIX[case][0](good, tmp_path / "tampered.zip")
    directory = tmp_path / "unzipped"
    if case != "symbolic link member":
        return unpack(path, directory)
    # Info-ZIP's unzip, as a clerk runs it, restores the link (Python's zipfile does not).
    directory.mkdir()
    subprocess.run(["unzip", "-q", str(path), "-d", str(directory)], check=True)
    assert (directory / "minutes.html").is_symlink()
    outside = directory / SYMLINK_TARGET
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_bytes(MINUTES)  # the link leads to the right bytes, outside the bundle
    return clerk_files(directory)


SHELL_CASES = [case for case, (_, _, routes) in MATRIX.items() if "sh" in routes]
MD_CASES = [case for case, (_, _, routes) in MATRIX.items() if "md" in routes]


@pytest.mark.parametrize("case", SHELL_CASES)
def test_verify_sh_rejects(case: str, good: Sample, tmp_path: Path) -> None:
    directory = unpacked(case, good, tmp_path)
    if case == "stray file":
        # Unbound media is visible to the shell only once unzipped next to the others.
        assert (directory / "media/judge/000009.webm").exists()
    result = verify_sh(directory)
    assert not result.ok, result.output
    assert "FAILED" in result.output, result.output


@pytest.mark.parametrize("case", MD_CASES)
def test_verify_md_commands_reject(case: str, good: Sample, tmp_path: Path) -> None:
    directory = unpacked(case, good, tmp_path)
    result: ShellResult = run_sh(verify_md_commands(directory), directory)
    assert not result.ok, result.output


# The step-by-step commands alone (without scripts/verify.sh) see what matters too: the closing
# event (issue 14 point 2), the origin asked about (point 4), the bytes of every event.
@pytest.mark.parametrize(
    "case",
    [
        "log never closed",
        "closing type nested in the last event",
        "wrong origin",
        "NUL byte in an event",
        "seq nested in an event",
        "scripts that lie",
    ],
)
def test_verify_md_steps_alone_reject(case: str, good: Sample, tmp_path: Path) -> None:
    directory = unpacked(case, good, tmp_path)
    result = run_sh(verify_md_commands(directory, steps_only=True), directory)
    assert not result.ok, result.output


def test_the_good_bundle_itself_passes_both_routes(good: Sample, tmp_path: Path) -> None:
    # The matrix would be vacuous if the untouched bundle failed too.
    assert verify_bundle(good.path, policy(), expected_origin=ORIGIN, now=VERIFY_NOW).ok
    directory = unpack(good.path, tmp_path / "unzipped")
    assert verify_sh(directory, origin=ORIGIN).ok


@pytest.mark.parametrize(
    "case", ["flip events byte 97", "flip events byte 2222", "reorder events", "log never closed"]
)
def test_forked_workers_give_the_same_report(
    case: str, good: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_module, "MIN_CHUNK", 2)  # 10 events: five chunks of two
    forks: list[int] = []
    real_scan_all = scan_module.scan_all

    def counting(*args: Any) -> list[scan_module.EventScan]:
        scans = real_scan_all(*args)
        forks.append(len(scans))
        return scans

    monkeypatch.setattr(verify_module, "scan_all", counting)
    for path in (good.path, MATRIX[case][0](good, tmp_path / "tampered.zip")):
        one = verify_bundle(path, policy(), now=VERIFY_NOW)
        forked = verify_bundle(path, policy(), now=VERIFY_NOW, workers=2)
        assert forked.steps == one.steps
    assert one.steps[7].detail == forked.steps[7].detail
    assert max(forks) > 1  # the workers did run


def test_a_newline_bomb_is_refused_before_it_is_read(good: Sample, tmp_path: Path) -> None:
    # Issue 14 point 11: 256 MiB of newlines in a 270 KB zip took 2.5 GB before any signature
    # check. Now the zip's directory alone refuses it (expansion ratio), and a stored one stops
    # at the first line past the count the index announces.
    for tamper in (newline_bomb, stored_extra_lines):
        path = tamper(good, tmp_path / f"{tamper.__name__}.zip")
        tracemalloc.start()
        try:
            report = verify_bundle(path, policy(), expected_origin=ORIGIN, now=VERIFY_NOW)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert report.steps[1].code in ("audit.bundle.ratio", "audit.event.count"), report.render()
        assert peak < 16 * 1024**2, peak


def test_verify_sh_needs_the_policy_and_the_origin(good: Sample, tmp_path: Path) -> None:
    # Issue 14 points 1 and 4: the origin and the pins come from the clerk, never the bundle.
    directory = unpack(good.path, tmp_path / "unzipped")
    base = ["sh", "scripts/verify.sh", "-k", "log.pem", "-n", LOG_KEY_NAME]
    for args in (
        [*base, "-p", "policy.toml", "."],
        [*base, "-o", ORIGIN, "."],
    ):
        result = subprocess.run(args, cwd=directory, capture_output=True, text=True, check=False)
        assert result.returncode != 0 and "FAILED" in result.stderr, result.stderr
    # A policy without pins, or pinning other bytes, stops the route before any check.
    (directory / "bare.toml").write_text(
        "\n".join(
            line
            for line in (directory / "policy.toml").read_text().splitlines()
            if not line.startswith("verifier_sha256")
        )
    )
    result = subprocess.run(
        [*base, "-p", "bare.toml", "-o", ORIGIN, "."], cwd=directory, capture_output=True, text=True
    )
    assert result.returncode != 0 and "pins no single scripts/verify.sh" in result.stderr
    assert verify_sh(directory).ok


@pytest.mark.parametrize(
    "case", ["good", "closing type nested in the last event", "seq nested in an event"]
)
def test_the_shell_route_under_mawk(case: str, good: Sample, tmp_path: Path) -> None:
    # The awk parts are POSIX awk: Debian's default awk (mawk) reads events as gawk does.
    if shutil.which("mawk") is None:
        need_real_part("mawk", "not installed (Debian package mawk)")
    if case == "good":
        directory = unpack(good.path, tmp_path / "u")
    else:
        directory = unpacked(case, good, tmp_path)
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "awk").write_text('#!/bin/sh\nexec mawk "$@"\n')
    (shim / "awk").chmod(0o755)
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    args = ["sh", "scripts/verify.sh", "-p", "policy.toml", "-k", "log.pem", "-n", LOG_KEY_NAME]
    result = subprocess.run(
        [*args, "-o", ORIGIN, "."], cwd=directory, env=env, capture_output=True, text=True
    )
    assert (result.returncode == 0) == (case == "good"), result.stdout + result.stderr
