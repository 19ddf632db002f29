from __future__ import annotations

from pathlib import Path

import pytest

from signaling.errors import ProtocolError
from signaling.sdp import MAX_SDP_BYTES, Fingerprint, check_sdp

VECTORS = Path(__file__).parent / "vectors"


def vector(name: str) -> str:
    return (VECTORS / name).read_bytes().decode("ascii")


AIORTC_SHA256 = (
    "EA:98:A2:CA:C9:37:C7:63:F7:03:6E:38:A8:B0:EF:24:09:13:E5:3C:"
    "FF:A4:66:BF:81:67:FB:61:D2:E9:90:0B"
)


def test_real_aiortc_offer_is_accepted_with_its_three_fingerprints() -> None:
    summary = check_sdp(vector("aiortc-offer.sdp"))
    assert summary.media == ("audio", "video", "application")
    assert [fp.algorithm for fp in summary.fingerprints] == ["sha-256", "sha-384", "sha-512"]
    assert summary.fingerprints[0] == Fingerprint("sha-256", AIORTC_SHA256)


def test_session_level_fingerprint_covers_all_sections() -> None:
    summary = check_sdp(vector("session-fingerprint.sdp"))
    assert summary.fingerprints == (Fingerprint("sha-256", AIORTC_SHA256),)


def test_lowercase_fingerprint_is_normalised() -> None:
    sdp = vector("session-fingerprint.sdp").replace(AIORTC_SHA256, AIORTC_SHA256.lower())
    assert check_sdp(sdp).fingerprints[0].value == AIORTC_SHA256


def test_lf_only_line_ends_are_accepted() -> None:
    assert check_sdp(vector("aiortc-offer.sdp").replace("\r\n", "\n")).media[0] == "audio"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("plain-rtp-avp.sdp", "sdp.insecure_transport"),
        ("no-fingerprint.sdp", "sdp.no_fingerprint"),
        ("sha1-fingerprint.sdp", "sdp.weak_fingerprint"),
        ("sdes-crypto.sdp", "sdp.sdes_forbidden"),
    ],
)
def test_negative_vectors(name: str, code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        check_sdp(vector(name))
    assert caught.value.code == code


def _one_section_without_fingerprint() -> str:
    lines = vector("aiortc-offer.sdp").split("\r\n")
    video = lines.index(next(line for line in lines if line.startswith("m=video")))
    application = lines.index(next(line for line in lines if line.startswith("m=application")))
    return "\r\n".join(
        line
        for number, line in enumerate(lines)
        if not (video < number < application and line.startswith("a=fingerprint:"))
    )


@pytest.mark.parametrize(
    ("sdp", "code"),
    [
        ("", "sdp.malformed"),
        ("v=1\r\n", "sdp.malformed"),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "sdp.no_media"),
        ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nbogus\r\n", "sdp.malformed"),
        ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=x\x00\r\n", "sdp.malformed"),
        ("v=0\r\nm=audio nine UDP/TLS/RTP/SAVPF 111\r\n", "sdp.malformed"),
        ("v=0\r\nm=text 9 UDP/TLS/RTP/SAVPF 111\r\n", "sdp.bad_media"),
        ("v=0\r\nm=audio 9 RTP/SAVP 111\r\na=fingerprint:sha-256 AA\r\n", "sdp.insecure_transport"),
        ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 AA:BB\r\n",
         "sdp.bad_fingerprint"),
        ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256\r\n",
         "sdp.bad_fingerprint"),
        ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:md5 " + ":".join(["AA"] * 16)
         + "\r\n", "sdp.weak_fingerprint"),
        (_one_section_without_fingerprint(), "sdp.no_fingerprint"),
        ("v=0\r\n" + "a=x\r\n" * (MAX_SDP_BYTES // 5) + "m=audio 9 UDP/TLS/RTP/SAVPF 1\r\n",
         "sdp.too_large"),
    ],
)  # fmt: skip
def test_malformed_sdp(sdp: str, code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        check_sdp(sdp)
    assert caught.value.code == code
