"""Trust policy files: the documented TOML example, JSON, and every malformed field refused."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.audit.support import golden_cosigner, golden_signer
from tests.audit.tsa import LocalTsa
from vc_service.audit import policy as policy_module
from vc_service.audit.checkpoint import public_key_pem
from vc_service.audit.policy import PolicyError, load_policy, parse_policy, policy_from_dict


def _documented_example(tsa_root: str) -> str:
    """The example in the module docstring, with a real certificate in place of '...'."""
    doc = policy_module.__doc__ or ""
    example = doc.split("Example (TOML):\n\n", 1)[1].split("\n\nTimes are", 1)[0]
    example = "\n".join(line[4:] for line in example.splitlines())
    pem = json.dumps(tsa_root)
    example = re.sub(r'certificate = ".*"', lambda _: f"certificate = {pem}", example)
    return re.sub(r"untrusted = .*\n", "", example)


def test_documented_example_parses(tmp_path: Path) -> None:
    tsa = LocalTsa(tmp_path / "tsa")
    text = _documented_example(tsa.root_pem.decode())
    (tmp_path / "policy.toml").write_text(text)
    policy = load_policy(tmp_path / "policy.toml")
    assert policy.origin_prefix == "audit.court.example/hearing/"
    assert policy.cosigner_quorum == 1 and policy.require_timestamp
    (log_key,) = policy.log_keys
    assert log_key.public_key == golden_signer().public_key
    assert log_key.valid_at(datetime(2026, 6, 1, tzinfo=UTC))
    assert not log_key.valid_at(datetime(2027, 1, 1, tzinfo=UTC))  # end is exclusive
    assert not log_key.valid_at(datetime(2025, 12, 31, tzinfo=UTC))
    (witness,) = policy.cosigners
    assert witness.public_key == golden_cosigner().public_key  # the PEM form
    assert policy.tsa_roots[0].policy_oids == ("1.3.6.1.4.1.99999.1",)


def _minimal() -> dict[str, Any]:
    return {
        "version": 1,
        "origin_prefix": "audit.court.example/hearing/",
        "log_keys": [
            {
                "name": golden_signer().name,
                "public_key": public_key_pem(golden_signer().public_key).decode(),
            }
        ],
    }


def test_json_policy(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(json.dumps(_minimal()))
    policy = load_policy(tmp_path / "policy.json")
    assert policy.log_keys[0].public_key == golden_signer().public_key
    assert policy.cosigner_quorum == 0 and not policy.require_timestamp


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "unsupported policy version"),
        ({"version": True}, "unsupported policy version"),
        ({"extra": 1}, "unknown field"),
        ({"log_keys": []}, "at least one key"),
        ({"origin_prefix": "audit.court.example/hearing"}, "must end with '/'"),
        ({"cosigner_quorum": 1}, "cosigner_quorum"),
        ({"require_timestamp": True}, "needs at least one entry in tsa_roots"),
        ({"require_timestamp": "yes"}, "true or false"),
        ({"max_clock_skew_seconds": -1}, "max_clock_skew_seconds"),
        ({"log_keys": [{"name": "a", "public_key": "AAAA"}]}, "32 bytes"),
        (
            {
                "log_keys": [
                    {"name": "a b", "public_key": "N2+pepPEq6Es43K2hGsIDG3rXXIlX6SWcvMsMIFjhUQ="}
                ]
            },
            "space",
        ),
        (
            {
                "log_keys": [
                    {
                        "name": "a",
                        "public_key": "N2+pepPEq6Es43K2hGsIDG3rXXIlX6SWcvMsMIFjhUQ=",
                        "valid_from": "2026-01-01",
                    }
                ]
            },
            "RFC 3339",
        ),
        (
            {
                "log_keys": [
                    {
                        "name": "a",
                        "public_key": "N2+pepPEq6Es43K2hGsIDG3rXXIlX6SWcvMsMIFjhUQ=",
                        "valid_from": "2026-01-02T00:00:00Z",
                        "valid_until": "2026-01-01T00:00:00Z",
                    }
                ]
            },
            "not after",
        ),
        (
            {
                "log_keys": [
                    {
                        "name": "a",
                        "public_key": "N2+pepPEq6Es43K2hGsIDG3rXXIlX6SWcvMsMIFjhUQ=",
                        "colour": "blue",
                    }
                ]
            },
            "unknown field",
        ),
        (
            {
                "log_keys": [
                    {
                        "name": "a",
                        "public_key": "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----",
                    }
                ]
            },
            "PEM",
        ),
        ({"tsa_roots": [{"name": "t", "certificate": "not a certificate"}]}, "certificates"),
    ],
)
def test_malformed_policies(change: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        policy_from_dict({**_minimal(), **change})


def test_syntax_and_suffix_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy("version = ", "toml")
    assert info.value.code == "audit.policy.syntax"
    (tmp_path / "policy.yaml").write_text("version: 1")
    with pytest.raises(PolicyError, match=r"\.toml or \.json"):
        load_policy(tmp_path / "policy.yaml")
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "missing.toml")
    assert info.value.code == "audit.policy.unreadable"
