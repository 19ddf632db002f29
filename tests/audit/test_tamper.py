"""Tamper matrix: every change to a good bundle is rejected by `verify_bundle` and, where the
stock-tool route can see it, by the bundle's own `scripts/verify.sh` and VERIFY.md commands."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.audit.factory import (
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
from tests.audit.shell import run_sh, unpack, verify_md_commands, verify_sh
from tests.audit.support import LOG_KEY_NAME, fixed_key, golden_signer
from vc_service.audit import scan as scan_module
from vc_service.audit import verify as verify_module
from vc_service.audit.bundle import BoundFile, build_bundle
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


# name: (tamper, first failing step of verify_bundle, does the shell route see it?)
MATRIX: dict[str, tuple[Callable[[Sample, Path], Path], int, bool]] = {
    "flip events byte 0": (flip_events_byte(0), 8, True),
    "flip events byte 97": (flip_events_byte(97), 8, True),
    "flip events byte 1001": (flip_events_byte(1001), 8, True),
    "flip events byte 2222": (flip_events_byte(2222), 8, True),
    "flip events last byte": (flip_events_byte(-1), 2, True),
    "drop an event": (drop_event, 6, True),
    "duplicate an event": (duplicate_event, 8, True),
    "reorder events": (reorder_events, 8, True),
    "truncate the log": (truncate_events, 6, True),
    "swap the checkpoint": (swap_checkpoint, 7, True),
    "substitute the key": (substitute_key, 3, True),
    "flip a signature bit": (flip_signature, 4, True),
    "truncate an inclusion proof": (truncate_inclusion_proof, 9, True),
    "remove an inclusion proof": (remove_inclusion_proof, 2, False),
    "truncate a consistency proof": (truncate_consistency_proof, 10, True),
    "fork an interim checkpoint": (fork_interim_checkpoint, 10, True),
    "change a media file": (change_media, 11, True),
    "swap two media files": (swap_media, 11, True),
    "change the minutes": (change_minutes, 11, True),
    "wrong origin": (wrong_origin, 3, True),
    "log never closed": (unclosed_log, 11, True),
    "stray file": (stray_file, 2, True),
    "bundle.json lies": (lying_index, 2, False),
}


@pytest.mark.parametrize("case", list(MATRIX))
def test_verify_bundle_rejects(case: str, good: Sample, tmp_path: Path) -> None:
    tamper, step, _ = MATRIX[case]
    path = tamper(good, tmp_path / "tampered.zip")
    report = verify_bundle(path, policy(), expected_origin=ORIGIN, now=VERIFY_NOW)
    assert not report.ok, report.render()
    first = next(result for result in report.steps if not result.passed)
    assert first.number == step, report.render()
    assert first.code and first.code.startswith("audit."), report.render()


SHELL_CASES = [case for case, (_, _, shell) in MATRIX.items() if shell]


@pytest.mark.parametrize("case", SHELL_CASES)
def test_verify_sh_rejects(case: str, good: Sample, tmp_path: Path) -> None:
    tamper = MATRIX[case][0]
    directory = unpack(tamper(good, tmp_path / "tampered.zip"), tmp_path / "unzipped")
    if case == "stray file":
        # Unbound media is visible to the shell only once unzipped next to the others.
        assert (directory / "media/judge/000009.webm").exists()
    result = verify_sh(directory, origin=ORIGIN)
    assert not result.ok, result.output
    assert "FAILED" in result.output, result.output


# VERIFY.md names the origin of the bundle it came with, so only `verify.sh -o` with the origin
# the clerk expects (above) can catch a wrong-origin bundle.
@pytest.mark.parametrize(
    "case", ["flip events byte 1001", "substitute the key", "change a media file", "drop an event"]
)
def test_verify_md_commands_reject(case: str, good: Sample, tmp_path: Path) -> None:
    directory = unpack(MATRIX[case][0](good, tmp_path / "tampered.zip"), tmp_path / "unzipped")
    result = run_sh(verify_md_commands(directory), directory)
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
