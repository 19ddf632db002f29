"""Finishing (ffmpeg concat, `-c copy`) and export (decrypt + `sha256sum -c`), on sealed segments
made by the same writer and sealing code as the recorder process, from real VP8/Opus frames."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import pytest

from recordings import codecs, finish, vault
from recordings.archive import TrackInfo, seal_segment
from recordings.errors import DecryptionFailed, RecordingError
from recordings.export import SUMS_NAME, export_recording
from recordings.manifest import Manifest, SegmentEvent, exported_path, key_context
from recordings.segments import EncodedFrame, FinishedSegment, TrackWriter
from tests.recordings.conftest import KEY
from tests.recordings.media import demux, opus_frames, vp8_frames


def record(directory: Path, tracks: dict[str, tuple[str, list[EncodedFrame]]]) -> Manifest:
    events: list[SegmentEvent] = []

    def store(info: TrackInfo, segment: FinishedSegment) -> None:
        events.append(seal_segment(directory, KEY, info, segment))

    for name, (codec, frames) in tracks.items():
        info = TrackInfo("h-1", "rec-1", name, name.split("-")[0], codecs.KINDS[codec], codec)
        writer = TrackWriter(name, codec, 500, functools.partial(store, info))
        for frame in frames:
            writer.push(frame)
        writer.end()
        assert writer.join(10) and writer.error is None
    return Manifest.from_events("h-1", "rec-1", 500, events)


@pytest.fixture(scope="module")
def frames() -> dict[str, tuple[str, list[EncodedFrame]]]:
    return {
        "alice-video0": (codecs.VP8, vp8_frames(60, gop=10)),  # 2 s, cuts every ~0.5 s
        "alice-audio0": (codecs.OPUS, opus_frames(110)),  # 2.2 s
    }


def _parts_payloads(directory: Path, manifest: Manifest, track: str) -> list[bytes]:
    payloads: list[bytes] = []
    for part in manifest.track(track).parts:
        context = key_context("h-1", "rec-1", track, part.part)
        payloads += [
            p for _, p, _ in demux(vault.open_bytes(KEY, context, directory / part.path))[1]
        ]
    return payloads


async def test_finish_joins_without_re_encoding(
    tmp_path: Path, frames: dict[str, tuple[str, list[EncodedFrame]]]
) -> None:
    manifest = record(tmp_path, frames)
    assert [len(t.parts) for t in manifest.tracks] == [3, 5]  # key frames every 1/3 s
    finals: list[str] = []
    done = await finish.finish_recording(
        manifest, tmp_path, KEY, on_final=lambda track, _: finals.append(track)
    )
    assert finals == ["alice-video0", "alice-audio0"]
    check_finished(tmp_path, manifest, done, frames)


def check_finished(
    directory: Path,
    manifest: Manifest,
    done: Manifest,
    frames: dict[str, tuple[str, list[EncodedFrame]]],
) -> None:
    for track in done.tracks:
        final = track.final
        assert final is not None
        context = key_context("h-1", "rec-1", track.track, None)
        plain = vault.open_bytes(KEY, context, directory / final.path)
        codec, packets, decoded = demux(plain)
        # Same codec, and the very packets of the parts in order: nothing was decoded or re-encoded.
        assert codec == final.codec == track.codec
        assert [p for _, p, _ in packets] == _parts_payloads(directory, manifest, track.track)
        assert [p for _, p, _ in packets] == [f.data for f in frames[track.track][1]]
        assert decoded == len(packets) == final.packets
        # Duration = sum of the parts' durations (WebM keeps milliseconds).
        assert abs(final.duration_us - track.duration_us) <= 1_000
        timestamps = [pts for pts, _, _ in packets]
        assert timestamps == sorted(timestamps) and timestamps[0] == 0
    assert not list(directory.glob(".finish-*")), "the plaintext working folder is gone"
    path = finish.write_manifest(done, directory)
    assert Manifest.loads(path.read_bytes()) == done


def test_finish_refuses_a_tampered_or_substituted_part(
    tmp_path: Path, frames: dict[str, tuple[str, list[EncodedFrame]]]
) -> None:
    manifest = record(tmp_path, {"alice-audio0": frames["alice-audio0"]})
    part = manifest.track("alice-audio0").parts[2]
    stored = tmp_path / part.path
    original = stored.read_bytes()
    stored.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    with pytest.raises(DecryptionFailed):
        finish.finish_track(manifest, "alice-audio0", tmp_path, KEY)

    # Someone holding the key re-seals other content under the same name: the hash catches it.
    context = key_context("h-1", "rec-1", "alice-audio0", part.part)
    vault.seal_bytes(KEY, context, b"other content", stored)
    with pytest.raises(RecordingError) as caught:
        finish.finish_track(manifest, "alice-audio0", tmp_path, KEY)
    assert caught.value.code == "recording.part_mismatch"
    assert not list(tmp_path.glob(".finish-*"))


def test_ffmpeg_and_probe_failures_carry_codes(tmp_path: Path) -> None:
    junk = tmp_path / "junk.webm"
    junk.write_bytes(b"not a media file" * 10)
    with pytest.raises(RecordingError) as caught:
        finish.concat_copy([(junk, 1_000_000)], tmp_path / "out.webm")
    assert caught.value.code == "recording.finish_failed" and caught.value.details["stderr"]
    with pytest.raises(RecordingError) as caught:
        finish.probe(junk)
    assert caught.value.code == "recording.probe_failed"


def test_export_gives_files_that_sha256sum_verifies(
    tmp_path: Path, frames: dict[str, tuple[str, list[EncodedFrame]]]
) -> None:
    directory = tmp_path / "rec"
    manifest = record(directory, frames)
    for track in manifest.tracks:  # the synchronous path, as a CLI would run it
        final = finish.finish_track(manifest, track.track, directory, KEY)
        manifest = manifest.with_final(track.track, final)
    out = tmp_path / "export"
    written = export_recording(manifest, directory, KEY, out, parts=True)
    assert len(written) == 3 + 5 + 2
    assert (out / "manifest.json").read_bytes() == manifest.dumps()
    for track in manifest.tracks:
        assert track.final is not None
        assert (out / exported_path(track.final.path)).exists()
    sha256sum = shutil.which("sha256sum")
    assert sha256sum is not None, "coreutils' sha256sum is what clerks use"
    checked = subprocess.run(
        [sha256sum, "--strict", "-c", SUMS_NAME],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(written)

    # A flipped byte in one exported file is what sha256sum reports, by name.
    victim = out / exported_path(manifest.tracks[0].parts[1].path)
    data = bytearray(victim.read_bytes())
    data[100] ^= 1
    victim.write_bytes(bytes(data))
    checked = subprocess.run(
        [sha256sum, "-c", SUMS_NAME], cwd=out, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 1 and f"{victim.relative_to(out)}: FAILED" in checked.stdout


def test_export_of_a_tampered_recording_stops_and_leaves_no_file(
    tmp_path: Path, frames: dict[str, tuple[str, list[EncodedFrame]]]
) -> None:
    directory = tmp_path / "rec"
    manifest = record(directory, {"alice-video0": frames["alice-video0"]})
    stored = directory / manifest.tracks[0].parts[0].path
    stored.write_bytes(stored.read_bytes()[:-20])
    out = tmp_path / "export"
    with pytest.raises(DecryptionFailed):
        export_recording(manifest, directory, KEY, out)
    assert not [p for p in out.rglob("*") if p.is_file()]
