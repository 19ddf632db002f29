"""Synthetic media for recorder tests: moving video and a tone, as aiortc tracks or as encoded
frames from PyAV's own VP8 and Opus encoders (the same libraries a browser's frames decode with)."""

from __future__ import annotations

import io
import math
import struct
from fractions import Fraction
from typing import Any

import av
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

from recordings.segments import EncodedFrame

WIDTH, HEIGHT = 160, 120
ORIGIN_US = 1_795_000_000_000_000  # 2026-11-18T...Z: arrival clock of synthetic frames
# 1 kHz at 48 kHz: exactly 20 cycles per 20 ms frame, so one precomputed frame repeats seamlessly.
_TONE = b"".join(
    struct.pack("<hh", s, s)
    for s in (int(8000 * math.sin(2 * math.pi * 1000 * i / 48_000)) for i in range(960))
)
_NOISE = bytes((i * 7919 + (i >> 5) * 31) & 0xFF for i in range(320 * 240 * 2))


def video_frame(index: int, width: int = WIDTH, height: int = HEIGHT) -> av.VideoFrame:
    """A frame whose picture moves by 3 pixels per frame, so every frame codes differently."""
    frame = av.VideoFrame(width, height, "yuv420p")
    for number, plane in enumerate(frame.planes):
        size = plane.buffer_size
        if number == 0:
            start = (index * 3) % (len(_NOISE) - size)
            plane.update(_NOISE[start : start + size])
        else:
            plane.update(bytes([128]) * size)
    return frame


def audio_frame(pts: int) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
    frame.sample_rate = 48_000
    frame.planes[0].update(_TONE)
    frame.pts = pts
    frame.time_base = Fraction(1, 48_000)
    return frame


class MovingVideo(VideoStreamTrack):
    async def recv(self) -> Any:
        pts, time_base = await self.next_timestamp()
        frame = video_frame(pts // 3000)
        frame.pts, frame.time_base = pts, time_base
        return frame


class Tone(AudioStreamTrack):
    async def recv(self) -> Any:
        # The parent paces 20 ms frames of 8 kHz silence; the tone is the same 20 ms at 48 kHz.
        silence = await super().recv()
        assert isinstance(silence, av.AudioFrame)
        return audio_frame((silence.pts or 0) * 48_000 // silence.sample_rate)


def vp8_frames(
    count: int, *, gop: int = 30, fps: int = 30, size: tuple[int, int] = (WIDTH, HEIGHT)
) -> list[EncodedFrame]:
    """`count` VP8 frames with a key frame every `gop`, timestamped in 90 kHz ticks."""
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height = size
    encoder.pix_fmt = "yuv420p"
    encoder.time_base = Fraction(1, fps)
    encoder.gop_size = gop
    encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    packets = []
    for i in range(count):
        frame = video_frame(i, *size)
        frame.pts = i
        packets += [(p.pts or 0, bytes(p)) for p in encoder.encode(frame)]
    packets += [(p.pts or 0, bytes(p)) for p in encoder.encode(None)]
    return [_frame(data, pts * (90_000 // fps), 90_000) for pts, data in packets]


def opus_frames(count: int) -> list[EncodedFrame]:
    """`count` 20 ms Opus packets of a 1 kHz tone, timestamped in 48 kHz ticks."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = 48_000
    encoder.layout = "stereo"
    encoder.format = "s16"
    encoder.time_base = Fraction(1, 48_000)
    payloads = []
    for i in range(count):
        payloads += [bytes(p) for p in encoder.encode(audio_frame(i * 960))]
    return [_frame(data, i * 960, 48_000) for i, data in enumerate(payloads)]


def _frame(data: bytes, pts: int, clock: int) -> EncodedFrame:
    return EncodedFrame(data, pts, ORIGIN_US + pts * 1_000_000 // clock)


def demux(data: bytes) -> tuple[str, list[tuple[int, bytes, bool]], int]:
    """(codec, [(pts, payload, keyframe)], decoded frames) of a one-stream file in memory."""
    with av.open(io.BytesIO(data), "r") as container:
        stream = container.streams[0]
        codec = stream.codec_context.name
        packets = [
            (int(p.pts), bytes(p), p.is_keyframe)
            for p in container.demux(stream)
            if p.pts is not None
        ]
    with av.open(io.BytesIO(data), "r") as container:
        decoded = len(list(container.decode(container.streams[0])))
    return codec, packets, decoded
