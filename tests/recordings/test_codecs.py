"""The three facts the recorder reads from encoded bytes, against real encoders' output."""

from __future__ import annotations

import pytest

from recordings import codecs
from tests.recordings.media import opus_frames, vp8_frames


def test_vp8_keyframes_and_size_match_the_encoder() -> None:
    frames = vp8_frames(12, gop=5, size=(176, 144))
    keys = [i for i, f in enumerate(frames) if codecs.vp8_is_keyframe(f.data)]
    assert keys == [0, 5, 10]
    assert codecs.vp8_picture_size(frames[0].data) == codecs.PictureSize(176, 144)
    assert codecs.vp8_picture_size(frames[1].data) is None


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00" * 9,
        b"\x00\x00\x00\x9d\x01\x2b" + b"\x00" * 8,
        b"\x01\x00\x00\x9d\x01\x2a" + b"\x10" * 4,
    ],
)
def test_vp8_garbage_is_never_a_keyframe(garbage: bytes) -> None:
    assert not codecs.vp8_is_keyframe(garbage)
    assert codecs.vp8_picture_size(garbage) is None


def test_opus_samples_of_real_packets() -> None:
    assert {codecs.opus_samples(f.data) for f in opus_frames(10)} == {960}


@pytest.mark.parametrize(
    ("packet", "samples"),
    [
        (bytes([(0 << 3) | 0]), 480),  # SILK NB 10 ms, one frame
        (bytes([(3 << 3) | 0]), 2880),  # SILK NB 60 ms
        (bytes([(13 << 3) | 1]) + b"xx", 1920),  # hybrid SWB 20 ms, two frames
        (bytes([(16 << 3) | 0]), 120),  # CELT NB 2.5 ms
        (bytes([(31 << 3) | 3, 5]) + b"x" * 5, 4800),  # CELT FB 20 ms, code 3 with 5 frames
        (bytes([(31 << 3) | 3]), 0),  # code 3 without its frame count: malformed
        (b"", 0),
    ],
)
def test_opus_samples_follow_rfc_6716_toc(packet: bytes, samples: int) -> None:
    assert codecs.opus_samples(packet) == samples


def test_opus_head_is_the_rfc_7845_layout() -> None:
    head = codecs.opus_head()
    assert head == b"OpusHead\x01\x02\x00\x00\x80\xbb\x00\x00\x00\x00\x00"
    assert len(head) == 19
