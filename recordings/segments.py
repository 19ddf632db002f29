"""One track's encoded frames into fixed-length WebM segments, written on the track's own thread.

Why segments: a file is only useful once its muxer has closed it (a crash leaves an unplayable file,
as Jibri users found), so the hearing is cut into short files that each close, get hashed into the
audit log and encrypted while the hearing goes on. A crash loses at most one segment per track.

Why no re-encoding: the frames are muxed exactly as the participant's browser encoded them, which
costs almost no CPU and adds no generation loss to the evidence. The price is that a video segment
can only start on a key frame, so near the end of each segment the writer asks the sender for one
(an RTCP PLI, through `want_keyframe`) and cuts on the first key frame after that.

Timeline: `start_us`/`end_us` are media time since the track's first recorded frame, from the
sender's RTP clock. A segment ends exactly where the next begins, so the parts of a track tile its
timeline with no gap and no overlap; each file's own timestamps start at 0.

Threading: `TrackWriter.push()` is cheap and safe from the event loop; muxing, and the `store`
callback that hashes, encrypts and writes each finished segment, run on the writer's thread.
"""

from __future__ import annotations

import enum
import functools
import io
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av

from recordings import codecs
from recordings.codecs import PictureSize

log = logging.getLogger(__name__)

# Ask for a key frame this long before a video segment is due, and accept one from then on, so
# that the round trip of the request does not lengthen every segment.
KEYFRAME_LEAD_MS = 100
# Ask again this often while waiting (a PLI can be lost; a sender may be slow to answer).
KEYFRAME_RETRY_MS = 500
# The last video frame of a track has no successor to give its duration: assume 30 fps.
DEFAULT_VIDEO_FRAME_MS = 33
MIN_SEGMENT_MS = 200


@dataclass(frozen=True)
class EncodedFrame:
    """One encoded frame as received: `pts` in RTP clock ticks from the track's first packet."""

    data: bytes
    pts: int
    arrival_us: int


@dataclass(frozen=True)
class FinishedSegment:
    """A closed segment file, still in memory: plaintext never touches the disk."""

    part: int
    data: bytes
    start_us: int
    end_us: int
    frames: int
    # Wall clock (microseconds since the epoch) when the track's first recorded frame arrived:
    # the origin of `start_us`/`end_us`, so that tracks can be placed side by side.
    origin_us: int


class Action(enum.Enum):
    DROP = "drop"
    WRITE = "write"
    START = "start"


@dataclass(frozen=True)
class Decision:
    action: Action
    want_keyframe: bool = False


class SegmentPlan:
    """Decides, frame by frame, where segments start. Pure: ticks in, decisions out."""

    def __init__(
        self, clock_rate: int, segment_ms: int, *, keyframes_only: bool, lead_ms: int = 0
    ) -> None:
        if segment_ms < MIN_SEGMENT_MS:
            raise ValueError(f"segments shorter than {MIN_SEGMENT_MS} ms are not supported")
        self.clock_rate = clock_rate
        self.segment_ticks = segment_ms * clock_rate // 1000
        self.lead_ticks = min(lead_ms, segment_ms // 4) * clock_rate // 1000
        self.retry_ticks = KEYFRAME_RETRY_MS * clock_rate // 1000
        self.keyframes_only = keyframes_only
        self.segment_start: int | None = None
        self.last_pts: int | None = None
        self._asked_at: int | None = None

    def admit(self, pts: int, keyframe: bool, new_format: bool = False) -> Decision:
        if self.last_pts is not None and pts <= self.last_pts:
            # A muxer needs increasing timestamps; a repeated or late frame cannot be placed.
            return Decision(Action.DROP)
        can_start = keyframe or not self.keyframes_only
        if self.segment_start is None:
            if not can_start:
                # Nothing decodes before the first key frame: wait for it, and ask for it.
                return Decision(Action.DROP, self._ask(pts))
            return self._start(pts)
        elapsed = pts - self.segment_start
        self.last_pts = pts
        if can_start and (new_format or elapsed >= self.segment_ticks - self.lead_ticks):
            return self._start(pts)
        want = self.keyframes_only and elapsed >= self.segment_ticks - self.lead_ticks
        return Decision(Action.WRITE, want and self._ask(pts))

    def _start(self, pts: int) -> Decision:
        self.segment_start = pts
        self.last_pts = pts
        self._asked_at = None
        return Decision(Action.START)

    def _ask(self, pts: int) -> bool:
        if self._asked_at is not None and pts - self._asked_at < self.retry_ticks:
            return False
        self._asked_at = pts
        return True


@functools.cache
def _opus_template() -> Any:
    """An input stream to copy an Opus stream from. A muxing-only stream made with
    `add_mux_stream` has no way to carry the OpusHead that WebM requires, and an encoder stream
    would add the encoder's own pre-skip and codec delay; a template stream carries neither."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as out:
        stream = out.add_mux_stream("opus", rate=48_000)
        stream.time_base = Fraction(1, 48_000)
        packet = av.Packet(b"\xfc\xff\xfe")  # one silent 20 ms CELT frame
        packet.stream = stream
        packet.pts = packet.dts = 0
        packet.time_base = Fraction(1, 48_000)
        out.mux(packet)
    buffer.seek(0)
    return av.open(buffer, "r").streams.audio[0]


_template_lock = threading.Lock()


class SegmentMuxer:
    """One WebM file being written into memory."""

    def __init__(self, codec: str, size: PictureSize | None) -> None:
        self.codec = codec
        self._buffer = io.BytesIO()
        self._container: Any = av.open(self._buffer, "w", format=codecs.CONTAINER)
        self._time_base = Fraction(1, codecs.CLOCK_RATES[codec])
        if codec == codecs.VP8:
            if size is None:
                raise ValueError("a VP8 segment needs the picture size of its first key frame")
            self._stream = self._container.add_mux_stream(
                "vp8", width=size.width, height=size.height
            )
        else:
            with _template_lock:
                self._stream = self._container.add_stream_from_template(
                    _opus_template(), opaque=True
                )
            self._stream.codec_context.extradata = codecs.opus_head()
        self._stream.time_base = self._time_base
        self.frames = 0

    def add(self, data: bytes, pts: int, duration: int, keyframe: bool) -> None:
        packet = av.Packet(data)
        packet.stream = self._stream
        packet.time_base = self._time_base
        packet.pts = packet.dts = pts
        packet.duration = duration
        packet.is_keyframe = keyframe
        self._container.mux(packet)
        self.frames += 1

    def close(self) -> bytes:
        self._container.close()
        return self._buffer.getvalue()


@dataclass
class _Pending:
    data: bytes
    pts: int
    keyframe: bool


_END = object()


class TrackWriter:
    """Writes one track's frames into segments on its own thread.

    `store(segment)` and `want_keyframe()` are called on that thread. If `store` raises, the
    writer stops, keeps the exception in `error`, and reports it through `on_error`.
    """

    def __init__(
        self,
        name: str,
        codec: str,
        segment_ms: int,
        store: Callable[[FinishedSegment], None],
        *,
        want_keyframe: Callable[[], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        if codec not in codecs.CLOCK_RATES:
            raise ValueError(f"unsupported codec {codec!r}")
        self.name = name
        self.codec = codec
        self._clock = codecs.CLOCK_RATES[codec]
        is_video = codec == codecs.VP8
        self._plan = SegmentPlan(
            self._clock,
            segment_ms,
            keyframes_only=is_video,
            lead_ms=KEYFRAME_LEAD_MS if is_video else 0,
        )
        self._store = store
        self._want_keyframe = want_keyframe
        self._on_error = on_error
        self._queue: queue.SimpleQueue[EncodedFrame | object] = queue.SimpleQueue()
        self._muxer: SegmentMuxer | None = None
        self._pending: _Pending | None = None
        self._size: PictureSize | None = None
        self._origin_pts = 0
        self._origin_us = 0
        self._segment_pts = 0
        self._last_delta = DEFAULT_VIDEO_FRAME_MS * self._clock // 1000
        self._part = 0
        self.error: BaseException | None = None
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name=f"segments-{name}", daemon=True)
        self._thread.start()

    def push(self, frame: EncodedFrame) -> None:
        if self.error is None:  # a failed writer takes nothing more, so nothing piles up
            self._queue.put(frame)

    def end(self) -> None:
        """No more frames: the thread closes the open segment and exits."""
        self._queue.put(_END)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread (blocking: call it in a thread from async code); True if done."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _END:
                    self._close_segment(None)
                    return
                assert isinstance(item, EncodedFrame)
                self._frame(item)
        except Exception as exc:  # reported, never swallowed: the track's recording is broken
            log.exception("track %s: writer failed", self.name)
            self.error = exc
            if self._on_error is not None:
                self._on_error(exc)

    def _frame(self, frame: EncodedFrame) -> None:
        keyframe = True
        new_format = False
        if self.codec == codecs.VP8:
            keyframe = codecs.vp8_is_keyframe(frame.data)
            size = codecs.vp8_picture_size(frame.data) if keyframe else None
            new_format = size is not None and self._size is not None and size != self._size
        decision = self._plan.admit(frame.pts, keyframe, new_format)
        if decision.want_keyframe and self._want_keyframe is not None:
            self._want_keyframe()
        if decision.action is Action.DROP:
            self.dropped += 1
            return
        if decision.action is Action.START:
            if self._muxer is None and self._part == 0:
                self._origin_pts = frame.pts
                self._origin_us = frame.arrival_us
            else:
                self._close_segment(frame.pts)
            if self.codec == codecs.VP8:
                self._size = codecs.vp8_picture_size(frame.data)
            self._muxer = SegmentMuxer(self.codec, self._size)
            self._segment_pts = frame.pts
        elif self._pending is not None:
            self._write_pending(frame.pts - self._pending.pts)
        self._pending = _Pending(frame.data, frame.pts, keyframe)

    def _write_pending(self, duration: int) -> None:
        pending, muxer = self._pending, self._muxer
        assert pending is not None and muxer is not None
        if self.codec == codecs.OPUS:
            # The packet's own length, not the gap to the next one: with DTX the gap is silence.
            duration = codecs.opus_samples(pending.data) or duration
        else:
            self._last_delta = duration
        muxer.add(pending.data, pending.pts - self._segment_pts, duration, pending.keyframe)
        self._pending = None

    def _close_segment(self, next_pts: int | None) -> None:
        """Close the open segment; it ends where the next begins (`next_pts`), or, at the end of
        the track, after its last frame."""
        if self._muxer is None or self._pending is None:
            return
        last = self._pending
        if next_pts is None:
            if self.codec == codecs.OPUS:
                tail = codecs.opus_samples(last.data) or 960
            else:
                tail = self._last_delta
            end_pts = last.pts + tail
        else:
            end_pts = next_pts
        self._write_pending(end_pts - last.pts)
        frames = self._muxer.frames
        data = self._muxer.close()
        self._muxer = None
        segment = FinishedSegment(
            part=self._part,
            data=data,
            start_us=self._ticks_to_us(self._segment_pts - self._origin_pts),
            end_us=self._ticks_to_us(end_pts - self._origin_pts),
            frames=frames,
            origin_us=self._origin_us,
        )
        self._part += 1
        self._store(segment)

    def _ticks_to_us(self, ticks: int) -> int:
        return ticks * 1_000_000 // self._clock
