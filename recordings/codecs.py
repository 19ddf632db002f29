"""What the recorder must know about the two codecs it stores, read from the encoded bytes. Pure.

The recorder never decodes: it writes the frames exactly as the participant's browser encoded them.
It still needs three facts per frame, all in the first bytes of the frame (RFC 6386 for VP8,
RFC 6716 for Opus): is this VP8 frame a keyframe (a segment may only start on one), what picture
size does it announce (the WebM header must carry it), and how long is this Opus packet.
"""

from __future__ import annotations

from dataclasses import dataclass

VP8 = "vp8"
OPUS = "opus"
CLOCK_RATES = {VP8: 90_000, OPUS: 48_000}
KINDS = {VP8: "video", OPUS: "audio"}
# What the recorder accepts from aiortc's negotiated codec names.
RTP_NAMES = {"VP8": VP8, "opus": OPUS}
CONTAINER = "webm"

_VP8_START_CODE = b"\x9d\x01\x2a"
# Opus frame duration in quarter milliseconds per TOC config (RFC 6716 section 3.1).
_OPUS_FRAME_QUARTER_MS = [40, 80, 160, 240] * 3 + [40, 80] * 2 + [10, 20, 40, 80] * 4


@dataclass(frozen=True)
class PictureSize:
    width: int
    height: int


def vp8_is_keyframe(frame: bytes) -> bool:
    """RFC 6386 section 9.1: bit 0 of the frame tag is 0 for a key frame, and a key frame carries
    the start code; both are checked so a truncated or garbage frame is never taken for one."""
    return len(frame) >= 10 and frame[0] & 1 == 0 and frame[3:6] == _VP8_START_CODE


def vp8_picture_size(frame: bytes) -> PictureSize | None:
    """The size a VP8 key frame announces (14 bits each; the 2 scaling bits are ignored)."""
    if not vp8_is_keyframe(frame):
        return None
    width = int.from_bytes(frame[6:8], "little") & 0x3FFF
    height = int.from_bytes(frame[8:10], "little") & 0x3FFF
    if width == 0 or height == 0:
        return None
    return PictureSize(width, height)


def opus_samples(packet: bytes) -> int:
    """Samples at 48 kHz in one Opus packet (RFC 6716 section 3.1), 0 if the packet is malformed.

    A DTX comfort-noise packet is one byte and still counts as one frame.
    """
    if not packet:
        return 0
    toc = packet[0]
    per_frame = _OPUS_FRAME_QUARTER_MS[toc >> 3] * 48 // 4
    code = toc & 3
    if code == 0:
        frames = 1
    elif code in (1, 2):
        frames = 2
    else:
        if len(packet) < 2:
            return 0
        frames = packet[1] & 0x3F
    return per_frame * frames


def opus_head(channels: int = 2) -> bytes:
    """The OpusHead that WebM requires as CodecPrivate (RFC 7845 section 5.1).

    Pre-skip is 0: the packets come from a live encoder mid-stream, not from the start of an
    encode, so there are no priming samples to hide, and timestamps stay exactly the RTP ones.
    """
    return (
        b"OpusHead"
        + bytes([1, channels])
        + (0).to_bytes(2, "little")
        + (48_000).to_bytes(4, "little")
        + (0).to_bytes(2, "little")
        + bytes([0])
    )
