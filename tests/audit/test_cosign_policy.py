"""Issue 14 point 7: a hearing whose decision names the requested state's authority gets a trust
policy that requires one cosignature by default, and the demo hearing's policy does (quorum 1,
the authority's cosignature, checked against the checkpoint the authority held). Before the
issue every policy had quorum 0 unless someone asked."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.closing.story import closed_hearing
from tests.hearings.conftest import lite
from tests.hearings.kit import Court
from vc_service.audit import AuditError
from vc_service.audit.checkpoint import Cosigner
from vc_service.audit.keys import default_quorum, names_requested_authority
from vc_service.audit.policy import policy_from_dict
from vc_service.cli import main
from vc_service.db import new_id
from vc_service.services import Services

__all__ = ["lite"]
WITH_AUTHORITY: dict[str, Any] = {
    "decision": "conditional",
    "conditions": [
        {"id": "request.accepted", "satisfied_by": ["judge"]},
        {"id": "identity.verified", "satisfied_by": ["authority"]},
    ],
}
WITHOUT: dict[str, Any] = {
    "decision": "allowed",
    "conditions": [{"id": "request.accepted", "satisfied_by": ["judge"]}],
}


def test_the_default_quorum_follows_the_decision() -> None:
    assert names_requested_authority(WITH_AUTHORITY) and default_quorum(WITH_AUTHORITY) == 1
    assert not names_requested_authority(WITHOUT) and default_quorum(WITHOUT) == 0
    assert default_quorum(None) == 0 and default_quorum({"conditions": None}) == 0


async def test_a_hearing_policy_requires_the_authoritys_cosignature(
    any_services: Services,
) -> None:
    keys = any_services.audit.keys
    prefix = f"{any_services.audit.origin_domain}/hearing/"
    hearing = new_id()
    await keys.active()
    with pytest.raises(AuditError) as caught:
        await keys.hearing_policy(hearing, WITH_AUTHORITY, prefix)
    assert caught.value.code == "audit.cosign.missing"
    assert (await keys.hearing_policy(hearing, WITH_AUTHORITY, prefix, quorum=0))[
        "cosigner_quorum"
    ] == 0
    assert (await keys.hearing_policy(hearing, WITHOUT, prefix))["cosigner_quorum"] == 0

    authority = Cosigner("authority.fr/juge-leroy", Ed25519PrivateKey.generate())
    await keys.register_cosigner(hearing, authority.name, authority.public_key)
    document = await keys.hearing_policy(hearing, WITH_AUTHORITY, prefix)
    policy = policy_from_dict(document)
    assert policy.cosigner_quorum == 1
    assert [(k.name, k.public_key) for k in policy.cosigners] == [
        (authority.name, authority.public_key)
    ]


@pytest.mark.slow
def test_the_demo_hearings_policy_has_quorum_one_with_the_authoritys_cosignature(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vc_service", "demo-hearing", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "the authority cosigned the checkpoint of " in out
    assert "the authority checked the proof from " in out
    policy = tomllib.loads((tmp_path / "trust-policy.toml").read_text(encoding="utf-8"))
    assert policy["cosigner_quorum"] == 1
    assert [c["name"] for c in policy["cosigners"]] == ["authority.fr/demo"]
    assert "PASS  5. cosignatures and quorum: 1 valid (authority.fr/demo), quorum 1" in out
    assert "known checkpoint(s) at size " in out and "result: VERIFIED" in out


async def test_keys_trust_policy_for_a_hearing_requires_the_authority(
    lite: Court, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    services = lite.services
    monkeypatch.setenv("VC_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("VC_DATABASE_URL", services.settings.database_url)
    record = (await closed_hearing(lite)).record
    assert names_requested_authority(record.hearing.legal_decision)
    out = tmp_path / "trust.toml"

    def cli(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["keys", "trust-policy", "-o", str(out), "--hearing", record.id, *argv])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    code, said = await asyncio.to_thread(cli)
    assert code == 2 and "audit.cosign.missing" in said, said
    code, said = await asyncio.to_thread(cli, "--quorum", "0")
    assert code == 0, said
    authority = Cosigner("authority.fr/juge-leroy", Ed25519PrivateKey.generate())
    await services.audit.register_cosigner(record.id, authority.name, authority.public_key)
    code, said = await asyncio.to_thread(cli)
    assert code == 0, said
    policy = tomllib.loads(out.read_text(encoding="utf-8"))
    assert policy["cosigner_quorum"] == 1 and policy["cosigners"][0]["name"] == authority.name
