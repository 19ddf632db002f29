"""The verifier's checklist on good bundles and on each policy requirement: cosignature
quorum, RFC 3161 time from a local `openssl ts` authority, key validity windows, origins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audit.factory import (
    ORIGIN,
    START,
    VERIFY_NOW,
    build_sample,
    make_events,
    member,
    policy,
    rewrite,
)
from tests.audit.shell import run_sh, unpack, verify_md_commands, verify_sh
from tests.audit.support import COSIGNER_NAME, golden_cosigner
from tests.audit.tsa import POLICY_OID, LocalTsa
from vc_service.audit.checkpoint import public_key_pem
from vc_service.audit.policy import TsaRoot
from vc_service.audit.verify import STEPS, VerificationReport, verify_bundle


def failed_step(report: VerificationReport) -> tuple[int, str | None]:
    first = next(step for step in report.steps if not step.passed)
    return first.number, first.code


def test_good_bundle_passes_every_step(tmp_path: Path) -> None:
    sample = build_sample(tmp_path)
    report = verify_bundle(sample.path, policy(), expected_origin=ORIGIN, now=VERIFY_NOW)
    assert report.ok, report.render()
    assert [step.number for step in report.steps] == list(range(1, len(STEPS) + 1))
    assert report.origin == ORIGIN and report.size == len(sample.events)
    assert report.root is not None and report.root.hex() in report.render()
    assert report.render().endswith("result: VERIFIED")
    assert report.to_dict()["ok"] is True


def test_good_bundle_passes_the_shell_route(tmp_path: Path) -> None:
    directory = unpack(build_sample(tmp_path).path, tmp_path / "unzipped")
    result = run_sh(verify_md_commands(directory), directory)
    assert result.ok, result.output
    assert "VERIFIED" in result.output and "Signature Verified Successfully" in result.output
    assert "inclusion OK" in result.output and "consistency OK: 3 -> 10" in result.output


def test_failure_stops_and_marks_later_steps_not_run(tmp_path: Path) -> None:
    sample = build_sample(tmp_path)
    report = verify_bundle(
        sample.path, policy(), expected_origin=ORIGIN.replace("0b5e", "1b5e"), now=VERIFY_NOW
    )
    assert not report.ok
    assert failed_step(report) == (3, "audit.checkpoint.origin")
    assert all(not step.passed and "not run" in step.detail for step in report.steps[3:])
    assert report.render().endswith("result: NOT VERIFIED")


def test_cosignature_quorum(tmp_path: Path) -> None:
    cosigned = build_sample(tmp_path / "a", cosign_at=START + timedelta(hours=1))
    plain = build_sample(tmp_path / "b")
    assert verify_bundle(cosigned.path, policy(quorum=1), now=VERIFY_NOW).ok
    report = verify_bundle(plain.path, policy(quorum=1), now=VERIFY_NOW)
    assert failed_step(report) == (5, "audit.cosign.quorum")
    # A cosignature dated in the future of the verifier's clock.
    future = build_sample(tmp_path / "c", cosign_at=VERIFY_NOW + timedelta(hours=1))
    assert failed_step(verify_bundle(future.path, policy(quorum=1), now=VERIFY_NOW)) == (
        5,
        "audit.cosign.future",
    )
    # The cosigner's key must be valid at its cosignature's time.
    early = build_sample(tmp_path / "d", cosign_at=datetime(2025, 6, 1, tzinfo=UTC))
    assert failed_step(verify_bundle(early.path, policy(quorum=1), now=VERIFY_NOW)) == (
        5,
        "audit.cosign.quorum",
    )


def test_cosignature_through_the_shell(tmp_path: Path) -> None:
    sample = build_sample(tmp_path, cosign_at=START + timedelta(hours=1))
    directory = unpack(sample.path, tmp_path / "unzipped")
    (directory / "witness.pem").write_bytes(public_key_pem(golden_cosigner().public_key))
    result = verify_sh(directory, "-w", "witness.pem", "-m", COSIGNER_NAME)
    assert result.ok, result.output
    assert f"cosigned by {COSIGNER_NAME}" in result.output
    other = unpack(build_sample(tmp_path / "plain").path, tmp_path / "plain-unzipped")
    (other / "witness.pem").write_bytes(public_key_pem(golden_cosigner().public_key))
    result = verify_sh(other, "-w", "witness.pem", "-m", COSIGNER_NAME)
    assert not result.ok and "no cosignature" in result.output


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> LocalTsa:
    return LocalTsa(tmp_path_factory.mktemp("tsa"))


def _timestamped(directory: Path, tsa: LocalTsa, start: datetime) -> Path:
    from vc_service.audit.checkpoint import parse_signed_note

    events = make_events(start=start)
    draft = build_sample(directory / "draft", events=events)
    note = parse_signed_note(member(draft.path, "checkpoint")).body
    return build_sample(directory, events=events, timestamp=tsa.stamp(note)).path


def test_rfc3161_timestamp(tmp_path: Path, tsa: LocalTsa) -> None:
    now = datetime.now(UTC)
    path = _timestamped(tmp_path, tsa, now - timedelta(hours=1))
    roots = (TsaRoot("test TSA", tsa.root_pem, None, (POLICY_OID,)),)
    report = verify_bundle(path, policy(tsa_roots=roots, require_timestamp=True))
    assert report.ok, report.render()
    assert "genTime from test TSA" in report.steps[5].detail
    # Another TSA's root does not anchor this token.
    stranger = LocalTsa(tmp_path / "stranger", "Stranger TSA")
    report = verify_bundle(path, policy(tsa_roots=(TsaRoot("x", stranger.root_pem),)))
    assert failed_step(report) == (6, "audit.timestamp.invalid")
    # A policy OID the policy does not allow.
    report = verify_bundle(path, policy(tsa_roots=(TsaRoot("t", tsa.root_pem, None, ("1.2.3",)),)))
    assert failed_step(report) == (6, "audit.timestamp.policy")
    # A token present while the policy trusts no TSA is not silently ignored.
    assert failed_step(verify_bundle(path, policy())) == (6, "audit.timestamp.untrusted")


def test_rfc3161_token_must_cover_this_checkpoint(tmp_path: Path, tsa: LocalTsa) -> None:
    now = datetime.now(UTC)
    path = _timestamped(tmp_path / "a", tsa, now - timedelta(hours=1))
    other = _timestamped(tmp_path / "b", tsa, now - timedelta(hours=2))
    swapped = rewrite(
        path, tmp_path / "swapped.zip", {"checkpoint.tsr": member(other, "checkpoint.tsr")}
    )
    roots = (TsaRoot("test TSA", tsa.root_pem),)
    assert failed_step(verify_bundle(swapped, policy(tsa_roots=roots))) == (
        6,
        "audit.timestamp.invalid",
    )
    # genTime before the last event: the log claims events after it was sealed.
    late = _timestamped(tmp_path / "c", tsa, now + timedelta(hours=1))
    report = verify_bundle(late, policy(tsa_roots=roots), now=now + timedelta(days=1))
    assert failed_step(report) == (6, "audit.timestamp.too_early")


def test_required_timestamp_missing_is_a_failure(tmp_path: Path, tsa: LocalTsa) -> None:
    sample = build_sample(tmp_path)
    roots = (TsaRoot("test TSA", tsa.root_pem),)
    report = verify_bundle(
        sample.path, policy(tsa_roots=roots, require_timestamp=True), now=VERIFY_NOW
    )
    assert failed_step(report) == (6, "audit.timestamp.missing")


def test_timestamp_through_the_shell(tmp_path: Path, tsa: LocalTsa) -> None:
    path = _timestamped(tmp_path, tsa, datetime.now(UTC) - timedelta(hours=1))
    directory = unpack(path, tmp_path / "unzipped")
    (directory / "tsa-root.pem").write_bytes(tsa.root_pem)
    result = verify_sh(directory, "-t", "tsa-root.pem")
    assert result.ok and "Time stamp:" in result.output, result.output
    result = run_sh(verify_md_commands(directory), directory)
    assert result.ok and "Verification: OK" in result.output, result.output
    stranger = LocalTsa(tmp_path / "stranger", "Stranger TSA")
    (directory / "tsa-root.pem").write_bytes(stranger.root_pem)
    assert not verify_sh(directory, "-t", "tsa-root.pem").ok
    assert not run_sh(verify_md_commands(directory), directory).ok


def test_key_validity_window(tmp_path: Path) -> None:
    sample = build_sample(tmp_path)
    # Rotated out before the hearing ended: its signature no longer counts.
    expired = policy(valid_until=START + timedelta(seconds=5))
    assert failed_step(verify_bundle(sample.path, expired, now=VERIFY_NOW)) == (
        6,
        "audit.key.not_valid",
    )
    not_yet = policy(valid_from=START + timedelta(days=1))
    assert failed_step(verify_bundle(sample.path, not_yet, now=VERIFY_NOW))[0] == 6
    window = policy(valid_from=START, valid_until=START + timedelta(hours=1))
    assert verify_bundle(sample.path, window, now=VERIFY_NOW).ok
