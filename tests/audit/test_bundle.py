"""The export bundle: golden members from fixed keys, the builder's refusals, and the reader's
defences against malformed zips."""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from pathlib import Path

import pytest

from tests.audit.factory import (
    MANIFEST,
    MEDIA,
    MINUTES,
    ORIGIN,
    VERIFY_NOW,
    build_sample,
    checkpoint_for,
    make_events,
    member,
    policy,
    rewrite,
)
from tests.audit.support import golden_signer
from vc_service.audit.bundle import (
    VERIFIER_FILES,
    BoundFile,
    BundleError,
    BundleReader,
    build_bundle,
    needs_inclusion_proof,
    parse_proof_text,
    verifier_file,
    verifier_pins,
)
from vc_service.audit.canonical import CanonicalError
from vc_service.audit.checkpoint import public_key_pem
from vc_service.audit.policy import PolicyError, policy_from_dict
from vc_service.audit.verify import verify_bundle

# SHA-256 of every member of the sample bundle signed with the fixed golden key. Any change in
# event encoding, tree, checkpoint, proof or index format changes one of these and must be
# deliberate (VERIFY.md and the scripts are documentation and are left out).
GOLDEN_MEMBERS = {
    "SHA256SUMS": "0a303023fc28eef50f86b8b52a3f42f34b84a576bf6dd1c6713eac47fad0f443",
    "bindings.txt": "534aabb19ae93e705e95daae9b511e2fcc1e443154204c6f02aecb233efd7c3d",
    "bundle.json": "410ebcc2a27a239186482b8079560d7e53be2b836eaea1e49650ebfc43aa2761",
    "checkpoint": "ec34a278e7c034ee0faae2efaed8a1b1491dd60b4c4730d697b57ddeca5150a3",
    "checkpoints/10": "ec34a278e7c034ee0faae2efaed8a1b1491dd60b4c4730d697b57ddeca5150a3",
    "checkpoints/3": "f8ca5a4ccdf10ce2a06f815013a72c4416c338df11799af55ef25d27af092ffe",
    "checkpoints/7": "c15db59107b77e217332f07c09cc4a951154bd731f58151007010d2757f85912",
    "events.jsonl": "acbfdf6503de3d465cd29abf3d3d0cb64fe24d34df90c0d65257816a295713d7",
    "keys/audit.court.example_log-2026.pem": (
        "fe62128c7a967e489bc3105287e99da27e52df8146f94e1bc43e2d96c58cdaeb"
    ),
    "media/judge/000000.webm": "89ce0f1c13f02e06b817174a86b830edbe8ff32cb83b9354e88d632368ca1c57",
    "media/judge/000001.webm": "0654f364df77140a2fdc1f42cf660b7c5f03cc021b75a86cf4b9eb499eee1b57",
    "media/judge/000002.webm": "9b700ec7370b0ef7d9b98d4af8a79b35f35c8dde84881b3d600b4b1d94a797f2",
    "media/manifest.json": "8b35a9faa420547608f66143db43d3a90551e2c5d49baf5781ffb41d3d77fb05",
    "minutes.html": "024730be6f988de0f82cff9303a5c322c86017f1d7c47e063d87cf8be48bbb72",
    "proofs/consistency-3-10.txt": (
        "86fb609aaf6e033813bd470e3b0fec1a3b20aeb5755ab0c7305c044d45db63e3"
    ),
    "proofs/consistency-7-10.txt": (
        "954436cb41a63d47132d749dd89733b27cadfd43debf31c60b14fbd95da9e781"
    ),
    "proofs/inclusion-2.txt": "c87cb331ed7ef14ca2db1cef26a75d58fc9350f617cbf11fd75426132e4ff0dd",
    "proofs/inclusion-4.txt": "a5c51b2a06e216817df5ddcba966d229c1b5d24f47a8bda952cad4c5db7859c3",
    "proofs/inclusion-5.txt": "52a3b1c9761ac3cc9e5565929df91f490fddc307e09bb2737a8ce66b1502094f",
    "proofs/inclusion-6.txt": "b7991d5398f624b68939652a304a7140efc4c1a5e659e68408a0a12b8a831042",
    "proofs/inclusion-7.txt": "e0e40c481a7f4cda6f720c8db4f35b8e86c16325e9a2cd738d46376c9478de7d",
    "proofs/inclusion-8.txt": "07c3575014fa3e437a20991617e361305b222a94ad288d9cdaebe190424b33ff",
}
GOLDEN_CHECKPOINT = (
    "audit.court.example/hearing/0b5e2a8c-3f41-4d7e-9c2a-6f1e8d3b4a57\n"
    "10\n"
    "+RNzeSDj7NemyFl1urQ1Zl3hwv04WUMDow8xLG3+A6s=\n"
    "\n"
    "— audit.court.example/log-2026 UIGLt9cVqyxhAo9Kv4XHBe0639em0oGnEyfzDvkyHXicOuQPrLbv1ancYUB"
    "2DqGqy17gg9vfIO6ZVJ6045PXNHShmws=\n"
)


def test_golden_bundle(tmp_path: Path) -> None:
    path = build_sample(tmp_path).path
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        digests = {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in names
            if not name.startswith("scripts/") and name != "VERIFY.md"
        }
    assert digests == GOLDEN_MEMBERS
    assert member(path, "checkpoint").decode() == GOLDEN_CHECKPOINT
    assert set(VERIFIER_FILES) < names


def test_the_verifier_is_the_same_in_every_bundle(tmp_path: Path) -> None:
    # Issue 14 points 1 and 4: the policy can pin VERIFY.md and the scripts only if no bundle
    # changes them, and VERIFY.md must not tell the clerk which hearing to expect.
    one = build_sample(tmp_path / "one").path
    other = build_sample(tmp_path / "other", origin=ORIGIN.replace("0b5e", "1b5e")).path
    for path in VERIFIER_FILES:
        assert member(one, path) == member(other, path) == verifier_file(path), path
    guide = verifier_file("VERIFY.md").decode()
    assert ORIGIN not in guide and "0b5e" not in guide and "@ORIGIN@" not in guide
    assert "sha256sum -c pins.sha256" in guide.split("## Everything at once")[0]
    pins = verifier_pins()
    assert [pin[66:] for pin in pins] == list(VERIFIER_FILES)
    for pin in pins:
        assert hashlib.sha256(verifier_file(pin[66:])).hexdigest() == pin[:64]


def test_reader_refuses_a_verifier_other_than_its_own(tmp_path: Path) -> None:
    # Issue 14 point 1: `log verify` compares the bundle's verifier with its own copies.
    sample = build_sample(tmp_path / "s")
    for path in VERIFIER_FILES:
        changed = rewrite(sample.path, tmp_path / "changed.zip", {path: b"#!/bin/sh\n"})
        report = verify_bundle(changed, policy(), expected_origin=ORIGIN, now=VERIFY_NOW)
        step = next(step for step in report.steps if not step.passed)
        assert (step.number, step.code) == (2, "audit.bundle.verifier"), report.render()
    # Leaving the verifier out is no lie: the clerk runs the published copy anyway.
    bare = rewrite(sample.path, tmp_path / "bare.zip", dict.fromkeys(VERIFIER_FILES))
    assert verify_bundle(bare, policy(), expected_origin=ORIGIN, now=VERIFY_NOW).ok


def test_reader_bounds_members_before_reading(tmp_path: Path) -> None:
    # Issue 14 point 11: declared sizes and expansion checked from the zip's directory alone.
    sample = build_sample(tmp_path / "s")
    bomb = rewrite(sample.path, tmp_path / "bomb.zip", {"checkpoint": b"x" * (5 * 1024**2)})
    with pytest.raises(BundleError) as info:
        BundleReader(bomb)
    assert info.value.code == "audit.bundle.too_large"
    ratio = tmp_path / "ratio.zip"
    with zipfile.ZipFile(sample.path) as old, zipfile.ZipFile(ratio, "w") as new:
        for item in old.infolist():
            data = b"\0" * 2**21 if item.filename == "media/manifest.json" else old.read(item)
            new.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(BundleError) as info:
        BundleReader(ratio)
    assert info.value.code == "audit.bundle.ratio"


def test_media_streams_from_files(tmp_path: Path) -> None:
    events = make_events()
    sources = []
    for part, content in enumerate(MEDIA):
        source = tmp_path / f"part{part}.webm"
        source.write_bytes(content)
        sources.append(BoundFile(4 + part, source, ".webm"))
    out = tmp_path / "bundle.zip"
    build_bundle(
        out,
        events=events,
        checkpoint=checkpoint_for(events, len(events)),
        media=sources,
        media_manifest=BoundFile(7, MANIFEST),
        minutes_html=BoundFile(8, MINUTES),
    )
    assert member(out, "media/judge/000001.webm") == MEDIA[1]
    with zipfile.ZipFile(out) as archive:
        assert archive.getinfo("media/judge/000001.webm").compress_type == zipfile.ZIP_STORED
    assert verify_bundle(out, policy(), now=VERIFY_NOW).ok


def _build(tmp_path: Path, **changes: object) -> None:
    events = make_events()
    args: dict[str, object] = {
        "events": events,
        "checkpoint": checkpoint_for(events, len(events)),
        **changes,
    }
    build_bundle(tmp_path / "out.zip", **args)  # type: ignore[arg-type]


def test_builder_refuses_inconsistent_inputs(tmp_path: Path) -> None:
    events = make_events()
    with pytest.raises(BundleError, match="does not match the events"):
        _build(tmp_path, checkpoint=checkpoint_for(events, len(events) - 1))
    forked = [*events[:2], events[2].replace(b"recording", b"nothing"), *events[3:]]
    with pytest.raises(BundleError, match="size 5 does not match"):
        _build(tmp_path, interim_checkpoints=[checkpoint_for(forked, 5)])
    with pytest.raises(BundleError, match="does not match sha256/bytes of event 4"):
        _build(tmp_path, media=[BoundFile(4, b"other bytes", ".webm")])
    with pytest.raises(BundleError, match="no event 99"):
        _build(tmp_path, minutes_html=BoundFile(99, b"x"))
    with pytest.raises(BundleError, match="suffix"):
        _build(tmp_path, media=[BoundFile(4, MEDIA[0], "webm")])
    with pytest.raises(BundleError, match="track"):
        _build(tmp_path, media=[BoundFile(0, MEDIA[0], ".webm")])
    with pytest.raises(CanonicalError):
        _build(tmp_path, events=[events[0] + b" ", *events[1:]])
    # A file given in another event's role (issue 14 point 3) would not verify.
    with pytest.raises(BundleError, match=r"whose file is minutes\.html"):
        _build(tmp_path, minutes_pdf=BoundFile(8, MINUTES))
    with pytest.raises(BundleError, match=r"whose file is media/manifest\.json"):
        _build(tmp_path, minutes_html=BoundFile(7, MANIFEST))


def test_which_events_get_inclusion_proofs() -> None:
    assert needs_inclusion_proof({"type": "media.segment"})
    assert needs_inclusion_proof({"type": "consent.recorded"})
    assert needs_inclusion_proof({"type": "minutes.generated", "sha256": "00"})
    assert not needs_inclusion_proof({"type": "participant.joined"})


def test_proof_text_is_strict() -> None:
    good = ("ab" * 32 + "\n").encode()
    assert parse_proof_text(good * 2, "p") == [bytes.fromhex("ab" * 32)] * 2
    assert parse_proof_text(b"", "p") == []
    for bad in (good[:-1], good.upper(), b"ab\n", good + b"\n", b" " + good):
        with pytest.raises(BundleError):
            parse_proof_text(bad, "p")


def _zip_with(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name we want
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members:
                archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ([("checkpoint", b"a"), ("checkpoint", b"b")], "audit.bundle.zip"),
        ([("../checkpoint", b"a")], "audit.bundle.layout"),
        ([("/etc/passwd", b"a")], "audit.bundle.layout"),
        ([("media/../../x.webm", b"a")], "audit.bundle.layout"),
        ([("media/", b"")], "audit.bundle.member_type"),  # a directory
        ([("notes.txt", b"a")], "audit.bundle.layout"),
    ],
)
def test_reader_refuses_unsafe_zips(
    members: list[tuple[str, bytes]], code: str, tmp_path: Path
) -> None:
    with pytest.raises(BundleError) as info:
        BundleReader(_zip_with(tmp_path / "bad.zip", members))
    assert info.value.code == code


def test_reader_refuses_non_zip_and_unknown_versions(tmp_path: Path) -> None:
    (tmp_path / "plain.zip").write_bytes(b"not a zip")
    with pytest.raises(BundleError) as info:
        BundleReader(tmp_path / "plain.zip")
    assert info.value.code == "audit.bundle.zip"
    sample = build_sample(tmp_path / "s")
    index = member(sample.path, "bundle.json")
    for change, code in (
        (index.replace(b'"version":1', b'"version":2'), "audit.bundle.version"),
        (
            index.replace(b'"timestamp":false,', b'"timestamp":false,"unknown":1,'),
            "audit.bundle.index",
        ),
        (index.replace(b'"format":"vc-service', b'"format":"other'), "audit.bundle.index"),
        (index[:-1], "audit.bundle.index"),
        (index.replace(b'{"checkpoints"', b'{ "checkpoints"'), "audit.bundle.index"),
    ):
        path = rewrite(sample.path, tmp_path / "changed.zip", {"bundle.json": change})
        with BundleReader(path) as reader, pytest.raises(BundleError) as info:
            reader.index()
        assert info.value.code == code, change


def test_the_trust_policy_pins_the_verifier() -> None:
    # Issue 14 point 1: verifier_sha256 in the policy, strictly "<64 lowercase hex>  <file>".
    signer = golden_signer()
    base = {
        "version": 1,
        "origin_prefix": "audit.court.example/hearing/",
        "log_keys": [
            {"name": signer.name, "public_key": public_key_pem(signer.public_key).decode()}
        ],
    }
    pins = verifier_pins()
    assert policy_from_dict({**base, "verifier_sha256": pins}).verifier_sha256 == tuple(pins)
    assert policy_from_dict(base).verifier_sha256 == ()
    good = pins[0]
    for bad in (
        [good.upper()],
        [good.replace("  ", " ")],
        [good[:64] + "  scripts/other.py"],
        [good[:64] + "  ../VERIFY.md"],
        [good, good],
        good,
    ):
        with pytest.raises(PolicyError):
            policy_from_dict({**base, "verifier_sha256": bad})
