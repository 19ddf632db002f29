from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Callable

import pytest

from signaling.config import SignalingConfig
from signaling.credentials import ResumeTokens, ice_servers, turn_credentials
from signaling.errors import AuthError
from signaling.protocol import SECRET_PATTERN, Role


def test_turn_credentials_follow_the_coturn_rest_scheme() -> None:
    username, credential = turn_credentials(b"north", "p-abc", 3600, now=1_700_000_000.9)
    assert username == "1700003600:p-abc"
    # coturn checks base64(HMAC-SHA1(secret, username)); recompute it with openssl.
    openssl = shutil.which("openssl")
    assert openssl is not None
    out = subprocess.run(
        [openssl, "dgst", "-sha1", "-hmac", "north", "-binary"],
        input=username.encode(),
        capture_output=True,
        check=True,
    ).stdout

    assert credential == base64.b64encode(out).decode()


def test_ice_servers_give_stun_plain_and_turn_with_credentials() -> None:
    urls = ("stun:stun.example.org:3478", "turn:turn.example.org:3478?transport=udp")
    servers = ice_servers(urls, b"s3cret", "witness-1", 600, now=1000.0)
    assert servers[0] == {"urls": ["stun:stun.example.org:3478"]}
    assert servers[1]["urls"] == ["turn:turn.example.org:3478?transport=udp"]
    assert servers[1]["username"] == "1600:witness-1"
    assert ice_servers((), None, "x", 600, now=0) == []


def test_config_refuses_turn_without_secret_and_bad_values() -> None:
    with pytest.raises(ValueError, match="turn_secret"):
        SignalingConfig(ice_servers=("turn:t.example.org",))
    with pytest.raises(ValueError, match="not a stun"):
        SignalingConfig(ice_servers=("http://x",))
    with pytest.raises(ValueError, match="grace_seconds"):
        SignalingConfig(grace_seconds=0)
    with pytest.raises(ValueError, match="32 bytes"):
        SignalingConfig(resume_secret=b"short")
    assert "s3cret" not in repr(SignalingConfig(turn_secret=b"s3cret"))


def test_resume_tokens_round_trip_and_fit_the_hello_field() -> None:
    tokens = ResumeTokens(b"k" * 32, 60)
    token = tokens.issue("h-1", "witness-1", Role.WITNESS, "n0nce", now=1000.0)
    assert SECRET_PATTERN.fullmatch(token)
    claim = tokens.verify(token, "h-1", now=1059.0)
    assert (claim.participant_id, claim.role, claim.nonce) == ("witness-1", Role.WITNESS, "n0nce")


@pytest.mark.parametrize(
    ("mutate", "hearing", "now", "code"),
    [
        (lambda t: t, "h-2", 1000.0, "auth.wrong_hearing"),
        (lambda t: t, "h-1", 1061.0, "auth.expired"),
        (lambda t: "x" + t, "h-1", 1000.0, "auth.bad_resume"),
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "h-1", 1000.0,
         "auth.bad_resume"),
        (lambda t: t.split(".")[0], "h-1", 1000.0, "auth.bad_resume"),
        (lambda t: "!!!.???", "h-1", 1000.0, "auth.bad_resume"),
    ],
)  # fmt: skip
def test_resume_token_refusals(
    mutate: Callable[[str], str], hearing: str, now: float, code: str
) -> None:
    tokens = ResumeTokens(b"k" * 32, 60)
    token = tokens.issue("h-1", "witness-1", Role.WITNESS, "n0nce", now=1000.0)
    with pytest.raises(AuthError) as caught:
        tokens.verify(mutate(token), hearing, now)
    assert caught.value.code == code


def test_a_token_from_another_key_is_refused() -> None:
    token = ResumeTokens(b"a" * 32, 60).issue("h-1", "w", Role.WITNESS, "n", now=0)
    with pytest.raises(AuthError):
        ResumeTokens(b"b" * 32, 60).verify(token, "h-1", now=0)
