"""The export bundle: golden members from fixed keys, the builder's refusals, and the reader's
defences against malformed zips."""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from pathlib import Path

import pytest

from tests.audit.factory import (
    MEDIA,
    ORIGIN,
    VERIFY_NOW,
    build_sample,
    checkpoint_for,
    make_events,
    member,
    policy,
    rewrite,
)
from vc_service.audit.bundle import (
    BoundFile,
    BundleError,
    BundleReader,
    build_bundle,
    needs_inclusion_proof,
    parse_proof_text,
)
from vc_service.audit.canonical import CanonicalError
from vc_service.audit.verify import verify_bundle

# SHA-256 of every member of the sample bundle signed with the fixed golden key. Any change in
# event encoding, tree, checkpoint, proof or index format changes one of these and must be
# deliberate (VERIFY.md and the scripts are documentation and are left out).
GOLDEN_MEMBERS = {
    "SHA256SUMS": "0a303023fc28eef50f86b8b52a3f42f34b84a576bf6dd1c6713eac47fad0f443",
    "bindings.txt": "534aabb19ae93e705e95daae9b511e2fcc1e443154204c6f02aecb233efd7c3d",
    "bundle.json": "410ebcc2a27a239186482b8079560d7e53be2b836eaea1e49650ebfc43aa2761",
    "checkpoint": "981f4eb71861df4ebd184137f5b21d6245124bfcb0525bdad76ad2369fd3cbf2",
    "checkpoints/10": "981f4eb71861df4ebd184137f5b21d6245124bfcb0525bdad76ad2369fd3cbf2",
    "checkpoints/3": "f8ca5a4ccdf10ce2a06f815013a72c4416c338df11799af55ef25d27af092ffe",
    "checkpoints/7": "c15db59107b77e217332f07c09cc4a951154bd731f58151007010d2757f85912",
    "events.jsonl": "8e1ee66edb21de202eb3368c59a99063ad5ff39d0b837c8c3623f11f771ed7d6",
    "keys/audit.court.example_log-2026.pem": (
        "fe62128c7a967e489bc3105287e99da27e52df8146f94e1bc43e2d96c58cdaeb"
    ),
    "media/judge/000000.webm": "89ce0f1c13f02e06b817174a86b830edbe8ff32cb83b9354e88d632368ca1c57",
    "media/judge/000001.webm": "0654f364df77140a2fdc1f42cf660b7c5f03cc021b75a86cf4b9eb499eee1b57",
    "media/judge/000002.webm": "9b700ec7370b0ef7d9b98d4af8a79b35f35c8dde84881b3d600b4b1d94a797f2",
    "media/manifest.json": "8b35a9faa420547608f66143db43d3a90551e2c5d49baf5781ffb41d3d77fb05",
    "minutes.html": "024730be6f988de0f82cff9303a5c322c86017f1d7c47e063d87cf8be48bbb72",
    "proofs/consistency-3-10.txt": (
        "6a638872b1757f2f95b2a95e8a6c8549824b2c36ddbfb58d975158387aa5a160"
    ),
    "proofs/consistency-7-10.txt": (
        "f2c72bb85cde27803b607828bcfee4bcaa21fd6a5ecd8248a13a1631e23877e1"
    ),
    "proofs/inclusion-2.txt": "95e1bbdd6fd5dbc3b93ade57060e33e025d8b973ca40db9fd58fdfda5e6cbc87",
    "proofs/inclusion-4.txt": "9d006d19fac04c1c6b5c63712f4263021dfdbcecea9de2cbfe3e37377d806d53",
    "proofs/inclusion-5.txt": "4c2fb842e855baea32b28a1c9ce8aee5be1dce25bdcdfd7d1a7b870082e513dc",
    "proofs/inclusion-6.txt": "ce845256dbbd2133f0cb3d526b9573bb52193272edf3ba58bd6185dc8ae869c6",
    "proofs/inclusion-7.txt": "39ba7bda36eb5693bc189e78108b564cff9db4f8a122740b4c709ac4b07b29bc",
    "proofs/inclusion-8.txt": "bbd0e6226d56cc2cd5508b84aa6613a73fc6d53b58d010bb67acc38f46bf3f69",
}
GOLDEN_CHECKPOINT = (
    "audit.court.example/hearing/0b5e2a8c-3f41-4d7e-9c2a-6f1e8d3b4a57\n"
    "10\n"
    "IxPJI3x9JXxXspy4Jvv0js5BzAdP/Yr0LMBEtL2wVAE=\n"
    "\n"
    "— audit.court.example/log-2026 UIGLt1bFzzZF5bqu02XHLkcahJ9A3LzklJrxYemSlVeMkevpInMmHM4zDm2w0G"
    "kWeAJQBMkb4rW6so5y/W+sjQT0bgQ=\n"
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
    assert {f"scripts/{n}.sh" for n in ("verify", "tree_root", "verify_inclusion")} < names
    guide = member(path, "VERIFY.md").decode()
    assert ORIGIN in guide and "@" not in guide.replace("@ORIGIN", "")
    assert "checkpoint.tsr" not in guide  # the timestamp section only when there is one


def test_media_streams_from_files(tmp_path: Path) -> None:
    events = make_events()
    sources = []
    for part, content in enumerate(MEDIA):
        source = tmp_path / f"part{part}.webm"
        source.write_bytes(content)
        sources.append(BoundFile(4 + part, source, ".webm"))
    out = tmp_path / "bundle.zip"
    build_bundle(out, events=events, checkpoint=checkpoint_for(events, len(events)), media=sources)
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
        ([("media/", b"")], "audit.bundle.layout"),
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
