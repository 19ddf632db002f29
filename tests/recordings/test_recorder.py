"""The recorder process end to end: real aiortc senders on loopback, the real worker process."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import statistics
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from aiortc import RTCPeerConnection, RTCRtpSender

from recordings import finish, vault
from recordings.errors import RecordingError
from recordings.manifest import Manifest, SegmentEvent, key_context
from recordings.recorder import Notice, RecorderEvent, RecorderProcess, State
from tests.recordings.conftest import KEY, Sender, Watched, recorder_config
from tests.recordings.media import demux

TRACKS = {"alice-audio0", "alice-video0", "bob-audio0", "bob-video0"}


def segments(events: list[RecorderEvent]) -> list[SegmentEvent]:
    return [e for e in events if isinstance(e, SegmentEvent)]


def notices(events: list[RecorderEvent], name: str) -> list[dict[str, object]]:
    return [e.fields for e in events if isinstance(e, Notice) and e.event == name]


def parts_of_each(events: list[RecorderEvent], tracks: set[str], count: int) -> bool:
    done = segments(events)
    return all(sum(1 for e in done if e.track == t) >= count for t in tracks)


class LoopLag:
    """Measures how late a 5 ms sleep wakes up: the controlling loop's responsiveness."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.005)
            self.lags.append(loop.time() - before - 0.005)

    def stop(self) -> None:
        self._task.cancel()


def _decrypt_part(directory: Path, event: SegmentEvent) -> bytes:
    context = key_context(event.hearing, event.recording, event.track, event.part)
    return vault.open_bytes(KEY, context, directory / event.path)


async def test_two_participants_recorded_per_track_sealed_hashed_and_finished(
    watched: Watched, senders: Callable[..., Sender]
) -> None:
    recorder = watched.recorder
    directory = recorder.config.directory
    lag = LoopLag()
    for peer in ("alice", "bob"):
        await senders().connect(recorder, peer)
    await watched.wait_for(lambda ev: parts_of_each(ev, TRACKS, 2), within_s=20)
    manifest = await recorder.stop(finish=True)
    lag.stop()
    assert recorder.state is State.STOPPED

    # The manifest and the events agree, and the parts of each track tile its timeline.
    events = segments(watched.events)
    rebuilt = Manifest.from_events("h-1", "rec-1", 1000, events)
    assert rebuilt.tracks == tuple(replace(t, final=None) for t in manifest.tracks)
    manifest.check()
    assert {t.track for t in manifest.tracks} == TRACKS
    assert (directory / "manifest.json").read_bytes() == manifest.dumps()
    for track in manifest.tracks:
        assert (track.kind, track.codec) in {("audio", "opus"), ("video", "vp8")}
        assert all(p.t0 < p.t1 for p in track.parts)
        middle = [p.end_us - p.start_us for p in track.parts[:-1]]
        if track.kind == "audio":
            assert set(middle) == {1_000_000}
        else:  # cut on the key frame asked for 100 ms before the segment is due
            assert all(800_000 <= d <= 1_400_000 for d in middle), middle

    # Each part is sealed; decrypted, it is the file the event hashed, complete and decodable.
    payloads: dict[str, list[bytes]] = {}
    for event in events:
        plain = _decrypt_part(directory, event)
        assert (hashlib.sha256(plain).hexdigest(), len(plain)) == (event.sha256, event.bytes)
        codec, packets, decoded = demux(plain)
        assert codec == event.codec and decoded == len(packets) > 0
        assert packets[0][0] == 0 and packets[0][2], "starts at 0 on a key frame"
        payloads.setdefault(event.track, []).extend(p for _, p, _ in packets)
        fields = event.audit_fields()
        assert {"track", "part", "sha256", "bytes", "t0", "t1", "codec", "container"} <= set(fields)
        assert all(type(v) in (int, str) for v in fields.values()), "audit JSON: no floats"

    # The finished file is the parts' packets, byte for byte: joined without re-encoding.
    for track in manifest.tracks:
        final = track.final
        assert final is not None and final.codec == track.codec and final.container == "webm"
        context = key_context("h-1", "rec-1", track.track, None)
        plain = vault.open_bytes(KEY, context, directory / final.path)
        assert hashlib.sha256(plain).hexdigest() == final.sha256
        codec, packets, decoded = demux(plain)
        assert [p for _, p, _ in packets] == payloads[track.track]
        assert decoded == len(packets) == final.packets
        assert abs(final.duration_us - track.duration_us) <= 50_000

    finals = {str(f["track"]): f["sha256"] for f in notices(watched.events, "final")}
    assert finals == {t.track: t.final.sha256 for t in manifest.tracks if t.final}
    states = {(f["peer"], f["state"]) for f in notices(watched.events, "peer")}
    assert {("alice", "connected"), ("bob", "connected"), ("alice", "closed")} <= states

    # Nothing but ciphertext and the manifest at rest; no plaintext left over from finishing.
    for path in directory.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            assert path.read_bytes()[:8] == vault.MAGIC, path
    assert not list(directory.glob(".finish-*"))

    # The service's loop never waited on recording work.
    assert max(lag.lags) < 0.1, f"max loop lag {max(lag.lags):.3f} s"
    assert statistics.quantiles(lag.lags, n=100)[98] < 0.03


async def test_leave_reports_the_last_segments_and_a_rejoin_opens_new_tracks(
    watched: Watched, senders: Callable[..., Sender]
) -> None:
    recorder = watched.recorder
    first = senders()
    await first.connect(recorder, "carol")
    await watched.wait_for(lambda ev: parts_of_each(ev, {"carol-audio0", "carol-video0"}, 1), 20)
    # Trickled candidates (as a browser sends them) and the end-of-candidates marker are taken.
    lines = first.pc.localDescription.sdp.splitlines()
    candidate = next(line for line in lines if line.startswith("a=candidate:"))
    await recorder.add_ice("carol", candidate.removeprefix("a="), "0", 0)
    await recorder.add_ice("carol", None)
    await recorder.leave("carol")
    ended = {str(f["track"]) for f in notices(watched.events, "track_end")}
    assert ended == {"carol-audio0", "carol-video0"}, "leave returns after the last segments"
    count = len(segments(watched.events))
    await asyncio.sleep(0.3)
    assert len(segments(watched.events)) == count

    await senders().connect(recorder, "carol")  # the same participant, a new connection
    await watched.wait_for(lambda ev: parts_of_each(ev, {"carol-audio1", "carol-video1"}, 1), 20)
    manifest = await recorder.stop(finish=False)
    manifest.check()
    assert {t.track for t in manifest.tracks} == {
        "carol-audio0",
        "carol-video0",
        "carol-audio1",
        "carol-video1",
    }
    assert all(t.final is None for t in manifest.tracks)


async def test_a_killed_worker_leaves_sealed_segments_that_finish_without_it(
    watched: Watched, senders: Callable[..., Sender]
) -> None:
    recorder = watched.recorder
    await senders().connect(recorder, "dave")
    await watched.wait_for(lambda ev: parts_of_each(ev, {"dave-audio0", "dave-video0"}, 2), 20)
    assert recorder.pid is not None
    os.kill(recorder.pid, signal.SIGKILL)
    await asyncio.wait_for(watched.recorder._wait_exit(), 10)
    assert recorder.state is State.FAILED
    with pytest.raises(RecordingError) as caught:
        await recorder.offer("erin", "v=0")
    assert caught.value.code == "recording.bad_state"

    manifest = recorder.manifest_so_far()
    manifest.check()
    finished = await finish.finish_recording(manifest, recorder.config.directory, KEY)
    for track in finished.tracks:
        assert track.final is not None and track.final.codec == track.codec
        assert abs(track.final.duration_us - track.duration_us) <= 50_000


def _h264_only_offer_pc() -> RTCPeerConnection:
    pc = RTCPeerConnection()
    transceiver = pc.addTransceiver("video", direction="sendonly")
    capabilities = RTCRtpSender.getCapabilities("video")
    assert capabilities is not None
    transceiver.setCodecPreferences(
        [c for c in capabilities.codecs if c.mimeType in ("video/H264", "video/rtx")]
    )
    return pc


async def test_bad_commands_get_coded_errors_and_the_recorder_goes_on(watched: Watched) -> None:
    recorder = watched.recorder

    async def code_of(call: object) -> str:
        assert asyncio.iscoroutine(call)
        with pytest.raises(RecordingError) as caught:
            await call
        return caught.value.code

    pc = _h264_only_offer_pc()
    await pc.setLocalDescription(await pc.createOffer())
    offer = pc.localDescription.sdp
    await pc.close()
    assert await code_of(recorder.offer("frank", offer)) == "recording.codec_unsupported"
    assert await code_of(recorder.offer("frank", "not sdp")) in {
        "recording.bad_request",
        "recording.codec_unsupported",
    }
    assert await code_of(recorder.offer("../etc", offer)) == "recording.bad_request"
    assert await code_of(
        recorder.add_ice("nobody", "candidate:1 1 udp 1 127.0.0.1 9 typ host")
    ) == ("recording.peer_unknown")
    assert await code_of(recorder.leave("nobody")) == "recording.peer_unknown"
    assert await recorder.ping() == "recording"

    manifest = await recorder.stop()
    assert manifest.tracks == ()
    assert await code_of(recorder.offer("frank", offer)) == "recording.bad_state"


async def test_the_key_and_ids_are_checked_before_any_process_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        RecorderProcess(recorder_config(tmp_path, key=b"short"))
    with pytest.raises(RecordingError):
        RecorderProcess(recorder_config(tmp_path, hearing="a/b"))
