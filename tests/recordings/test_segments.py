"""Segments: where they start (pure plan), and real VP8/Opus frames muxed into decodable WebM."""

from __future__ import annotations

import io
import itertools
import threading

import av
import pytest

from recordings import codecs
from recordings.segments import Action, EncodedFrame, FinishedSegment, SegmentPlan, TrackWriter
from tests.recordings.media import ORIGIN_US, demux, opus_frames, vp8_frames


def test_plan_waits_for_a_keyframe_and_asks_for_one_at_most_every_500_ms() -> None:
    plan = SegmentPlan(90_000, 1000, keyframes_only=True)
    first = plan.admit(0, keyframe=False)
    assert first.action is Action.DROP and first.want_keyframe
    assert plan.admit(3000, keyframe=False).want_keyframe is False
    assert plan.admit(45_000, keyframe=False).want_keyframe is True
    assert plan.admit(48_000, keyframe=True).action is Action.START


def test_plan_cuts_video_on_the_first_keyframe_after_the_lead() -> None:
    plan = SegmentPlan(90_000, 1000, keyframes_only=True, lead_ms=100)
    assert plan.admit(0, keyframe=True).action is Action.START
    # A key frame well before the segment is due is just written.
    assert plan.admit(45_000, keyframe=True).action is Action.WRITE
    # From 900 ms the writer asks for a key frame (once), and cuts on the next one.
    asked = plan.admit(81_000, keyframe=False)
    assert asked.action is Action.WRITE and asked.want_keyframe
    assert not plan.admit(84_000, keyframe=False).want_keyframe
    assert plan.admit(87_000, keyframe=True).action is Action.START
    assert plan.segment_start == 87_000


def test_plan_cuts_on_a_new_picture_size_at_once() -> None:
    plan = SegmentPlan(90_000, 10_000, keyframes_only=True)
    plan.admit(0, keyframe=True)
    assert plan.admit(3000, keyframe=True, new_format=True).action is Action.START


def test_plan_cuts_audio_exactly_and_drops_non_increasing_timestamps() -> None:
    plan = SegmentPlan(48_000, 1000, keyframes_only=False)
    assert plan.admit(0, keyframe=True).action is Action.START
    assert plan.admit(0, keyframe=True).action is Action.DROP
    assert plan.admit(47_040, keyframe=True).action is Action.WRITE
    assert plan.admit(48_000, keyframe=True).action is Action.START


def test_plan_refuses_tiny_segments() -> None:
    with pytest.raises(ValueError):
        SegmentPlan(48_000, 100, keyframes_only=False)


def _write(
    codec: str, frames: list[EncodedFrame], segment_ms: int
) -> tuple[list[FinishedSegment], int, TrackWriter]:
    stored: list[FinishedSegment] = []
    asks = 0

    def ask() -> None:
        nonlocal asks
        asks += 1

    writer = TrackWriter("t", codec, segment_ms, stored.append, want_keyframe=ask)
    for frame in frames:
        writer.push(frame)
    writer.end()
    assert writer.join(10)
    assert writer.error is None
    return stored, asks, writer


def _check_tiling(segments: list[FinishedSegment]) -> None:
    assert [s.part for s in segments] == list(range(len(segments)))
    assert segments[0].start_us == 0
    for before, after in itertools.pairwise(segments):
        assert before.end_us == after.start_us
    assert all(s.start_us < s.end_us and s.origin_us == ORIGIN_US for s in segments)


def test_video_segments_start_on_keyframes_and_keep_every_byte() -> None:
    frames = vp8_frames(90, gop=15)  # 3 s at 30 fps, a key frame every 0.5 s
    segments, asks, _ = _write(codecs.VP8, frames, 1000)
    _check_tiling(segments)
    # Cuts on the first key frame at or after 900 ms of each segment: 1.0 s, 2.0 s.
    assert [s.start_us for s in segments] == [0, 1_000_000, 2_000_000]
    assert segments[-1].end_us == 3_000_000  # last frame plus one frame duration
    assert asks == 3  # at 0.9, 1.9 and 2.9 s; the stream's own key frames came at 1.0 and 2.0 s
    replayed: list[bytes] = []
    for segment in segments:
        codec, packets, decoded = demux(segment.data)
        assert codec == "vp8"
        assert packets[0][0] == 0 and packets[0][2], "each file starts at 0 on a key frame"
        assert decoded == len(packets) == segment.frames
        replayed += [payload for _, payload, _ in packets]
    assert replayed == [f.data for f in frames], "muxed exactly as encoded, nothing re-encoded"


def test_video_asks_for_a_keyframe_when_none_comes_and_drops_until_the_first() -> None:
    frames = vp8_frames(60, gop=1000)  # one key frame only, at the start
    segments, asks, writer = _write(codecs.VP8, frames[1:], 1000)
    assert segments == [] and writer.dropped == 59
    assert asks == 4  # while waiting: at 0, 0.5, 1.0 and 1.5 s of frames

    segments, asks, _ = _write(codecs.VP8, frames, 500)
    assert len(segments) == 1  # no key frame to cut on: the segment grows
    assert asks == 4  # from 400 ms on, every 500 ms: 0.4, 0.9, 1.4, 1.9 s


def test_a_new_picture_size_starts_a_new_segment() -> None:
    small = vp8_frames(10, gop=30)
    large = [
        EncodedFrame(f.data, f.pts + 30_000, f.arrival_us + 333_333)
        for f in vp8_frames(10, gop=30, size=(320, 240))
    ]
    segments, _, _ = _write(codecs.VP8, small + large, 10_000)
    assert len(segments) == 2
    sizes = []
    for segment in segments:
        with av.open(io.BytesIO(segment.data), "r") as container:
            context = container.streams.video[0].codec_context
            sizes.append((context.width, context.height))
    assert sizes == [(160, 120), (320, 240)]


def test_audio_segments_are_exact_and_carry_an_opus_head() -> None:
    frames = opus_frames(125)  # 2.5 s
    segments, _, _ = _write(codecs.OPUS, frames, 1000)
    _check_tiling(segments)
    assert [(s.start_us, s.end_us, s.frames) for s in segments] == [
        (0, 1_000_000, 50),
        (1_000_000, 2_000_000, 50),
        (2_000_000, 2_500_000, 25),
    ]
    for segment in segments:
        codec, packets, decoded = demux(segment.data)
        assert codec == "opus" and decoded == len(packets) == segment.frames
        with av.open(io.BytesIO(segment.data), "r") as container:
            assert container.streams.audio[0].codec_context.extradata == codecs.opus_head()
            assert container.start_time == 0


def test_a_failing_store_is_reported_not_swallowed() -> None:
    failures: list[BaseException] = []
    reported = threading.Event()

    def store(segment: FinishedSegment) -> None:
        raise OSError(28, "No space left on device")

    def on_error(exc: BaseException) -> None:
        failures.append(exc)
        reported.set()

    writer = TrackWriter("t", codecs.OPUS, 200, store, on_error=on_error)
    for frame in opus_frames(20):
        writer.push(frame)
    assert reported.wait(10)
    writer.end()
    assert writer.join(10)
    assert isinstance(writer.error, OSError) and failures == [writer.error]
